"""Data sources for probe sets, and :func:`open_source`, which picks one from a ``--source`` string.

``--source`` takes:

- ``synthetic``: the built-in scenes (handled by :mod:`snare.probes.build`);
- ``hf:NAME``: a Hugging Face dataset (hub name or local data folder), or a ``save_to_disk`` folder, of
  (image, caption) rows or of ARO-style (image, true_caption, false_caption) rows;
- a folder with ``coco_karpathy_<split>.json`` / ``flickr30k_<split>.json`` (COCO / Flickr30k Karpathy splits),
  or with ``visual_genome_relation.json`` / ``visual_genome_attribution.json`` (ARO), or one such file;
- a ``.jsonl`` or ``.csv`` file of (image, caption) rows;
- one of SugarCrepe's set files (``swap_att.json``...) with COCO ``val2017/`` beside it;
- Winoground's ``examples.jsonl`` (or its folder) with ``images/`` beside it.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from snare.probes.sources.base import CaptionRecord, Source, SourceError, SourceKind, SourceRequest, VGRecord

__all__ = ["CaptionRecord", "Source", "SourceError", "SourceKind", "SourceRequest", "VGRecord", "open_source"]

# The modules whose ``SOURCE_KINDS`` are tried, in this order (the more specific forms first: a saved Hugging Face
# folder before any folder, Winoground's examples.jsonl before any .jsonl of pairs, SugarCrepe's and ARO's .json
# files before any Karpathy .json file).
SOURCE_MODULES = ("hf", "winoground", "pairs", "sugarcrepe", "aro", "karpathy")


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
