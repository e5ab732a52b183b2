"""EqBen's released annotation files as a ``--source``, with the images in ``images/`` beside them.

EqBen (Wang et al. 2023, github.com/Wangt-CN/EqBen, Apache-2.0) pairs two nearly identical images (video frames,
Kubric and Stable Diffusion renders) with their two captions. Its files are downloaded from the links in the
repository's README (Google Drive / Google Cloud; docs/probes.md gives the steps), in one of two shapes:

- ``ann_json_finegrained_random.json``, the full annotation: a JSON list with one entry per (image, caption) pair,
  ``{"image", "caption", "private_info": {"dataset", "name", "sample_cnt"}}``, where ``name`` is ``c<j>i<k>``
  (caption j with image k) and the four entries of one example share ``dataset`` and ``sample_cnt``;
- ``all_select.json`` (the ``eqben_vllm`` subset released for multimodal LLMs): a JSON list of
  ``{"image0", "image1", "caption0", "caption1"}``.

Image paths start with the subset (``eqbenag/``, ``eqbenyoucook2/``, ``eqbengebc/``, ``eqbenkubric_{loc,attr,cnt}/``,
``eqbensd/``) and are read from ``images/`` beside the file. EqBen-YouCook2's frames are NumPy arrays (``.npy``):
snare reads ``<stem>.png`` beside such a frame instead, and ``<stem>.jpg`` where the named ``.png`` is absent (the
"light" release converted every PNG to JPEG). Each example becomes two
:class:`~snare.probes.sources.choices.ChoiceRecord` (image ``i`` with options ``(caption0, caption1)``, caption
``i`` intended) linked by ``meta.group``, scored with Winoground's text, image and group scores
(:mod:`snare.engine.groups`) as EqBen's own evaluation does; ``meta.subset`` gives the per-subset breakdown. Ids are
``eqben/<subset>/<sample>/image_<i>``, examples in the order of their first entry in the file.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from snare.probes.sources.base import BadRecords, Source, SourceError, SourceKind, SourceRequest, only_task, read_json
from snare.probes.sources.choices import KIND, ChoiceRecord
from snare.probes.sources.minimal_pairs import BadRow, row_captions

TASK = "eqben"
IMAGES = "images"
FULL = "ann_json_finegrained_random.json"
SUBSET = "all_select.json"
NAMES = ("c0i0", "c0i1", "c1i0", "c1i1")


def annotation_file(spec: str) -> Path | None:
    """The EqBen annotation a ``--source`` names (the file, or a folder holding one), else None."""
    path = Path(spec)
    if path.name in (FULL, SUBSET) and path.is_file():
        return path
    if path.is_dir():
        return next((path / name for name in (FULL, SUBSET) if (path / name).is_file()), None)
    return None


def image_path(root: Path, value: Any) -> str:
    """The file under ``root/images`` that an annotation's image path names (see the module docstring).

    Raises:
        BadRow: the path could leave the folder, or a NumPy frame has no PNG or JPEG beside it.
    """
    if not isinstance(value, str) or not value or "\\" in value or "\0" in value:
        raise BadRow("an image path is not a relative path", "malformed example")
    rel = PurePosixPath(value)
    if rel.is_absolute() or ".." in rel.parts:
        raise BadRow(f"image path {value!r} leaves {IMAGES}/", "malformed example")
    candidates = [rel] if rel.suffix != ".npy" else []
    candidates += [rel.with_suffix(".png"), rel.with_suffix(".jpg")] if rel.suffix in (".npy", ".png") else []
    for candidate in candidates:
        if (root / IMAGES / candidate).is_file():
            return f"{IMAGES}/{candidate}"
    if rel.suffix == ".npy":
        raise BadRow(f"{value} is a NumPy frame with no .png beside it (convert it: docs/probes.md)", "npy frame")
    return f"{IMAGES}/{rel}"  # absent: the image check names it


def _pairs(data: list[Any], bad: BadRecords, where: str) -> list[tuple[str, str, dict[str, Any]]]:
    """``(subset, sample, row)`` of each complete example of the full annotation, ``row`` holding ``image0``,
    ``image1``, ``caption0`` and ``caption1``; entries that do not make one example of four are bad."""
    examples: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for n, entry in enumerate(data):
        info = entry.get("private_info") if isinstance(entry, dict) else None
        name = info.get("name") if isinstance(info, dict) else None
        subset, sample = (info.get("dataset"), info.get("sample_cnt")) if isinstance(info, dict) else (None, None)
        if name not in NAMES or not isinstance(subset, str) or isinstance(sample, bool) or not isinstance(sample, int):
            bad(
                f"{where} entry {n}", "no private_info with dataset, name (c0i0...) and sample_cnt", "malformed example"
            )
            continue
        example = examples.setdefault((subset, str(sample)), {})
        if name in example:
            bad(f"{where} entry {n}", f"{subset} sample {sample} has {name} twice", "malformed example")
            continue
        example[name] = entry
    out = []
    for (subset, sample), parts in examples.items():
        get = {k: parts[k] for k in NAMES if k in parts}
        if len(get) < 4:
            bad(f"{where} {subset} sample {sample}", "not all four of c0i0, c0i1, c1i0, c1i1", "incomplete example")
            continue
        row = {"image0": get["c0i0"].get("image"), "image1": get["c0i1"].get("image")}
        row |= {"caption0": get["c0i0"].get("caption"), "caption1": get["c1i0"].get("caption")}
        same = get["c1i0"].get("image") == row["image0"] and get["c1i1"].get("image") == row["image1"]
        if not same or get["c0i1"].get("caption") != row["caption0"] or get["c1i1"].get("caption") != row["caption1"]:
            bad(
                f"{where} {subset} sample {sample}",
                "its four entries name other images or captions",
                "malformed example",
            )
            continue
        out.append((subset, sample, row))
    return out


def _records(
    rows: list[tuple[str, str, dict[str, Any]]], root: Path, bad: BadRecords, where: str
) -> list[ChoiceRecord]:
    records: list[ChoiceRecord] = []
    for subset, sample, row in rows:
        try:
            captions = row_captions({"caption_0": row.get("caption0"), "caption_1": row.get("caption1")})
            images = [image_path(root, row.get(f"image{i}")) for i in (0, 1)]
            if images[0] == images[1]:
                raise BadRow("image0 and image1 are the same file", "malformed example")
        except BadRow as why:
            bad(f"{where} {subset} sample {sample}", why.problem, why.reason)
            continue
        group = f"{TASK}/{subset}/{sample}"
        meta = {"group": group, "subset": subset}
        records += [
            ChoiceRecord(f"{group}/image_{i}", group, images[i], captions, i, TASK, {**meta, "image": i})
            for i in (0, 1)
        ]
    return records


def _open(request: SourceRequest) -> Source:
    request.need(KIND, "EqBen examples")
    path = annotation_file(request.spec)
    assert path is not None  # matched by SOURCE_KINDS
    data = read_json(path)
    if not isinstance(data, list):
        raise SourceError(f"{path}: expected a JSON list of EqBen entries")
    bad = BadRecords(request.skip_bad)
    if path.name == FULL:
        rows = _pairs(data, bad, str(path))
    else:
        rows = []
        for n, row in enumerate(data):
            if not isinstance(row, dict):
                bad(f"{path} entry {n}", "not an object", "malformed example")
                continue
            first = row.get("image0")
            subset = PurePosixPath(first).parts[0] if isinstance(first, str) and first.strip("/") else "eqben"
            rows.append((subset, str(n), row))
    records = _records(rows, path.parent, bad, str(path))
    info = {"kind": "eqben", "file": path.name, "entries": len(data), "examples": len(rows)}
    return Source(KIND, TASK, path.parent, records, info, skipped=bad.skipped)


def _record_kind(spec: str, wanted: tuple[str, ...], split: str) -> str | None:
    return KIND if annotation_file(spec) is not None else None


SOURCE_KINDS = (
    SourceKind(
        "eqben",
        lambda r: annotation_file(r.spec) is not None,
        _open,
        _record_kind,
        task_check=only_task(TASK, "EqBen examples"),
    ),
)
