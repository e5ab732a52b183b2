"""CausalLM on tiny random Llamas: log-probabilities as a hand-computed forward gives them, batch and padding
invariance, one prefix token (BOS, else EOS, never doubled), each unique text scored once."""

from __future__ import annotations

import numpy as np
import pytest

from snare.errors import WeightsUnavailableError
from snare.textmodels.causal_lm import CausalLM, prefix_token
from tests.textmodels import tiny_lm

TEXTS = [
    "a man riding a horse on the beach",
    "the dog",
    "a red dog is not holding the blue horse and a woman",
    "beach",
    "a woman holding a dog in the street",
    "the horse is riding a man",
    "man",
    "a blue horse on a red street",
    "a dog",
]


@pytest.fixture(scope="module")
def lm():
    tok = tiny_lm.tokenizer()
    return CausalLM(tiny_lm.model(len(tok)), tok)


def _by_hand(lm: CausalLM, text: str) -> tuple[float, int]:
    """One text alone, no padding: sum over its tokens of log softmax(logits at the previous position)."""
    import torch

    ids = [lm.tokenizer.bos_token_id, *lm.tokenizer(text, add_special_tokens=False)["input_ids"]]
    with torch.no_grad():
        logits = lm.model(torch.tensor([ids])).logits[0].double()
    logp = logits.log_softmax(-1)
    return float(sum(logp[i - 1, ids[i]] for i in range(1, len(ids)))), len(ids) - 1


def test_log_probabilities_match_a_forward_by_hand(lm):
    total, count = lm.logprobs(TEXTS)
    for text, t, n in zip(TEXTS, total, count, strict=True):
        expected, tokens = _by_hand(lm, text)
        assert n == tokens == len(text.split())  # every word predicted, the first one included
        assert t == pytest.approx(expected, abs=1e-4)
    assert np.allclose(lm.score(TEXTS), total / count, atol=1e-6)
    assert np.array_equal(lm.score(TEXTS, "total"), total)
    assert np.all(total < 0)


@pytest.mark.parametrize("side", ["right", "left"])
def test_scores_do_not_depend_on_batch_size_or_padding(lm, side):
    one = CausalLM(lm.model, lm.tokenizer, batch_size=1).score(TEXTS)
    eight = CausalLM(lm.model, lm.tokenizer, batch_size=8, padding_side=side).score(TEXTS)
    shuffled = CausalLM(lm.model, lm.tokenizer, batch_size=8, padding_side=side).score(TEXTS[::-1])[::-1]
    assert np.allclose(one, eight, atol=1e-5) and np.allclose(one, shuffled, atol=1e-5)
    assert len(set(np.round(one, 6))) == len(TEXTS)  # distinct texts, distinct scores: the check can fail


def test_each_unique_text_is_scored_once(lm, monkeypatch):
    seen: list[list[int]] = []
    original = lm._batch

    def counting(seqs):
        seen.extend(seqs)
        return original(seqs)

    monkeypatch.setattr(lm, "_batch", counting)
    scores = lm.score(TEXTS + TEXTS[:3])
    assert len(seen) == len(TEXTS)
    assert np.array_equal(scores[-3:], scores[:3])
    widths = [len(s) for s in seen]
    assert widths == sorted(widths)  # length buckets: batches run from the shortest texts to the longest


def test_bos_is_prepended_once_even_when_the_tokenizer_adds_it():
    adds = tiny_lm.tokenizer(adds_bos=True)
    assert adds("a dog")["input_ids"][0] == adds.bos_token_id  # the tokenizer would put one itself
    lm = CausalLM(tiny_lm.model(len(adds)), adds)
    ids = lm.token_ids("a dog")
    assert ids == [adds.bos_token_id, *adds("a dog", add_special_tokens=False)["input_ids"]]
    assert ids.count(adds.bos_token_id) == 1
    plain = CausalLM(lm.model, tiny_lm.tokenizer())
    assert np.allclose(lm.score(TEXTS), plain.score(TEXTS))


def test_without_a_bos_the_eos_comes_first_and_the_first_word_still_counts():
    tok = tiny_lm.tokenizer(bos=False)
    assert tok.bos_token_id is None
    lm = CausalLM(tiny_lm.model(len(tok)), tok)
    assert lm.token_ids("a dog")[0] == tok.eos_token_id
    assert list(lm.logprobs(["a dog"])[1]) == [2]


def test_a_tokenizer_without_bos_or_eos_is_refused():
    class Bare:
        bos_token_id = eos_token_id = None

    with pytest.raises(WeightsUnavailableError, match="neither a BOS nor an EOS"):
        prefix_token(Bare(), "m")


def test_long_texts_are_cut_to_the_context(lm):
    short = CausalLM(tiny_lm.model(len(lm.tokenizer), max_positions=8), lm.tokenizer)
    total, count = short.logprobs([" ".join(["a dog"] * 20)])
    assert count[0] == 7 and np.isfinite(total[0])
