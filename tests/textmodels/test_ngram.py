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


def test_remembered_probabilities_are_the_computed_ones_and_are_forgotten_when_the_counts_change():
    lm = KneserNey(3).fit([["a", "dog", "runs"], ["a", "cat", "runs"]])
    first = lm.prob("runs", ["a", "dog"])
    assert first == lm._prob("runs", ("a", "dog"), 3) and lm.prob("runs", ["a", "dog"]) == first
    lm.fit([["a", "dog", "sleeps"], ["a", "dog", "sleeps"]])  # more counts: the old value no longer holds
    assert lm.prob("runs", ["a", "dog"]) == lm._prob("runs", ("a", "dog"), 3) != first


def test_caption_words_are_a_fresh_list_each_call():
    first = words("A Dog, running.")
    first.append("x")
    assert words("A Dog, running.") == ["a", "dog", ",", "running"]
