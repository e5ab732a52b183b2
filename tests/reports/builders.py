"""Build small, real results directories (through the engine's own writer) with hand-made scores."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from snare.engine.results import RunResult
from snare.probes.item import ImageRef, ProbeItem

LABELS = {
    "negation_logic": ("correct", "negated"),
    "attribute_ownership": ("correct", "exchange", "separate"),
    "relationship_composition": ("correct", "exchange", "and"),
    "spatial_relations": ("to the left of", "to the right of", "on", "below"),
    "semantic_structure": ("correct", "shuffle_a", "shuffle_b", "shuffle_c"),
}


def item(
    task: str, i: int, *, correct: int = 0, cluster: str | None = None, meta: dict[str, Any] | None = None
) -> ProbeItem:
    labels = LABELS[task]
    return ProbeItem(
        id=f"{task}/{i:04d}",
        task=task,
        image=ImageRef(path=f"img{i}.png"),
        cluster=cluster or f"img{i}",
        options=tuple(f"{task} option {k} of item {i}" for k in range(len(labels))),
        labels=labels,
        correct=correct,
        meta=meta or {},
    )


def record(*, name: str = "fake", weights: str = "w0", fingerprint: str = "sha256:" + "a" * 64, n_items: int, seed=0):
    return {
        "model": {"name": name, "weights": weights},
        "probeset": {"name": "test", "fingerprint": fingerprint, "n_items": n_items},
        "seed": seed,
    }


def write_run(
    folder: Path,
    items: Sequence[ProbeItem],
    scores: dict[str, Sequence[float]],
    **record_kw: Any,
) -> Path:
    """A results directory exactly as ``snare eval --output`` writes it, from hand-made scores."""
    result = RunResult.from_scores(
        list(items), {k: np.asarray(v, dtype=float) for k, v in scores.items()}, record(n_items=len(items), **record_kw)
    )
    return result.write(folder)


def simulated_run(
    folder: Path, task: str, hits: Sequence[bool], *, clusters: Sequence[str] | None = None, **record_kw: Any
) -> Path:
    """A one-task run whose item i is right exactly when ``hits[i]`` (the intended option is option 0)."""
    n_options = len(LABELS[task])
    items = [item(task, i, cluster=clusters[i] if clusters else None) for i in range(len(hits))]
    scores = {}
    for it, hit in zip(items, hits, strict=True):
        values = [0.0] * n_options
        values[0 if hit else 1] = 1.0
        scores[it.id] = values
    return write_run(folder, items, scores, **record_kw)
