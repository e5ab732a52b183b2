"""Export a probe set as a Hugging Face ``datasets`` DatasetDict (one split per task) for sharing, and read it back.

Images are embedded as their original encoded bytes (synthetic scenes as PNG) with the crop box in ``bbox`` (a
mirrored image's ``flip`` is in ``image_ref``), so the export is self-contained; ``meta`` is kept as a JSON string
because its keys differ between sources, and ``image_ref`` holds the item's image reference as in the JSONL form,
so :func:`load_export` rebuilds the very same items (and fingerprint). The folder is ``OUT/dataset``
(``save_to_disk``) beside ``OUT/snare_manifest.json``.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from snare.probes.item import ImageRef, ProbeItem
from snare.probes.probeset import ProbeSet


def _image_bytes(probes: ProbeSet, item) -> bytes:
    if item.image.scene is not None:
        buf = io.BytesIO()
        probes.load_image(item.image.model_copy(update={"flip": False})).save(buf, format="PNG")  # as a file
        return buf.getvalue()
    from snare.safe_io import MAX_IMAGE_BYTES, read_bytes

    return read_bytes(probes.image_path(item.image), MAX_IMAGE_BYTES, what="an image")  # bounded, as on load


def export_hf(probes: ProbeSet, folder: Path) -> None:
    """Write ``probes`` with ``DatasetDict.save_to_disk`` into ``folder`` (an empty staging folder)."""
    import datasets

    features = datasets.Features(
        {
            "id": datasets.Value("string"),
            "cluster": datasets.Value("string"),
            "image": datasets.Image(),
            "bbox": datasets.Sequence(datasets.Value("float64")),
            "options": datasets.Sequence(datasets.Value("string")),
            "labels": datasets.Sequence(datasets.Value("string")),
            "correct": datasets.Value("int32"),
            "meta": datasets.Value("string"),
            "image_ref": datasets.Value("string"),
        }
    )
    splits = {}
    for task, items in probes.by_task().items():
        columns = {
            "id": [it.id for it in items],
            "cluster": [it.cluster for it in items],
            "image": [{"bytes": _image_bytes(probes, it), "path": None} for it in items],
            "bbox": [list(it.image.bbox) if it.image.bbox else [] for it in items],
            "options": [list(it.options) for it in items],
            "labels": [list(it.labels) for it in items],
            "correct": [it.correct for it in items],
            "meta": [json.dumps(it.meta, sort_keys=True) for it in items],
            "image_ref": [it.image.key for it in items],
        }
        splits[task] = datasets.Dataset.from_dict(columns, features=features)
    datasets.DatasetDict(splits).save_to_disk(str(folder))


EXPORT_MANIFEST = "snare_manifest.json"
DATASET_DIR = "dataset"


def is_export(folder: str | Path) -> bool:
    """Whether ``folder`` was written by ``snare probes build --format hf``."""
    return (Path(folder) / EXPORT_MANIFEST).is_file() and (Path(folder) / DATASET_DIR).is_dir()


def load_export(folder: str | Path, image_dir: Path) -> ProbeSet:
    """Read a ``--format hf`` export back as the probe set it was made from.

    An export is untrusted input: the manifest's fingerprint must be a ``sha256:`` digest and every image path
    must stay inside the export's image folder before anything is written; the items and the digests of their
    image bytes must then give that fingerprint, and only then are the file images written (once, named by the
    path they had) under ``image_dir/<fingerprint>/``. Synthetic scenes need no file.

    Raises:
        ProbeFormatError: not an export, an unreadable dataset, a malformed row, or items that do not match the
            manifest (nothing is written then).
    """
    import hashlib

    import datasets

    from snare.errors import ProbeFormatError
    from snare.safe_io import read_text

    folder = Path(folder)
    try:
        manifest = json.loads(read_text(folder / EXPORT_MANIFEST, what="an export manifest"))  # a shared export
        splits = datasets.load_from_disk(str(folder / DATASET_DIR))
    except Exception as exc:  # datasets raises many types; one line is what the user needs
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ProbeFormatError(f"{folder}: not a readable snare --format hf export ({first})") from None
    fingerprint = manifest.get("fingerprint") if isinstance(manifest, dict) else None
    if not isinstance(fingerprint, str) or not _FINGERPRINT.fullmatch(fingerprint):
        raise ProbeFormatError(f"{folder}: {EXPORT_MANIFEST} has no valid fingerprint (sha256:<64 hex digits>)")
    from snare.probes.manifest import parse_manifest

    name = parse_manifest(manifest, folder / EXPORT_MANIFEST).name  # typed: a name that is no string stops here
    root = image_dir / fingerprint.replace(":", "-")
    items, files = _read_rows(splits, folder)
    info = {k: v for k, v in manifest.items() if k not in {"image_root", "n_items", "tasks", "name", "exported_as"}}
    probes = ProbeSet(items, name=name or folder.name, image_root=root, info=info)
    probes._digests.update({str(root.joinpath(*rel)): hashlib.sha256(data).hexdigest() for rel, data in files.items()})
    if probes.fingerprint != fingerprint:
        raise ProbeFormatError(f"{folder}: the exported items do not match the fingerprint in {EXPORT_MANIFEST}")
    for rel, data in files.items():  # verified: now the images may enter snare's cache
        _materialise(root, rel, data)
    return probes


_FINGERPRINT = re.compile(r"sha256:[0-9a-f]{64}")


def _read_rows(splits, folder: Path) -> tuple[list[ProbeItem], dict[tuple[str, ...], bytes]]:
    """The items of every split and the image bytes by safe relative path; any malformed row is one line."""
    import datasets

    from snare.errors import ProbeFormatError

    items: list[ProbeItem] = []
    files: dict[tuple[str, ...], bytes] = {}
    for task in splits:
        rows = splits[task]
        if "image_ref" not in rows.column_names:
            raise ProbeFormatError(f"{folder}: exported by an older snare (no image_ref column); rebuild it")
        for index, row in enumerate(rows.cast_column("image", datasets.Image(decode=False))):
            where = f"{folder}: split {task!r} row {index}"
            item = _row_item(task, row, where)
            items.append(item)
            if item.image.path is not None:
                rel, data = _safe_parts(item.image.path, where), (row.get("image") or {}).get("bytes")
                if not isinstance(data, bytes):
                    raise ProbeFormatError(f"{where} has no image bytes; re-export the probe set")
                if files.setdefault(rel, data) != data:
                    raise ProbeFormatError(f"{where}: two different images for {item.image.path!r}; re-export the set")
    return items, files


def _row_item(task: str, row: dict, where: str) -> ProbeItem:
    """The item of one export row; a malformed ``image_ref``, ``meta`` or field is one line naming the row and
    the field at fault."""
    from pydantic import ValidationError

    from snare.errors import ProbeFormatError

    try:
        ref = ImageRef.model_validate_json(row["image_ref"] or "")
        meta = json.loads(row["meta"] or "")
        fields = {k: row[k] for k in ("id", "cluster", "options", "labels", "correct")}
        return ProbeItem(task=task, image=ref, meta=meta, **fields)
    except KeyError as exc:
        why = f"no {exc.args[0]!r} column"
    except (json.JSONDecodeError, TypeError) as exc:
        why = f"'meta' is not JSON ({exc.msg if isinstance(exc, json.JSONDecodeError) else 'not a string'})"
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or ("image_ref" if exc.title == "ImageRef" else "item")
        what = f"image_ref.{field}" if exc.title == "ImageRef" and field != "image_ref" else field
        why = f"{what!r}: {first['msg'].removeprefix('Value error, ')}"
    except ValueError as exc:  # a validator's own error, outside pydantic's
        why = " ".join(str(exc).split())[:200]
    raise ProbeFormatError(f"{where} is malformed ({why}); re-export the probe set")


def _safe_parts(rel: str, where: str) -> tuple[str, ...]:
    """``rel`` as path components that stay inside the image folder, or one line naming the row."""
    from pathlib import PurePosixPath

    from snare.errors import ProbeFormatError

    parts = PurePosixPath(rel).parts
    if (
        not parts
        or PurePosixPath(rel).is_absolute()
        or any(p in ("..", ".") or "\\" in p or "\x00" in p for p in parts)
    ):
        raise ProbeFormatError(f"{where}: image path {rel!r} leaves the export's image folder; refusing it")
    return parts


def _materialise(root: Path, parts: tuple[str, ...], data: bytes) -> None:
    """Write one verified image into snare's own export cache unless the same bytes are there already."""
    from snare.atomic import write_bytes
    from snare.safe_io import UnsafeInputError, read_bytes

    target = root.joinpath(*parts)
    try:
        if read_bytes(target, len(data)) == data:
            return
    except (OSError, UnsafeInputError):
        pass  # absent, or not what we wrote: replaced by an atomic rename below
    write_bytes(target, data)


def built_under(folder: str | Path) -> str | None:
    """The protocol a probe-set folder (either form) records it was built under; None when it records none or
    its manifest cannot be read (loading the folder then says what is wrong, in one line)."""
    from snare.errors import SnareError
    from snare.safe_io import read_json

    for name in ("manifest.json", EXPORT_MANIFEST):
        path = Path(folder) / name
        if path.is_file():
            try:
                manifest = read_json(path, SnareError, what="a probe-set manifest")
            except (SnareError, OSError):  # unreadable: loading the folder reports it properly
                return None
            protocol = manifest.get("protocol") if isinstance(manifest, dict) else None
            name_ = protocol.get("name") if isinstance(protocol, dict) else None
            return name_ if isinstance(name_, str) else None
    return None


def load_probe_folder(folder: str | Path) -> ProbeSet:
    """A probe-set folder in either form: JSONL (``manifest.json``) or a ``--format hf`` export."""
    if is_export(folder) and not (Path(folder) / "manifest.json").is_file():
        from snare.probes.build import hf_image_cache

        return load_export(folder, hf_image_cache().parent / "hf-exports")
    return ProbeSet.load(folder)
