"""load_causal_lm: a folder loads in eval mode and scores as the model in memory does; everything that is not
what was asked fails in one line (missing path, wrong file type, a tokenizer that is not the model's)."""

from __future__ import annotations

import numpy as np
import pytest

from snare.errors import WeightsUnavailableError
from snare.textmodels.causal_lm import CausalLM
from snare.textmodels.load import check_loaded, load_causal_lm
from tests.textmodels import tiny_lm


def test_a_saved_folder_loads_and_scores_as_in_memory(tmp_path):
    folder = tiny_lm.save(tmp_path / "lm")
    lm = load_causal_lm(folder)
    assert not lm.model.training
    texts = ["a man riding a horse", "the dog on the beach"]
    fresh = CausalLM(tiny_lm.model(len(tiny_lm.tokenizer())), tiny_lm.tokenizer())
    assert np.allclose(lm.score(texts), fresh.score(texts), atol=1e-5)
    assert lm.describe()["prefix_token"] == "<s>"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "nowhere", "not found"),
        (lambda p: (p / "weights.bin").write_bytes(b"x") and p / "weights.bin", "not a .gguf file"),
        (lambda p: (p / "empty").mkdir() or p / "empty", "could not be loaded"),
    ],
)
def test_bad_paths_are_one_line_errors(tmp_path, make, message):
    with pytest.raises(WeightsUnavailableError, match=message) as info:
        load_causal_lm(make(tmp_path))
    assert "\n" not in str(info.value)


def test_a_tokenizer_far_smaller_than_the_vocabulary_is_refused(tmp_path):
    folder = tiny_lm.save(tmp_path / "lm", vocab_size=200)
    with pytest.raises(WeightsUnavailableError, match="is not this model's"):
        load_causal_lm(folder)


def test_a_tokenizer_larger_than_the_vocabulary_is_refused():
    tok = tiny_lm.tokenizer()
    with pytest.raises(WeightsUnavailableError, match="is not this model's"):
        check_loaded(tiny_lm.model(len(tok) - 1), tok, "m")


def test_a_tokenizer_that_maps_words_to_unknown_is_refused():
    words = [f"w{i}" for i in range(len(tiny_lm.WORDS))]  # same size, none of the words of a caption
    tok = tiny_lm.tokenizer(words=words)
    with pytest.raises(WeightsUnavailableError, match="unknown token"):
        check_loaded(tiny_lm.model(len(tok)), tok, "m")


def test_a_head_that_disagrees_with_the_config_is_refused():
    tok = tiny_lm.tokenizer()
    model = tiny_lm.model(len(tok))
    model.config.vocab_size = len(tok) + 5
    with pytest.raises(WeightsUnavailableError, match="do not belong together"):
        check_loaded(model, tok, "m")


def test_a_model_without_a_language_model_head_is_refused():
    from transformers import LlamaModel

    tok = tiny_lm.tokenizer()
    with pytest.raises(WeightsUnavailableError, match="not a causal language model"):
        check_loaded(LlamaModel(tiny_lm.model(len(tok)).config), tok, "m")
