"""A bag-of-words, text-only classifier that learns to pick the intended option, and cluster-wise folds.

A linear score ``w . counts(option)`` per option and a softmax over each item's options (a conditional logit),
fitted with L-BFGS (scipy) under an L2 penalty. It sees only the words of each option, never the option's
position or the image, so its cross-validated accuracy measures how far word choice alone gives the answer away.
Options that are permutations of each other get identical features and therefore tie (a tie is wrong);
``order=2`` adds word pairs (bigrams) as features, which tells such options apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from snare.textmodels.caption_words import words

L2 = 1.0


def fold_of(cluster: str, n_folds: int) -> int:
    """A stable fold for each cluster (image), so items sharing an image never straddle train and test."""
    return int.from_bytes(hashlib.sha256(cluster.encode("utf-8")).digest()[:4], "big") % n_folds


def features(option: str, order: int = 1) -> list[str]:
    """The option's words, and with ``order=2`` its word pairs too (``"red circle"``)."""
    toks = words(option)
    return toks + [f"{a} {b}" for a, b in pairwise(toks)] if order > 1 else toks


def _columns(option_lists: Sequence[Sequence[str]], vocab: dict[str, int], order: int) -> dict[str, list[int]]:
    """Each distinct option's feature columns in ``vocab``, in feature order (options repeat across items:
    a swap's caption is the intended option of all its candidates)."""
    out: dict[str, list[int]] = {}
    for options in option_lists:
        for option in options:
            if option not in out:
                out[option] = [vocab[w] for w in features(option, order) if w in vocab]
    return out


def _features(option_lists: Sequence[Sequence[str]], vocab: dict[str, int], order: int = 1) -> tuple[Any, np.ndarray]:
    """Sparse ``(N*K, V)`` feature counts (options padded to K per item) and an ``(N, K)`` mask of real options."""
    from scipy.sparse import csr_matrix

    width = max(len(options) for options in option_lists)
    mask = np.zeros((len(option_lists), width), dtype=bool)
    columns = _columns(option_lists, vocab, order)
    rows, cols = [], []
    for n, options in enumerate(option_lists):
        for k, option in enumerate(options):
            mask[n, k] = True
            found = columns[option]
            rows.extend([n * width + k] * len(found))
            cols.extend(found)
    data = np.ones(len(rows), dtype=np.float64)  # duplicates are summed: counts
    return csr_matrix((data, (rows, cols)), shape=(len(option_lists) * width, len(vocab))), mask


def _fit(x: Any, mask: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    from scipy.optimize import minimize
    from scipy.special import log_softmax

    rows = np.arange(len(y))

    def loss_and_grad(w: np.ndarray) -> tuple[float, np.ndarray]:
        scores = np.where(mask, (x @ w).reshape(mask.shape), -np.inf)
        logp = log_softmax(scores, axis=1)
        p = np.where(mask, np.exp(logp), 0.0)
        p[rows, y] -= 1.0
        grad = x.T @ p.ravel() + l2 * w
        return float(-logp[rows, y].sum() + 0.5 * l2 * w @ w), grad

    w0 = np.zeros(x.shape[1])
    return minimize(loss_and_grad, w0, jac=True, method="L-BFGS-B", options={"maxiter": 500}).x


class OptionScorer:
    """A fitted linear option scorer: :meth:`scores` gives each option of an item its ``w . features`` score."""

    def __init__(
        self, option_lists: Sequence[Sequence[str]], correct: Sequence[int], order: int = 1, l2: float = L2
    ) -> None:
        """Fit on items given as their option lists and the index of each intended option, under an L2 penalty
        of ``l2``."""
        self.order = order
        found = {w for o in {o for options in option_lists for o in options} for w in features(o, order)}
        self.vocab = {w: i for i, w in enumerate(sorted(found))}
        self.weights = np.zeros(len(self.vocab))
        if self.vocab and option_lists:
            x, mask = _features(option_lists, self.vocab, order)
            self.weights = _fit(x, mask, np.asarray(correct, dtype=np.int64), l2)

    def scores(self, option_lists: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """One score array per item (its real options only)."""
        if not option_lists:
            return []
        x, mask = _features(option_lists, self.vocab, self.order)
        flat = (x @ self.weights).reshape(mask.shape)
        return [flat[n][mask[n]] for n in range(len(option_lists))]
