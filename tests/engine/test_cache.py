"""The score cache: hits, misses, invalidation, resume after a crash, corrupt entries, concurrent writers."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from snare.engine.cache import CacheWarning, ScoreCache, default_root
from snare.engine.evaluate import evaluate
from snare.engine.runner import EngineStats, score_items
from snare.probes.synthetic import synthetic_probeset
from tests.engine.tiny_models import TinyDual, TinyPair


@pytest.fixture(scope="module")
def probes():
    return synthetic_probeset(n_scenes=4)


def _loaded(cls, weights: str = "random", **kwargs):
    adapter = cls(weights, **kwargs)
    adapter.ensure_loaded()
    return adapter


def _score(adapter, probes, root: Path, **kwargs):
    stats = EngineStats()
    cache = ScoreCache(adapter.cache_identity(), root=root)
    return score_items(adapter, probes, cache=cache, stats=stats, **kwargs), stats, cache


def test_default_root_honours_snare_cache_then_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("SNARE_CACHE", str(tmp_path / "explicit"))
    assert default_root() == tmp_path / "explicit"
    monkeypatch.delenv("SNARE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_root() == tmp_path / "xdg" / "snare"


@pytest.mark.parametrize("cls", [TinyDual, TinyPair])
def test_second_run_is_served_from_the_cache(probes, tmp_path, cls):
    first, stats1, _ = _score(_loaded(cls), probes, tmp_path)
    assert sum(stats1.computed.values()) > 0 and sum(stats1.cached.values()) == 0
    adapter = _loaded(cls)
    second, stats2, _ = _score(adapter, probes, tmp_path, batch_size=5)
    assert stats2.computed == {} and adapter.counts == {"images": 0, "texts": 0, "pairs": 0}
    for key in first:
        np.testing.assert_array_equal(first[key], second[key])


def test_new_items_miss_and_only_they_are_computed(probes, tmp_path):
    small = probes.subset(limit=2)
    _score(_loaded(TinyDual), small, tmp_path)
    adapter = _loaded(TinyDual)
    _, stats, _ = _score(adapter, probes, tmp_path)
    n_images = len({it.image.key for it in probes})
    assert stats.cached["images"] == len({it.image.key for it in small})
    assert adapter.counts["images"] == n_images - stats.cached["images"] > 0


def test_changed_weights_seed_dtype_or_options_get_their_own_entries(probes, tmp_path):
    adapter = _loaded(TinyDual)
    path = str(tmp_path / "w.safetensors")
    adapter.save(path)
    from_file = _loaded(TinyDual, path)
    _, stats, cache = _score(from_file, probes, tmp_path / "c")
    assert stats.cached == {"images": 0, "texts": 0}
    # same file content: hit; new content at the same path: the weights hash changes, so a miss
    assert _score(_loaded(TinyDual, path), probes, tmp_path / "c")[1].computed == {}
    import torch

    with torch.no_grad():
        from_file.model["text"].weight.add_(1.0)
    from_file.save(path)
    changed = _loaded(TinyDual, path)
    _, stats, cache2 = _score(changed, probes, tmp_path / "c")
    assert cache2.folder != cache.folder and stats.cached == {"images": 0, "texts": 0}
    identities = {
        ScoreCache(_loaded(TinyDual, seed=1).cache_identity()).folder,
        ScoreCache(_loaded(TinyDual, dtype="bfloat16").cache_identity()).folder,
        ScoreCache(_loaded(TinyDual, variant="x").cache_identity()).folder,
        ScoreCache(_loaded(TinyDual).cache_identity()).folder,
    }
    assert len(identities) == 4


class _Crash(Exception):
    pass


def test_interrupted_run_resumes_from_the_batches_it_finished(probes, tmp_path):
    crashing = _loaded(TinyPair)
    original = crashing.score_encoded
    calls = {"n": 0}

    def crash_after_three(encoded, texts):
        calls["n"] += 1
        if calls["n"] > 3:
            raise _Crash("simulated crash")
        return original(encoded, texts)

    crashing.score_encoded = crash_after_three
    with pytest.raises(_Crash):
        _score(crashing, probes, tmp_path, batch_size=4)
    resumed = _loaded(TinyPair)
    scores, stats, _ = _score(resumed, probes, tmp_path, batch_size=4)
    assert stats.cached["pairs"] == 12  # three finished batches of four
    total = len({(it.image.key, o) for it in probes for o in it.options})
    assert resumed.counts["pairs"] == total - 12
    fresh = score_items(_loaded(TinyPair), probes)
    for key in fresh:
        np.testing.assert_allclose(scores[key], fresh[key], atol=1e-6)
    assert not list(tmp_path.rglob("*.tmp")), "no half-written entries"


def test_corrupt_entry_is_discarded_with_one_warning_and_recomputed(probes, tmp_path):
    first, _, cache = _score(_loaded(TinyDual), probes, tmp_path, batch_size=2)
    shards = sorted(cache.folder.rglob("*.safetensors"))
    assert len(shards) > 3
    shards[0].write_bytes(b"\x00garbage")
    shards[1].write_bytes(shards[1].read_bytes()[:-7])  # truncated, as after a crash without atomic writes
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        adapter = _loaded(TinyDual)
        again, stats, cache = _score(adapter, probes, tmp_path, batch_size=2)
    assert len([w for w in caught if issubclass(w.category, CacheWarning)]) == 1
    assert len(cache.discarded) == 2 and shards[0].read_bytes() != b"\x00garbage"  # rewritten whole
    assert 0 < sum(stats.computed.values()) <= 4
    for key in first:
        np.testing.assert_allclose(again[key], first[key], atol=1e-6)


def _write_shards(args: tuple[str, int]) -> int:
    root, worker = args
    cache = ScoreCache({"name": "race"}, root=root)
    for i in range(40):
        keys = [f"k{j}" for j in range(i, i + 5)]
        cache.put("texts", keys, np.arange(i, i + 5, dtype=np.float32)[:, None])
    cache.compact(min_shards=2)
    return worker


def test_two_processes_writing_and_compacting_at_once_leave_a_readable_cache(tmp_path):
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(2) as pool:
        assert sorted(pool.map(_write_shards, [(str(tmp_path), 0), (str(tmp_path), 1)])) == [0, 1]
    cache = ScoreCache({"name": "race"}, root=tmp_path)
    rows = cache.get("texts", [f"k{j}" for j in range(44)])
    assert len(rows) == 44 and cache.discarded == []
    assert len(list((cache.folder / "texts").glob("*.safetensors"))) <= 3


def test_evaluate_uses_the_cache_only_when_asked(probes, tmp_path, monkeypatch):
    monkeypatch.setenv("SNARE_CACHE", str(tmp_path / "env"))
    assert evaluate(_loaded(TinyDual), probes).record.engine["cache"] is None
    assert not (tmp_path / "env").exists()
    record = evaluate(_loaded(TinyDual), probes, cache=True).record.engine
    assert record["cache"].startswith(str(tmp_path / "env"))
    assert evaluate(_loaded(TinyDual), probes, cache=True).record.engine["computed"] == {}


def test_an_existing_folder_reopens_with_its_identity(probes, tmp_path):
    _, _, cache = _score(_loaded(TinyDual), probes, tmp_path)
    again = ScoreCache.open(cache.folder)
    assert again.identity == cache.identity and again.folder == cache.folder
    texts = sorted({o for it in probes for o in it.options})
    from snare.engine.cache import text_key

    assert len(again.get("texts", [text_key(t) for t in texts])) == len(texts)


def test_image_keys_of_unmirrored_images_are_unchanged_and_a_mirror_has_its_own():
    import hashlib
    import json

    from snare.engine.cache import image_key

    digest, box = "ab" * 32, (1.0, 2.0, 3.0, 4.0)
    before = hashlib.sha256(b"".join(p.encode() + b"\x00" for p in ("image", digest, json.dumps(list(box)))))
    assert image_key(digest, box) == image_key(digest, box, flip=False) == before.hexdigest()
    assert image_key(digest, box, flip=True) not in {image_key(digest, box), image_key(digest, None, flip=True)}
