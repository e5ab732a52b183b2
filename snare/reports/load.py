"""Read and validate a results directory (``results.json`` + ``predictions/<task>.jsonl``) for reporting.

Every problem is one line naming the file (and line) and what is wrong, raised as :class:`ReportInputError`.
The report recomputes accuracies from the per-item scores, so the rows are checked strictly: finite scores,
a valid intended option, one task per file, unique ids, and exactly as many items as the run recorded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from snare.engine.record import ModelRecord, RecordError, RunRecord, TaskSummary
from snare.engine.results import PREDICTIONS, RESULTS
from snare.engine.rows import PredictionRow
from snare.errors import SnareError


class ReportInputError(SnareError):
    """A results directory is missing, malformed or inconsistent."""


@dataclass
class RunData:
    """One validated results directory: the run record and, per task, its rows in file order."""

    path: Path
    record: RunRecord
    rows: dict[str, list[PredictionRow]] = field(default_factory=dict)
    label: str = ""

    @property
    def fingerprint(self) -> str | None:
        return self.record.probeset.fingerprint

    @property
    def model(self) -> ModelRecord:
        return self.record.model

    @property
    def recorded_tasks(self) -> dict[str, TaskSummary]:
        return self.record.tasks

    def default_label(self) -> str:
        """``model/weights``; a baseline (a text-only or constant scorer, family ``baseline``) says so in its
        label, so that every table shows it as a baseline beside the models, never as one of them."""
        name = self.model.name or self.path.name
        weights = self.model.weights
        label = f"{name}/{weights}" if weights else str(name)
        return f"{label} (baseline)" if self.model.family == "baseline" else label


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
    from snare.plain import terminal_safe
    from snare.safe_io import read_json

    data = read_json(results_file, ReportInputError, what="a results.json")
    if not isinstance(data, dict) or not isinstance(data.get("tasks"), dict) or not data["tasks"]:
        raise ReportInputError(f"{results_file}: no 'tasks' table; not a snare results file")
    try:
        record = RunRecord.from_json(data, str(results_file))
    except RecordError as exc:
        raise ReportInputError(str(exc)) from None
    folder = path / PREDICTIONS
    if not folder.is_dir():
        raise ReportInputError(
            f"{folder}: missing; the report needs the per-item scores (snare eval --output writes them)"
        )
    files = {p.stem: p for p in sorted(folder.glob("*.jsonl"))}
    from snare.probes.manifest import TASK_NAME

    for task in record.tasks:  # task names reach tables, file names and LaTeX labels: plain identifiers only
        if not re.match(TASK_NAME, task):
            raise ReportInputError(f"{results_file}: task name {terminal_safe(task)!r} is not a task identifier")
    run = RunData(path=path, record=record)
    for task in record.tasks:
        if task not in files:
            raise ReportInputError(f"{folder / (task + '.jsonl')}: missing (results.json lists task {task!r})")
    for task, file in files.items():
        if task not in record.tasks:
            raise ReportInputError(f"{file}: extra predictions file; results.json lists no task {task!r}")
        run.rows[task] = _read_rows(file, task)
        _check_count(file, task, len(run.rows[task]), record.tasks[task])
    expected = record.probeset.n_items
    if expected is not None:  # a partial run (--allow-partial) lists its failed items in its coverage
        expected -= sum(c.total - c.scored for c in record.coverage.values())
    total = sum(len(rows) for rows in run.rows.values())
    # a partial run (snare eval --allow-partial) holds only the items it could score; its tasks' n says how many
    if expected is not None and total != expected and not record.partial:
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


def _check_count(file: Path, task: str, n_rows: int, summary: TaskSummary) -> None:
    recorded = summary.n
    if recorded is not None and recorded != n_rows:
        kind = "missing" if n_rows < recorded else "extra"
        raise ReportInputError(f"{file}: {n_rows} items but results.json says n={recorded} for {task} ({kind} items)")


# Run settings that tell apart runs of one model (the protocol, or what flips are looked for between).
LABEL_SETTINGS = ("protocol", "dtype", "batch_size", "device")


def assign_labels(runs: list[RunData]) -> None:
    """Give every run a short, unique label: ``model/weights``, then the settings that differ between the runs
    (protocol, dtype, batch size, device), then the seed, then the folder name if needed."""
    labels = [r.default_label() for r in runs]
    if len(set(labels)) < len(labels):
        differing = [k for k in LABEL_SETTINGS if len({str(r.record.setting(k)) for r in runs}) > 1]
        for key in differing:
            labels = [f"{lab} {key}={r.record.setting(key)}" for lab, r in zip(labels, runs, strict=True)]
    if len(set(labels)) < len(labels):
        seeds = [r.record.seed for r in runs]
        labels = [f"{lab} seed={s}" if s is not None else lab for lab, s in zip(labels, seeds, strict=True)]
    if len(set(labels)) < len(labels):
        labels = [f"{lab} [{r.path.name}]" for lab, r in zip(labels, runs, strict=True)]
    if len(set(labels)) < len(labels):
        labels = [f"{lab} #{i + 1}" for i, lab in enumerate(labels)]
    for run, label in zip(runs, labels, strict=True):
        run.label = label
