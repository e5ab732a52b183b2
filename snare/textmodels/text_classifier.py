"""A bag-of-words, text-only classifier that learns to pick the intended option, and cluster-wise folds.

A linear score ``w . counts(option)`` per option and a softmax over each item's options (a conditional logit),
fitted by Newton's method under an L2 penalty, the weights rounded to a grid (:data:`GRID`).
It sees only the words of each option, never the option's position or the image, so its cross-validated
accuracy measures how far word choice alone gives the answer away.
Options that are permutations of each other get identical features and therefore tie (a tie is wrong);
``order=2`` adds word pairs (bigrams) as features, which tells such options apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np

from snare.textmodels.caption_words import words

L2 = 1.0
GRID = 2.0**-12
"""The weights are rounded to multiples of this (~2.4e-4): every option's score is then an exact multiple of it (a
sum of a few weights times counts), so which option wins, by how much, and every tie are exact, the same under
any BLAS kernel, thread count or library version. The fit is converged first (:func:`_fit`) to within ~1e-14
of the optimum under another BLAS kernel, ~1e-12 from another start: rounding moves a weight across a grid
boundary once in ~1e10 weights, or ~1e8 if another library's rounding led it elsewhere."""
NEWTON_STEPS = 50
GRADIENT_FLOOR = 1e-11


@lru_cache(maxsize=1 << 16)  # a balanced build asks again for every pair, model and round
def fold_of(cluster: str, n_folds: int) -> int:
    """A stable fold for each cluster (image), so items sharing an image never straddle train and test."""
    return int.from_bytes(hashlib.sha256(cluster.encode("utf-8")).digest()[:4], "big") % n_folds


def features(option: str, order: int = 1) -> list[str]:
    """The option's words, and with ``order=2`` its word pairs too (``"red circle"``)."""
    return list(_features_of(option, order))


@lru_cache(maxsize=1 << 17)  # a balanced build fits ten classifiers a round on the same options
def _features_of(option: str, order: int) -> tuple[str, ...]:
    toks = words(option)
    return tuple(toks + [f"{a} {b}" for a, b in pairwise(toks)] if order > 1 else toks)


def _columns(option_lists: Sequence[Sequence[str]], vocab: dict[str, int], order: int) -> dict[str, list[int]]:
    """Each distinct option's feature columns in ``vocab``, in feature order (options repeat across items:
    a swap's caption is the intended option of all its candidates)."""
    out: dict[str, list[int]] = {}
    for options in option_lists:
        for option in options:
            if option not in out:
                out[option] = [vocab[w] for w in _features_of(option, order) if w in vocab]
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


def _probabilities(x: Any, mask: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each item's log-softmax over its real options, and the probabilities (0 on padding)."""
    from scipy.special import log_softmax

    logp = log_softmax(np.where(mask, (x @ w).reshape(mask.shape), -np.inf), axis=1)
    return logp, np.where(mask, np.exp(logp), 0.0)


def _gradient(x: Any, xt: Any, mask: np.ndarray, y: np.ndarray, l2: float, w: np.ndarray) -> tuple[float, np.ndarray]:
    logp, p = _probabilities(x, mask, w)
    rows = np.arange(len(y))
    p[rows, y] -= 1.0
    return float(-logp[rows, y].sum() + 0.5 * l2 * np.sum(w * w)), xt @ p.ravel() + l2 * w


def _fit(x: Any, mask: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    """The penalised conditional logit's weights, converged far past :data:`GRID` and rounded to it.

    Newton's method (Hessian-vector products, conjugate gradients), from zero, until the gradient is at the level
    of rounding: its quadratic convergence carries the fit to the optimum itself, the same to ~1e-14 under any
    BLAS kernel and ~1e-12 from any start. L-BFGS (scipy's, used before) stops where the loss stops falling
    measurably, up to 5e-4 from the optimum, at a point that moves with the BLAS kernel and the scipy version,
    and it spent most of a balanced build in its BLAS calls. A step is halved while it raises both the loss and
    the largest gradient entry (far from the optimum the loss decides; near it, where the loss no longer changes
    measurably, the gradient)."""
    from scipy.sparse.linalg import LinearOperator, cg

    xt = x.T.tocsr()  # row-wise products add the same terms in the same order as x.T's column-wise ones, faster
    w = np.zeros(x.shape[1])
    loss, g = _gradient(x, xt, mask, y, l2, w)
    for _ in range(NEWTON_STEPS):
        if np.abs(g).max() <= GRADIENT_FLOOR:
            break
        _, p = _probabilities(x, mask, w)

        def hessp(v: np.ndarray, p: np.ndarray = p) -> np.ndarray:
            u = (x @ v).reshape(mask.shape)
            return xt @ (p * (u - (p * u).sum(axis=1, keepdims=True))).ravel() + l2 * v

        step, _ = cg(LinearOperator((len(w), len(w)), matvec=hessp), g, atol=GRADIENT_FLOOR / 10, maxiter=4 * len(w))
        for halvings in range(20):
            trial = w - step / 2**halvings
            trial_loss, trial_g = _gradient(x, xt, mask, y, l2, trial)
            if trial_loss < loss or np.abs(trial_g).max() < np.abs(g).max():
                w, loss, g = trial, trial_loss, trial_g
                break
        else:
            break  # at the floor of rounding
    return np.round(w / GRID) * GRID


class OptionScorer:
    """A fitted linear option scorer: :meth:`scores` gives each option of an item its ``w . features`` score."""

    def __init__(
        self, option_lists: Sequence[Sequence[str]], correct: Sequence[int], order: int = 1, l2: float = L2
    ) -> None:
        """Fit on items given as their option lists and the index of each intended option, under an L2 penalty
        of ``l2``."""
        self.order = order
        found = set().union(*(_features_of(o, order) for o in {o for options in option_lists for o in options}))
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
