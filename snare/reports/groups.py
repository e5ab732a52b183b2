"""Winoground's text, image and group scores with intervals, from the outcomes :mod:`snare.engine.groups` counts.

Examples are independent (each has its own images), so intervals are Wilson intervals over examples; chance is
25%, 25% and 16.7%. See :mod:`snare.engine.groups` for how a 2x2 example is probed and what each score means.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from snare.engine.groups import example_scores, group_counts
from snare.engine.rows import PredictionRow
from snare.reports.stats import Interval, wilson_interval

__all__ = ["GroupScores", "example_scores", "group_scores", "group_table"]


@dataclass(frozen=True)
class GroupScores:
    """One task's Winoground scores: counts over ``n`` complete examples, with 95% Wilson intervals."""

    task: str
    n: int
    text: int
    image: int
    group: int
    incomplete: int = 0

    def rate(self, which: str) -> float:
        return getattr(self, which) / self.n if self.n else 0.0

    def interval(self, which: str) -> Interval:
        return wilson_interval(getattr(self, which), self.n)


def group_scores(task: str, rows: Iterable[PredictionRow]) -> GroupScores:
    """The scores of ``task`` over the rows of its 2x2 examples (``meta.group``, ``meta.image``).

    Raises:
        ValueError: a row has no group, or a group holds the same image twice.
    """
    counts = group_counts(rows)
    return GroupScores(task, counts["n"], counts["text"], counts["image"], counts["group"], counts["incomplete"])


def group_table(scores: Iterable[GroupScores]) -> list[str]:
    """Plain lines (80 columns for task names up to 20 characters): per task, the number of complete examples
    and each score in percent with its 95% interval, as Winoground's paper tabulates them."""
    scores = list(scores)
    width = max([len(s.task) for s in scores] + [4]) + 2
    lines = [f"{'task':<{width}}{'n':>5}  " + "".join(f"{w:<19}" for w in ("text", "image", "group")).rstrip()]
    for s in scores:
        cells = []
        for which in ("text", "image", "group"):
            iv = s.interval(which)
            cells.append(f"{100 * s.rate(which):5.1f} [{100 * iv.low:5.1f},{100 * iv.high:5.1f}]".ljust(19))
        lines.append(f"{s.task:<{width}}{s.n:>5}  {''.join(cells)}".rstrip())
    return lines
