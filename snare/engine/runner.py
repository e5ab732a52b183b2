"""Score every item of a probe set with one adapter: one pass per unique image, text and pair, batched and cached.

Images are identified by content (file bytes or scene spec, plus crop box), texts by their string. Dual encoders
embed each unique image and each unique text once; items are then scored by lookup (cosine similarity). Pair
scorers run each unique (image, text) pair once: images are loaded a batch at a time, and the pairs are scored
in batches that take each image's captions together, image after image (:func:`pair_schedule`), so state kept
per image (its vision-tower output, a generative VLM's cached prompt prefix) serves all of its captions before
the next image's arrives. A pair scorer that implements the image-reuse hooks
(:meth:`~snare.adapters.base.PairScorer.encode_images`) has each image encoded once for all of its captions. A
text scorer (:class:`~snare.adapters.base.TextScorer`, a blind baseline) scores each unique text once, in batches
sorted by length, and loads no image.

Scores do not depend on batch size, order or number of processes beyond floating-point noise: every row is
computed on its own, whichever batch or process it lands in.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from snare.adapters.base import Adapter, DualEncoder, PairScorer, TextScorer
from snare.engine.cache import ScoreCache, image_key, pair_key, text_key
from snare.engine.distributed import Shards
from snare.engine.loader import iter_image_batches
from snare.errors import AdapterError
from snare.probes.item import ImageRef, ProbeItem
from snare.probes.probeset import ProbeSet

Progress = Callable[[str, int], Any]
ProgressFactory = Callable[[dict[str, int]], AbstractContextManager[Progress]]


@dataclass
class EngineStats:
    """What the engine did: rows found in the cache and rows computed, per phase (this process only)."""

    cached: dict[str, int] = field(default_factory=dict)
    computed: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"cached": dict(sorted(self.cached.items())), "computed": dict(sorted(self.computed.items()))}


def _batches(seq: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(seq), size):
        yield seq[start : start + size]


def pair_schedule(captions: Sequence[Sequence[tuple[str, str]]]) -> list[tuple[str, str, int]]:
    """The order pairs are scored in: ``(text, pair key, image index)``, image by image, each image's captions
    contiguous and sorted by length (less padding), so a batch never returns to an image it has left."""
    return [
        (text, pk, j)
        for j, pairs in enumerate(captions)
        for text, pk in sorted(pairs, key=lambda pair: (len(pair[0]), pair[0]))
    ]


def check_output(adapter: Adapter, out: Any, rows: int, what: str, *, ndim: int) -> np.ndarray:
    """The adapter's output as float32, or an :class:`AdapterError` naming the adapter and what is wrong."""
    name = adapter.meta.name
    try:
        arr = np.asarray(out, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise AdapterError(f"adapter {name!r}: {what} returned something that is not a float array ({exc})") from None
    if ndim == 1 and arr.ndim == 2 and arr.shape[1:] == (1,):
        arr = arr.reshape(-1)
    expected = f"({rows},)" if ndim == 1 else f"({rows}, dim)"
    if arr.ndim != ndim or arr.shape[0] != rows:
        raise AdapterError(
            f"adapter {name!r}: {what} returned shape {arr.shape} for {rows} inputs; expected {expected}"
        )
    if not np.all(np.isfinite(arr)):
        raise AdapterError(f"adapter {name!r}: {what} returned NaN or infinite values")
    return arr


def image_keys(probes: ProbeSet, refs: Iterable[ImageRef]) -> dict[str, str]:
    """Content key of every image reference (``ref.key`` → key); each file is hashed once."""
    digests: dict[tuple[str | None, str | None], str] = {}
    out: dict[str, str] = {}
    for ref in refs:
        source = (ref.path, ref.scene)
        if source not in digests:
            digests[source] = probes.image_digest(ref)
        out[ref.key] = image_key(digests[source], ref.bbox, ref.flip)
    return out


class _Run:
    """One scoring pass; split into phases so that each stays short."""

    def __init__(
        self,
        adapter: Adapter,
        probes: ProbeSet,
        items: list[ProbeItem],
        *,
        batch_size: int,
        cache: ScoreCache | None,
        workers: int,
        shards: Shards,
    ) -> None:
        self.adapter, self.probes, self.items = adapter, probes, items
        self.batch_size, self.cache, self.workers, self.shards = batch_size, cache, workers, shards
        self.stats = EngineStats()
        refs = {it.image.key: it.image for it in items}
        self.ckey = image_keys(probes, refs.values())
        self.ref_of = {self.ckey[k]: ref for k, ref in refs.items()}  # one reference per distinct image content
        self.tick: Progress = lambda phase, n: None

    def _lookup(self, kind: str, keys: Iterable[str]) -> dict[str, np.ndarray]:
        found = self.cache.get(kind, keys) if self.cache is not None else {}
        self.stats.cached[kind] = len(found)
        return found

    def _images(self, keys: Sequence[str]) -> Iterator[tuple[list[str], list[Any]]]:
        refs = [self.ref_of[k] for k in keys]
        for positions, images in iter_image_batches(
            refs, self.probes.image_root, batch_size=self.batch_size, workers=self.workers
        ):
            yield [keys[i] for i in positions], images

    def _store(self, kind: str, keys: Sequence[str], values: np.ndarray, into: dict[str, np.ndarray]) -> None:
        if self.cache is not None:
            self.cache.put(kind, keys, values)
        into.update(zip(keys, values, strict=True))
        self.stats.computed[kind] = self.stats.computed.get(kind, 0) + len(keys)
        self.tick(kind, len(keys))

    # -- planning -------------------------------------------------------------------------------------------
    def plan(self) -> dict[str, int]:
        """Decide this process's share and look it up in the cache; returns the progress totals per phase.

        Shares are cut from the full, sorted key list before the cache is consulted, so every process agrees
        on them whatever the cache holds (another process may be writing to it meanwhile).
        """
        if isinstance(self.adapter, TextScorer | DualEncoder):
            texts = {text_key(o): o for it in self.items for o in it.options}
            self.text_of = texts
            mine = {"images": self.shards.take(sorted(self.ref_of)), "texts": self.shards.take(sorted(texts))}
            if isinstance(self.adapter, TextScorer):  # blind: no image is loaded, each unique text scored once
                del mine["images"]
            self.found = {kind: self._lookup(kind, keys) for kind, keys in mine.items()}
            self.todo = {kind: [k for k in keys if k not in self.found[kind]] for kind, keys in mine.items()}
            return {kind: len(keys) for kind, keys in mine.items()}
        if isinstance(self.adapter, PairScorer):
            by_image: dict[str, list[tuple[str, str]]] = {}
            for it in self.items:
                ik = self.ckey[it.image.key]
                by_image.setdefault(ik, []).extend((o, pair_key(ik, o)) for o in it.options)
            my_images = self.shards.take(sorted(by_image))
            my_pairs = {pk: text for ik in my_images for text, pk in by_image[ik]}
            self.found = {"pairs": self._lookup("pairs", my_pairs)}
            self.by_image = {
                ik: sorted({(text, pk) for text, pk in by_image[ik] if pk not in self.found["pairs"]})
                for ik in my_images
            }
            self.todo = {"images": [ik for ik in my_images if self.by_image[ik]]}
            return {"pairs": len(my_pairs)}
        raise AdapterError(f"adapter {self.adapter.meta.name!r} is neither a DualEncoder nor a PairScorer")

    # -- computing ------------------------------------------------------------------------------------------
    def run(self) -> dict[str, np.ndarray]:
        for kind, rows in self.found.items():
            self.tick(kind, len(rows))
        if isinstance(self.adapter, TextScorer):
            return self._run_texts(self.adapter)
        if isinstance(self.adapter, DualEncoder):
            return self._run_dual(self.adapter)
        assert isinstance(self.adapter, PairScorer)
        return self._run_pairs(self.adapter)

    def _run_dual(self, adapter: DualEncoder) -> dict[str, np.ndarray]:
        images: dict[str, np.ndarray] = {}
        for keys, batch in self._images(self.todo["images"]):
            self._store(
                "images",
                keys,
                check_output(adapter, adapter.embed_images(batch), len(keys), "embed_images", ndim=2),
                images,
            )
        texts: dict[str, np.ndarray] = {}
        for keys in _batches(self.todo["texts"], self.batch_size):
            out = adapter.embed_texts([self.text_of[k] for k in keys])
            self._store("texts", keys, check_output(adapter, out, len(keys), "embed_texts", ndim=2), texts)
        images = self.shards.gather({**self.found["images"], **images})
        texts = self.shards.gather({**self.found["texts"], **texts})
        dims = {v.shape[0] for v in images.values()} | {v.shape[0] for v in texts.values()}
        if len(dims) > 1:
            raise AdapterError(
                f"adapter {adapter.meta.name!r}: image and text embeddings differ in size {sorted(dims)}"
            )

        def unit(v: np.ndarray) -> np.ndarray:
            return v / max(float(np.linalg.norm(v)), 1e-12)

        images = {k: unit(v) for k, v in images.items()}
        texts = {k: unit(v) for k, v in texts.items()}
        return {
            it.id: np.array(
                [float(texts[text_key(o)] @ images[self.ckey[it.image.key]]) for o in it.options], dtype=np.float32
            )
            for it in self.items
        }

    def _run_texts(self, adapter: TextScorer) -> dict[str, np.ndarray]:
        texts: dict[str, np.ndarray] = {}
        # Sorted by length, so that a batch holds texts of near-equal length (little padding).
        todo = sorted(self.todo["texts"], key=lambda k: (len(self.text_of[k]), self.text_of[k]))
        for keys in _batches(todo, self.batch_size):
            out = check_output(
                adapter, adapter.score_texts([self.text_of[k] for k in keys]), len(keys), "score_texts", ndim=1
            )
            self._store("texts", keys, out.reshape(-1, 1), texts)
        texts = self.shards.gather({**self.found["texts"], **texts})
        return {it.id: np.array([texts[text_key(o)][0] for o in it.options], dtype=np.float32) for it in self.items}

    def _run_pairs(self, adapter: PairScorer) -> dict[str, np.ndarray]:
        reuse = adapter.reuses_images()
        scores: dict[str, np.ndarray] = {}
        for keys, images in self._images(self.todo["images"]):
            encoded: Sequence[Any] = images
            if reuse:
                encoded = adapter.encode_images(images)
                if len(encoded) != len(images):
                    raise AdapterError(
                        f"adapter {adapter.meta.name!r}: encode_images returned {len(encoded)} states "
                        f"for {len(images)} images"
                    )
            work = pair_schedule([self.by_image[k] for k in keys])
            for chunk in _batches(work, self.batch_size):
                texts = [w[0] for w in chunk]
                states = [encoded[w[2]] for w in chunk]
                out = adapter.score_encoded(states, texts) if reuse else adapter.score_pairs(states, texts)
                what = "score_encoded" if reuse else "score_pairs"
                self._store(
                    "pairs", [w[1] for w in chunk], check_output(adapter, out, len(chunk), what, ndim=1), scores
                )
        scores = self.shards.gather({**self.found["pairs"], **scores})
        return {
            it.id: np.array([scores[pair_key(self.ckey[it.image.key], o)] for o in it.options], dtype=np.float32)
            for it in self.items
        }


class NotCached(Exception):
    """A cache-only scoring pass found rows missing from the cache (see :mod:`snare.engine.replay`)."""


def score_items(
    adapter: Adapter,
    probes: ProbeSet,
    items: Sequence[ProbeItem] | None = None,
    *,
    batch_size: int = 32,
    progress: ProgressFactory | None = None,
    cache: ScoreCache | None = None,
    workers: int = 0,
    shards: Shards | None = None,
    stats: EngineStats | None = None,
    cached_only: bool = False,
) -> dict[str, np.ndarray]:
    """Scores of every option of every item, keyed by item id (float32 arrays, one value per option).

    ``cache`` reuses and stores rows (None: compute everything); ``workers`` decode images in that many
    DataLoader processes; ``shards`` splits the work over launched processes (every process gets all scores).
    ``progress`` opens a progress display from the per-phase totals.
    ``stats``, if given, is filled with cache hits and computed rows. ``cached_only``: score from ``cache`` alone,
    without loading the adapter; raises :class:`NotCached` (before any work) when a row is missing.
    """
    if batch_size < 1:
        raise AdapterError(f"batch size must be at least 1, not {batch_size}")
    if not cached_only:
        adapter.ensure_loaded()
    run = _Run(
        adapter,
        probes,
        list(probes.items if items is None else items),
        batch_size=batch_size,
        cache=cache,
        workers=workers,
        shards=shards or Shards(),
    )
    totals = run.plan()
    if cached_only and (cache is None or any(run.todo.values())):
        raise NotCached(f"{sum(map(len, run.todo.values()))} rows of {adapter.meta.name!r} are not cached")
    display = progress(totals) if progress is not None else contextlib.nullcontext()
    with display as tick:
        run.tick = tick or (lambda phase, n: None)
        scores = run.run()
    if stats is not None:
        stats.cached, stats.computed = run.stats.cached, run.stats.computed
    return scores
