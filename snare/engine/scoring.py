"""The tie rule, in one place: how one item's option scores become a verdict, and what ties cost.

* **Strict** (this package's headline rule): an item is right only if the intended option scores strictly above
  every other option; a tie at the top is wrong, whatever the order of options. The original code broke ties by
  array order (``np.argmax`` favours option 0, the intended one, in one scorer and the last option in the other),
  so a model giving every option the same score could look right.
* **First listed** (the originals' rule, for ``--protocol snare-paper``/``aro-paper``): of the options sharing the
  top score, the earliest in the original's listing wins.
* **Strict top-k** (the paper's top-2 column): the intended option counts when fewer than ``k`` others score at
  least as high.
* **Split credit**: ``1/k`` when the intended option is one of ``k`` options sharing the top score, so strict and
  split credit differ exactly by the ties.
* **Near ties**: the two best scores differ by at most ``NEAR_TIE_RTOL`` relative without being equal, the items
  whose verdict a change of batch size or dtype can flip.

Every other module (the engine's rows, reports, protocols, the leaderboard, the audit) calls these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from snare.protocols import TieBreak

NEAR_TIE_RTOL = 1e-6  # relative gap under which two scores count as a near tie


class ScoredRow(Protocol):
    """What the tie summary reads from a row (:class:`snare.engine.rows.PredictionRow` has both)."""

    @property
    def scores(self) -> Sequence[float]: ...

    @property
    def correct(self) -> int: ...


@dataclass(frozen=True)
class Outcome:
    correct: bool
    tie: bool  # the intended option shares the top score with another
    predicted: int | None  # None when several options share the top score


def checked_scores(scores: Sequence[float] | np.ndarray) -> np.ndarray:
    """``scores`` as a float64 vector; ``ValueError`` unless it holds at least two finite scores."""
    values = np.asarray(scores, dtype=np.float64)
    if values.ndim != 1 or len(values) < 2:
        raise ValueError("need one score per option, at least two options")
    if not np.all(np.isfinite(values)):
        raise ValueError("scores must be finite")
    return values


def top_options(scores: Sequence[float] | np.ndarray) -> np.ndarray:
    """Indices of the options sharing the highest score exactly (one index when there is no tie)."""
    values = checked_scores(scores)
    return np.flatnonzero(values == values.max())


def strict_answer(scores: Sequence[float] | np.ndarray) -> int | None:
    """The option with the strictly highest score; None when several share it."""
    top = top_options(scores)
    return int(top[0]) if len(top) == 1 else None


def strict_outcome(scores: Sequence[float] | np.ndarray, correct: int) -> Outcome:
    """Correct only if ``scores[correct]`` is strictly greater than every other score."""
    top = top_options(scores)
    tie = len(top) > 1
    predicted = None if tie else int(top[0])
    return Outcome(correct=predicted == correct, tie=tie and correct in top, predicted=predicted)


def is_correct(
    scores: Sequence[float] | np.ndarray, correct: int, tie_break: TieBreak, order: Sequence[int] | None = None
) -> bool:
    """Whether the intended option wins among the options ``order`` lists (all, in item order, when None).

    ``strict``: a tie at the top is wrong. ``first``: the earliest option in ``order`` among the tied wins.
    """
    order = list(range(len(scores))) if order is None else list(order)
    top = top_options(np.asarray(scores, dtype=np.float64)[order])
    if len(top) > 1 and tie_break == "strict":
        return False
    return order[int(top[0])] == correct


def in_strict_top_k(scores: Sequence[float] | np.ndarray, correct: int, k: int) -> bool:
    """Whether fewer than ``k`` other options score at least as high as the intended one.

    For ``k=1`` this is the strict rule; a tie across the k-th place is wrong, as a tie at the top is.
    """
    values = checked_scores(scores)
    return bool(np.sum(values >= values[correct]) - 1 < k)


def split_credit(scores: Sequence[float] | np.ndarray, correct: int) -> float:
    """``1/k`` when the intended option is among the ``k`` options sharing the top score, else 0."""
    top = top_options(scores)
    return 1.0 / len(top) if correct in top else 0.0


def is_near_tie(scores: Sequence[float] | np.ndarray, rtol: float = NEAR_TIE_RTOL) -> bool:
    """Whether the two best scores differ, but by at most ``rtol`` of the larger magnitude (exact ties excluded)."""
    values = np.sort(checked_scores(scores))[::-1]
    first, second = values[0], values[1]
    if first == second:
        return False
    scale = max(abs(first), abs(second))
    return bool(first - second <= rtol * scale)


@dataclass(frozen=True)
class TieSummary:
    """One task's (or any set of items') accuracies under both tie rules and its tie counts."""

    n: int
    strict_correct: int
    split_credit: float  # the sum of per-item credits
    exact_ties: int  # items whose top score is shared
    exact_ties_with_correct: int  # ... with the intended option among the tied
    near_ties: int

    @property
    def strict_accuracy(self) -> float:
        return self.strict_correct / self.n if self.n else float("nan")

    @property
    def split_credit_accuracy(self) -> float:
        return self.split_credit / self.n if self.n else float("nan")

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "strict_accuracy": self.strict_accuracy if self.n else None,
            "split_credit_accuracy": self.split_credit_accuracy if self.n else None,
            "exact_ties": self.exact_ties,
            "exact_ties_with_correct": self.exact_ties_with_correct,
            "near_ties": self.near_ties,
            "near_tie_rtol": NEAR_TIE_RTOL,
        }


def summarize_ties(rows: Iterable[ScoredRow], rtol: float = NEAR_TIE_RTOL) -> TieSummary:
    """Strict and split-credit accuracy plus tie counts over rows holding ``scores`` and ``correct``."""
    n = strict = exact = exact_correct = near = 0
    credit = 0.0
    for row in rows:
        out = strict_outcome(row.scores, row.correct)
        n += 1
        strict += int(out.correct)
        credit += split_credit(row.scores, row.correct)
        exact += int(out.predicted is None)
        exact_correct += int(out.tie)
        near += int(is_near_tie(row.scores, rtol))
    return TieSummary(n, strict, credit, exact, exact_correct, near)
