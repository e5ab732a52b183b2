"""The blind (text-only) models the balancer plays against, each reduced to a score gap per candidate pair.

For a pair, a model's gap is its score of the intended option minus its score of the negative: positive means
the model, blind, picks the intended option. The models:

* ``n-gram LM``: the Kneser-Ney trigram of :mod:`snare.validity.ngram` (mean log-probability per token),
  **cross-fitted**: fitted on the intended options of the other folds of images (:func:`fold_of`), so no pair
  is scored by a model that saw its caption or its image; the one ``snare audit`` fits;
* ``n-gram LM ensemble``: the mean gap of a bigram, a trigram and a 4-gram LM cross-fitted over another
  partition of the images into folds (:data:`ENSEMBLE`). Balanced against one LM alone, the selection keeps the
  swaps that this one fit happens to find fluent (the winner's curse of selecting on a noisy score), and another
  fit of the same kind still prefers the caption: a bigram LM scored 0.58 and a 10-fold trigram 0.55 on the
  swap tasks where the audit's own trigram scored 0.52. The ensemble's mean is a less noisy estimate of how much
  more fluent one option is;
* ``bag-of-words`` and ``bag-of-bigrams``: the conditional-logit option classifier of
  :mod:`snare.textmodels.text_classifier`, cross-fitted by the same folds, on words and on words plus word pairs
  (the latter tells a swap from its caption, which a bag of words cannot);
* surface rules: ``length`` (words), ``negation`` (how many of *not*, *no*... an option holds) and ``word
  frequency`` (mean log frequency of its words across all candidate options, no labels).

Every gap is an **integer**, counted in steps of a grid, so the selection's every decision (which side of zero
a gap lies, its magnitude bin, how the counts balance) is exact arithmetic on integers, the same on any
machine: the LMs (elementwise IEEE arithmetic over counts, no BLAS) and word frequency give scores rounded to
:data:`GRID` (~1.5e-5; a libm that rounds a log one unit in the last place apart moves a score ~1e-15), the classifiers'
weights are rounded to :data:`snare.textmodels.text_classifier.GRID` by the fit itself, so their gaps are exact
multiples of it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from snare.generators.negation import NEGATORS
from snare.probes.balanced.candidates import Pair
from snare.textmodels.caption_words import words
from snare.textmodels.ngram import KneserNey
from snare.textmodels.text_classifier import GRID as WEIGHT_GRID
from snare.textmodels.text_classifier import OptionScorer, fold_of

N_FOLDS = 5
GRID = 2.0**-16  # the step that LM and word-frequency scores are rounded to: far finer than any decision needs
ENSEMBLE = ((2, "ensemble-1"), (3, "ensemble-1"), (4, "ensemble-1"))  # (order, fold salt) of its members
MODELS = (
    "n-gram LM",
    "n-gram LM (default items)",
    "n-gram LM ensemble",
    "bag-of-words",
    "bag-of-bigrams",
    "length",
    "negation",
    "word frequency",
)


class FoldLMs:
    """The n-gram LMs of every fold, each fitted on the intended options of the other folds' images, with their
    scores memoised: one fit per round serves every task (the corpus is shared), and a caption scored as the
    intended option of several candidates is scored once. ``salt`` draws another partition into folds (the
    default is the audit's)."""

    def __init__(self, corpus: Sequence[tuple[str, str]], order: int = 3, salt: str = "") -> None:
        """``corpus`` holds ``(cluster, true caption)``."""
        self.salt = salt
        tokens = [(self.fold(cluster), words(text)) for cluster, text in corpus]
        self.lms = [KneserNey(order).fit(t for g, t in tokens if g != f) for f in range(N_FOLDS)]
        self._memo: list[dict[str, int]] = [{} for _ in range(N_FOLDS)]

    def fold(self, cluster: str) -> int:
        return fold_of(f"{self.salt}\x1f{cluster}" if self.salt else cluster, N_FOLDS)

    def score(self, fold: int, text: str) -> int:
        """The fold's LM score of ``text`` (mean log-probability per token), in steps of :data:`GRID`."""
        return self.scores([(fold, text)])[0]

    def scores(self, queries: Sequence[tuple[int, str]]) -> list[int]:
        """:meth:`score` of each ``(fold, text)``: the texts not scored yet go through their fold's LM in one batch
        (:meth:`KneserNey.scores`, the same values as one at a time)."""
        for f, memo in enumerate(self._memo):
            new = list(dict.fromkeys(text for fold, text in queries if fold == f and text not in memo))
            memo.update(zip(new, map(on_grid, self.lms[f].scores([words(t) for t in new])), strict=True))
        return [self._memo[fold][text] for fold, text in queries]


def on_grid(value: float) -> int:
    """``value`` in steps of :data:`GRID`, rounded to the nearest (half to even)."""
    return round(value / GRID)


def lm_gaps(pairs: Sequence[tuple[str, Pair]], lms: FoldLMs) -> np.ndarray:
    """The cross-fitted n-gram LM's gap per ``(cluster, pair)``: each pair scored by its fold's LM."""
    folds = [lms.fold(cluster) for cluster, _ in pairs]
    intended = lms.scores([(f, pair.intended) for f, (_, pair) in zip(folds, pairs, strict=True)])
    negative = lms.scores([(f, pair.negative) for f, (_, pair) in zip(folds, pairs, strict=True)])
    return np.subtract(intended, negative, dtype=np.int64) if pairs else np.zeros(0, dtype=np.int64)


def classifier_gaps(pairs: Sequence[tuple[str, Pair]], train: np.ndarray, order: int) -> np.ndarray:
    """The cross-fitted option classifier's gap per pair, in steps of its weights' grid (exact: its scores are
    multiples of it); it learns from the pairs of other folds in ``train``."""
    folds = np.array([fold_of(cluster, N_FOLDS) for cluster, _ in pairs])
    out = np.zeros(len(pairs), dtype=np.int64)
    for f in sorted(set(folds.tolist())):
        learn = [pairs[n][1] for n in np.flatnonzero(train & (folds != f))]
        if not learn:
            continue
        scorer = OptionScorer([(p.intended, p.negative) for p in learn], [0] * len(learn), order)
        test = np.flatnonzero(folds == f)
        scores = scorer.scores([(pairs[n][1].intended, pairs[n][1].negative) for n in test])
        out[test] = np.rint([(s[0] - s[1]) / WEIGHT_GRID for s in scores]).astype(np.int64)
    return out


def surface_gaps(pairs: Sequence[tuple[str, Pair]]) -> np.ndarray:
    """``(n, 3)`` gaps of the length, negation and word-frequency rules (the last in steps of :data:`GRID`)."""
    frequency = Counter(w for _, p in pairs for o in (p.intended, p.negative) for w in words(o))
    total, vocab = sum(frequency.values()), len(frequency)

    def measures(option: str) -> tuple[int, int, int]:
        toks = words(option)
        logf = math.fsum(math.log((frequency[w] + 1) / (total + vocab)) for w in toks) / len(toks) if toks else 0.0
        return len(toks), sum(t in NEGATORS for t in toks), on_grid(logf)

    gaps = [np.subtract(measures(p.intended), measures(p.negative)) for _, p in pairs]
    return np.array(gaps, dtype=np.int64).reshape(-1, 3)


class BlindLMs:
    """The LMs of one round, all fitted on one corpus of ``(cluster, true caption)``: the audit's
    (:class:`FoldLMs` with its defaults) and the :data:`ENSEMBLE`."""

    def __init__(self, corpus: Sequence[tuple[str, str]]) -> None:
        self.audited = FoldLMs(corpus)
        self.ensemble = [FoldLMs(corpus, order, salt) for order, salt in ENSEMBLE]

    def gaps(self, pairs: Sequence[tuple[str, Pair]]) -> tuple[np.ndarray, np.ndarray]:
        """The audited LM's gaps and the ensemble's summed gaps (their mean, times its size: integers)."""
        return lm_gaps(pairs, self.audited), np.sum([lm_gaps(pairs, lm) for lm in self.ensemble], axis=0)


def all_gaps(
    pairs: Sequence[tuple[str, Pair]],
    lms: BlindLMs,
    default_lms: FoldLMs,
    fixed: np.ndarray | None,
    train: np.ndarray | None = None,
) -> np.ndarray:
    """``(n, len(MODELS))`` integer gaps; ``fixed`` (a previous result) re-uses the columns that do not change: the
    default-items LM and the surface rules, and the classifiers too unless ``train`` (a mask of rows) says which
    pairs they learn from now. Without ``fixed`` the classifiers learn from every candidate pair.

    The n-gram LMs: ``lms`` fitted on the intended options kept so far (what ``snare audit`` will fit on: its
    trigram and the :data:`ENSEMBLE`) and ``default_lms`` on every default item's intended option. A pair kept
    because one LM's gap sits just below zero tends back above zero under a slightly different LM (the winner's
    curse of selecting on a noisy score); balancing under all of them makes the selection hold for LMs fitted on
    either corpus."""
    lm, ensemble = lms.gaps(pairs)
    if fixed is None:
        everything = np.ones(len(pairs), dtype=bool)
        default_lm = lm if lms.audited is default_lms else lm_gaps(pairs, default_lms)
        bow, bigrams = classifier_gaps(pairs, everything, order=1), classifier_gaps(pairs, everything, order=2)
        surface = surface_gaps(pairs)
    else:
        column = MODELS.index
        default_lm, bow, bigrams = (
            fixed[:, column(m)] for m in ("n-gram LM (default items)", "bag-of-words", "bag-of-bigrams")
        )
        surface = fixed[:, column("length") :]
        if train is not None:
            bow, bigrams = classifier_gaps(pairs, train, order=1), classifier_gaps(pairs, train, order=2)
    return np.column_stack([lm, default_lm, ensemble, bow, bigrams, surface]).astype(np.int64)  # 0 is a tie
