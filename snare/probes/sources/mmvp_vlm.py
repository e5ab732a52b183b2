"""MMVP-VLM (``MMVP/MMVP_VLM``): nine visual patterns, 15 pairs of images each, one statement per image.

The repository is an image folder, not parquet: ``Questions.csv`` (columns ``Question ID``, ``Type``,
``Statement``; one row per image, the two rows of a pair consecutive, ids ``2k-1`` and ``2k``) and
``MLLM_VLM Images/<Type>/<Question ID>.jpg``. As the authors' ``scripts/evaluate_vlm.py`` reads it, the statement
of id ``q`` describes image ``q``, and the text scored is ``"a photo of " + statement`` (:data:`PROMPT`, kept so
published numbers reproduce). Each pair becomes the 2x2 example of :mod:`snare.probes.sources.minimal_pairs`:
two :class:`~snare.probes.sources.choices.ChoiceRecord`, image ``i`` with options ``(statement 0, statement 1)``
and statement ``i`` intended, linked by ``meta.group``, with the pattern (the ``Type`` column, which names the
image folder) as ``meta.pattern``. The paper's pair accuracy (for each statement, its image wins) is
Winoground's image score (:mod:`snare.engine.groups`).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from snare.errors import SnareError
from snare.probes.sources.base import BadRecords, Source, SourceError
from snare.probes.sources.choices import KIND as CHOICE
from snare.probes.sources.choices import ChoiceRecord
from snare.probes.sources.hub import HubDataset

KIND = "mmvp_vlm"
QUESTIONS = "Questions.csv"
IMAGES = "MLLM_VLM Images"
PROMPT = "a photo of "  # what evaluate_vlm.py puts before every statement


def _image_files(paths: list[Path]) -> dict[tuple[str, str], Path]:
    """``(pattern folder, file stem) -> path`` for the ``.jpg`` files under ``MLLM_VLM Images/<pattern>/``."""
    return {(p.parent.name, p.stem): p for p in paths if p.suffix.lower() == ".jpg" and p.parent.parent.name == IMAGES}


def _rows(ds: HubDataset, path: Path, limit: int | None) -> list[dict[str, str]]:
    """The rows of ``Questions.csv`` keyed by role (first ``limit`` rows, cut to whole pairs); a column of
    ``ds.columns`` missing from the header is one line."""
    from snare.safe_io import MAX_ANNOTATION_BYTES, read_text

    text = read_text(path, MAX_ANNOTATION_BYTES, what="a data file").removeprefix("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [c for c in ds.columns.values() if c not in header]
    if missing:
        raise SourceError(
            f"{ds.label}: {QUESTIONS} has no column {missing[0]!r} (it has: {', '.join(header)}); "
            "the pinned revision should have it: check snare/data/suites.json"
        )
    rows = [{role: (row.get(col) or "").strip() for role, col in ds.columns.items()} for row in reader]
    return rows[: limit - limit % 2] if limit is not None else rows


def _pair(first: dict[str, str], second: dict[str, str]) -> tuple[int, str, tuple[str, str]]:
    """``(first id, pattern, statements)`` of two consecutive rows.

    Raises:
        ValueError: the rows are not ids ``2k-1`` and ``2k`` of one pattern with two different statements.
    """
    ids = (int(first["id"]), int(second["id"]))  # ValueError for a non-integer id
    statements = (first["statement"], second["statement"])
    if ids[0] % 2 != 1 or ids[1] != ids[0] + 1:
        raise ValueError(f"ids {ids[0]}, {ids[1]} are not a pair (2k-1, 2k)")
    if first["pattern"] != second["pattern"] or not first["pattern"]:
        raise ValueError("the two rows of a pair must have the same, non-empty Type")
    if not all(statements) or statements[0] == statements[1]:
        raise ValueError("the two statements must be two non-empty, different texts")
    return ids[0], first["pattern"], (PROMPT + statements[0], PROMPT + statements[1])


def _store(path: Path | None, image_dir: Path) -> str:
    from snare.probes.sources.images import store_image
    from snare.safe_io import MAX_IMAGE_BYTES, read_bytes

    if path is None:
        raise FileNotFoundError("no such image in the repository")
    return store_image(read_bytes(path, MAX_IMAGE_BYTES, what="an image"), image_dir)[1]


def load_hub(ds: HubDataset, paths: list[Path], image_dir: Path, *, skip_bad: bool, limit: int | None) -> Source:
    """The records of ``Questions.csv`` (first ``limit`` rows, whole pairs) with their images stored in
    ``image_dir`` under their content digest; a bad pair stops the build unless ``skip_bad``."""
    questions = [p for p in paths if p.name == QUESTIONS]
    if not questions:
        raise SourceError(f"{ds.label}: no {QUESTIONS} among its files")
    rows = _rows(ds, questions[0], limit)
    images = _image_files(paths)
    image_dir.mkdir(parents=True, exist_ok=True)
    bad = BadRecords(skip_bad)
    records: list[ChoiceRecord] = []
    for k in range(0, len(rows) - 1, 2):
        where = f"{ds.label} {QUESTIONS} rows {k + 1}-{k + 2}"
        try:
            qid, pattern, statements = _pair(rows[k], rows[k + 1])
        except ValueError as exc:
            bad(where, str(exc), "malformed pair")
            continue
        try:
            files = [_store(images.get((pattern, str(qid + i))), image_dir) for i in (0, 1)]
        except (OSError, ValueError, SyntaxError, SnareError) as exc:
            bad(where, f"{IMAGES}/{pattern}/{qid}.jpg or {qid + 1}.jpg cannot be read ({exc})", "missing image")
            continue
        group = f"{ds.name}/{qid:03d}"
        meta: dict[str, Any] = {"group": group, "pattern": pattern}
        records += [
            ChoiceRecord(f"{group}/image_{i}", group, files[i], statements, i, ds.name, {**meta, "image": i})
            for i in (0, 1)
        ]
    if len(rows) % 2:
        bad(f"{ds.label} {QUESTIONS} row {len(rows)}", "the last row has no pair", "malformed pair")
    info = {"kind": "hub", "dataset": ds.name, "repo": ds.repo, "revision": ds.revision, "split": ds.split}
    info.update({"n_rows": len(rows), "expected_rows": ds.rows})
    return Source(CHOICE, ds.name, image_dir, records, info, skipped=bad.skipped)
