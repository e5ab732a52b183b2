"""Score every item of a probe set with one adapter, one pass per unique image, text and pair.

Dual encoders embed each unique image and each unique text once, then every item is scored by lookup. Pair
scorers run each unique (image, text) pair once, in large batches sorted by text length. Neither depends on
batch size or item order beyond floating-point noise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from snare.adapters.base import Adapter, DualEncoder, PairScorer
from snare.errors import AdapterError
from snare.probes.item import ProbeItem
from snare.probes.probeset import ProbeSet

Progress = Callable[[str, int], Any]


def _batches(seq: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(seq), size):
        yield seq[start : start + size]


def _check(adapter: Adapter, out: Any, rows: int, what: str) -> np.ndarray:
    arr = np.asarray(out, dtype=np.float32)
    if arr.shape[0] != rows:
        raise AdapterError(f"adapter {adapter.meta.name!r} returned {arr.shape[0]} rows from {what} for {rows} inputs")
    if not np.all(np.isfinite(arr)):
        raise AdapterError(f"adapter {adapter.meta.name!r} returned NaN or infinite values from {what}")
    return arr


def score_items(
    adapter: Adapter,
    probes: ProbeSet,
    items: Sequence[ProbeItem] | None = None,
    *,
    batch_size: int = 32,
    on_progress: Progress | None = None,
) -> dict[str, np.ndarray]:
    """Scores of every option of every item, keyed by item id (float32 arrays, one value per option)."""
    items = list(probes.items if items is None else items)
    adapter.ensure_loaded()
    tick = on_progress or (lambda phase, n: None)
    images = {it.image.key: it.image for it in items}
    if isinstance(adapter, DualEncoder):
        image_keys = sorted(images)
        texts = sorted({opt for it in items for opt in it.options})
        img_rows = []
        for chunk in _batches(image_keys, batch_size):
            img_rows.append(
                _check(
                    adapter,
                    adapter.embed_images([probes.load_image(images[k]) for k in chunk]),
                    len(chunk),
                    "embed_images",
                )
            )
            tick("images", len(chunk))
        txt_rows = []
        for chunk in _batches(texts, batch_size):
            txt_rows.append(_check(adapter, adapter.embed_texts(list(chunk)), len(chunk), "embed_texts"))
            tick("texts", len(chunk))
        img = np.concatenate(img_rows) if img_rows else np.zeros((0, 1), np.float32)
        txt = np.concatenate(txt_rows) if txt_rows else np.zeros((0, 1), np.float32)
        img /= np.linalg.norm(img, axis=1, keepdims=True).clip(min=1e-12)
        txt /= np.linalg.norm(txt, axis=1, keepdims=True).clip(min=1e-12)
        img_index = {k: i for i, k in enumerate(image_keys)}
        txt_index = {t: i for i, t in enumerate(texts)}
        return {
            it.id: (txt[[txt_index[o] for o in it.options]] @ img[img_index[it.image.key]]).astype(np.float32)
            for it in items
        }
    if isinstance(adapter, PairScorer):
        pairs = sorted(
            {(it.image.key, opt) for it in items for opt in it.options}, key=lambda p: (len(p[1]), p[1], p[0])
        )
        pair_scores: dict[tuple[str, str], float] = {}
        for chunk in _batches(pairs, batch_size):
            out = _check(
                adapter,
                adapter.score_pairs([probes.load_image(images[k]) for k, _ in chunk], [t for _, t in chunk]),
                len(chunk),
                "score_pairs",
            )
            pair_scores.update(zip(chunk, out.reshape(len(chunk)).tolist(), strict=True))
            tick("pairs", len(chunk))
        return {it.id: np.array([pair_scores[(it.image.key, o)] for o in it.options], dtype=np.float32) for it in items}
    raise AdapterError(f"adapter {adapter.meta.name!r} is neither a DualEncoder nor a PairScorer")
