"""The audit's bag-of-words classifier: :class:`snare.textmodels.text_classifier.OptionScorer` cross-fitted over
folds of images, each item predicted by a classifier that never saw its image, and scored by the tie rule."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from snare.probes.item import ProbeItem
from snare.textmodels.text_classifier import L2, OptionScorer, fold_of
from snare.validity.rules import outcome


def cross_validated_outcomes(
    items: Sequence[ProbeItem], n_folds: int = 5, order: int = 1, *, with_credit: bool = False, l2: float = L2
) -> list[Any]:
    """``(is_correct, tie)`` per item, each predicted by a classifier fitted on the other folds' items; with
    ``with_credit``, ``(is_correct, tie, split credit)`` (see :func:`snare.validity.rules.outcome`)."""
    folds = np.array([fold_of(it.cluster, n_folds) for it in items])
    outcomes: list[tuple[bool, bool, float]] = [(False, False, 0.0)] * len(items)
    for f in range(n_folds):
        train = [it for it, g in zip(items, folds, strict=True) if g != f]
        test_idx = np.flatnonzero(folds == f)
        if not train or not len(test_idx):
            continue
        scorer = OptionScorer([it.options for it in train], [it.correct for it in train], order, l2)
        if not scorer.vocab:
            continue
        for i, scores in zip(test_idx, scorer.scores([items[i].options for i in test_idx]), strict=True):
            outcomes[i] = outcome(list(scores), items[i].correct)
    return outcomes if with_credit else [(c, t) for c, t, _ in outcomes]
