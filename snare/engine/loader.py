"""Lazy image loading: decode (and crop) only the images of the next batches, in DataLoader worker processes.

A probe set may reference thousands of images; the engine never holds more than a few batches of them. With
``workers=0`` (or a torch-free adapter) images are decoded in the calling process; otherwise a
``torch.utils.data.DataLoader`` with that many workers decodes ahead of the model.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from snare.probes.item import ImageRef


def default_workers() -> int:
    """One worker per spare core, at most four (the model itself wants the rest)."""
    return max(0, min(4, (os.cpu_count() or 1) - 1))


class ImageList:
    """A map-style dataset of image references; item ``i`` is ``refs[i]`` decoded as an RGB PIL image.

    Holds only the references and the image root, so it is cheap to send to worker processes.
    """

    def __init__(self, refs: Sequence[ImageRef], image_root: Path | None) -> None:
        self.refs = list(refs)
        self.image_root = image_root

    def __len__(self) -> int:
        return len(self.refs)

    def __getitem__(self, index: int) -> Any:
        from snare.probes.probeset import ProbeSet

        # A ProbeSet without items knows how to load a reference; reuse it so cropping stays in one place.
        return ProbeSet([], name="loader", image_root=self.image_root).load_image(self.refs[index])


def _as_list(batch: list[Any]) -> list[Any]:
    return batch


def iter_image_batches(
    refs: Sequence[ImageRef], image_root: Path | None, *, batch_size: int, workers: int = 0
) -> Iterator[tuple[range, list[Any]]]:
    """Yield ``(positions, images)`` batches of ``refs`` in order; ``positions`` index into ``refs``."""
    dataset = ImageList(refs, image_root)
    # Workers pay off only for many images, and only for a torch model: a torch-free adapter (constant,
    # n-gram baselines) would otherwise import torch just for the DataLoader.
    if workers <= 0 or len(dataset) <= batch_size or "torch" not in sys.modules:
        for start in range(0, len(dataset), batch_size):
            stop = min(start + batch_size, len(dataset))
            yield range(start, stop), [dataset[i] for i in range(start, stop)]
        return
    from torch.utils.data import DataLoader

    loader = DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=False,
        num_workers=workers,
        collate_fn=_as_list,
        prefetch_factor=2,
        persistent_workers=False,
    )
    start = 0
    for images in loader:
        yield range(start, start + len(images)), images
        start += len(images)
