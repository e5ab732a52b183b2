"""Winoground's text, image and group outcomes of 2x2 examples, from the two items each one becomes.

A 2x2 example (images I0, I1; captions C0, C1, Ci true of Ii) is probed as two items linked by ``meta.group``:
image ``Ii`` with options ``(C0, C1)`` in that order and ``Ci`` intended (``meta.image = i``). Their four scores
are the whole matrix ``s[i][c] = score(Ii, Cc)``, so every scorer that scores pairs (dual encoders, pair heads,
yes/no scorers) gives all three outcomes, as Winoground (Thrush et al. 2022) defines them:

- text: for each image the right caption scores higher, ``s00 > s01 and s11 > s10``;
- image: for each caption the right image scores higher, ``s00 > s10 and s11 > s01``;
- group: both.

Comparisons are strict: a tie is wrong. A text-only scorer gives ``s0c == s1c``, so its image and group outcomes
are wrong on every example. Intervals and tables: :mod:`snare.reports.groups`.
"""

from __future__ import annotations

from collections.abc import Iterable

from snare.engine.rows import PredictionRow

OUTCOMES = ("text", "image", "group")


def is_group_row(row: PredictionRow) -> bool:
    """Whether ``row`` is one image of a 2x2 example (``meta.group`` and ``meta.image`` 0 or 1)."""
    return isinstance(row.meta.get("group"), str) and row.meta.get("image") in (0, 1)


def example_scores(image0: PredictionRow, image1: PredictionRow) -> tuple[bool, bool, bool]:
    """(text, image, group) correctness of one example, strict.

    Raises:
        ValueError: an item does not hold two options, or its intended option is not its image's caption.
    """
    for i, row in enumerate((image0, image1)):
        if len(row.scores) != 2 or row.correct != i:
            raise ValueError(f"{row.id}: not image {i} of a 2x2 example (2 options, caption {i} intended)")
    (s00, s01), (s10, s11) = image0.scores, image1.scores
    text = s00 > s01 and s11 > s10
    image = s00 > s10 and s11 > s01
    return text, image, text and image


def group_counts(rows: Iterable[PredictionRow]) -> dict[str, int]:
    """``{"n", "text", "image", "group", "incomplete"}`` over the complete examples among ``rows``; a group
    missing one of its items (a ``--limit`` cut) counts as ``incomplete`` and is left out.

    Raises:
        ValueError: a row is not an item of a 2x2 example, or an example holds the same image twice.
    """
    groups: dict[str, dict[int, PredictionRow]] = {}
    for row in rows:
        if not is_group_row(row):
            raise ValueError(f"{row.id}: not an item of a 2x2 example (meta.group and meta.image 0/1 needed)")
        group, image = row.meta["group"], row.meta["image"]
        if image in groups.setdefault(group, {}):
            raise ValueError(f"{row.id}: example {group} has image {image} twice")
        groups[group][image] = row
    counts = dict.fromkeys(OUTCOMES, 0)
    complete = [g for g in groups.values() if len(g) == 2]
    for g in complete:
        for name, ok in zip(OUTCOMES, example_scores(g[0], g[1]), strict=True):
            counts[name] += ok
    return {"n": len(complete), **counts, "incomplete": len(groups) - len(complete)}
