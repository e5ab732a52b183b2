"""Answers that flip between two runs of one model on one probe set that differ only in batch size, dtype or device.

Such settings should change a score by floating-point noise at most, so an item whose strict answer differs
between the two runs is a near tie or a numerical problem worth seeing. Pairs of runs of different models or
probe sets, or with identical settings, are skipped (:func:`flip_comparable` decides);
the items are compared with :func:`flips_between`, by :func:`snare.engine.scoring.strict_answer`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from snare.engine.record import RunRecord
from snare.engine.rows import PredictionRow
from snare.engine.scoring import strict_answer
from snare.reports.load import RunData

# Run-record fields that may differ between two runs whose answers are compared: they should not change a score
# beyond floating-point noise, so an answer that flips between them is a near tie or a numerical problem.
FLIP_FIELDS = ("batch_size", "dtype", "device")


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


def flips_between(rows_a: Iterable[PredictionRow], rows_b: Iterable[PredictionRow]) -> list[Flip]:
    """Items (matched by id) whose strict answer differs between two runs, sorted by task and id.

    Items present in only one run are ignored; the caller checks that both runs scored the same probe set.
    """
    by_id = {r.id: r for r in rows_b}
    flips: list[Flip] = []
    for row in rows_a:
        other = by_id.get(row.id)
        if other is None:
            continue
        a, b = strict_answer(row.scores), strict_answer(other.scores)
        if a != b:
            flips.append(Flip(row.id, row.task, a, b, a == row.correct, b == row.correct))
    return sorted(flips, key=lambda f: (f.task, f.id))


def flip_comparable(record_a: RunRecord, record_b: RunRecord) -> list[str]:
    """Which of batch size, dtype and device differ between two run records whose flips are worth listing.

    Returns an empty list when the runs differ in none of them (then there is nothing to compare) and raises
    ``ValueError`` when they are not the same model on the same probe set (then any difference is expected).
    """
    if record_a.probeset.fingerprint != record_b.probeset.fingerprint:
        raise ValueError("the runs scored different probe sets")
    for key in ("name", "weights", "revision"):
        a, b = getattr(record_a.model, key), getattr(record_b.model, key)
        if a != b:
            raise ValueError(f"the runs used different models ({key}: {a} vs {b})")
    return [k for k in FLIP_FIELDS if record_a.setting(k) != record_b.setting(k)]


@dataclass(frozen=True)
class TaskFlips:
    """One task's flips between two runs; ``n`` is the number of items both runs scored."""

    task: str
    n: int
    flips: tuple[Flip, ...]

    @property
    def lost(self) -> int:
        """Right in run A, wrong in run B."""
        return sum(f.correct_a and not f.correct_b for f in self.flips)

    @property
    def gained(self) -> int:
        """Wrong in run A, right in run B."""
        return sum(f.correct_b and not f.correct_a for f in self.flips)

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "n": self.n,
            "flips": len(self.flips),
            "right_to_wrong": self.lost,
            "wrong_to_right": self.gained,
            "ids": [f.id for f in self.flips],
            "items": [f.to_json() for f in self.flips],
        }


@dataclass(frozen=True)
class RunFlips:
    """The flips between two runs, per task, and the settings the runs differ in (``field: (a, b)``)."""

    run_a: str
    run_b: str
    differs: dict[str, tuple[Any, Any]]
    tasks: dict[str, TaskFlips] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(t.flips) for t in self.tasks.values())

    def describe_difference(self) -> str:
        """``"batch_size 8 → 32, dtype float32 → float16"``."""
        return ", ".join(f"{key} {a} → {b}" for key, (a, b) in self.differs.items())

    def to_json(self) -> dict[str, Any]:
        return {
            "run_a": self.run_a,
            "run_b": self.run_b,
            "differs": {key: list(values) for key, values in self.differs.items()},
            "flips": self.total,
            "tasks": {task: t.to_json() for task, t in self.tasks.items()},
        }


def flips_of_pair(a: RunData, b: RunData) -> RunFlips | None:
    """The flips between two runs, or None when they are not the same model and probe set differing in settings."""
    if not a.fingerprint or a.fingerprint != b.fingerprint:
        return None  # unknown or different probe sets: a differing answer says nothing about noise
    try:
        differing = flip_comparable(a.record, b.record)
    except ValueError:
        return None
    if not differing:
        return None
    pair = RunFlips(a.label, b.label, {key: (a.record.setting(key), b.record.setting(key)) for key in differing})
    for task in sorted(set(a.rows) & set(b.rows)):
        ids_b = {r.id for r in b.rows[task]}
        n = sum(r.id in ids_b for r in a.rows[task])
        pair.tasks[task] = TaskFlips(task, n, tuple(flips_between(a.rows[task], b.rows[task])))
    return pair


def find_flips(runs: list[RunData]) -> list[RunFlips]:
    """Every pair of runs (in the order given) whose answers can be compared for flips."""
    return [pair for a, b in combinations(runs, 2) if (pair := flips_of_pair(a, b)) is not None]
