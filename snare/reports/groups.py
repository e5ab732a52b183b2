"""Winoground's text, image and group scores, from the two items a 2x2 example becomes.

A 2x2 example (images I0, I1; captions C0, C1, Ci true of Ii) is probed as two items linked by ``meta.group``:
image ``Ii`` with options ``(C0, C1)`` in that order and ``Ci`` intended (``meta.image = i``). Their four scores
are the whole matrix ``s[i][c] = score(Ii, Cc)``, so every scorer that scores pairs (dual encoders, pair heads,
yes/no scorers) gives all three scores, as Winoground (Thrush et al. 2022) defines them:

- text score: for each image the right caption scores higher, ``s00 > s01 and s11 > s10``;
- image score: for each caption the right image scores higher, ``s00 > s10 and s11 > s01``;
- group score: both.

Comparisons are strict: a tie is wrong. A text-only scorer gives ``s0c == s1c``, so its image and group scores
are 0 on every example. Examples are independent (each has its own images), so intervals are Wilson intervals
over examples. A group missing one of its two items (a ``--limit`` cut) is counted apart and left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from snare.engine.rows import PredictionRow
from snare.reports.stats import Interval, wilson_interval


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


def matrix(image0: PredictionRow, image1: PredictionRow) -> tuple[tuple[float, float], tuple[float, float]]:
    """``s[i][c]``: the two items' scores, each over ``(C0, C1)``.

    Raises:
        ValueError: an item does not hold two options, or its intended option is not its image's caption.
    """
    for i, row in enumerate((image0, image1)):
        if len(row.scores) != 2 or row.correct != i:
            raise ValueError(f"{row.id}: not image {i} of a 2x2 example (2 options, caption {i} intended)")
    return (image0.scores[0], image0.scores[1]), (image1.scores[0], image1.scores[1])


def example_scores(image0: PredictionRow, image1: PredictionRow) -> tuple[bool, bool, bool]:
    """(text, image, group) correctness of one example, strict."""
    (s00, s01), (s10, s11) = matrix(image0, image1)
    text = s00 > s01 and s11 > s10
    image = s00 > s10 and s11 > s01
    return text, image, text and image


def group_scores(task: str, rows: Iterable[PredictionRow]) -> GroupScores:
    """The scores of ``task`` over the rows of its 2x2 examples (``meta.group``, ``meta.image``).

    Raises:
        ValueError: a row has no group, or a group holds the same image twice.
    """
    groups: dict[str, dict[int, PredictionRow]] = {}
    for row in rows:
        group, image = row.meta.get("group"), row.meta.get("image")
        if not isinstance(group, str) or image not in (0, 1):
            raise ValueError(f"{row.id}: not an item of a 2x2 example (meta.group and meta.image 0/1 needed)")
        if image in groups.setdefault(group, {}):
            raise ValueError(f"{row.id}: example {group} has image {image} twice")
        groups[group][image] = row
    counts = [0, 0, 0]
    complete = [g for g in groups.values() if len(g) == 2]
    for g in complete:
        for k, ok in enumerate(example_scores(g[0], g[1])):
            counts[k] += ok
    return GroupScores(task, len(complete), *counts, incomplete=len(groups) - len(complete))


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
