"""Family declarations: every declared class resolves, and the special-token layout is read off the real ids."""

from __future__ import annotations

import pytest

from snare.adapters.blip import BLIP
from snare.adapters.blip2 import BLIP2
from snare.adapters.blip2_yesno import BLIP2_LM
from snare.adapters.flava import FLAVA
from snare.adapters.hf_family import _symbol, token_layout
from tests.adapters.hf_helpers import bert_vocab


@pytest.mark.parametrize("family", [BLIP, FLAVA, BLIP2, BLIP2_LM], ids=lambda f: f.model_class.split(":")[1])
def test_each_family_declares_classes_that_exist_and_a_tiny_config_of_its_own_type(family):
    model_cls, config_cls = _symbol(family.model_class), _symbol(family.config_class)
    assert model_cls.config_class is config_cls
    tiny = family.tiny_config()
    assert tiny.model_type in family.model_types
    for dotted in (family.image_size, family.vocab_size):
        value = tiny
        for part in dotted.split("."):
            value = getattr(value, part)
        assert isinstance(value, int) and value > 0
    assert _symbol(family.image_processor).__name__.endswith("ImageProcessorPil")
    if family.original_checkpoint:
        assert callable(_symbol(family.original_checkpoint))


def test_token_layout_shows_the_special_tokens_the_encoder_is_fed():
    from transformers import BertTokenizer

    words = bert_vocab().read_text(encoding="utf-8").splitlines()
    tok = BertTokenizer(vocab={w: i for i, w in enumerate(words)}, do_lower_case=True)
    assert token_layout(lambda texts: tok(texts)["input_ids"], tok) == "[CLS] {caption} [SEP]"
    bare = token_layout(
        lambda texts: [[tok.cls_token_id, *tok(t, add_special_tokens=False)["input_ids"]] for t in texts], tok
    )
    assert bare == "[CLS] {caption}"
    assert token_layout(lambda texts: [[tok.mask_token_id]], tok) == "[MASK]"  # caption not visible: shown whole
