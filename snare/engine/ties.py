"""Ties in the open: split-credit accuracy, exact and near tie counts, and answers that flip between two runs.

The headline accuracy stays strict (a tie at the top is wrong; see :mod:`snare.engine.outcomes`). Beside it a
report shows what the tie rule costs: **split credit** gives an item ``1/k`` when the intended option is one of
``k`` options sharing the top score, so strict and split credit differ exactly by the ties. **Exact ties** are
items whose top score is shared; **near ties** are items whose two best scores differ by at most ``1e-6``
relative without being equal, the ones whose verdict a change of batch size or dtype can flip.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

NEAR_TIE_RTOL = 1e-6  # relative gap under which two scores count as a near tie


def _field(row: Any, name: str) -> Any:
    """``row[name]`` for a dict, ``row.name`` for a typed row (reports' PredictionRow)."""
    return row[name] if isinstance(row, Mapping) else getattr(row, name)


def _scores(scores: Sequence[float] | np.ndarray) -> np.ndarray:
    values = np.asarray(scores, dtype=np.float64)
    if values.ndim != 1 or len(values) < 2:
        raise ValueError("need one score per option, at least two options")
    if not np.all(np.isfinite(values)):
        raise ValueError("scores must be finite")
    return values


def top_options(scores: Sequence[float] | np.ndarray) -> np.ndarray:
    """Indices of the options sharing the highest score exactly (one index when there is no tie)."""
    values = _scores(scores)
    return np.flatnonzero(values == values.max())


def split_credit(scores: Sequence[float] | np.ndarray, correct: int) -> float:
    """``1/k`` when the intended option is among the ``k`` options sharing the top score, else 0."""
    top = top_options(scores)
    return 1.0 / len(top) if correct in top else 0.0


def is_exact_tie(scores: Sequence[float] | np.ndarray) -> bool:
    """Whether two or more options share the top score exactly."""
    return len(top_options(scores)) > 1


def is_near_tie(scores: Sequence[float] | np.ndarray, rtol: float = NEAR_TIE_RTOL) -> bool:
    """Whether the two best scores differ, but by at most ``rtol`` of the larger magnitude (exact ties excluded)."""
    values = np.sort(_scores(scores))[::-1]
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


def summarize_ties(rows: Iterable[Any], rtol: float = NEAR_TIE_RTOL) -> TieSummary:
    """Strict and split-credit accuracy plus tie counts over rows holding ``scores`` and ``correct``."""
    n = strict = exact = exact_correct = near = 0
    credit = 0.0
    for row in rows:
        scores, correct = _field(row, "scores"), int(_field(row, "correct"))
        top = top_options(scores)
        n += 1
        tied = len(top) > 1
        strict += int(not tied and top[0] == correct)
        credit += 1.0 / len(top) if correct in top else 0.0
        exact += int(tied)
        exact_correct += int(tied and correct in top)
        near += int(is_near_tie(scores, rtol))
    return TieSummary(n, strict, credit, exact, exact_correct, near)


@dataclass(frozen=True)
class Flip:
    """One item whose strict answer differs between two runs of the same model on the same probe set."""

    id: str
    task: str
    predicted_a: int | None  # None: a tie at the top
    predicted_b: int | None
    correct_a: bool
    correct_b: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "task": self.task,
            "predicted": [self.predicted_a, self.predicted_b],
            "is_correct": [self.correct_a, self.correct_b],
        }


def _strict_answer(scores: Sequence[float]) -> int | None:
    top = top_options(scores)
    return int(top[0]) if len(top) == 1 else None


# Run-record fields that may differ between two runs whose answers are compared: they should not change a score
# beyond floating-point noise, so an answer that flips between them is a near tie or a numerical problem.
FLIP_FIELDS = ("batch_size", "dtype", "device")


def flips_between(rows_a: Iterable[Any], rows_b: Iterable[Any]) -> list[Flip]:
    """Items (matched by id) whose strict answer differs between two runs, sorted by task and id.

    Items present in only one run are ignored; the caller checks that both runs scored the same probe set.
    """
    by_id = {_field(r, "id"): r for r in rows_b}
    flips: list[Flip] = []
    for row in rows_a:
        other = by_id.get(_field(row, "id"))
        if other is None:
            continue
        a, b = _strict_answer(_field(row, "scores")), _strict_answer(_field(other, "scores"))
        if a != b:
            correct = int(_field(row, "correct"))
            flips.append(Flip(_field(row, "id"), _field(row, "task"), a, b, a == correct, b == correct))
    return sorted(flips, key=lambda f: (f.task, f.id))


def flip_comparable(record_a: Mapping[str, Any], record_b: Mapping[str, Any]) -> list[str]:
    """Which of batch size, dtype and device differ between two run records whose flips are worth listing.

    Returns an empty list when the runs differ in none of them (then there is nothing to compare) and raises
    ``ValueError`` when they are not the same model on the same probe set (then any difference is expected).
    """
    fp_a = (record_a.get("probeset") or {}).get("fingerprint")
    fp_b = (record_b.get("probeset") or {}).get("fingerprint")
    if fp_a != fp_b:
        raise ValueError("the runs scored different probe sets")
    model_a, model_b = record_a.get("model") or {}, record_b.get("model") or {}
    for key in ("name", "weights", "revision"):
        if model_a.get(key) != model_b.get(key):
            raise ValueError(f"the runs used different models ({key}: {model_a.get(key)} vs {model_b.get(key)})")

    def value(record: Mapping[str, Any], model: Mapping[str, Any], key: str) -> Any:
        return record.get(key, model.get(key))

    return [k for k in FLIP_FIELDS if value(record_a, model_a, k) != value(record_b, model_b, k)]
