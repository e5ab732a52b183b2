"""Winoground's original files as a ``--source``: ``examples.jsonl`` and the ``images/`` folder beside it.

``facebook/winoground`` on the hub is gated (accept the licence on its page, then use a token: ``HF_TOKEN``) and
holds ``data/examples.jsonl`` (one example per line: ``id``, ``caption_0``, ``caption_1``, ``image_0``,
``image_1`` (file stems), ``tag``, ``secondary_tag``, ``num_main_preds``, ``collapsed_tag``) and
``data/images.zip`` (``images/<stem>.png``); the repository is read by a loading script, which ``datasets`` 4
refuses, so snare reads the files themselves. Download step (docs/probes.md)::

    hf download facebook/winoground --repo-type dataset --include "data/*" --local-dir winoground
    cd winoground/data && unzip images.zip
    snare probes build winoground --source winoground/data --out probes/winoground

Each example becomes two :class:`~snare.probes.sources.choices.ChoiceRecord` (image ``i`` with options
``(caption_0, caption_1)``, caption ``i`` intended), linked by ``meta.group`` for the text, image and group
scores (:mod:`snare.reports.groups`). Ids are ``winoground/<id>/image_<i>``; the cluster is the example.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from snare.errors import SnareError
from snare.probes.sources.base import BadRecords, Source, SourceError, SourceKind, SourceRequest
from snare.probes.sources.choices import KIND, ChoiceRecord

EXAMPLES = "examples.jsonl"
TASK = "winoground"
_TAGS = ("tag", "secondary_tag", "collapsed_tag", "num_main_preds")


def examples_file(spec: str) -> Path | None:
    """The ``examples.jsonl`` a ``--source`` names (the file, or a folder holding it), else None."""
    path = Path(spec)
    if path.name == EXAMPLES and path.is_file():
        return path
    return path / EXAMPLES if path.is_dir() and (path / EXAMPLES).is_file() else None


def check_task(spec: str, task: str) -> str:
    """The record kind ``task`` reads from a Winoground source (``choice``); only the winoground task can."""
    if task != TASK:
        raise SnareError(f"--source {spec} holds Winoground examples: it builds the task {TASK}, not {task}")
    return KIND


def _stem(value: Any) -> str | None:
    if not isinstance(value, str) or not value or "\\" in value:
        return None
    return value if len(PurePosixPath(value).parts) == 1 and value not in (".", "..") else None


def _records(n: int, line: str, bad: BadRecords, where: str) -> list[ChoiceRecord]:
    try:
        ex = json.loads(line)
    except json.JSONDecodeError as exc:
        bad(where, f"not JSON ({exc.msg})", "malformed example")
        return []
    if not isinstance(ex, dict):
        bad(where, "not an object", "malformed example")
        return []
    captions = (ex.get("caption_0"), ex.get("caption_1"))
    stems = (_stem(ex.get("image_0")), _stem(ex.get("image_1")))
    if not all(isinstance(c, str) and c.strip() for c in captions):
        bad(where, "empty or missing caption_0 / caption_1", "empty captions")
        return []
    if None in stems or stems[0] == stems[1] or captions[0] == captions[1]:
        bad(
            where,
            "image_0 / image_1 must be two file stems inside images/, the captions two texts",
            "malformed example",
        )
        return []
    key = str(ex.get("id", n))
    group = f"{TASK}/{key}"
    meta = {k: ex[k] for k in _TAGS if isinstance(ex.get(k), str | int) and not isinstance(ex.get(k), bool)}
    return [
        ChoiceRecord(
            f"{group}/image_{i}",
            group,
            f"images/{stems[i]}.png",
            captions,
            i,
            TASK,
            {"group": group, "image": i, **meta},
        )
        for i in (0, 1)
    ]


def _open(request: SourceRequest) -> Source:
    from snare.safe_io import MAX_ANNOTATION_BYTES, UnsafeInputError, read_text

    request.need(KIND, "Winoground examples")
    path = examples_file(request.spec)
    assert path is not None  # matched by SOURCE_KINDS
    try:
        text = read_text(path, MAX_ANNOTATION_BYTES, what="an annotation file")
    except UnsafeInputError as exc:
        raise SourceError(str(exc)) from None
    bad = BadRecords(request.skip_bad)
    records: list[ChoiceRecord] = []
    lines = [ln for ln in text.splitlines() if ln.strip()]
    for n, line in enumerate(lines):
        records += _records(n, line, bad, f"{path} line {n + 1}")
    info = {"kind": "winoground", "file": path.name, "examples": len(lines)}
    return Source(KIND, TASK, path.parent, records, info, skipped=bad.skipped)


SOURCE_KINDS = (SourceKind("winoground", lambda r: examples_file(r.spec) is not None, _open),)
