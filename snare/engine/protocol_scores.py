"""A run's per-item scores under a :class:`~snare.protocols.Protocol`: its option subsets, exclusions and averaging.

The protocol is data (:mod:`snare.protocols`); this module applies it to typed prediction rows, and leaves the
verdict on each item to the one tie rule (:func:`snare.engine.scoring.is_correct`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from snare.engine.rows import PredictionRow
from snare.engine.scoring import is_correct
from snare.probes.tasks import TASKS
from snare.protocols import Protocol, TaskRule


def _labels(row: PredictionRow, task: str) -> tuple[str, ...]:
    if row.labels:
        return row.labels
    if task in TASKS and TASKS[task].n_options == len(row.scores):
        return TASKS[task].labels
    return row.option_labels


def _group(row: PredictionRow, meta_field: str) -> str | None:
    value = row.meta.get(meta_field)
    if value is None:
        return None
    return "_".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)


def item_correct(protocol: Protocol, task: str, row: PredictionRow) -> bool:
    """Whether one item counts as answered correctly under ``protocol`` (the item must not be excluded)."""
    rule = protocol.rule(task) or TaskRule()
    order = None
    if rule.options is not None:
        labels = _labels(row, task)
        missing = [lab for lab in rule.options if lab not in labels]
        if missing:
            raise ValueError(f"{task} item {row.id} has no option labelled {missing[0]!r}")
        order = [labels.index(lab) for lab in rule.options]
        if row.correct not in order:
            raise ValueError(f"{task} item {row.id}: the intended option is not among {rule.options}")
    return is_correct(row.scores, row.correct, protocol.tie_break, order)


@dataclass(frozen=True)
class ProtocolScore:
    """One task's accuracy under one protocol, with what the protocol left out."""

    protocol: str
    task: str
    accuracy: float | None  # None when the protocol does not score this task, or nothing was left to score
    n_used: int
    n_excluded: int
    aggregate: Literal["micro", "macro", "n/a"]
    groups: dict[str, tuple[int, int]] = field(default_factory=dict)  # macro: name -> (correct, n), kept groups
    dropped_groups: int = 0
    name: str | None = None  # the original's name for the task

    def to_json(self) -> dict[str, Any]:
        return {
            "protocol": self.protocol,
            "task": self.task,
            "name": self.name,
            "accuracy": self.accuracy,
            "n_used": self.n_used,
            "n_excluded": self.n_excluded,
            "aggregate": self.aggregate,
            "n_groups": len(self.groups),
            "dropped_groups": self.dropped_groups,
        }


def _macro(protocol: Protocol, task: str, rule: TaskRule, used: list[PredictionRow], n_rows: int) -> ProtocolScore:
    """The mean of per-group accuracies over ``rule.macro_over``, groups under ``rule.min_group`` dropped."""
    hits = [item_correct(protocol, task, r) for r in used]  # every used item is checked, grouped or not
    counts: dict[str, list[int]] = {}
    for row, hit in zip(used, hits, strict=True):
        name = _group(row, rule.macro_over or "")
        if name is not None:
            counts.setdefault(name, [0, 0])
            counts[name][0] += int(hit)
            counts[name][1] += 1
    kept = {g: (k, n) for g, (k, n) in sorted(counts.items()) if n >= rule.min_group}
    accuracy = float(np.mean([k / n for k, n in kept.values()])) if kept else None
    n_used = sum(n for _, n in kept.values())
    return ProtocolScore(
        protocol.name,
        task,
        accuracy,
        n_used,
        n_rows - n_used,
        "macro",
        groups=kept,
        dropped_groups=len(counts) - len(kept),
        name=rule.name,
    )


def score_task(protocol: Protocol, task: str, rows: Iterable[PredictionRow]) -> ProtocolScore:
    """Recompute one task's accuracy from its per-item rows under ``protocol``."""
    rule = protocol.rule(task)
    rows = list(rows)
    if rule is None:
        return ProtocolScore(protocol.name, task, None, 0, len(rows), "n/a")
    used = [r for r in rows if not (rule.exclude_field and (_group(r, rule.exclude_field) or "") in rule.exclude)]
    if rule.macro_over is not None:
        return _macro(protocol, task, rule, used, len(rows))
    hits = [item_correct(protocol, task, r) for r in used]
    accuracy = sum(hits) / len(hits) if hits else None
    return ProtocolScore(protocol.name, task, accuracy, len(used), len(rows) - len(used), "micro", name=rule.name)


def score_run(protocol: Protocol, rows_by_task: Mapping[str, Iterable[PredictionRow]]) -> dict[str, ProtocolScore]:
    """Every task of a run under ``protocol``, by task name."""
    return {task: score_task(protocol, task, rows) for task, rows in sorted(rows_by_task.items())}
