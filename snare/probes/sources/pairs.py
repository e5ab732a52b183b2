"""A plain JSONL or CSV file of (image path, caption) rows; paths are relative to the file's folder.

Rows sharing an image become one record with several captions, in file order (so item ids and clusters follow
the image, as with COCO's five captions per image). A JSONL caption may also be a list of strings.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from snare.probes.sources.base import (
    BadRecords,
    CaptionRecord,
    Source,
    SourceError,
    SourceKind,
    SourceRequest,
    caption_list,
)

DEFAULT_IMAGE_COLUMN = "image"
DEFAULT_CAPTION_COLUMN = "caption"


def _rows(path: Path) -> list[tuple[str, Any]]:
    """``(where, row)`` for each row; JSONL lines that are not JSON are reported as rows that are not objects."""
    from snare.safe_io import MAX_ANNOTATION_BYTES, UnsafeInputError, read_text

    if not path.exists():
        raise SourceError(f"{path}: file not found")
    rows: list[tuple[str, Any]] = []
    try:
        with io.StringIO(read_text(path, MAX_ANNOTATION_BYTES, what="a pairs file"), newline="") as fh:
            if path.suffix.lower() == ".csv":
                reader = csv.DictReader(fh)
                if not reader.fieldnames:
                    raise SourceError(f"{path}: empty CSV file (expected a header row such as image,caption)")
                rows = [(f"{path}:{n + 2}", row) for n, row in enumerate(reader)]
            else:
                for n, line in enumerate(fh, 1):
                    if line.strip():
                        try:
                            rows.append((f"{path}:{n}", json.loads(line)))
                        except json.JSONDecodeError as exc:
                            rows.append((f"{path}:{n}", f"not valid JSON ({exc.msg})"))
    except UnsafeInputError as exc:
        raise SourceError(str(exc)) from None
    return rows


def load_pairs(
    path: Path, *, skip_bad: bool, image_column: str | None = None, caption_column: str | None = None
) -> Source:
    image_col = image_column or DEFAULT_IMAGE_COLUMN
    caption_col = caption_column or DEFAULT_CAPTION_COLUMN
    rows = _rows(path)
    bad = BadRecords(skip_bad)
    grouped: dict[str, list[str]] = {}
    for where, row in rows:
        if isinstance(row, str):
            bad(where, row, "not JSON")
            continue
        if not isinstance(row, dict) or image_col not in row or caption_col not in row:
            bad(where, f"missing column {image_col!r} or {caption_col!r} (see --image-column)", "missing keys")
            continue
        image, captions = row[image_col], caption_list(row[caption_col])
        if not isinstance(image, str) or not image.strip():
            bad(where, f"{image_col!r} is not a path", "missing keys")
            continue
        if not captions or not any(c.strip() for c in captions):
            bad(where, "empty caption", "empty captions")
            continue
        grouped.setdefault(image.strip(), []).extend(captions)
    records = [
        CaptionRecord(key=f"pairs/{img}", cluster=f"pairs/{img}", image=img, captions=tuple(caps))
        for img, caps in grouped.items()
    ]
    info = {"kind": "pairs", "file": path.name, "n_rows": len(rows)}
    root = path.parent.resolve()
    return Source("captions", "pairs", root, records, info, skipped=bad.skipped, bad_rows=bad.listed)


def _is_pairs_file(request: SourceRequest) -> bool:
    return request.path.is_file() and request.path.suffix.lower() in (".jsonl", ".csv")


def _open_pairs(request: SourceRequest) -> Source:
    request.need("captions", "a file of (image, caption) rows")
    return load_pairs(
        request.path,
        skip_bad=request.skip_bad,
        image_column=request.image_column,
        caption_column=request.caption_column,
    )


# A ``.jsonl`` or ``.csv`` file of (image, caption) rows.
SOURCE_KINDS = (
    SourceKind(
        "pairs",
        _is_pairs_file,
        _open_pairs,
        lambda spec, wanted, split: "captions" if _is_pairs_file(SourceRequest(spec, "captions")) else None,
        check="snare.probes.sources.check:check_pairs",
    ),
)
