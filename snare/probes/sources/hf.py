"""Any Hugging Face ``datasets`` dataset with an image column and a caption column, or ARO-style rows.

ARO-style rows have ``image``, ``true_caption`` and ``false_caption`` (and possibly ``relation_name``,
``attributes``, ``bbox``, ``obj1_name``, ``obj2_name``): such a dataset gives VG-Relation or VG-Attribution records
(see :func:`pair_kind`), with missing fields recovered from ARO's caption templates.

``hf:NAME`` goes through ``datasets.load_dataset`` (hub names and local data folders; ``HF_HOME`` and
``HF_HUB_OFFLINE`` are honoured by ``datasets`` itself); a folder written by ``save_to_disk`` goes through
``load_from_disk``. Probe items refer to image files, so each distinct image's encoded bytes are written once,
unchanged, to ``<image_dir>/<sha256 prefix>.<ext>``: the same dataset always gives the same files and fingerprint.
"""

from __future__ import annotations

import functools
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
from snare.probes.sources.images import store_image

DEFAULT_IMAGE_COLUMN = "image"
CAPTION_COLUMNS = ("caption", "captions", "text", "sentences", "raw")


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
    from PIL import UnidentifiedImageError

    from snare.errors import SnareError

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
            digest, filename = store_image(_image_bytes(row[image_col], base), image_dir)
        except (OSError, ValueError, UnidentifiedImageError, SnareError) as exc:
            bad(where, f"image cannot be read ({exc})", "corrupt image")
            continue
        records.append(
            CaptionRecord(
                key=f"hf/{name}/{split}/{row_index:06d}", cluster=f"hf/{digest}", image=filename, captions=captions
            )
        )
    info = {"kind": "hf", "dataset": name, "split": split, "image_column": image_col, "caption_column": caption_col}
    info["n_rows"] = len(ds)
    return Source("captions", f"hf/{name}", image_dir, records, info, skipped=bad.skipped)


PAIR_COLUMNS = ("true_caption", "false_caption")
_VG_OPTIONAL = ("relation_name", "attributes", "bbox", "obj1_name", "obj2_name")


@functools.lru_cache(maxsize=16)  # asked once per task of a build; each ask would load the dataset again
def pair_kind(spec: str, split: str) -> str | None:
    """``vg_relation`` / ``vg_attribution`` for a dataset of ARO-style rows, None for a caption dataset.

    A ``relation_name`` or ``attributes`` column decides; without either, the first row's captions are matched
    against ARO's two templates (a dataset fitting neither is a caption dataset)."""
    from snare.probes.sources.aro_templates import TemplateMismatch, recover_attribution, recover_relation

    ds, _ = _open(spec, split)
    columns = set(ds.column_names)
    if not set(PAIR_COLUMNS) <= columns:
        return None
    if "relation_name" in columns:
        return "vg_relation"
    if "attributes" in columns:
        return "vg_attribution"
    if len(ds) == 0:
        return None
    first = ds.select_columns(list(PAIR_COLUMNS))[0]
    for kind, recover in (("vg_relation", recover_relation), ("vg_attribution", recover_attribution)):
        try:
            recover(first["true_caption"], first["false_caption"])
            return kind
        except (TemplateMismatch, AttributeError, TypeError):
            continue
    return None


def load_hf_pairs(spec: str, kind: str, *, split: str, image_dir: Path, skip_bad: bool) -> Source:
    """VG-Relation / VG-Attribution records from a dataset of ARO-style rows (see :func:`pair_kind`)."""
    import datasets

    from snare.probes.sources.hub import HubDataset
    from snare.probes.sources.mirrors import load_mirror

    ds, name = _open(spec, split)
    roles = {"image": DEFAULT_IMAGE_COLUMN, **{c: c for c in PAIR_COLUMNS}}
    missing = [c for c in roles.values() if c not in ds.column_names]
    if missing:
        raise SourceError(f"{spec}: no column {missing[0]!r} (it has: {', '.join(ds.column_names)})")
    optional = {c: c for c in _VG_OPTIONAL if c in ds.column_names}
    ds = ds.select_columns([*roles.values(), *optional.values()])
    if isinstance(ds.features[DEFAULT_IMAGE_COLUMN], datasets.Image):
        ds = ds.cast_column(DEFAULT_IMAGE_COLUMN, datasets.Image(decode=False))
    base = None if spec.startswith("hf:") else Path(spec)

    def rows():
        for row in ds:
            try:
                row["image"] = _image_bytes(row["image"], base)
            except (OSError, ValueError):
                row["image"] = None  # counted as a corrupt image by load_mirror
            yield row

    meta = HubDataset(name=f"hf/{name}", repo=name, revision="", split=split, files="", kind=kind, columns=roles)
    src = load_mirror(meta, rows(), image_dir, skip_bad=skip_bad)
    src.info = {"kind": "hf", "dataset": name, "split": split, "n_rows": len(ds), "records": kind}
    return src


def _is_hf(request: SourceRequest) -> bool:
    return request.spec.startswith("hf:") or (request.path.is_dir() and is_saved_dataset(request.path))


def _open_hf(request: SourceRequest) -> Source:
    from snare.probes.sources.aro import FILES as ARO_FILES

    if request.image_dir is None:
        raise ValueError("image_dir is required for Hugging Face sources")
    if request.kind in ARO_FILES:
        return load_hf_pairs(
            request.spec, request.kind, split=request.split, image_dir=request.image_dir, skip_bad=request.skip_bad
        )
    request.need("captions", "a Hugging Face dataset")
    return load_hf(
        request.spec,
        split=request.split,
        image_dir=request.image_dir,
        skip_bad=request.skip_bad,
        image_column=request.image_column,
        caption_column=request.caption_column,
    )


# ``hf:NAME`` (a hub dataset or a local data folder) or a ``save_to_disk`` folder.
def _records(spec: str, wanted: tuple[str, ...], split: str) -> str | None:
    """ARO-style rows give Visual Genome records (:func:`pair_kind`), any other dataset captions."""
    if not _is_hf(SourceRequest(spec, "captions")):
        return None
    return pair_kind(spec, split) or "captions"


SOURCE_KINDS = (SourceKind("hf", _is_hf, _open_hf, _records),)
