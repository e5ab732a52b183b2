"""Build small, real results directories (through the engine's own writer) with hand-made scores."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from snare.engine.record import RunRecord
from snare.engine.results import RunResult
from snare.probes.item import ImageRef, ProbeItem
from snare.textmodels.causal_lm import CAUSAL_LM_HEAD

LABELS = {
    "negation_logic": ("correct", "negated"),
    "attribute_ownership": ("correct", "exchange", "separate"),
    "relationship_composition": ("correct", "exchange", "and"),
    "spatial_relations": ("to the left of", "to the right of", "on", "below"),
    "semantic_structure": ("correct", "shuffle_a", "shuffle_b", "shuffle_c"),
}

# What a run record of a pretrained-LM baseline says of its model (the ``lm`` and ``smollm2`` adapters)
LM_MODEL: dict[str, Any] = {"family": "baseline", "head": CAUSAL_LM_HEAD}


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


def record(
    *,
    name: str = "fake",
    weights: str = "w0",
    fingerprint: str = "sha256:" + "a" * 64,
    n_items: int,
    seed=0,
    model: dict[str, Any] | None = None,
    **extra: Any,
) -> RunRecord:
    """A minimal run record; ``model`` adds model fields (dtype, device), ``extra`` top-level ones (batch_size)."""
    return RunRecord.model_validate(
        {
            "model": {"name": name, "weights": weights, **(model or {})},
            "probeset": {"name": "test", "fingerprint": fingerprint, "n_items": n_items},
            "seed": seed,
            **extra,
        }
    )


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


# A hand-made example of every tie case, with its numbers worked out by hand (the intended option is option 0).
HAND_TIES: dict[str, list[list[float]]] = {
    "negation_logic": [
        [2.0, 1.0],  # right
        [1.0, 1.0],  # exact tie with the intended option: strict 0, split credit 1/2
        [1.0, 1.0 + 1e-9],  # near tie, the rival ahead: wrong
        [0.0, 1.0],  # wrong
    ],
    "attribute_ownership": [
        [3.0, 3.0, 3.0],  # 3-way exact tie: split credit 1/3
        [2.0, 2.0, 0.0],  # 2-way exact tie: split credit 1/2
        [1.0, 2.0, 2.0],  # exact tie without the intended option: 0 either way
        [5.0, 1.0, 0.0],  # right
        [1.0, 0.0, 1.0 - 1e-8],  # near tie, the intended option ahead: right
    ],
}
# n, strict, split credit, exact ties, near ties, and snare-paper accuracy (ties to the first-listed option)
HAND_EXPECTED: dict[str, dict[str, Any]] = {
    "negation_logic": {"n": 4, "strict": 1 / 4, "split": 1.5 / 4, "exact": 1, "near": 1, "snare_paper": 2 / 4},
    "attribute_ownership": {
        "n": 5,
        "strict": 2 / 5,
        "split": (1 / 3 + 1 / 2 + 2) / 5,
        "exact": 3,
        "near": 1,
        "snare_paper": 4 / 5,
    },
}


def hand_made_run(folder: Path, **record_kw: Any) -> Path:
    """The HAND_TIES example written as a results directory."""
    items, scores = [], {}
    for task, table in HAND_TIES.items():
        for i, values in enumerate(table):
            it = item(task, i)
            items.append(it)
            scores[it.id] = values
    return write_run(folder, items, scores, **record_kw)


def partial_run(
    folder: Path, *, allow_partial: bool, protocol: str = "snare", task: str = "negation_logic", **record_kw: Any
) -> Path:
    """A run of four ``task`` items (negation_logic by default) whose item 3 failed (image missing), annotated as
    snare eval does; items 0 and 1 are right, 2 wrong.

    ``allow_partial=False`` is a results directory that ``snare eval`` would have refused to write (it stops below
    full coverage): the report must still withhold its accuracy.
    """
    from snare.engine.annotate import annotate
    from snare.engine.coverage import ItemStatus, coverage_by_task
    from snare.protocols import get_protocol

    items = [item(task, i) for i in range(4)]
    scored = items[:3]
    rest = [0.0] * (len(LABELS[task]) - 2)
    scores = {it.id: np.asarray([1.0, 0.0, *rest] if i < 2 else [0.0, 1.0, *rest]) for i, it in enumerate(scored)}
    statuses = [ItemStatus(it.id, it.task, "scored") for it in scored]
    statuses.append(ItemStatus(items[3].id, items[3].task, "failed", "image missing: img3.png"))
    coverage = coverage_by_task(statuses)
    result = RunResult.from_scores(scored, scores, record(n_items=4, **record_kw))
    annotate(result, protocol=get_protocol(protocol), coverage=coverage, partial=allow_partial)
    return result.write(folder)
