"""The shipped reference adapters: the offline default of ``snare eval``, files, wrong files, any image size."""

import json

import numpy as np
import pytest
from PIL import Image

from snare.adapters.reference import Reference, ReferenceBow, shipped_path
from snare.errors import WeightsUnavailableError
from snare.probes.scenes import render_scene
from snare.probes.synthetic import synthetic_probeset
from tests.helpers import run_snare


@pytest.fixture(scope="module")
def reference():
    adapter = Reference()
    adapter.ensure_loaded()
    return adapter


def test_reference_eval_is_the_offline_default_and_scores_above_chance(tmp_path):
    out = tmp_path / "run"
    proc = run_snare("eval", "--limit", "40", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "shipped reference model" in proc.stderr
    results = json.loads((out / "results.json").read_text())
    assert results["model"]["name"] == "reference" and results["model"]["weights"] == "shipped"
    assert results["model"]["revision"].startswith("sha256:")
    for task, summary in results["tasks"].items():
        assert summary["accuracy"] > summary["chance"] + 0.2, task


def test_reference_scores_are_batch_invariant_and_accept_any_image_size(reference):
    probes = synthetic_probeset(n_scenes=3)
    images = [render_scene(it.image.scene) for it in probes.items[:3]]
    whole = reference.embed_images(images)
    np.testing.assert_allclose(
        whole, np.concatenate([reference.embed_images(images[:1]), reference.embed_images(images[1:])]), atol=1e-5
    )
    odd = reference.embed_images([Image.new("RGB", (640, 480), (200, 10, 10)), images[0].convert("L")])
    assert odd.shape == whole[:2].shape and np.all(np.isfinite(odd))
    texts = reference.embed_texts(["a red circle", "a zebra grazes on a hill, far away"])
    assert texts.shape == (2, whole.shape[1])


def test_reference_loads_a_retrained_file_and_rejects_wrong_ones(tmp_path, reference):
    copy = tmp_path / "mine.safetensors"
    copy.write_bytes(shipped_path("reference").read_bytes())
    loaded = Reference(str(copy))
    loaded.ensure_loaded()
    np.testing.assert_array_equal(
        loaded.embed_texts(["the circle is on the square"]), reference.embed_texts(["the circle is on the square"])
    )
    with pytest.raises(WeightsUnavailableError, match="holds a bow reference model; use --model reference-bow"):
        Reference(str(shipped_path("reference-bow"))).ensure_loaded()
    with pytest.raises(WeightsUnavailableError, match=r"holds a gru reference model; use --model reference$"):
        ReferenceBow(str(copy)).ensure_loaded()
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"not a safetensors file")
    with pytest.raises(WeightsUnavailableError, match="is not a reference-model file"):
        Reference(str(junk)).ensure_loaded()
    with pytest.raises(WeightsUnavailableError, match="reference weights not found"):
        Reference(str(tmp_path / "missing.safetensors")).ensure_loaded()


def test_reference_cli_wrong_weights_is_one_line_exit_2(tmp_path):
    proc = run_snare("eval", "--model", "reference-bow", "--weights", str(tmp_path / "nope.safetensors"))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "no such file or folder" in proc.stderr  # refused before the model module (and torch) loads
