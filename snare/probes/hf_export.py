"""Export a probe set as a Hugging Face ``datasets`` DatasetDict (one split per task) for sharing.

Images are embedded as their original encoded bytes (synthetic scenes as PNG) with the crop box in ``bbox``, so the
export is self-contained; ``meta`` is kept as a JSON string because its keys differ between sources.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from snare.probes.probeset import ProbeSet


def _image_bytes(probes: ProbeSet, item) -> bytes:
    if item.image.scene is not None:
        buf = io.BytesIO()
        probes.load_image(item.image).save(buf, format="PNG")
        return buf.getvalue()
    return probes.image_path(item.image).read_bytes()


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
        }
        splits[task] = datasets.Dataset.from_dict(columns, features=features)
    datasets.DatasetDict(splits).save_to_disk(str(folder))
