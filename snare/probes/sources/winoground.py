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
from snare.probes.sources.base import (
    BadRecords,
    Source,
    SourceError,
    SourceKind,
    SourceRequest,
    only_task,
    text_problem,
)
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
    problem = text_problem(ex, ("caption_0", "caption_1"))
    if problem is not None:
        bad(where, *problem)
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


def _numbered(text: str) -> list[tuple[int, str]]:
    """The non-blank lines of ``text`` with their line numbers in the file (counting blank ones)."""
    return [(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]


def _examples(lines: list[tuple[int, str]], bad: BadRecords, where: str) -> list[ChoiceRecord]:
    """The records of numbered example lines of the file ``where``; an example repeating an earlier one's id is
    a bad row (its items' ids would repeat), named with both lines."""
    records: list[ChoiceRecord] = []
    first_line: dict[str, int] = {}  # group (from the example's id) -> the line that gave it
    for n, (number, line) in enumerate(lines):
        made = _records(n, line, bad, f"{where} line {number}")
        if not made:
            continue
        if made[0].cluster in first_line:
            bad(f"{where} line {number}", f"repeats the id of line {first_line[made[0].cluster]}", "duplicate ids")
            continue
        first_line[made[0].cluster] = number
        records += made
    return records


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
    lines = _numbered(text)
    records = _examples(lines, bad, str(path))
    info = {"kind": "winoground", "file": path.name, "examples": len(lines)}
    return Source(KIND, TASK, path.parent, records, info, skipped=bad.skipped)


def _zip_images(archive: Path, stems: set[str], image_dir: Path) -> dict[str, str]:
    """``stem -> stored file name`` for the ``<stem>.png`` members of ``archive`` that ``stems`` needs; each is
    read once (its declared size bounded), decoded and written under its content digest. Nothing is extracted
    by the archive's own paths."""
    import zipfile

    from snare.probes.sources.images import store_image
    from snare.safe_io import MAX_IMAGE_BYTES

    stored: dict[str, str] = {}
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                name = PurePosixPath(info.filename)
                if info.is_dir() or name.suffix != ".png" or name.stem not in stems or "__MACOSX" in name.parts:
                    continue
                if info.file_size > MAX_IMAGE_BYTES:
                    raise SourceError(f"{archive.name}: {info.filename} is larger than an image may be")
                with zf.open(info) as fh:
                    data = fh.read(MAX_IMAGE_BYTES + 1)
                try:
                    stored[name.stem] = store_image(data, image_dir)[1]
                except (OSError, ValueError, SyntaxError, SnareError):
                    continue  # left out of the map: its examples are reported as a missing image
    except zipfile.BadZipFile as exc:
        raise SourceError(f"{archive}: not a readable zip file ({exc})") from None
    return stored


def load_hub(ds: Any, paths: list[Path], image_dir: Path, *, skip_bad: bool, limit: int | None) -> Source:
    """The records of the hub repository's ``examples.jsonl`` (first ``limit`` examples) with their images read
    from ``images.zip`` into ``image_dir``; a field of ``ds.columns`` missing from an example is one line."""
    from dataclasses import replace

    from snare.safe_io import MAX_ANNOTATION_BYTES, read_text

    by_name = {p.name: p for p in paths}
    missing = [n for n in (EXAMPLES, "images.zip") if n not in by_name]
    if missing:
        raise SourceError(f"{ds.label}: no {missing[0]} among its files ({', '.join(sorted(by_name))})")
    lines = _numbered(read_text(by_name[EXAMPLES], MAX_ANNOTATION_BYTES, what="a data file"))
    lines = lines[:limit] if limit is not None else lines
    for number, line in lines:
        absent = [c for c in ds.columns.values() if f'"{c}"' not in line]
        if absent:
            raise SourceError(
                f"{ds.label}: {EXAMPLES} line {number} has no field {absent[0]!r}; "
                "the pinned revision should have it: check snare/data/suites.json"
            )
    bad = BadRecords(skip_bad)
    records = _examples(lines, bad, f"{ds.label} {EXAMPLES}")
    image_dir.mkdir(parents=True, exist_ok=True)
    stored = _zip_images(by_name["images.zip"], {PurePosixPath(r.image).stem for r in records}, image_dir)
    kept = []
    for r in records:
        stem = PurePosixPath(r.image).stem
        if stem in stored:
            kept.append(replace(r, image=stored[stem]))
        else:
            bad(f"{ds.label} images.zip", f"no readable images/{stem}.png", "missing image")
    info = {"kind": "hub", "dataset": ds.name, "repo": ds.repo, "revision": ds.revision, "split": ds.split}
    info.update({"n_rows": len(lines), "expected_rows": ds.rows})
    return Source(KIND, ds.name, image_dir, kept, info, skipped=bad.skipped)


def _record_kind(spec: str, wanted: tuple[str, ...], split: str) -> str | None:
    return KIND if examples_file(spec) is not None else None


SOURCE_KINDS = (
    SourceKind(
        "winoground",
        lambda r: examples_file(r.spec) is not None,
        _open,
        _record_kind,
        task_check=only_task(TASK, "Winoground examples"),
    ),
)
