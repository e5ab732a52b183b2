"""How one item's option scores become a verdict. A tie at the top is wrong, whatever the order of options.

The original code broke ties by array order (``np.argmax`` favours option 0, the intended one, in one scorer and
the last option in the other), so a model giving every option the same score could look right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Outcome:
    correct: bool
    tie: bool
    predicted: int | None  # None when several options share the top score


def strict_outcome(scores: Sequence[float] | np.ndarray, correct: int) -> Outcome:
    """Correct only if ``scores[correct]`` is strictly greater than every other score."""
    values = np.asarray(scores, dtype=np.float64)
    if values.ndim != 1 or len(values) < 2:
        raise ValueError("need one score per option, at least two options")
    if not np.all(np.isfinite(values)):
        raise ValueError("scores must be finite")
    top = values.max()
    winners = np.flatnonzero(values == top)
    tie = len(winners) > 1
    predicted = None if tie else int(winners[0])
    return Outcome(correct=predicted == correct, tie=tie and correct in winners, predicted=predicted)
