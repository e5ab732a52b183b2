"""Any Hugging Face ``datasets`` dataset with an image column and a caption column.

``hf:NAME`` goes through ``datasets.load_dataset`` (hub names and local data folders; ``HF_HOME`` and
``HF_HUB_OFFLINE`` are honoured by ``datasets`` itself); a folder written by ``save_to_disk`` goes through
``load_from_disk``. Probe items refer to image files, so each distinct image's encoded bytes are written once,
unchanged, to ``<image_dir>/<sha256 prefix>.<ext>``: the same dataset always gives the same files and fingerprint.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

from snare.probes.sources.base import BadRecords, CaptionRecord, Source, SourceError, caption_list

DEFAULT_IMAGE_COLUMN = "image"
CAPTION_COLUMNS = ("caption", "captions", "text", "sentences", "raw")
_EXT = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "BMP": "bmp", "TIFF": "tif"}


def is_saved_dataset(folder: Path) -> bool:
    return (folder / "dataset_info.json").is_file() or (folder / "dataset_dict.json").is_file()


def _local(spec: str) -> Path | None:
    """The folder of ``hf:DIR`` when DIR is a ``save_to_disk`` folder (read as the same path without ``hf:``)."""
    folder = Path(spec.removeprefix("hf:"))
    return folder if spec.startswith("hf:") and folder.is_dir() and is_saved_dataset(folder) else None


def _open(spec: str, split: str) -> tuple[Any, str]:
    import datasets

    try:
        if spec.startswith("hf:") and not _local(spec):
            name = spec[3:]
            return datasets.load_dataset(name, split=split), name
        folder = _local(spec) or Path(spec)
        ds = datasets.load_from_disk(str(folder))
    except SourceError:
        raise
    except Exception as exc:  # datasets raises many types; the user needs one line, not a traceback
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise SourceError(
            f"cannot load Hugging Face dataset {spec!r} (split {split!r}): {first} "
            "(offline? HF_HUB_OFFLINE=1 uses only what is in HF_HOME)"
        ) from None
    if isinstance(ds, datasets.DatasetDict):
        if split not in ds:
            raise SourceError(f"{spec}: no split {split!r} (it has: {', '.join(ds)}); pass --split")
        ds = ds[split]
    return ds, folder.resolve().name


def _image_bytes(value: Any, base: Path | None) -> bytes:
    """Encoded bytes of one image cell: ``{"bytes", "path"}`` from an undecoded Image feature, or a path.

    A path is read only from inside the dataset folder ``base`` (never absolute, never climbing out with ``..``,
    never through a symlink that leaves it), and with :mod:`snare.safe_io`'s bounds: a dataset from elsewhere
    must not make snare copy ``~/.ssh/id_rsa`` or read ``/dev/zero``.
    """
    from snare.safe_io import MAX_IMAGE_BYTES, read_bytes

    if isinstance(value, dict):
        if value.get("bytes"):
            data = value["bytes"]
            if len(data) > MAX_IMAGE_BYTES:
                raise ValueError(f"image larger than {MAX_IMAGE_BYTES // (1 << 20)} MB")
            return data
        value = value.get("path")
    if isinstance(value, str) and value:
        path = Path(value)
        if base is None or path.is_absolute() or ".." in path.parts:
            raise ValueError(f"image path {value!r} is outside the dataset folder")
        path = base / path
        if not path.resolve().is_relative_to(base.resolve()):
            raise ValueError(f"image path {value!r} links outside the dataset folder")
        return read_bytes(path, MAX_IMAGE_BYTES, what="an image")
    raise ValueError("no image bytes or path")


def load_hf(
    spec: str,
    *,
    split: str,
    image_dir: Path,
    skip_bad: bool,
    image_column: str | None = None,
    caption_column: str | None = None,
) -> Source:
    import datasets
    from PIL import Image, UnidentifiedImageError

    from snare.errors import SnareError
    from snare.safe_io import decode_image

    ds, name = _open(spec, split)
    columns = list(ds.column_names)
    image_col = image_column or DEFAULT_IMAGE_COLUMN
    caption_col = caption_column or next((c for c in CAPTION_COLUMNS if c in columns), CAPTION_COLUMNS[0])
    for col, flag in ((image_col, "--image-column"), (caption_col, "--caption-column")):
        if col not in columns:
            raise SourceError(f"{spec}: no column {col!r} (it has: {', '.join(columns)}); pass {flag}")
    ds = ds.select_columns([image_col, caption_col])
    if isinstance(ds.features[image_col], datasets.Image):
        ds = ds.cast_column(image_col, datasets.Image(decode=False))
    base = _local(spec) or (None if spec.startswith("hf:") else Path(spec))
    bad = BadRecords(skip_bad)
    image_dir.mkdir(parents=True, exist_ok=True)
    records = []
    for row_index, row in enumerate(ds):
        where = f"{spec} [{split}] row {row_index}"
        captions = caption_list(row[caption_col])
        if not captions or not any(c.strip() for c in captions):
            bad(where, "empty caption", "empty captions")
            continue
        try:
            data = _image_bytes(row[image_col], base)
            with Image.open(io.BytesIO(data)) as img:
                fmt = img.format
            decode_image(data, where)  # every pixel: verify() alone passes a truncated JPEG
        except (OSError, ValueError, UnidentifiedImageError, SnareError) as exc:
            bad(where, f"image cannot be read ({exc})", "corrupt image")
            continue
        digest = hashlib.sha256(data).hexdigest()[:20]
        filename = f"{digest}.{_EXT.get(fmt or '', 'img')}"
        target = image_dir / filename
        if not target.exists():
            from snare.atomic import write_bytes

            write_bytes(target, data)
        records.append(
            CaptionRecord(
                key=f"hf/{name}/{split}/{row_index:06d}", cluster=f"hf/{digest}", image=filename, captions=captions
            )
        )
    info = {"kind": "hf", "dataset": name, "split": split, "image_column": image_col, "caption_column": caption_col}
    info["n_rows"] = len(ds)
    return Source("captions", f"hf/{name}", image_dir, records, info, skipped=bad.skipped)
