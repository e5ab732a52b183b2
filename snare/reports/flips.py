"""Answers that flip between two runs of one model on one probe set that differ only in batch size, dtype or device.

Such settings should change a score by floating-point noise at most, so an item whose strict answer differs
between the two runs is a near tie or a numerical problem worth seeing. Pairs of runs of different models or
probe sets, or with identical settings, are skipped (:func:`snare.engine.ties.flip_comparable` decides);
the items are compared with :func:`snare.engine.ties.flips_between`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from snare.engine.ties import Flip, flip_comparable, flips_between
from snare.reports.load import RunData


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


def _setting(record: Mapping[str, Any], key: str) -> Any:
    # batch size sits at the top of the record; dtype and device in its model part (as flip_comparable reads them)
    return record.get(key, (record.get("model") or {}).get(key))


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
    pair = RunFlips(a.label, b.label, {key: (_setting(a.record, key), _setting(b.record, key)) for key in differing})
    for task in sorted(set(a.rows) & set(b.rows)):
        ids_b = {r.id for r in b.rows[task]}
        n = sum(r.id in ids_b for r in a.rows[task])
        pair.tasks[task] = TaskFlips(task, n, tuple(flips_between(a.rows[task], b.rows[task])))
    return pair


def find_flips(runs: list[RunData]) -> list[RunFlips]:
    """Every pair of runs (in the order given) whose answers can be compared for flips."""
    return [pair for a, b in combinations(runs, 2) if (pair := flips_of_pair(a, b)) is not None]
