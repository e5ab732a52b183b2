"""CLIP's text tower cut to the captions' length: same embeddings as open_clip's padded ``encode_text``."""

from types import SimpleNamespace

import numpy as np

from snare.adapters import clip_text
from snare.adapters.clip import OpenClip

CAPTIONS = [
    "a dog",
    "the red circle is to the left of the blue square",
    "square blue the of left to the is circle red the",
    "two people walking on a beach with surfboards under their arms at sunset",
]


def test_trimmed_text_tower_equals_the_padded_one_and_runs_on_fewer_positions(clip_random):
    import torch

    model, tokens = clip_random.model, clip_random.tokenizer(CAPTIONS)
    seen = []
    hook = model.transformer.register_forward_pre_hook(
        lambda module, args, kwargs: seen.append(args[0].shape[1]), with_kwargs=True
    )
    try:
        with torch.inference_mode():
            cut = clip_text.encode_text_trimmed(model, tokens).numpy()
            full = model.encode_text(tokens).numpy()
    finally:
        hook.remove()
    longest = int((tokens != 0).sum(dim=1).max())  # start, words, end-of-text
    assert seen == [longest, tokens.shape[1]] and longest < 20 < tokens.shape[1] == 77
    np.testing.assert_allclose(cut, full, rtol=0, atol=1e-5 * np.abs(full).max())


def test_adapter_uses_the_trimmed_tower_and_records_it(clip_random):
    assert clip_random.text_trimmed and clip_random.preprocessing()["text_padding"] == "trimmed"
    trimmed = clip_random.embed_texts(CAPTIONS)
    clip_random.text_trimmed = False
    try:
        padded = clip_random.embed_texts(CAPTIONS)
    finally:
        clip_random.text_trimmed = True
    np.testing.assert_allclose(trimmed, padded, rtol=0, atol=1e-5 * np.abs(padded).max())


def test_towers_it_does_not_know_are_left_alone(clip_random):
    import torch

    model = clip_random.model
    assert clip_text.can_trim(model)
    assert not clip_text.can_trim(SimpleNamespace(text=object()))  # a CustomTextCLIP-style tower
    last = SimpleNamespace(**{p: getattr(model, p) for p in clip_text._PARTS}, text_pool_type="last")
    assert not clip_text.can_trim(last)  # read at the last position: cutting would move it
    bidirectional = SimpleNamespace(**{p: getattr(model, p) for p in clip_text._PARTS}, text_pool_type="argmax")
    bidirectional.attn_mask = torch.zeros_like(model.attn_mask)
    assert not clip_text.can_trim(bidirectional)  # every position sees the padding


def test_a_disagreeing_check_falls_back_to_the_padded_tower(monkeypatch):
    monkeypatch.setattr(clip_text, "trimming_agrees", lambda *args, **kwargs: False)
    adapter = OpenClip("random", seed=1)
    adapter.ensure_loaded()
    assert adapter.text_trimmed is False and adapter.preprocessing()["text_padding"] == "full"
