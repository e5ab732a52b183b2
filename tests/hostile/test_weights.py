"""Weight files: devices, empty files, metadata that claims huge sizes, tensors of the wrong shape."""

from __future__ import annotations

import json
import os

import pytest
import torch
from safetensors.torch import load_file, save_file

from snare.adapters.reference_model import ReferenceConfig, ReferenceModel, build_vocab, load_model, to_bytes
from tests.hostile.conftest import fails_cleanly, snare

EVAL = ("eval", "--model", "reference-bow", "--limit", "2", "-q", "--no-cache", "--weights")


def _tiny_file(tmp_path, **config):
    model = ReferenceModel(ReferenceConfig(text_encoder="bow", vocab=build_vocab(["a dog runs"]), **config))
    path = tmp_path / "ref.safetensors"
    path.write_bytes(to_bytes(model))
    return path


def test_weights_linked_to_a_device_or_empty_are_one_line(tmp_path):
    link = tmp_path / "ref.safetensors"
    link.symlink_to("/dev/zero")
    fails_cleanly(snare(*EVAL, str(link)), "a device")
    link.unlink()
    link.write_bytes(b"")
    fails_cleanly(snare(*EVAL, str(link)), "not a reference-model file")


def test_metadata_claiming_a_huge_layer_is_refused_before_allocating(tmp_path):
    path = _tiny_file(tmp_path)
    state = load_file(str(path))
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as fh:
        metadata = dict(fh.metadata())
    config = json.loads(metadata["config"])
    config["hidden"] = 10**9  # a 10^9-wide GRU would need terabytes; the stored tensors are tiny
    metadata["config"] = json.dumps(config)
    save_file(state, str(path), metadata=metadata)
    with pytest.raises(ValueError, match="does not match the stored tensor"):
        load_model(path)  # the CLI turns this into one line, as for the empty file above


def test_tensors_of_the_wrong_shape_are_one_line(tmp_path):
    from snare.adapters.checkpoint import load_strict
    from snare.errors import WeightsUnavailableError

    model = torch.nn.Linear(4, 2)
    with pytest.raises(WeightsUnavailableError, match=r"weight has shape \[3, 4\], the model expects \[2, 4\]"):
        load_strict(model, {"weight": torch.zeros(3, 4), "bias": torch.zeros(2)}, "ckpt.pt")


def test_a_checkpoint_that_is_a_fifo_or_empty_is_refused(tmp_path):
    from snare.adapters.checkpoint import read_state_dict
    from snare.errors import WeightsUnavailableError

    fifo = tmp_path / "w.pt"
    os.mkfifo(fifo)
    with pytest.raises(WeightsUnavailableError, match="FIFO"):
        read_state_dict(fifo)
    empty = tmp_path / "e.pt"
    empty.write_bytes(b"")
    with pytest.raises(WeightsUnavailableError, match="is empty"):
        read_state_dict(empty)


def test_the_default_model_runs_in_half_precision():
    proc = snare("eval", "--dtype", "float16", "--limit", "2", "-q", "--no-cache", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["model"]["dtype"] == "float16"


def test_bfloat16_embeddings_are_close_to_float32():
    import numpy as np

    from snare.adapters.registry import create
    from snare.probes.synthetic import synthetic_probeset

    probes = synthetic_probeset(seed=0)
    image = probes.load_image(probes.items[0].image)
    full, half = create("reference"), create("reference", dtype="bfloat16")
    full.load()
    half.load()
    a, b = full.embed_images([image])[0], half.embed_images([image])[0]
    assert np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)) > 0.99


def test_a_pickled_model_inside_a_transformers_folder_is_one_line_and_never_unpickled(tmp_path):
    from transformers import CLIPConfig, CLIPModel

    from snare.adapters.hf_weights import Resolved, build_model
    from snare.errors import WeightsUnavailableError
    from tests.adapters.hf_helpers import tiny_clip_config

    config = tiny_clip_config()
    folder = tmp_path / "clip"
    CLIPModel(config).save_pretrained(folder)
    (folder / "model.safetensors").unlink()
    torch.save(CLIPModel(config), folder / "pytorch_model.bin")  # a whole pickled module, not a state dict
    with pytest.raises(WeightsUnavailableError, match="pickled objects, not only tensors") as err:
        build_model(
            CLIPModel,
            CLIPConfig,
            Resolved(folder, None),
            option=None,
            default=lambda: config,
            tiny=lambda: config,
            seed=0,
            expected=("clip",),
            name="clip",
            weights=str(folder),
        )
    assert "\n" not in str(err.value)


def test_a_transformers_config_claiming_a_huge_width_beside_tiny_weights_is_one_line(tmp_path):
    from tests.adapters.test_allocation import _edit_config, _tiny_clip_folder

    folder = _tiny_clip_folder(tmp_path / "clip")
    _edit_config(folder, "text_config.hidden_size", 10**6)  # a model of ~10^12 parameters beside 60 kB of weights
    out = tmp_path / "out"
    line = fails_cleanly(
        snare(
            "eval",
            "--model",
            "clip",
            "--weights",
            str(folder),
            "--limit",
            "2",
            "-q",
            "--no-cache",
            "--output",
            str(out),
        ),
        "the config (text_config.hidden_size=1,000,000) describes",
        "refusing to build the model",
    )
    assert "/clip/config.json:" in line  # names the file
    assert not out.exists()


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_weights_are_named_as_such(tmp_path, value):
    from safetensors import safe_open

    path = _tiny_file(tmp_path)
    with safe_open(str(path), framework="pt") as fh:
        metadata = fh.metadata()
    state = load_file(str(path))
    name = next(iter(state))
    state[name] = torch.full_like(state[name], value)
    save_file(state, str(path), metadata=metadata)
    fails_cleanly(snare(*EVAL, str(path)), "holds NaN or infinite values")  # was: "got shape (4,)"
