"""SugarCrepe's original files as a ``--source``: one set's JSON (``swap_att.json``...) and COCO val2017 images.

The SugarCrepe repository (github.com/RAIVNLab/sugar-crepe, ``data/<set>.json``) keeps each set as one JSON
object ``{id: {"filename", "caption", "negative_caption"}}``; the images are COCO 2017 validation images, which
it does not ship. Download step (documented in docs/probes.md)::

    curl -LO http://images.cocodataset.org/zips/val2017.zip && unzip val2017.zip   # beside the JSON files
    snare probes build sugarcrepe_swap_att --source data/swap_att.json --out probes/

Each entry becomes a :class:`~snare.probes.sources.choices.ChoiceRecord` with options ``(caption,
negative_caption)`` in that order and the caption intended, its image ``val2017/<filename>`` beside the JSON (a
linked ``val2017`` folder needs ``--follow-links``). Entries stay in file order; ids are ``sugarcrepe_<set>/<id>``.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from snare.errors import SnareError
from snare.probes.sources.base import BadRecords, Source, SourceError, SourceKind, SourceRequest, read_json
from snare.probes.sources.choices import KIND, ChoiceRecord
from snare.probes.tasks import SUGARCREPE_SETS

IMAGES = "val2017"


def set_of(spec: str) -> str | None:
    """The SugarCrepe set a ``--source`` names (``.../swap_att.json`` -> ``swap_att``), else None."""
    path = Path(spec)
    return path.stem if path.suffix == ".json" and path.stem in SUGARCREPE_SETS else None


def check_task(spec: str, task: str) -> str:
    """The record kind ``task`` reads from the set file ``spec`` (``choice``); one line when the file holds
    another set than the task's."""
    subset = set_of(spec)
    if task != f"sugarcrepe_{subset}":
        raise SnareError(
            f"--source {spec} holds SugarCrepe {subset}: build task sugarcrepe_{subset} from it, or pass the "
            f"{task.removeprefix('sugarcrepe_')}.json file for {task}"
        )
    return KIND


def _image(filename: object) -> str | None:
    """``val2017/<filename>`` for a plain file name; None for anything that could leave the folder."""
    if not isinstance(filename, str) or not filename or "\\" in filename:
        return None
    name = PurePosixPath(filename)
    return f"{IMAGES}/{filename}" if len(name.parts) == 1 and name.name not in (".", "..") else None


def _open(request: SourceRequest) -> Source:
    request.need(KIND, "a SugarCrepe set")
    path = request.path
    subset = set_of(request.spec)
    data = read_json(path)
    if not isinstance(data, dict):
        raise SourceError(f"{path}: expected a JSON object of SugarCrepe entries ({{id: {{filename, caption, ...}}}})")
    bad = BadRecords(request.skip_bad)
    records = []
    for key, entry in data.items():
        where = f"{path} entry {key}"
        if not isinstance(entry, dict):
            bad(where, "not an object", "malformed entry")
            continue
        image = _image(entry.get("filename"))
        caption, negative = entry.get("caption"), entry.get("negative_caption")
        if image is None:
            bad(where, "no usable 'filename' (a file name inside val2017/)", "malformed entry")
        elif not (isinstance(caption, str) and isinstance(negative, str) and caption.strip() and negative.strip()):
            bad(where, "empty or missing 'caption' / 'negative_caption'", "empty captions")
        elif caption == negative:
            bad(where, "the negative caption is the caption", "negative equals caption")
        else:
            name = f"sugarcrepe_{subset}"
            records.append(
                ChoiceRecord(f"{name}/{key}", f"coco/{entry['filename']}", image, (caption, negative), 0, name)
            )
    info = {"kind": "sugarcrepe", "file": path.name, "set": subset, "entries": len(data)}
    return Source(KIND, f"sugarcrepe_{subset}", path.parent, records, info, skipped=bad.skipped)


def _records(spec: str, wanted: tuple[str, ...], split: str) -> str | None:
    return KIND if set_of(spec) is not None and Path(spec).is_file() else None


SOURCE_KINDS = (
    SourceKind(
        "sugarcrepe",
        lambda r: set_of(r.spec) is not None and r.path.is_file(),
        _open,
        _records,
        task_check=check_task,
    ),
)
