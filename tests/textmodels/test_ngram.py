"""The blind n-gram model: a proper distribution, Kneser-Ney by hand on a toy corpus, fluent beats shuffled."""

import math

import pytest

from snare.textmodels.caption_words import words
from snare.textmodels.ngram import EOS, KneserNey

CORPUS = [
    "a red circle is on a blue square",
    "a green square is below a red circle",
    "there is a blue triangle to the left of a red diamond",
    "a small red circle is to the right of a large blue square",
]


@pytest.fixture(scope="module")
def lm():
    return KneserNey(3).fit(words(c) for c in CORPUS)


@pytest.mark.parametrize("context", [[], ["a"], ["is", "on"], ["zebra", "striped"], ["<s>", "<s>"]])
def test_validity_ngram_probabilities_sum_to_one(lm, context):
    total = sum(lm.prob(w, context) for w in lm.vocab) + lm.prob("never-seen-word", context)
    assert total == pytest.approx(1.0, abs=1e-12)


def test_validity_ngram_bigram_matches_hand_computed_kneser_ney():
    lm = KneserNey(2).fit([["a", "b"], ["a", "c"], ["b", "c"]])
    # bigram counts: <s>->a 2, <s>->b 1, a->b 1, a->c 1, b->c 1, b->EOS 1, c->EOS 2: n1=5, n2=2, D2 = 5/9
    d2 = 5 / 9
    # unigram continuation counts (distinct left neighbours): a 1, b 2, c 2, EOS 2: total 7, n1=1, n2=3, D1 = 1/7
    d1 = 1 / 7
    uniform = 1 / (len({"a", "b", "c", EOS}) + 1)
    p_uni_c = (2 - d1) / 7 + d1 * 4 / 7 * uniform
    p_a_c = (1 - d2) / 2 + d2 * 2 / 2 * p_uni_c
    assert lm.prob("c", ["a"]) == pytest.approx(p_a_c, rel=1e-12)


def test_validity_ngram_prefers_fluent_order_and_stays_finite_on_unknown_words(lm):
    fluent = words("a red circle is on a blue square")
    shuffled = words("circle on a is square red a blue")
    assert lm.score(fluent) > lm.score(shuffled)
    unknown = lm.score(words("a purple zebra is on a spotted giraffe"))
    assert math.isfinite(unknown) and unknown < lm.score(fluent)
    assert lm.logprob(fluent) == pytest.approx(lm.score(fluent) * (len(fluent) + 1))


def test_validity_ngram_without_singletons_keeps_mass_for_unseen_words():
    lm = KneserNey(3).fit([["the", "dog", "runs"]] * 2 + [["the", "cat", "runs"]] * 2)
    assert 0 < lm.prob("sleeps", ["dog", "runs"]) < lm.prob("runs", ["the", "dog"])
    assert math.isfinite(lm.score(["the", "dog", "sleeps"]))


def _scalar_kneser_ney(sentences, order):
    """The textbook per-token computation with dictionaries, as the model computed it before it was vectorised:
    a probability function of (word, context)."""
    from collections import Counter, defaultdict

    counts = [defaultdict(Counter) for _ in range(order + 1)]
    vocab = {EOS}
    for s in sentences:
        padded = ["<s>"] * (order - 1) + list(s) + [EOS]
        vocab.update(s)
        for i in range(order - 1, len(padded)):
            counts[order][tuple(padded[i - order + 1 : i])][padded[i]] += 1
    for k in range(order - 1, 0, -1):
        for ctx, following in counts[k + 1].items():
            for word in following:
                counts[k][ctx[1:]][word] += 1
    discount = [0.0] * (order + 1)
    for k in range(1, order + 1):
        freq = Counter(c for following in counts[k].values() for c in following.values())
        discount[k] = freq[1] / (freq[1] + 2 * freq[2]) if freq[1] else 0.75

    def prob(word, ctx, level):
        if level == 0:
            return 1.0 / (len(vocab) + 1)
        lower = prob(word, ctx[1:], level - 1)
        following = counts[level].get(ctx)
        if not following:
            return lower
        total, d = sum(following.values()), discount[level]
        return max(following.get(word, 0) - d, 0.0) / total + d * len(following) / total * lower

    return prob


@pytest.mark.parametrize("order", [1, 2, 3, 4, 5])
def test_vectorised_scores_are_bit_for_bit_the_per_token_computation(order):
    import random

    rng = random.Random(order)
    pool = ["a", "man", "dog", "red", "is", "on", "the", "bench", ",", "riding", "not"]
    corpus = [[rng.choice(pool) for _ in range(rng.randint(0, 9))] for _ in range(300)]
    lm, prob = KneserNey(order).fit(corpus), _scalar_kneser_ney(corpus, order)
    queries = [[rng.choice([*pool, "zebra", "<s>"]) for _ in range(rng.randint(0, 12))] for _ in range(200)]
    expected = []
    for q in queries:
        padded = ["<s>"] * (order - 1) + q + [EOS]
        steps = [prob(padded[i], tuple(padded[i - order + 1 : i]), order) for i in range(order - 1, len(padded))]
        expected.append(sum(math.log(p) for p in steps) / (len(q) + 1))
    assert lm.scores(queries) == expected  # exact: the same IEEE operations in the same order
    assert [lm.score(q) for q in queries[:20]] == expected[:20]
    context = ("a",) if order > 1 else ()  # a context shorter than order - 1 asks a lower level
    assert lm.prob("man", ["a"]) == prob("man", context, len(context) + 1)


def test_a_second_fit_counts_both_corpora():
    twice = KneserNey(3).fit([["a", "dog", "runs"], ["a", "cat", "runs"]])
    before = twice.prob("runs", ["a", "dog"])
    twice.fit([["a", "dog", "sleeps"], ["a", "dog", "sleeps"]])
    once = KneserNey(3).fit(
        [["a", "dog", "runs"], ["a", "cat", "runs"], ["a", "dog", "sleeps"], ["a", "dog", "sleeps"]]
    )
    assert twice.prob("runs", ["a", "dog"]) == once.prob("runs", ["a", "dog"]) != before
    assert twice.scores([["a", "dog"], []]) == once.scores([["a", "dog"], []])
    # nothing fitted: every token, the end marker included, is one of two (the end marker, the unknown word)
    assert KneserNey(3).fit([]).scores([["a", "dog"], []]) == [math.log(0.5)] * 2


def test_caption_words_are_a_fresh_list_each_call():
    first = words("A Dog, running.")
    first.append("x")
    assert words("A Dog, running.") == ["a", "dog", ",", "running"]
