"""Prefix reuse scores equal the unshared forward (every architecture and score, batch 1 and 8); the cache's cap."""

import numpy as np
import pytest

from snare.adapters.vlm import prefix as px
from snare.adapters.vlm.scoring import Encoded
from snare.adapters.vlm.tiny import ARCHS
from snare.testing import sample_images
from tests.adapters.vlm.test_scoring import TEXTS

SCORES = ("yesno", "vqascore", "likelihood")
SHARPEN = 8.0  # random weights scaled up: a position one off moves scores by > 1e-3 (by ~1e-5 unscaled)


def _sharp(arch, score, **options):
    """A tiny random model whose weights (norms aside) are scaled up, so wrong positions or masks show."""
    import torch

    from snare.adapters.vlm.adapter import Vlm

    adapter = Vlm("random", arch=arch, score=score, seed=3, **options)
    adapter.ensure_loaded()
    with torch.no_grad():
        for name, param in adapter.model.named_parameters():
            if "norm" not in name:
                param.mul_(SHARPEN)
    return adapter


@pytest.fixture(scope="module", params=[(a, s) for a in ARCHS for s in SCORES], ids=lambda p: f"{p[0]}-{p[1]}")
def sharp(request):
    return _sharp(*request.param)


def _inputs(adapter):
    images = sample_images()  # four sizes: Qwen2-VL prefixes of different lengths share one batch
    states = adapter.encode_images(images)
    return [images[i % 4] for i in range(len(TEXTS))], [states[i % 4] for i in range(len(TEXTS))]


def test_shared_prefix_scores_equal_the_unshared_forward_at_batch_8_and_1(sharp):
    images, states = _inputs(sharp)
    unshared = sharp.score_pairs(images, TEXTS)
    batched = sharp.score_encoded(states, TEXTS)
    single = np.array([sharp.score_encoded([s], [t])[0] for s, t in zip(states, TEXTS, strict=True)])
    np.testing.assert_allclose(batched, unshared, atol=1e-4, rtol=0)
    np.testing.assert_allclose(single, unshared, atol=1e-4, rtol=0)
    cache = sharp.prefix_cache
    if sharp.model_type == "paligemma" and sharp.score != "likelihood":
        assert not sharp.shares_prefixes and "bidirectional" in sharp.unshared_reason
        assert cache.computed == 0
        return
    assert cache.computed == 4 and cache.reused > 0  # four images, each prefix run once
    assert cache.continuation_tokens < cache.unshared_tokens  # every row went through the shared path
    assert 0.2 < cache.share() < 1


@pytest.mark.parametrize("arch", ARCHS)
def test_a_position_one_off_is_caught_at_the_tolerance(arch, monkeypatch):
    """The equality test can fail: continuations one position late drift far beyond 1e-4."""
    adapter = _sharp(arch, "likelihood")
    images, states = _inputs(adapter)
    compute = px.compute_prefix

    def late(*args, **kwargs):
        prefix = compute(*args, **kwargs)
        prefix.offset += 1
        return prefix

    monkeypatch.setattr(px, "compute_prefix", late)
    drift = np.abs(adapter.score_encoded(states, TEXTS) - adapter.score_pairs(images, TEXTS)).max()
    assert drift > 1e-3


def test_the_engine_computes_each_images_prefix_once_even_with_a_cap_of_one():
    from snare.engine.runner import score_items
    from snare.probes.synthetic import synthetic_probeset

    probes = synthetic_probeset().subset(limit=2)
    adapter = _sharp("llava", "yesno")
    adapter.prefix_cache = px.PrefixCache(cap=1)
    scores = score_items(adapter, probes, batch_size=8)
    adapter.share_prefixes = False  # the unshared forward over the same precomputed image features
    reference = score_items(adapter, probes, batch_size=8)
    n_images = len({it.image.key for it in probes.items})
    assert adapter.prefix_cache.computed == n_images < sum(len(it.options) for it in probes.items)
    assert len(adapter.prefix_cache.entries) == 1
    for key, value in scores.items():
        np.testing.assert_allclose(value, reference[key], atol=1e-4, rtol=0)


def _prefix(ids, image_end=1):
    return px.Prefix(list(ids), {}, [], 0, image_end, None)


def test_the_cache_keeps_at_most_cap_prefixes_and_drops_the_oldest_first():
    cache = px.PrefixCache(cap=2)
    states = [object() for _ in range(4)]
    made = []

    def compute(state):
        made.append(states.index(state))
        return _prefix([states.index(state)])

    cache.fetch([states[0], states[0], states[1]], "q", compute)
    cache.fetch([states[1], states[2]], "q", compute)  # 1 reused; 2 computed, 0 dropped
    cache.fetch([states[0]], "q", compute)  # 0 was dropped: computed again
    cache.fetch([states[2]], "other template", compute)
    assert made == [0, 1, 2, 0, 2]
    assert (cache.computed, cache.reused, cache.evicted) == (5, 1, 3)
    assert [key[1] for key in cache.entries] == ["q", "other template"]
    assert [entry[1].ids for entry in cache.entries.values()] == [[0], [2]]
    with pytest.raises(ValueError):
        px.PrefixCache(cap=0)


def test_shared_length_is_the_common_prefix_and_refuses_what_cannot_be_shared():
    prefix = _prefix([1, 9, 9, 5, 6], image_end=3)
    assert px.shared_length(Encoded([1, 9, 9, 5, 6, 7, 8], 7), prefix, whole=False) == 5
    assert px.shared_length(Encoded([1, 9, 9, 5, 4, 7], 6), prefix, whole=False) == 4  # a token merged across
    assert px.shared_length(Encoded([1, 9, 4, 5, 6, 7], 6), prefix, whole=False) is None  # image tokens differ
    assert px.shared_length(Encoded([1, 9, 9, 5, 6], 5), prefix, whole=False) == 4  # one token left to read
    assert px.shared_length(Encoded([1, 9, 9, 5, 6, 7], 5), prefix, whole=True) == 5
    assert px.shared_length(Encoded([1, 9, 9, 5, 6, 7], 4), prefix, whole=True) is None  # caption inside prefix


def test_shareable_names_why_paligemma_yesno_keeps_the_unshared_forward():
    assert px.shareable("llava", "yesno") == (True, "")
    assert px.shareable("paligemma", "likelihood") == (True, "")
    ok, reason = px.shareable("paligemma", "yesno")
    assert not ok and "bidirectional" in reason
    assert not px.shareable("idefics3", "yesno")[0]


def test_rows_that_cannot_share_run_the_unshared_forward_in_the_same_batch(monkeypatch):
    adapter = _sharp("qwen2-vl", "likelihood")
    images, states = _inputs(adapter)
    decide = px.shared_length
    calls = []

    def every_other(row, prefix, *, whole):
        calls.append(1)
        return None if len(calls) % 2 else decide(row, prefix, whole=whole)

    monkeypatch.setattr(px, "shared_length", every_other)
    mixed = adapter.score_encoded(states, TEXTS)
    np.testing.assert_allclose(mixed, adapter.score_pairs(images, TEXTS), atol=1e-4, rtol=0)
    assert adapter.prefix_cache.unshared_tokens > 0  # half the rows did share
