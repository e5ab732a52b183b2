"""Data sources for probe sets, and :func:`open_source`, which picks one from a ``--source`` string.

``--source`` takes:

- ``synthetic``: the built-in scenes (handled by :mod:`snare.probes.build`);
- ``hf:NAME``: a Hugging Face dataset (hub name or local data folder), or a ``save_to_disk`` folder, of
  (image, caption) rows or of ARO-style (image, true_caption, false_caption) rows;
- a folder with ``coco_karpathy_<split>.json`` / ``flickr30k_<split>.json`` (COCO / Flickr30k Karpathy splits),
  or with ``visual_genome_relation.json`` / ``visual_genome_attribution.json`` (ARO), or one such file;
- a ``.jsonl`` or ``.csv`` file of (image, caption) rows;
- one of SugarCrepe's set files (``swap_att.json``...) with COCO ``val2017/`` beside it;
- Winoground's ``examples.jsonl`` (or its folder) with ``images/`` beside it;
- one of VALSE's piece files (``existence.json``...) or its ``data/`` folder, with ``images/`` beside them;
- EqBen's ``ann_json_finegrained_random.json`` or ``all_select.json`` (or its folder), with ``images/`` beside it;
- VL-CheckList's repository folder (``corpus/v1/`` configs, ``data/`` annotations, image folders) or one config.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any

from snare.probes.sources.base import CaptionRecord, Source, SourceError, SourceKind, SourceRequest, VGRecord

__all__ = [
    "CaptionRecord",
    "Source",
    "SourceError",
    "SourceKind",
    "SourceRequest",
    "VGRecord",
    "check_source_task",
    "checker",
    "open_source",
    "record_kind",
]

# The modules whose ``SOURCE_KINDS`` are tried, in this order (the more specific forms first: a saved Hugging Face
# folder before any folder, Winoground's examples.jsonl before any .jsonl of pairs, SugarCrepe's and ARO's .json
# files before any Karpathy .json file, VALSE's, EqBen's and VL-CheckList's folders before ARO's and Karpathy folders).
SOURCE_MODULES = ("hf", "winoground", "pairs", "sugarcrepe", "valse", "eqben", "vl_checklist", "aro", "karpathy")


def source_kinds() -> tuple[SourceKind, ...]:
    """Every ``--source`` form, in the order :func:`open_source` tries them."""
    return tuple(kind for name in SOURCE_MODULES for kind in import_module(f"{__name__}.{name}").SOURCE_KINDS)


def open_source(
    spec: str,
    kind: str,
    *,
    split: str = "test",
    dataset: str | None = None,
    skip_bad: bool = False,
    image_dir: Path | None = None,
    image_column: str | None = None,
    caption_column: str | None = None,
) -> Source:
    """Load the records of ``spec`` that a task of ``kind`` needs ("captions", "vg_relation", "vg_attribution").

    ``dataset`` ("coco" or "flickr30k") picks the Karpathy file when a folder holds both; ``image_dir`` is where
    images of Hugging Face datasets are written. The first of :func:`source_kinds` that matches opens it.
    """
    request = SourceRequest(spec, kind, split, dataset, skip_bad, image_dir, image_column, caption_column)
    for source_kind in source_kinds():
        if source_kind.matches(request):
            return source_kind.open(request)
    if not request.path.exists():
        raise SourceError(f"--source {spec}: no such file or folder (see: snare probes build --help)")
    raise SourceError(f"--source {spec}: unknown file type (use .json, .jsonl or .csv)")


def record_kind(spec: str, wanted: tuple[str, ...] = (), split: str = "test") -> str:
    """The record kind ``spec`` yields (``captions``, ``vg_relation``, ``vg_attribution``), as the first of
    :func:`source_kinds` that recognises it says, preferring one of ``wanted`` where a form holds several.
    ``captions`` when no form does: :func:`open_source` then says in one line what is wrong with ``spec``."""
    for kind in source_kinds():
        found = kind.records(spec, wanted, split)
        if found is not None:
            return found
    return "captions"


def check_source_task(spec: str, task: str) -> None:
    """The one-line error of the form ``spec`` takes when it cannot give ``task`` (see ``SourceKind.task_check``)."""
    for kind in source_kinds():
        if kind.records(spec, (), "test") is not None:
            if kind.task_check is not None:
                kind.task_check(spec, task)
            return


def checker(path: Path) -> Callable[[Path], Any] | None:
    """What ``snare data check`` runs on the file ``path``: the check its form declares (None: none does)."""
    request = SourceRequest(str(path), "captions")
    kind = next((k for k in source_kinds() if k.matches(request)), None)
    if kind is None or kind.check is None:
        return None
    module, _, function = kind.check.partition(":")
    return getattr(import_module(module), function)


def check_names() -> tuple[str, ...]:
    """The file names ``snare data check`` looks for in a folder, in the order of :func:`source_kinds`."""
    return tuple(name for kind in source_kinds() for name in kind.check_names)
