"""VALSE's original files as a ``--source``: one piece's JSON (``existence.json``...) or the ``data/`` folder, with
the images in ``images/`` beside them.

The VALSE repository (github.com/Heidelberg-NLP/VALSE, ``data/<piece>.json``, MIT licence) keeps each piece as one
JSON object ``{id: {"image_file", "caption", "foil", "mturk": {"caption", "foil", "other"}, "dataset",
"linguistic_phenomena", ...}}``; it ships no images, which come from the piece's original dataset (``dataset``:
Visual7W for existence and counting, COCO 2017 val for plurals and relations, SWiG for the actions pieces,
VisDial v1.0 (COCO 2014 train, VisDial val 2018) for coreference, COCO 2014 val for foil-it). Their file names do
not collide, so one ``images/`` folder beside the JSON files holds them all. Download step (docs/probes.md)::

    git clone https://github.com/Heidelberg-NLP/VALSE && mkdir VALSE/data/images
    # copy (or link, then pass --follow-links) each piece's image_file from its dataset into VALSE/data/images/
    snare probes build valse --source VALSE/data --out probes/valse

Only the entries VALSE's annotators validated are kept, as the paper and its evaluation scripts do: at least two of
the three votes for the caption alone (``mturk.caption >= 2``); the others are counted in the manifest
(``not_validated``), not reported as bad. Each kept entry becomes a
:class:`~snare.probes.sources.choices.ChoiceRecord` with options ``(caption, foil)`` and the caption intended, so an
item's strict accuracy is VALSE's pairwise ranking accuracy ``acc_r`` (caption scored above foil); ``meta.piece``
gives the per-piece breakdown. Pieces stay in file-name order, entries in file order; ids are
``valse/<piece>/<id>``, the cluster is the image.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from snare.probes.sources.base import (
    BadRecords,
    Source,
    SourceError,
    SourceKind,
    SourceRequest,
    only_task,
    read_json,
    text_problem,
)
from snare.probes.sources.choices import KIND, ChoiceRecord

TASK = "valse"
IMAGES = "images"
# The pieces of VALSE v1 (the file stems of the repository's data/ folder), in file-name order.
PIECES = (
    "actant-swap",
    "action-replacement",
    "coreference-hard",
    "coreference-standard",
    "counting-adversarial",
    "counting-hard",
    "counting-small-quant",
    "existence",
    "foil-it",
    "plurals",
    "relations",
)
VALID_VOTES = 2  # an entry is valid when at least two of three annotators chose the caption alone


def piece_files(spec: str) -> list[Path] | None:
    """The piece files a ``--source`` names: the file itself, or every piece file of a folder; else None."""
    path = Path(spec)
    if path.suffix == ".json" and path.stem in PIECES and path.is_file():
        return [path]
    if path.is_dir():
        found = [path / f"{piece}.json" for piece in PIECES if (path / f"{piece}.json").is_file()]
        return found or None
    return None


def _image(name: object) -> str | None:
    """``images/<name>`` for a plain file name; None for anything that could leave the folder."""
    if not isinstance(name, str) or not name or "\\" in name or "\0" in name:
        return None
    return f"{IMAGES}/{name}" if len(PurePosixPath(name).parts) == 1 and name not in (".", "..") else None


def _validated(entry: dict[str, Any]) -> bool | None:
    """Whether the annotators validated ``entry`` (None: its ``mturk`` votes are missing or not counts)."""
    votes = entry.get("mturk")
    caption = votes.get("caption") if isinstance(votes, dict) else None
    if isinstance(caption, bool) or not isinstance(caption, int):
        return None
    return caption >= VALID_VOTES


def _record(piece: str, key: str, entry: Any, bad: BadRecords, where: str) -> ChoiceRecord | bool | None:
    """The record of one entry; False when the annotators did not validate it, None when it is bad (counted)."""
    if not isinstance(entry, dict):
        bad(where, "not an object", "malformed entry")
        return None
    valid = _validated(entry)
    image = _image(entry.get("image_file"))
    if valid is None:
        bad(where, "no 'mturk' votes with a 'caption' count", "malformed entry")
    elif not valid:
        return False
    elif image is None:
        bad(where, f"no usable 'image_file' (a file name inside {IMAGES}/)", "malformed entry")
    elif (problem := text_problem(entry, ("caption", "foil"))) is not None:
        bad(where, *problem)
    elif entry["caption"] == entry["foil"]:
        bad(where, "the foil is the caption", "negative equals caption")
    else:
        meta = {"piece": piece}
        if isinstance(entry.get("linguistic_phenomena"), str):
            meta["phenomenon"] = entry["linguistic_phenomena"]
        options = (entry["caption"], entry["foil"])
        return ChoiceRecord(f"{TASK}/{piece}/{key}", f"img/{entry['image_file']}", image, options, 0, TASK, meta)
    return None


def _open(request: SourceRequest) -> Source:
    from snare.safe_io import no_duplicate_keys

    request.need(KIND, "VALSE pieces")
    files = piece_files(request.spec)
    assert files is not None  # matched by SOURCE_KINDS
    bad = BadRecords(request.skip_bad)
    records: list[ChoiceRecord] = []
    info: dict[str, Any] = {"kind": "valse", "pieces": {}}
    for path in files:
        data = read_json(path, object_pairs_hook=no_duplicate_keys)  # an id given twice would lose an entry
        if not isinstance(data, dict):
            raise SourceError(f"{path}: expected a JSON object of VALSE entries ({{id: {{image_file, caption, ...}}}})")
        piece, not_validated = path.stem, 0
        for key, entry in data.items():
            made = _record(piece, key, entry, bad, f"{path} entry {key}")
            not_validated += made is False
            if isinstance(made, ChoiceRecord):
                records.append(made)
        info["pieces"][piece] = {"entries": len(data), "not_validated": not_validated}
    return Source(KIND, TASK, files[0].parent, records, info, skipped=bad.skipped)


def _records(spec: str, wanted: tuple[str, ...], split: str) -> str | None:
    return KIND if piece_files(spec) is not None else None


SOURCE_KINDS = (
    SourceKind(
        "valse",
        lambda r: piece_files(r.spec) is not None,
        _open,
        _records,
        task_check=only_task(TASK, "VALSE pieces"),
    ),
)
