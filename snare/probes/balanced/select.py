"""Adversarial balancing: choose at most one candidate pair per item so that every blind model is at chance.

Keeping only the items a blind model gets wrong would leave it at 0%, not at chance, and it would keep the
model's mistakes as a new tell. Instead, as SugarCrepe's adversarial refinement does, the **distribution of the
blind score gap** (intended minus negative) is balanced around zero: for each model the gaps are cut into bins
by magnitude, and the selection keeps, in every bin, about as many pairs the model gets right (gap > 0) as pairs
it gets wrong (gap < 0). Then no threshold on any one model's gap, nor its sign, beats chance.

Greedy and seeded: items are visited in an order drawn from (seed, item id); each takes the candidate that leaves
the smallest total imbalance, and is dropped when even that would leave some (model, bin) cell more pairs out
of balance than :func:`slack` allows. A second visit gives dropped items another chance once the counts have moved.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

import numpy as np

N_BINS = 3
SLACK = 2  # imbalance allowed in any one (model, bin) cell, at least
SLACK_SCALE = 6  # ... and up to sqrt(items) / SLACK_SCALE


def slack(n_items: int) -> int:
    """The imbalance allowed in any one (model, bin) cell of a task with ``n_items`` items that have candidates.

    Filled in every bin, it moves a model's accuracy on ``n`` kept items by at most ``3 s / 2n``, i.e.
    ``3 s / sqrt(n)`` standard errors: half of one when nearly every item is kept. A fixed cell slack of 2 made
    the selection so tight that every re-fit of the blind models (:mod:`.build`) forced a third of the items to
    move, and the rounds never settled; slack that grows with the square root of the task keeps each model's
    residual imbalance well inside its sampling noise while leaving the previous round's choices room to stay.
    """
    return max(SLACK, int(math.sqrt(n_items) / SLACK_SCALE))


def _bins(gaps: np.ndarray) -> np.ndarray:
    """Per entry, its magnitude bin (0..N_BINS-1) among the nonzero gaps of the same model (column)."""
    out = np.zeros(gaps.shape, dtype=np.int64)
    for m in range(gaps.shape[1]):
        size = np.abs(gaps[:, m])
        nonzero = size[size > 0]
        if nonzero.size:
            edges = np.quantile(nonzero, np.linspace(0, 1, N_BINS + 1)[1:-1])
            out[:, m] = np.searchsorted(edges, size, side="right")
    return out


def visit_order(keys: Sequence[str], seed: int, purpose: str = "balance") -> list[int]:
    """A seeded order of items that depends only on their keys (and ``purpose``), never on their input order."""
    digest = [hashlib.sha256(f"{seed}\x1f{purpose}\x1f{k}".encode()).hexdigest() for k in keys]
    return sorted(range(len(keys)), key=lambda n: (digest[n], keys[n]))


def select(
    candidates: Sequence[Sequence[int]],
    gaps: np.ndarray,
    keys: Sequence[str],
    seed: int,
    previous: Sequence[int] | None = None,
) -> list[int]:
    """For each item (its candidate rows of ``gaps``), the chosen row or -1 (dropped).

    ``gaps`` is ``(rows, models)`` of integers (:mod:`.blind`), so every decision here is exact: positive where a
    blind model prefers the intended option, 0 for a tie (a tie is wrong under strict scoring but tells nothing
    either way, so it is neutral here). ``previous`` (an earlier
    round's choice) is sticky: a first visit keeps each previously chosen row that still fits the balance, so
    that a selection re-balanced against models re-fitted on it moves little and settles.
    """
    signs = np.sign(gaps).astype(np.int64)
    bins = _bins(gaps)
    models = np.arange(gaps.shape[1])
    counts = np.zeros((gaps.shape[1], N_BINS), dtype=np.int64)
    allowed = slack(sum(bool(c) for c in candidates))
    chosen = [-1] * len(candidates)
    order = visit_order(keys, seed)
    for visit in range(-1 if previous is not None else 0, 2):
        for n in order:
            if chosen[n] >= 0 or not candidates[n]:
                continue
            if visit < 0 and (previous is None or previous[n] < 0):
                continue
            best, best_cost = -1, None
            for row in [previous[n]] if visit < 0 and previous is not None else candidates[n]:
                after = counts.copy()
                after[models, bins[row]] += signs[row]
                if np.abs(after).max() > allowed:
                    continue
                cost = int(np.abs(after).sum())
                if best_cost is None or cost < best_cost:
                    best, best_cost = row, cost
            if best_cost is not None:
                counts[models, bins[best]] += signs[best]
                chosen[n] = best
    return chosen
