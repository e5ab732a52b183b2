"""A word n-gram language model with interpolated Kneser-Ney smoothing: the blind (text-only) baseline.

Small and exact: counts in dictionaries, discounts estimated per order from count-of-counts (Ney et al. 1994:
``D = n1 / (n1 + 2 n2)``, or 0.75 when no n-gram of that order occurs once), lower orders built from
continuation counts, the unigram level interpolated with a uniform distribution over the vocabulary plus one
unknown word, so every sentence has a finite probability.
nltk.lm computes the same quantity but is orders of magnitude slower per query.

:meth:`KneserNey.score` is the **mean** log-probability per predicted token (words and the end marker). Options
of one item often differ in length (SNARE's "respectively" and "and" options), and a summed log-probability
favours the shortest option whatever it says; the mean compares how fluent each option is. Whether the intended
option is systematically longer or shorter is measured separately by the audit.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

BOS, EOS = "<s>", "</s>"


class KneserNey:
    """Interpolated Kneser-Ney n-gram model over word tokens."""

    def __init__(self, order: int = 3) -> None:
        if order < 1:
            raise ValueError("order must be at least 1")
        self.order = order
        self.vocab: set[str] = set()
        self.n_sentences = 0
        self.n_tokens = 0
        # level k (1..order) -> context tuple of length k-1 -> word -> count (raw at the top, continuation below)
        self._counts: list[dict[tuple[str, ...], Counter[str]]] = [defaultdict(Counter) for _ in range(order + 1)]
        self._discount: list[float] = [0.0] * (order + 1)
        self._totals: list[dict[tuple[str, ...], int]] = [{} for _ in range(order + 1)]
        # (word, context) -> probability: a balanced build asks the same n-grams again and again (a swap shares most
        # of its caption's); cleared whenever the counts change, so a cached value is the computed one
        self._memo: dict[tuple[str, tuple[str, ...]], float] = {}

    def fit(self, sentences: Iterable[Sequence[str]]) -> KneserNey:
        """Count the n-grams of tokenised ``sentences``; returns ``self``."""
        top = self._counts[self.order]
        for sentence in sentences:
            padded = [BOS] * (self.order - 1) + list(sentence) + [EOS]
            self.vocab.update(sentence)
            self.n_sentences += 1
            self.n_tokens += len(sentence) + 1
            for i in range(self.order - 1, len(padded)):
                top[tuple(padded[i - self.order + 1 : i])][padded[i]] += 1
        self.vocab.add(EOS)
        # Continuation counts: how many distinct words precede each lower-order n-gram.
        for k in range(self.order - 1, 0, -1):
            for ctx, following in self._counts[k + 1].items():
                for word in following:
                    self._counts[k][ctx[1:]][word] += 1
        for k in range(1, self.order + 1):
            freq = Counter(c for following in self._counts[k].values() for c in following.values())
            n1, n2 = freq.get(1, 0), freq.get(2, 0)
            # Without singletons the estimate is 0, leaving no mass for unseen words: use the customary 0.75.
            self._discount[k] = n1 / (n1 + 2 * n2) if n1 > 0 else 0.75
            self._totals[k] = {ctx: sum(following.values()) for ctx, following in self._counts[k].items()}
        self._memo.clear()
        return self

    def prob(self, word: str, context: Sequence[str]) -> float:
        """P(word | the last order-1 tokens of context)."""
        ctx = tuple(context)[len(context) - (self.order - 1) :] if self.order > 1 else ()
        key = (word, ctx)
        value = self._memo.get(key)
        if value is None:
            value = self._memo[key] = self._prob(word, ctx, len(ctx) + 1)
        return value

    def _prob(self, word: str, ctx: tuple[str, ...], level: int) -> float:
        if level == 0:
            return 1.0 / (len(self.vocab) + 1)  # uniform over the vocabulary and one unknown word
        lower = self._prob(word, ctx[1:], level - 1)
        following = self._counts[level].get(ctx)
        if not following:
            return lower
        total = self._totals[level][ctx]
        d = self._discount[level]
        return max(following.get(word, 0) - d, 0.0) / total + d * len(following) / total * lower

    def logprob(self, tokens: Sequence[str]) -> float:
        """Natural-log probability of the whole sentence, end marker included."""
        padded = [BOS] * (self.order - 1) + list(tokens) + [EOS]
        return sum(
            math.log(self.prob(padded[i], padded[i - self.order + 1 : i])) for i in range(self.order - 1, len(padded))
        )

    def score(self, tokens: Sequence[str]) -> float:
        """Mean log-probability per predicted token (see the module docstring for why the mean)."""
        return self.logprob(tokens) / (len(tokens) + 1)
