"""A word n-gram language model with interpolated Kneser-Ney smoothing: the blind (text-only) baseline.

Small and exact: n-gram counts, discounts estimated per order from count-of-counts (Ney et al. 1994:
``D = n1 / (n1 + 2 n2)``, or 0.75 when no n-gram of that order occurs once), lower orders built from
continuation counts, the unigram level interpolated with a uniform distribution over the vocabulary plus one
unknown word, so every sentence has a finite probability.
nltk.lm computes the same quantity but is orders of magnitude slower per query.

Vectorised with numpy, exactly: tokens become integer ids, each n-gram an index into the sorted distinct n-grams
of its length (built level by level, so no key overflows), counts come from ``np.unique``/``np.bincount``, and a
probability is the same sequence of IEEE operations on the same integers and discounts as the scalar formula
(``max(c - D, 0) / total + D * types / total * lower``), so every probability is bit-for-bit the value a
per-token Python loop computes. Logs are taken by :func:`math.log` and each sentence's are summed left to
right in Python, as before; no BLAS call is involved, so a score does not depend on a BLAS kernel.

:meth:`KneserNey.score` is the **mean** log-probability per predicted token (words and the end marker). Options
of one item often differ in length (SNARE's "respectively" and "and" options), and a summed log-probability
favours the shortest option whatever it says; the mean compares how fluent each option is. Whether the intended
option is systematically longer or shorter is measured separately by the audit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

BOS, EOS = "<s>", "</s>"


def _at(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``values[index]``, 0 where the index is -1 (an n-gram or context never fitted)."""
    out = np.zeros(len(index), dtype=values.dtype)
    known = index >= 0
    out[known] = values[index[known]]
    return out


class KneserNey:
    """Interpolated Kneser-Ney n-gram model over word tokens."""

    def __init__(self, order: int = 3) -> None:
        if order < 1:
            raise ValueError("order must be at least 1")
        self.order = order
        self.vocab: set[str] = set()
        self.n_sentences = 0
        self.n_tokens = 0
        self._ids: dict[str, int] = {BOS: 0, EOS: 1}
        self._sentences: list[list[int]] = []  # every fitted sentence as ids, unpadded
        # level k (1..order): the sorted distinct keys ``index of its first k-1 tokens * base + last id`` (level 1:
        # the id itself); per n-gram index its count (raw at the top, continuation below); per context index (an
        # n-gram of level k-1; level 0 has the one empty context) the sum of its n-grams' counts and how many
        # distinct words follow it
        self._keys: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * (order + 1)
        self._counts: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * (order + 1)
        self._totals: list[np.ndarray] = [np.zeros(1, dtype=np.int64)] * (order + 1)
        self._types: list[np.ndarray] = [np.zeros(1, dtype=np.int64)] * (order + 1)
        self._discount: list[float] = [0.0] * (order + 1)

    @property
    def _base(self) -> int:
        return len(self._ids) + 1  # ids, and one for a word never fitted

    def fit(self, sentences: Iterable[Sequence[str]]) -> KneserNey:
        """Count the n-grams of tokenised ``sentences`` (added to those of earlier fits); returns ``self``."""
        ids = self._ids
        for sentence in sentences:
            self.vocab.update(sentence)
            self._sentences.append([ids.setdefault(w, len(ids)) for w in sentence])
            self.n_sentences += 1
            self.n_tokens += len(sentence) + 1
        self.vocab.add(EOS)
        stream, offset = self._stream(self._sentences)
        n = self.order
        windows = self._windows(stream, offset, n, fitting=True)
        # the distinct n-grams of each level that carry a count, each with one stream position where it ends
        predicted = np.flatnonzero(offset >= n - 1)
        _, first = np.unique(windows[n][predicted], return_index=True)
        self._counts[n] = np.bincount(windows[n][predicted], minlength=self._size(n))
        self._totals[n] = np.bincount(self._context(windows, n, predicted), minlength=self._size(n - 1))
        at = predicted[first]
        for k in range(n, 0, -1):
            if k < n:  # continuation counts: how many distinct words precede each n-gram (and its context)
                self._counts[k] = np.bincount(windows[k][at], minlength=self._size(k))
                self._totals[k] = np.bincount(
                    self._context(windows, k + 1, at, middle=True), minlength=self._size(k - 1)
                )
                _, first = np.unique(windows[k][at], return_index=True)
                at = at[first]
            self._types[k] = np.bincount(self._context(windows, k, at), minlength=self._size(k - 1))
            n1, n2 = int((self._counts[k] == 1).sum()), int((self._counts[k] == 2).sum())
            # Without singletons the estimate is 0, leaving no mass for unseen words: use the customary 0.75.
            self._discount[k] = n1 / (n1 + 2 * n2) if n1 > 0 else 0.75
        return self

    def _size(self, level: int) -> int:
        """How many n-gram indices ``level`` has (level 0: the empty context)."""
        return 1 if level == 0 else self._base if level == 1 else len(self._keys[level])

    @staticmethod
    def _context(windows: list[np.ndarray], level: int, at: np.ndarray, middle: bool = False) -> np.ndarray:
        """Per position in ``at``, the index of the context of the level-``level`` n-gram ending there (its first
        level-1 tokens), or with ``middle`` the context of its suffix (its tokens but the first and last)."""
        short = level - 1 - middle
        return windows[short][at - 1] if short > 0 else np.zeros(len(at), dtype=np.int64)

    def _stream(self, sentences: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
        """The sentences' ids one after another, each padded with order-1 BOS and an EOS, and each position's
        offset within its padded sentence."""
        pad = self.order - 1
        lengths = np.array([len(s) + pad + 1 for s in sentences], dtype=np.int64)
        stream = np.fromiter(
            (i for s in sentences for i in (*[0] * pad, *s, 1)), dtype=np.int64, count=int(lengths.sum())
        )
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        return stream, np.arange(len(stream), dtype=np.int64) - starts

    def _windows(self, stream: np.ndarray, offset: np.ndarray, top: int, fitting: bool = False) -> list[np.ndarray]:
        """Per level up to ``top``, the index of the n-gram ending at each position (-1 where the window leaves
        its sentence, or, unless ``fitting``, where the n-gram was never fitted). ``fitting`` sets the keys."""
        base = self._base
        windows = [np.zeros(len(stream), dtype=np.int64), np.where(stream < base - 1, stream, -1)]
        for k in range(2, top + 1):
            previous = np.empty_like(stream)
            previous[:1], previous[1:] = -1, windows[k - 1][:-1]
            inside = (offset >= k - 1) & (previous >= 0) & (windows[1] >= 0)
            keys = previous[inside] * base + stream[inside]
            out = np.full(len(stream), -1, dtype=np.int64)
            if fitting:
                self._keys[k], out[inside] = np.unique(keys, return_inverse=True)
            else:
                known = self._keys[k]
                where = np.minimum(np.searchsorted(known, keys), max(len(known) - 1, 0))
                found = known[where] == keys if len(known) else np.zeros(len(keys), dtype=bool)
                out[np.flatnonzero(inside)[found]] = where[found]
            windows.append(out)
        return windows

    def _probabilities(self, windows: list[np.ndarray], at: np.ndarray, level: int) -> np.ndarray:
        """P(token | its context) at the positions ``at``, up to ``level``: interpolated from the uniform level
        up, each level's value exactly the scalar formula's, IEEE operation for IEEE operation."""
        p = np.full(len(at), 1.0 / (len(self.vocab) + 1))  # uniform over the vocabulary and one unknown word
        for k in range(1, level + 1):
            gram, ctx = windows[k][at], self._context(windows, k, at)
            count, total, types = _at(self._counts[k], gram), _at(self._totals[k], ctx), _at(self._types[k], ctx)
            seen = total > 0
            total = np.where(seen, total, 1)
            d = self._discount[k]
            p = np.where(seen, np.maximum(count - d, 0.0) / total + d * types / total * p, p)
        return p

    def _encode(self, tokens: Sequence[str]) -> list[int]:
        unknown = self._base - 1
        return [self._ids.get(w, unknown) for w in tokens]

    def prob(self, word: str, context: Sequence[str]) -> float:
        """P(word | the last order-1 tokens of context)."""
        ctx = tuple(context)[len(context) - (self.order - 1) :] if self.order > 1 else ()
        stream = np.array(self._encode([*ctx, word]), dtype=np.int64)
        windows = self._windows(stream, np.arange(len(stream), dtype=np.int64), len(stream))
        return float(self._probabilities(windows, np.array([len(stream) - 1]), len(stream))[0])

    def logprobs(self, sentences: Sequence[Sequence[str]]) -> list[float]:
        """Natural-log probability of each whole sentence, end marker included: one pass over all of them."""
        if not sentences:
            return []
        stream, offset = self._stream([self._encode(s) for s in sentences])
        at = np.flatnonzero(offset >= self.order - 1)
        logs = [
            math.log(p) for p in self._probabilities(self._windows(stream, offset, self.order), at, self.order).tolist()
        ]
        ends = np.cumsum([len(s) + 1 for s in sentences]).tolist()
        return [sum(logs[a:b]) for a, b in zip([0, *ends[:-1]], ends, strict=True)]  # left to right, as always

    def logprob(self, tokens: Sequence[str]) -> float:
        """Natural-log probability of the whole sentence, end marker included."""
        return self.logprobs([tokens])[0]

    def scores(self, sentences: Sequence[Sequence[str]]) -> list[float]:
        """:meth:`score` of each sentence, in one pass."""
        return [lp / (len(s) + 1) for lp, s in zip(self.logprobs(sentences), sentences, strict=True)]

    def score(self, tokens: Sequence[str]) -> float:
        """Mean log-probability per predicted token (see the module docstring for why the mean)."""
        return self.scores([tokens])[0]
