"""VL-CheckList's original files as a ``--source``: the repository folder (its ``corpus/v1/`` configs and ``data/``
annotations) or one of its configs, with the image folders the configs name inside it.

The VL-CheckList repository (github.com/om-ai-lab/VL-CheckList) declares each evaluation set in a YAML config,
``corpus/v1/<Object|Attribute|Relation>/<sub-type...>/<corpus>.yaml``, holding ``ANNO_PATH`` (an annotation JSON
under ``data/``), ``IMG_ROOT`` (``vg/``, ``hake/`` or ``swig/``) and ``TYPE: TUPLE_JSON``; both paths are relative
to the repository folder, where its DATASETS.md has the images put (Visual Genome in ``vg/VG_100K{,_2}/``, HAKE in
``hake/``, SWiG in ``swig/``). An annotation is a JSON list of ``[image_path, {"POS": [captions], "NEG":
[captions]}]``. Download step (docs/probes.md)::

    git clone https://github.com/om-ai-lab/VL-CheckList && cd VL-CheckList
    # put (or link, then pass --follow-links) the images into vg/, hake/ and swig/ as DATASETS.md says
    snare probes build vl_checklist --source . --out probes/vl_checklist

Each entry becomes a :class:`~snare.probes.sources.choices.ChoiceRecord` with options ``(POS[0], NEG[0])`` and the
first intended, as the repository's image-text contrast evaluation compares them; ``meta.subset`` is the config's
folder (``Attribute/color``, ``Object/Location/center``...) and ``meta.corpus`` its name (``vg``, ``vaw``,
``swig_agent``...), so the per-subset accuracy is the breakdown by ``subset``. Configs are read in path order,
entries in file order; ids are ``vl_checklist/<subset>/<corpus>/<n>``, the cluster is the image.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from snare.probes.sources.base import BadRecords, Source, SourceError, SourceKind, SourceRequest, only_task, read_json
from snare.probes.sources.choices import KIND, ChoiceRecord

TASK = "vl_checklist"
CORPUS = ("corpus", "v1")


def _root_of(config: Path) -> Path | None:
    """The repository folder of a config ``<root>/corpus/v1/.../<name>.yaml``, else None."""
    parents = config.parents
    for n in range(len(parents) - 2):
        if (parents[n + 1].name, parents[n].name) == CORPUS:
            return parents[n + 2]
    return None


def configs(spec: str) -> tuple[Path, list[Path]] | None:
    """``(repository folder, configs)`` that a ``--source`` names: a config file, or a folder holding
    ``corpus/v1/`` (every config under it, in path order); else None."""
    path = Path(spec)
    if path.suffix == ".yaml" and path.is_file():
        root = _root_of(path)
        return (root, [path]) if root is not None else None
    corpus = path.joinpath(*CORPUS)
    if path.is_dir() and corpus.is_dir():
        found = sorted(corpus.rglob("*.yaml"))
        return (path, found) if found else None
    return None


def _relative(value: Any) -> PurePosixPath | None:
    """``value`` as a relative path that stays inside its folder, else None."""
    if not isinstance(value, str) or not value.strip("/") or "\\" in value or "\0" in value:
        return None
    rel = PurePosixPath(value.rstrip("/"))
    return None if rel.is_absolute() or ".." in rel.parts else rel


def read_config(path: Path) -> tuple[PurePosixPath, PurePosixPath]:
    """``(ANNO_PATH, IMG_ROOT)`` of one config; a one-line :class:`SourceError` when it has no such paths."""
    import yaml

    from snare.safe_io import MAX_JSON_BYTES, UnsafeInputError, read_text

    try:
        data = yaml.safe_load(read_text(path, MAX_JSON_BYTES, what="a config file"))
    except UnsafeInputError as exc:
        raise SourceError(str(exc)) from None
    except yaml.YAMLError as exc:
        raise SourceError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    anno = _relative(data.get("ANNO_PATH")) if isinstance(data, dict) else None
    images = _relative(data.get("IMG_ROOT")) if isinstance(data, dict) else None
    if anno is None or images is None:
        raise SourceError(f"{path}: needs ANNO_PATH and IMG_ROOT, relative paths inside the repository folder")
    return anno, images


def _texts(value: Any) -> str | None:
    """The first caption of a POS/NEG list, None when it is not a non-empty list of texts."""
    ok = isinstance(value, list) and value and all(isinstance(t, str) and t.strip() for t in value)
    return value[0] if ok else None


def _entries(data: list[Any], images: PurePosixPath, where: str, bad: BadRecords, stem: str) -> list[ChoiceRecord]:
    subset, _, corpus = stem.rpartition("/")
    records = []
    for n, entry in enumerate(data):
        at = f"{where} entry {n}"
        rel = _relative(entry[0]) if isinstance(entry, list) and len(entry) == 2 else None
        texts = entry[1] if rel is not None and isinstance(entry[1], dict) else None
        if texts is None:
            bad(at, "not [image_path, {POS, NEG}] with a relative image path", "malformed entry")
            continue
        pos, neg = _texts(texts.get("POS")), _texts(texts.get("NEG"))
        if pos is None or neg is None:
            bad(at, "POS and NEG must be non-empty lists of captions", "empty captions")
        elif pos == neg:
            bad(at, "the first NEG caption is the first POS caption", "negative equals caption")
        else:
            image = str(images / rel)
            meta = {"subset": subset, "corpus": corpus}
            records.append(ChoiceRecord(f"{TASK}/{stem}/{n}", f"img/{image}", image, (pos, neg), 0, TASK, meta))
    return records


def _open(request: SourceRequest) -> Source:
    request.need(KIND, "VL-CheckList sets")
    found = configs(request.spec)
    assert found is not None  # matched by SOURCE_KINDS
    root, paths = found
    bad = BadRecords(request.skip_bad)
    records: list[ChoiceRecord] = []
    info: dict[str, Any] = {"kind": "vl_checklist", "sets": {}}
    for config in paths:
        anno, images = read_config(config)
        data = read_json(root / anno)
        if not isinstance(data, list):
            raise SourceError(f"{root / anno}: expected a JSON list of [image_path, {{POS, NEG}}] entries")
        stem = config.relative_to(root.joinpath(*CORPUS)).with_suffix("").as_posix()
        records += _entries(data, images, str(root / anno), bad, stem)
        info["sets"][stem] = {"annotation": str(anno), "entries": len(data)}
    return Source(KIND, TASK, root, records, info, skipped=bad.skipped)


def _records(spec: str, wanted: tuple[str, ...], split: str) -> str | None:
    return KIND if configs(spec) is not None else None


SOURCE_KINDS = (
    SourceKind(
        "vl_checklist",
        lambda r: configs(r.spec) is not None,
        _open,
        _records,
        task_check=only_task(TASK, "VL-CheckList sets"),
    ),
)
