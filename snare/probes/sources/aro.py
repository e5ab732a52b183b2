"""ARO's Visual Genome files: ``visual_genome_relation.json`` and ``visual_genome_attribution.json``.

Each is a JSON list of entries with ``image_path`` (under the ``images/`` folder beside the file), the box
``bbox_x, bbox_y, bbox_w, bbox_h`` the item's image is cropped to, ``true_caption``, ``false_caption``,
``obj1_name``, ``obj2_name`` and ``relation_name`` (VG-Relation) or ``attributes`` (VG-Attribution, two strings).
"""

from __future__ import annotations

from pathlib import Path

from snare.probes.sources.base import BadRecords, Source, SourceError, SourceKind, SourceRequest, VGRecord, read_json

FILES = {"vg_relation": "visual_genome_relation.json", "vg_attribution": "visual_genome_attribution.json"}
IMAGE_DIR = "images"
_COMMON = (
    "image_path",
    "bbox_x",
    "bbox_y",
    "bbox_w",
    "bbox_h",
    "true_caption",
    "false_caption",
    "obj1_name",
    "obj2_name",
)
_KEYS = {"vg_relation": (*_COMMON, "relation_name"), "vg_attribution": (*_COMMON, "attributes")}


def _problem(entry: object, kind: str) -> tuple[str, str] | None:
    """``(problem, reason)`` for a malformed entry, else None."""
    if not isinstance(entry, dict):
        return "not a JSON object", "missing keys"
    missing = [k for k in _KEYS[kind] if k not in entry]
    if missing:
        return f"missing key {missing[0]!r}", "missing keys"
    box = [entry[k] for k in ("bbox_x", "bbox_y", "bbox_w", "bbox_h")]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in box) or box[2] <= 0 or box[3] <= 0:
        return "bbox is not four numbers with positive width and height", "bad bbox"
    texts = [entry[k] for k in ("true_caption", "false_caption", "obj1_name", "obj2_name", "image_path")]
    if not all(isinstance(t, str) and t.strip() for t in texts):
        return "an empty caption, object name or image path", "empty captions"
    if kind == "vg_attribution":
        atts = entry["attributes"]
        if not (isinstance(atts, list) and len(atts) == 2 and all(isinstance(a, str) and a for a in atts)):
            return "'attributes' is not a list of two strings", "missing keys"
    elif not isinstance(entry["relation_name"], str) or not entry["relation_name"]:
        return "'relation_name' is not a string", "missing keys"
    return None


def load_aro(path: Path, kind: str, *, skip_bad: bool) -> Source:
    """Read one ARO file; images live in ``images/`` beside it (item paths are ``images/<image_path>``)."""
    data = read_json(path)
    if not isinstance(data, list):
        raise SourceError(f"{path}: expected a JSON list of {kind.replace('_', '-')} entries")
    bad = BadRecords(skip_bad)
    records = []
    for i, entry in enumerate(data):
        problem = _problem(entry, kind)
        if problem is not None:
            bad(f"{path}: entry {i}", *problem)
            continue
        box = tuple(float(entry[k]) for k in ("bbox_x", "bbox_y", "bbox_w", "bbox_h"))
        records.append(
            VGRecord(
                key=f"{kind}/{i:06d}",
                cluster=f"vg/{entry['image_path']}",
                image=f"{IMAGE_DIR}/{entry['image_path']}",
                bbox=box,  # type: ignore[arg-type]
                entry=entry,
            )
        )
    info = {"kind": "aro", "dataset": kind, "file": path.name, "n_records": len(data)}
    return Source(kind, kind, path.parent.resolve(), records, info, skipped=bad.skipped)


def _is_aro_file(request: SourceRequest) -> bool:
    return request.path.is_file() and request.path.name in FILES.values()


def _open_aro_file(request: SourceRequest) -> Source:
    file_kind = next(k for k, name in FILES.items() if name == request.path.name)
    request.need(file_kind, f"ARO's {file_kind.replace('_', '-')} file")
    return load_aro(request.path, file_kind, skip_bad=request.skip_bad)


def _is_aro_folder(request: SourceRequest) -> bool:
    return request.path.is_dir() and request.kind in FILES


def _open_aro_folder(request: SourceRequest) -> Source:
    file = request.path / FILES[request.kind]
    if file.is_file():
        return load_aro(file, request.kind, skip_bad=request.skip_bad)
    raise SourceError(f"--source {request.spec}: no {FILES[request.kind]} in this folder (ARO's Visual Genome files)")


def _file_records(spec: str, wanted: tuple[str, ...], split: str) -> str | None:
    path = Path(spec)
    return next((k for k, name in FILES.items() if name == path.name), None) if path.is_file() else None


def _folder_records(spec: str, wanted: tuple[str, ...], split: str) -> str | None:
    """The first of ``wanted`` whose file the folder holds, else the first file it holds (which the task then
    refuses); None for a folder without ARO's files."""
    folder = Path(spec)
    if not folder.is_dir():
        return None
    held = [k for k, name in FILES.items() if (folder / name).is_file()]
    return next((k for k in wanted if k in held), held[0] if held else None)


# One of ARO's two files, or a folder holding them (when the task needs Visual Genome entries).
SOURCE_KINDS = (
    SourceKind(
        "aro-file",
        _is_aro_file,
        _open_aro_file,
        _file_records,
        check="snare.probes.sources.check:check_aro",
        check_names=tuple(FILES.values()),
    ),
    SourceKind("aro-folder", _is_aro_folder, _open_aro_folder, _folder_records),
)
