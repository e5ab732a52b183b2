"""Packing a results directory (``snare eval --output``) into one submission file.

The submission keeps what the board needs and nothing it would have to trust: model metadata, the probe-set
reference, each task's reported accuracy (as a claim the board re-checks) and each item's scores. Intended
options, clusters and labels stay behind: the board takes them from the probe set.

It also carries the run's protocol and per-task coverage. A run below full coverage is packed only when its record
says it was made with ``snare eval --allow-partial`` (``partial: true``); the file then says ``partial: true`` too
and lists every failed item with its reason. ``results.json`` lists at most 50 failed items per task; when it
lists fewer than failed, the others are found from the probe set (all its items minus the scored and the listed).
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from snare.errors import SnareError
from snare.leaderboard.schema import FORMAT, MARKUP, Submission
from snare.reports.load import load_run

if TYPE_CHECKING:
    from snare.engine.record import RunRecord
    from snare.leaderboard.probesets import ProbeSetResolver
    from snare.reports.load import RunData

_HUB_ID = re.compile(r"(hf-hub:)?([A-Za-z0-9][\w.-]*/[\w.-]+)")
_CHECKPOINT_SUFFIXES = (".pt", ".pth", ".bin", ".safetensors", ".ckpt")
_MODEL_FIELDS = ("name", "family", "head", "kind", "weights", "revision", "license", "params", "dtype")


def hub_link(weights: str) -> str | None:
    """The Hugging Face page of hub weights (``hf-hub:ORG/NAME`` or ``ORG/NAME``); None for tags and local files."""
    match = _HUB_ID.fullmatch(weights)
    if match is None or weights.endswith(_CHECKPOINT_SUFFIXES) or Path(weights).exists():
        return None
    return f"https://huggingface.co/{match.group(2)}"


def _protocol(record: RunRecord) -> dict[str, Any]:
    """The record's protocol block; a bare name (or none: ``snare``) is expanded to the protocol's choices."""
    from snare.engine.record import ProtocolRecord
    from snare.protocols import DEFAULT, get_protocol

    value = record.protocol
    if isinstance(value, ProtocolRecord):
        data = {k: getattr(value, k) for k in ("name", "tie_break", "redraw_shuffles", "consistent_spacing")}
        if getattr(value, "contrast_twins", None):  # only where recorded: other protocols' files stay as they were
            data["contrast_twins"] = True
        return data
    return get_protocol(value or DEFAULT).to_json()


def _probeset(record: RunRecord) -> dict[str, Any]:
    """The record's probe-set fields a submission carries (None where the record has none)."""
    probeset = record.probeset
    return {k: getattr(probeset, k) for k in ("name", "fingerprint", "n_items", "source", "limit", "seed")}


def _plain_reason(reason: Any) -> str:
    # Reasons quote file names; markup characters become '?' so the text stays plain (the schema requires it).
    text = MARKUP.sub("?", str(reason or "unknown")).strip()[:500]
    return text or "unknown"


def _coverage(run: RunData, resolver: ProbeSetResolver | None) -> dict[str, dict[str, Any]]:
    """Per task: total, scored (counted from the rows) and every failed item with its reason."""
    from snare.reports.run_trust import task_coverage

    out: dict[str, dict[str, Any]] = {}
    for task in sorted(run.rows):
        cov = task_coverage(run, task)  # the reporter's reading: one-line errors for an inconsistent record
        failed = [{"id": s.id, "reason": _plain_reason(s.reason)} for s in cov.failed]
        unlisted = cov.total - cov.scored - len(failed)
        if unlisted > 0:
            failed += _unlisted_failures(run, task, failed, unlisted, resolver)
        out[task] = {"total": cov.total, "scored": cov.scored, "failed": sorted(failed, key=lambda f: f["id"])}
    return out


def _unlisted_failures(
    run: RunData, task: str, listed: list[dict[str, Any]], count: int, resolver: ProbeSetResolver | None
) -> list[dict[str, Any]]:
    """The failed items results.json counts but does not list: the probe set's items neither scored nor listed."""
    from snare.leaderboard.schema import ProbeSetRef

    where = Path(run.path) / "results.json"
    hint = f"{where} lists {len(listed)} of the failed {task} items; pass --probes with the run's probe-set folder"
    if resolver is None:
        raise SnareError(hint)
    ref = ProbeSetRef.model_validate({**_probeset(run.record), "tasks": sorted(run.rows)})
    try:
        probes = resolver.resolve(ref, where=str(where))
    except SnareError:
        raise SnareError(hint) from None
    seen = {row.id for row in run.rows[task]} | {f["id"] for f in listed}
    rest = sorted(it.id for it in probes.items if it.task == task and it.id not in seen)
    if len(rest) != count:
        raise SnareError(f"{where}: {task} counts {count} unlisted failed items but the probe set has {len(rest)}")
    recorded = run.record.coverage.get(task)
    by_reason = (recorded.failed_by_reason if recorded is not None else None) or {}
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(by_reason.items())) or "unknown"
    reason = _plain_reason(f"not listed in results.json; the task's failures: {kinds}")
    return [{"id": item_id, "reason": reason} for item_id in rest]


def submission_from_run(
    run_dir: str | Path,
    *,
    display_name: str | None = None,
    url: str | None = None,
    resolver: ProbeSetResolver | None = None,
) -> dict:
    """The submission for one results directory, as a JSON-ready dict (validated against the schema).

    ``resolver`` finds the run's probe set when results.json does not list every failed item (see the module
    docstring); a complete run, or a partial one with every failure listed, does not need it.
    """
    run = load_run(run_dir)  # the reporter's loader: one-line errors for missing or malformed files
    record = run.record
    coverage = _coverage(run, resolver)
    incomplete = sorted(t for t, c in coverage.items() if c["failed"])
    partial = bool(incomplete)
    if partial and record.partial is not True:
        first = incomplete[0]
        raise SnareError(
            f"{run_dir}: {coverage[first]['total'] - coverage[first]['scored']} {first} items were not scored and "
            "the run was not made with --allow-partial; fix the data (snare data check) and re-run, or re-run with "
            "--allow-partial to submit it marked PARTIAL"
        )
    recorded = {k: getattr(record.model, k) for k in _MODEL_FIELDS}
    model: dict[str, Any] = {k: v for k, v in recorded.items() if v is not None}
    model["options"] = record.model.options
    model["preprocessing"] = record.model.preprocessing
    if display_name:
        model["display_name"] = display_name
    link = url or hub_link(str(model.get("weights", "")))
    if link:
        model["url"] = link
    submission = {
        "format": FORMAT,
        "snare_version": record.snare_version,
        "created": record.created,
        "model": model,
        "probeset": {**_probeset(record), "tasks": sorted(run.rows)},
        "protocol": _protocol(record),
        "partial": partial,
        "coverage": coverage,
        "claims": {
            task: {"accuracy": summary.accuracy, "n": summary.n, "correct": summary.correct, "ties": summary.ties}
            for task, summary in sorted(run.recorded_tasks.items())
        },
        "items": {
            task: [{"id": row.id, "scores": list(row.scores)} for row in rows]
            for task, rows in sorted(run.rows.items())
        },
    }
    from snare.leaderboard.validate import parse_submission

    parse_submission(submission, Path(run_dir) / "results.json")  # fail here, not in the board's CI
    return submission


def submission_bytes(submission: dict, *, gzipped: bool) -> bytes:
    """Canonical JSON (sorted keys, one item per line) encoded, gzipped with a fixed timestamp if asked."""
    items = submission["items"]
    head = {k: v for k, v in submission.items() if k != "items"}
    # One item per line keeps a submission reviewable in a pull request diff.
    lines = [json.dumps(head, sort_keys=True, indent=2, allow_nan=False)[:-2] + ',\n  "items": {']
    for t, (task, rows) in enumerate(sorted(items.items())):
        lines.append(f"\n    {json.dumps(task)}: [")
        for i, row in enumerate(rows):
            sep = "," if i < len(rows) - 1 else ""
            lines.append("\n      " + json.dumps(row, sort_keys=True, allow_nan=False) + sep)
        lines.append("\n    ]" + ("," if t < len(items) - 1 else ""))
    lines.append("\n  }\n}\n")
    data = "".join(lines).encode("utf-8")
    return gzip.compress(data, mtime=0) if gzipped else data


def write_submission(submission: dict, out: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``submission`` to ``out`` atomically (gzipped when the name ends in ``.gz``)."""
    from snare.atomic import check_file_target, write_bytes

    out = Path(out)
    if out.is_dir():
        raise SnareError(f"--out {out} is a folder; give a file name such as {out / 'model.json'}")
    check_file_target(out, "--out", overwrite=overwrite)
    data = submission_bytes(submission, gzipped=out.name.endswith(".gz"))
    Submission.model_validate(json.loads(gzip.decompress(data) if out.name.endswith(".gz") else data))
    write_bytes(out, data)
    return out
