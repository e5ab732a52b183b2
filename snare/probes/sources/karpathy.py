"""COCO and Flickr30k Karpathy splits: ``coco_karpathy_test.json`` / ``flickr30k_test.json``.

Each file is a JSON list of ``{"image": "val2014/....jpg", "caption": [five strings]}`` with the images under the
source folder (COCO: ``val2014/``; Flickr30k: ``flickr30k-images/``), as BLIP, ARO and SNARE use them.
"""

from __future__ import annotations

from pathlib import Path

from snare.probes.sources.base import (
    BadRecords,
    CaptionRecord,
    Source,
    SourceError,
    SourceKind,
    SourceRequest,
    caption_list,
    read_json,
)

FILES = {"coco": "coco_karpathy_{split}.json", "flickr30k": "flickr30k_{split}.json"}


def karpathy_file(folder: Path, split: str, dataset: str | None) -> Path | None:
    """The annotation file in ``folder`` for ``split`` (and ``dataset`` when the task names one), if any."""
    names = [dataset] if dataset in FILES else list(FILES)
    for name in names:
        path = folder / FILES[name].format(split=split)
        if path.is_file():
            return path
    return None


def dataset_name(path: Path) -> str:
    return "flickr30k" if path.name.startswith("flickr") else "coco" if path.name.startswith("coco") else "karpathy"


def load_karpathy(path: Path, *, skip_bad: bool) -> Source:
    """Read one Karpathy-format file; images are resolved against the file's folder."""
    data = read_json(path)
    if not isinstance(data, list):
        raise SourceError(f"{path}: expected a JSON list of {{'image': ..., 'caption': [...]}} records")
    name = dataset_name(path)
    bad = BadRecords(skip_bad)
    records = []
    seen: dict[str, int] = {}
    for i, rec in enumerate(data):
        where = f"{path}: record {i}"
        if not isinstance(rec, dict) or "image" not in rec or "caption" not in rec:
            bad(where, "missing key 'image' or 'caption'", "missing keys")
            continue
        captions = caption_list(rec["caption"])
        if not isinstance(rec["image"], str) or not rec["image"]:
            bad(where, "'image' is not a path", "missing keys")
            continue
        if not captions or not any(c.strip() for c in captions):
            bad(where, "empty caption list", "empty captions")
            continue
        if rec["image"] in seen:  # an image listed twice: keep one record so item ids stay unique
            bad(where, f"image {rec['image']!r} already listed in record {seen[rec['image']]}", "duplicate image")
            continue
        seen[rec["image"]] = i
        key = f"{name}/{rec['image']}"
        records.append(CaptionRecord(key=key, cluster=key, image=rec["image"], captions=captions))
    info = {"kind": "karpathy", "dataset": name, "file": path.name, "n_records": len(data)}
    return Source("captions", name, path.parent.resolve(), records, info, skipped=bad.skipped)


def _is_karpathy_file(request: SourceRequest) -> bool:
    return request.path.is_file() and request.path.suffix.lower() == ".json"


def _open_karpathy_file(request: SourceRequest) -> Source:
    request.need("captions", "a Karpathy caption file")
    return load_karpathy(request.path, skip_bad=request.skip_bad)


def _open_karpathy_folder(request: SourceRequest) -> Source:
    found = karpathy_file(request.path, request.split, request.dataset)
    if found is not None:
        return load_karpathy(found, skip_bad=request.skip_bad)
    wanted = ", ".join(f.format(split=request.split) for f in FILES.values())
    raise SourceError(
        f"--source {request.spec}: no caption file for split {request.split!r} in this folder (expected {wanted}, "
        "or pass a .json/.jsonl/.csv file or hf:NAME)"
    )


# A Karpathy caption file, or a folder holding one for the split (after the more specific .json forms: ARO's).
SOURCE_KINDS = (
    SourceKind(
        "karpathy-file",
        _is_karpathy_file,
        _open_karpathy_file,
        lambda spec, wanted, split: "captions" if _is_karpathy_file(SourceRequest(spec, "captions")) else None,
        check="snare.probes.sources.check:check_karpathy",
        check_names=tuple(name.format(split=s) for name in FILES.values() for s in ("test", "val", "train")),
    ),
    SourceKind(
        "karpathy-folder",
        lambda request: request.path.is_dir(),
        _open_karpathy_folder,
        lambda spec, wanted, split: "captions" if Path(spec).is_dir() else None,
    ),
)
