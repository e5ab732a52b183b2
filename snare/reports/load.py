"""Read and validate a results directory (``results.json`` + ``predictions/<task>.jsonl``) for reporting.

Every problem is one line naming the file (and line) and what is wrong, raised as :class:`ReportInputError`.
The report recomputes accuracies from the per-item scores, so the rows are checked strictly: finite scores,
a valid intended option, one task per file, unique ids, and exactly as many items as the run recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from snare.engine.results import PREDICTIONS, RESULTS
from snare.engine.rows import PredictionRow
from snare.errors import SnareError


class ReportInputError(SnareError):
    """A results directory is missing, malformed or inconsistent."""


@dataclass
class RunData:
    """One validated results directory: the run record and, per task, its rows in file order."""

    path: Path
    record: dict[str, Any]
    rows: dict[str, list[PredictionRow]] = field(default_factory=dict)
    label: str = ""

    @property
    def fingerprint(self) -> str | None:
        return (self.record.get("probeset") or {}).get("fingerprint")

    @property
    def model(self) -> dict[str, Any]:
        return self.record.get("model") or {}

    @property
    def recorded_tasks(self) -> dict[str, Any]:
        return self.record.get("tasks") or {}

    def default_label(self) -> str:
        name = self.model.get("name") or self.path.name
        weights = self.model.get("weights")
        return f"{name}/{weights}" if weights else str(name)


def load_run(path: str | Path) -> RunData:
    """Load and validate one results directory; raise :class:`ReportInputError` with one line on any problem."""
    path = Path(path)
    if not path.exists():
        raise ReportInputError(f"{path}: not found (pass a folder written by: snare eval --output DIR)")
    if not path.is_dir():
        raise ReportInputError(f"{path}: not a results directory (pass the folder written by snare eval --output)")
    results_file = path / RESULTS
    if not results_file.is_file():
        raise ReportInputError(
            f"{path} is not a results directory: {RESULTS} is missing (write one: snare eval --output DIR)"
        )
    from snare.safe_io import UnsafeInputError, read_text

    try:
        record = json.loads(read_text(results_file, what="a results.json"))
    except UnsafeInputError as exc:
        raise ReportInputError(str(exc)) from None
    except json.JSONDecodeError as exc:
        raise ReportInputError(f"{results_file}: not valid JSON ({exc})") from None
    if not isinstance(record, dict) or not isinstance(record.get("tasks"), dict) or not record["tasks"]:
        raise ReportInputError(f"{results_file}: no 'tasks' table; not a snare results file")
    folder = path / PREDICTIONS
    if not folder.is_dir():
        raise ReportInputError(
            f"{folder}: missing; the report needs the per-item scores (snare eval --output writes them)"
        )
    files = {p.stem: p for p in sorted(folder.glob("*.jsonl"))}
    run = RunData(path=path, record=record)
    for task in record["tasks"]:
        if task not in files:
            raise ReportInputError(f"{folder / (task + '.jsonl')}: missing (results.json lists task {task!r})")
    for task, file in files.items():
        if task not in record["tasks"]:
            raise ReportInputError(f"{file}: extra predictions file; results.json lists no task {task!r}")
        run.rows[task] = _read_rows(file, task)
        _check_count(file, task, len(run.rows[task]), record["tasks"][task])
    expected = (record.get("probeset") or {}).get("n_items")
    if isinstance(expected, int):  # a partial run (--allow-partial) lists its failed items in its coverage
        expected -= sum(c.get("total", 0) - c.get("scored", 0) for c in (record.get("coverage") or {}).values())
    total = sum(len(rows) for rows in run.rows.values())
    # a partial run (snare eval --allow-partial) holds only the items it could score; its tasks' n says how many
    if isinstance(expected, int) and total != expected and not record.get("partial"):
        kind = "missing" if total < expected else "extra"
        raise ReportInputError(f"{folder}: {total} items in all but the probe set has {expected} ({kind} items)")
    return run


def _read_rows(file: Path, task: str) -> list[PredictionRow]:
    from snare.safe_io import iter_lines

    rows: list[PredictionRow] = []
    seen: set[str] = set()
    n_options: int | None = None
    for lineno, line in iter_lines(file):  # bounded reads; a FIFO or /dev/zero is one UnsafeInputError line
        if not line.strip():
            continue
        where = f"{file}:{lineno}"
        try:
            row = PredictionRow.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ReportInputError(f"{where}: not valid JSON ({exc.msg})") from None
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            msg = first["msg"].removeprefix("Value error, ")
            raise ReportInputError(f"{where}: {loc + ': ' if loc else ''}{msg}") from None
        if row.task != task:
            raise ReportInputError(f"{where}: item of task {row.task!r} in the {task!r} file (mixed tasks)")
        if row.id in seen:
            raise ReportInputError(f"{where}: duplicate item id {row.id!r}")
        if n_options is not None and len(row.scores) != n_options:
            raise ReportInputError(
                f"{where}: {len(row.scores)} scores but earlier {task} items have {n_options} (mixed tasks?)"
            )
        n_options = len(row.scores)
        seen.add(row.id)
        rows.append(row)
    if not rows:
        raise ReportInputError(f"{file}: no items")
    return rows


def _check_count(file: Path, task: str, n_rows: int, summary: Any) -> None:
    recorded = summary.get("n") if isinstance(summary, dict) else None
    if isinstance(recorded, int) and recorded != n_rows:
        kind = "missing" if n_rows < recorded else "extra"
        raise ReportInputError(f"{file}: {n_rows} items but results.json says n={recorded} for {task} ({kind} items)")


# Run settings that tell apart runs of one model (the protocol, or what flips are looked for between).
LABEL_SETTINGS = ("protocol", "dtype", "batch_size", "device")


def _setting(record: dict[str, Any], key: str) -> Any:
    value = record.get(key, (record.get("model") or {}).get(key))
    return value.get("name") if isinstance(value, dict) else value


def assign_labels(runs: list[RunData]) -> None:
    """Give every run a short, unique label: ``model/weights``, then the settings that differ between the runs
    (protocol, dtype, batch size, device), then the seed, then the folder name if needed."""
    labels = [r.default_label() for r in runs]
    if len(set(labels)) < len(labels):
        differing = [k for k in LABEL_SETTINGS if len({str(_setting(r.record, k)) for r in runs}) > 1]
        for key in differing:
            labels = [f"{lab} {key}={_setting(r.record, key)}" for lab, r in zip(labels, runs, strict=True)]
    if len(set(labels)) < len(labels):
        seeds = [r.record.get("seed") for r in runs]
        labels = [f"{lab} seed={s}" if s is not None else lab for lab, s in zip(labels, seeds, strict=True)]
    if len(set(labels)) < len(labels):
        labels = [f"{lab} [{r.path.name}]" for lab, r in zip(labels, runs, strict=True)]
    if len(set(labels)) < len(labels):
        labels = [f"{lab} #{i + 1}" for i, lab in enumerate(labels)]
    for run, label in zip(runs, labels, strict=True):
        run.label = label
