"""Packing a results directory (``snare eval --output``) into one submission file.

The submission keeps what the board needs and nothing it would have to trust: model metadata, the probe-set
reference, each task's reported accuracy (as a claim the board re-checks) and each item's scores. Intended
options, clusters and labels stay behind: the board takes them from the probe set.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

from snare.errors import SnareError
from snare.leaderboard.schema import FORMAT, Submission
from snare.reports.load import load_run

_HUB_ID = re.compile(r"(hf-hub:)?([A-Za-z0-9][\w.-]*/[\w.-]+)")
_CHECKPOINT_SUFFIXES = (".pt", ".pth", ".bin", ".safetensors", ".ckpt")
_MODEL_FIELDS = ("name", "family", "head", "kind", "weights", "revision", "license", "params", "dtype")


def hub_link(weights: str) -> str | None:
    """The Hugging Face page of hub weights (``hf-hub:ORG/NAME`` or ``ORG/NAME``); None for tags and local files."""
    match = _HUB_ID.fullmatch(weights)
    if match is None or weights.endswith(_CHECKPOINT_SUFFIXES) or Path(weights).exists():
        return None
    return f"https://huggingface.co/{match.group(2)}"


def submission_from_run(run_dir: str | Path, *, display_name: str | None = None, url: str | None = None) -> dict:
    """The submission for one results directory, as a JSON-ready dict (validated against the schema)."""
    run = load_run(run_dir)  # the reporter's loader: one-line errors for missing or malformed files
    record = run.record
    partial = sorted(t for t, s in run.recorded_tasks.items() if isinstance(s, dict) and s.get("partial"))
    if partial:
        raise SnareError(
            f"{run_dir}: the run is partial (some {partial[0]} items were not scored); "
            "the board needs every item: re-run without --allow-partial"
        )
    model_record = record.get("model") or {}
    model: dict[str, Any] = {k: model_record.get(k) for k in _MODEL_FIELDS if model_record.get(k) is not None}
    model["options"] = model_record.get("options") or {}
    model["preprocessing"] = model_record.get("preprocessing") or {}
    if display_name:
        model["display_name"] = display_name
    link = url or hub_link(str(model.get("weights", "")))
    if link:
        model["url"] = link
    probeset = record.get("probeset") or {}
    submission = {
        "format": FORMAT,
        "snare_version": record.get("snare_version"),
        "created": record.get("created"),
        "model": model,
        "probeset": {
            **{k: probeset.get(k) for k in ("name", "fingerprint", "n_items", "source", "limit", "seed")},
            "tasks": sorted(run.rows),
        },
        "claims": {
            task: {k: summary.get(k) for k in ("accuracy", "n", "correct", "ties")}
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
    from snare.atomic import write_bytes

    out = Path(out)
    if out.exists() and not overwrite:
        raise SnareError(f"{out} already exists; pass --overwrite or pick another path")
    if out.is_dir():
        raise SnareError(f"--out {out} is a folder; give a file name such as {out / 'model.json'}")
    data = submission_bytes(submission, gzipped=out.name.endswith(".gz"))
    Submission.model_validate(json.loads(gzip.decompress(data) if out.name.endswith(".gz") else data))
    write_bytes(out, data)
    return out
