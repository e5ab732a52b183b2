"""A bag-of-words, text-only classifier that learns to pick the intended option, and cluster-wise folds.

A linear score ``w . counts(option)`` per option and a softmax over each item's options (a conditional logit),
fitted with L-BFGS (scipy) under an L2 penalty. It sees only the words of each option, never the option's
position or the image, so its cross-validated accuracy measures how far word choice alone gives the answer away.
Options that are permutations of each other get identical features and therefore tie (a tie is wrong).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from snare.adapters.caption_words import words
from snare.engine.scoring import strict_outcome
from snare.probes.item import ProbeItem

L2 = 1.0


def fold_of(cluster: str, n_folds: int) -> int:
    """A stable fold for each cluster (image), so items sharing an image never straddle train and test."""
    return int.from_bytes(hashlib.sha256(cluster.encode("utf-8")).digest()[:4], "big") % n_folds


def _features(items: Sequence[ProbeItem], vocab: dict[str, int]) -> tuple[Any, np.ndarray]:
    """Sparse ``(N*K, V)`` word counts (options padded to K per item) and an ``(N, K)`` mask of real options."""
    from scipy.sparse import csr_matrix

    width = max(len(it.options) for it in items)
    mask = np.zeros((len(items), width), dtype=bool)
    rows, cols = [], []
    for n, it in enumerate(items):
        for k, option in enumerate(it.options):
            mask[n, k] = True
            for w in words(option):
                if w in vocab:
                    rows.append(n * width + k)
                    cols.append(vocab[w])
    data = np.ones(len(rows), dtype=np.float64)  # duplicates are summed: counts
    return csr_matrix((data, (rows, cols)), shape=(len(items) * width, len(vocab))), mask


def _fit(x: Any, mask: np.ndarray, y: np.ndarray) -> np.ndarray:
    from scipy.optimize import minimize
    from scipy.special import log_softmax

    rows = np.arange(len(y))

    def loss_and_grad(w: np.ndarray) -> tuple[float, np.ndarray]:
        scores = np.where(mask, (x @ w).reshape(mask.shape), -np.inf)
        logp = log_softmax(scores, axis=1)
        p = np.where(mask, np.exp(logp), 0.0)
        p[rows, y] -= 1.0
        grad = x.T @ p.ravel() + L2 * w
        return float(-logp[rows, y].sum() + 0.5 * L2 * w @ w), grad

    w0 = np.zeros(x.shape[1])
    return minimize(loss_and_grad, w0, jac=True, method="L-BFGS-B", options={"maxiter": 500}).x


def cross_validated_outcomes(items: Sequence[ProbeItem], n_folds: int = 5) -> list[tuple[bool, bool]]:
    """``(is_correct, tie)`` per item, each predicted by a classifier fitted on the other folds' items."""
    folds = np.array([fold_of(it.cluster, n_folds) for it in items])
    outcomes: list[tuple[bool, bool]] = [(False, False)] * len(items)
    for f in range(n_folds):
        train = [it for it, g in zip(items, folds, strict=True) if g != f]
        test_idx = np.flatnonzero(folds == f)
        if not train or not len(test_idx):
            continue
        vocab = {w: i for i, w in enumerate(sorted({w for it in train for o in it.options for w in words(o)}))}
        if not vocab:
            continue
        x, mask = _features(train, vocab)
        w = _fit(x, mask, np.array([it.correct for it in train]))
        tx, tmask = _features([items[i] for i in test_idx], vocab)
        scores = (tx @ w).reshape(tmask.shape)
        for row, i in enumerate(test_idx):
            out = strict_outcome(scores[row][tmask[row]], items[i].correct)
            outcomes[i] = (out.correct, out.tie)
    return outcomes
