"""Data sources for probe sets, and :func:`open_source`, which picks one from a ``--source`` string.

``--source`` takes:

- ``synthetic``: the built-in scenes (handled by :mod:`snare.probes.build`);
- ``hf:NAME``: a Hugging Face dataset (hub name or local data folder), or a ``save_to_disk`` folder, of
  (image, caption) rows or of ARO-style (image, true_caption, false_caption) rows;
- a folder with ``coco_karpathy_<split>.json`` / ``flickr30k_<split>.json`` (COCO / Flickr30k Karpathy splits),
  or with ``visual_genome_relation.json`` / ``visual_genome_attribution.json`` (ARO), or one such file;
- a ``.jsonl`` or ``.csv`` file of (image, caption) rows.
"""

from __future__ import annotations

from pathlib import Path

from snare.probes.sources.base import CaptionRecord, Source, SourceError, VGRecord

__all__ = ["CaptionRecord", "Source", "SourceError", "VGRecord", "open_source"]


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
    images of Hugging Face datasets are written.
    """
    from snare.probes.sources import aro, hf, karpathy, pairs

    if spec.startswith("hf:") or (Path(spec).is_dir() and hf.is_saved_dataset(Path(spec))):
        if image_dir is None:
            raise ValueError("image_dir is required for Hugging Face sources")
        if kind in aro.FILES:
            return hf.load_hf_pairs(spec, kind, split=split, image_dir=image_dir, skip_bad=skip_bad)
        _need(kind, "captions", spec, "a Hugging Face dataset")
        return hf.load_hf(
            spec,
            split=split,
            image_dir=image_dir,
            skip_bad=skip_bad,
            image_column=image_column,
            caption_column=caption_column,
        )
    path = Path(spec)
    if not path.exists():
        raise SourceError(f"--source {spec}: no such file or folder (see: snare probes build --help)")
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in (".jsonl", ".csv"):
            _need(kind, "captions", spec, "a file of (image, caption) rows")
            return pairs.load_pairs(path, skip_bad=skip_bad, image_column=image_column, caption_column=caption_column)
        if path.name in aro.FILES.values():
            file_kind = next(k for k, name in aro.FILES.items() if name == path.name)
            _need(kind, file_kind, spec, f"ARO's {file_kind.replace('_', '-')} file")
            return aro.load_aro(path, file_kind, skip_bad=skip_bad)
        if suffix == ".json":
            _need(kind, "captions", spec, "a Karpathy caption file")
            return karpathy.load_karpathy(path, skip_bad=skip_bad)
        raise SourceError(f"--source {spec}: unknown file type (use .json, .jsonl or .csv)")
    if kind in aro.FILES:
        file = path / aro.FILES[kind]
        if file.is_file():
            return aro.load_aro(file, kind, skip_bad=skip_bad)
        raise SourceError(f"--source {spec}: no {aro.FILES[kind]} in this folder (ARO's Visual Genome files)")
    found = karpathy.karpathy_file(path, split, dataset)
    if found is not None:
        return karpathy.load_karpathy(found, skip_bad=skip_bad)
    wanted = ", ".join(f.format(split=split) for f in karpathy.FILES.values())
    raise SourceError(
        f"--source {spec}: no caption file for split {split!r} in this folder (expected {wanted}, "
        "or pass a .json/.jsonl/.csv file or hf:NAME)"
    )


def _need(kind: str, has: str, spec: str, what: str) -> None:
    if kind != has:
        needs = {
            "captions": "captions",
            "vg_relation": "VG-Relation entries",
            "vg_attribution": "VG-Attribution entries",
        }
        raise SourceError(f"--source {spec} is {what}, but this task needs {needs[kind]}")
