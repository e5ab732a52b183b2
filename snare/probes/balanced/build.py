"""Build a ``snare-balanced`` probe set from a probe set built by the default construction.

For each task: every item's candidate pairs (:mod:`.candidates`), the blind models' gaps on them
(:mod:`.blind`), the balanced selection (:mod:`.select`), run twice so that the learned blind models are
re-fitted on the items kept the first time. Each kept item becomes a two-option item with the intended option at
a position drawn from (seed, item id), so neither position nor any blind model gives it away. The manifest's
``build`` block counts, per task, the default construction's items and what survived; ``balance`` records, per
task and blind model, how the kept pairs split (intended preferred / negative preferred / tie).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from snare.generators.rng import ItemRng
from snare.generators.tokens import ParsedCaption
from snare.probes.balanced import NAME
from snare.probes.balanced.blind import MODELS, all_gaps
from snare.probes.balanced.candidates import Pair, candidate_pairs
from snare.probes.balanced.select import select
from snare.probes.item import ProbeItem
from snare.probes.probeset import ProbeSet

ROUNDS = 2


def _item(base: ProbeItem, pair: Pair, seed: int) -> ProbeItem:
    """The balanced item: the pair, its intended option at a seeded position."""
    first = ItemRng(seed, base.id, "position").below(2) == 0
    options = (pair.intended, pair.negative) if first else (pair.negative, pair.intended)
    labels = pair.labels if first else pair.labels[::-1]
    meta = {**base.meta, "polarity": pair.polarity} if base.task == "negation_logic" else dict(base.meta)
    return base.model_copy(update={"options": options, "labels": labels, "correct": 0 if first else 1, "meta": meta})


def _split(gaps: np.ndarray) -> dict[str, dict[str, int]]:
    return {
        model: {"intended": int((g > 0).sum()), "negative": int((g < 0).sum()), "tie": int((g == 0).sum())}
        for model, g in zip(MODELS, gaps.T, strict=True)
    }


def balance_task(
    items: Sequence[ProbeItem], parses: Mapping[str, ParsedCaption], corpus: Sequence[tuple[str, str]], seed: int
) -> tuple[list[ProbeItem], dict[str, Any]]:
    """The balanced items of one task and what the selection did (see the module docstring)."""
    rows: list[tuple[str, Pair]] = []
    candidates: list[list[int]] = []
    for it in items:
        pairs = candidate_pairs(it, parses)
        candidates.append(list(range(len(rows), len(rows) + len(pairs))))
        rows.extend((it.cluster, p) for p in pairs)
    keys = [it.id for it in items]
    chosen: list[int] = []
    gaps = None
    train = np.ones(len(rows), dtype=bool)
    for _ in range(ROUNDS):
        gaps = all_gaps(rows, corpus, train, gaps)
        chosen = select(candidates, gaps, keys, seed)
        train = np.zeros(len(rows), dtype=bool)
        train[[c for c in chosen if c >= 0]] = True
    kept = [_item(it, rows[c][1], seed) for it, c in zip(items, chosen, strict=True) if c >= 0]
    picked = [c for c in chosen if c >= 0]
    report = {
        "default_items": len(items),
        "with_candidates": sum(bool(c) for c in candidates),
        "candidate_pairs": len(rows),
        "items": len(kept),
        "yield": len(kept) / len(items) if items else 0.0,
        "blind_split": _split(gaps[picked]) if gaps is not None and picked else {},
    }
    return kept, report


def balance_probeset(base: ProbeSet, parses: Mapping[str, ParsedCaption], seed: int) -> ProbeSet:
    """The ``snare-balanced`` probe set made from ``base`` (built by the default construction with ``seed``).

    ``parses`` maps parsed texts to their parses (any keys: they are matched by the rendered caption)."""
    from snare.protocols import get_protocol

    by_render = {p.render(range(len(p))): p for p in parses.values()}
    corpus = [(it.cluster, it.options[it.correct]) for it in base]
    items: list[ProbeItem] = []
    balance: dict[str, Any] = {}
    build = dict(base.info.get("build") or {})
    for task, task_items in base.by_task().items():
        kept, balance[task] = balance_task(task_items, by_render, corpus, seed)
        items.extend(kept)
        before = build.get(task, {"candidates": len(task_items), "skipped": {}})
        dropped = {
            "no candidate negative": len(task_items) - balance[task]["with_candidates"],
            "dropped by balancing": balance[task]["with_candidates"] - len(kept),
        }
        build[task] = {
            **before,
            "items": len(kept),
            "default_items": len(task_items),
            "skipped": dict(sorted({**before.get("skipped", {}), **{k: v for k, v in dropped.items() if v}}.items())),
        }
    protocol = get_protocol(NAME)
    info = {
        **base.info,
        "protocol": {
            "name": NAME,
            "redraw_shuffles": protocol.redraw_shuffles,
            "consistent_spacing": protocol.consistent_spacing,
        },
        "build": build,
        "balance": balance,
    }
    return ProbeSet(items, name=base.name, image_root=base.image_root, info=info)


def balanced_synthetic(tasks: Sequence[str], seed: int, n_scenes: int | None = None) -> ProbeSet:
    """The built-in synthetic scenes under ``snare-balanced`` (their ground truth makes every pair exact)."""
    from snare.probes.synthetic import DEFAULT_SCENES, make_scene, scene_captions, synthetic_probeset

    n = n_scenes or DEFAULT_SCENES
    base = synthetic_probeset(seed=seed, n_scenes=n, tasks=tuple(tasks))
    parses = {p.text: p for i in range(n) for p in scene_captions(make_scene(seed, i))}
    return balance_probeset(base, parses, seed)
