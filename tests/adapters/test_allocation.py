"""A transformers folder's config.json checked against its weight files before any model is built."""

from __future__ import annotations

import json
import math
import os

import pytest
from transformers import CLIPModel

from snare.adapters.allocation import check_allocation
from snare.errors import WeightsUnavailableError
from tests.adapters.hf_helpers import tiny_clip_config


def _tiny_clip_folder(folder):
    """A tiny transformers CLIP saved with save_pretrained (model.safetensors + config.json)."""
    import torch

    config = tiny_clip_config()
    torch.manual_seed(0)
    CLIPModel(config).save_pretrained(folder)
    return folder


def _edit_config(folder, path: str, value) -> None:
    config = json.loads((folder / "config.json").read_text())
    *parents, key = path.split(".")
    node = config
    for part in parents:
        node = node[part]
    node[key] = value
    (folder / "config.json").write_text(json.dumps(config))


def _config(folder):
    return json.loads((folder / "config.json").read_text())


def never_built(monkeypatch) -> None:
    """From now on, fail the test if ``from_pretrained`` is called on any transformers class (it allocates the
    model before it reads a single weight); the check may build models on the meta device only."""
    from transformers import PreTrainedModel
    from transformers.models.auto.auto_factory import _BaseAutoModelClass

    def refuse(*args, **kwargs):
        raise AssertionError("from_pretrained was called on a config the weight files cannot hold")

    monkeypatch.setattr(PreTrainedModel, "from_pretrained", classmethod(refuse))
    monkeypatch.setattr(_BaseAutoModelClass, "from_pretrained", classmethod(refuse))


def test_a_tiny_honest_folder_passes(tmp_path):
    folder = _tiny_clip_folder(tmp_path / "clip")
    check_allocation(folder, CLIPModel, _config(folder))


BUDGET = r"the config \({}=[\d,]+\) describes [\d,]+ parameters \([\d,.]+ GB in float32\), far more than the 0\.\d MB"
HUGE_CLAIMS = [
    ("text_config.hidden_size", 10**6, BUDGET.format(r"text_config\.hidden_size")),
    ("text_config.vocab_size", 10**9, BUDGET.format(r"text_config\.vocab_size")),
    ("vision_config.intermediate_size", 10**7, BUDGET.format(r"vision_config\.intermediate_size")),
    ("text_config.max_position_embeddings", 10**9, BUDGET.format(r"text_config\.max_position_embeddings")),
    ("text_config.num_hidden_layers", 10**6, r"text_config\.num_hidden_layers is 1,000,000 \(more than 4,096\)"),
    ("vision_config.image_size", 10**6, r"vision_config\.image_size is 1,000,000, over Pillow's limit"),
]


@pytest.mark.parametrize(("field", "value", "message"), HUGE_CLAIMS, ids=[c[0] for c in HUGE_CLAIMS])
def test_a_huge_claim_beside_tiny_weights_is_one_line_and_builds_nothing(tmp_path, monkeypatch, field, value, message):
    from transformers import CLIPConfig

    from snare.adapters.hf_weights import Resolved, build_model

    folder = _tiny_clip_folder(tmp_path / "clip")
    never_built(monkeypatch)
    _edit_config(folder, field, value)
    with pytest.raises(WeightsUnavailableError, match=message) as err:
        build_model(
            CLIPModel,
            CLIPConfig,
            Resolved(folder, None),
            option=None,
            default=CLIPConfig,
            tiny=CLIPConfig,
            seed=0,
            expected=("clip",),
            name="clip",
            weights=str(folder),
        )
    assert "\n" not in str(err.value) and "config.json" in str(err.value)


def test_the_clip_and_vlm_backends_run_the_same_check(tmp_path, monkeypatch):
    from snare.adapters.clip_hf import TransformersClip
    from snare.adapters.vlm.loading import pretrained

    folder = _tiny_clip_folder(tmp_path / "clip")
    never_built(monkeypatch)
    _edit_config(folder, "vision_config.hidden_size", 10**6)
    with pytest.raises(WeightsUnavailableError, match=r"\(vision_config\.hidden_size=1,000,000\) describes"):
        TransformersClip(str(folder), device="cpu", dtype="float32", seed=0).load()
    config = _config(folder)
    (folder / "config.json").write_text(json.dumps({**config, "model_type": "llava", "text_config": {
        **config["text_config"], "model_type": "llama"}}))  # fmt: skip
    with pytest.raises(WeightsUnavailableError, match=r"\(vision_config\.hidden_size=1,000,000\) describes"):
        pretrained(str(folder))


def test_a_vocabulary_or_width_the_tensors_do_not_have_is_refused_by_the_embedding_shape(tmp_path, monkeypatch):
    import torch
    from transformers import SiglipConfig, SiglipModel

    small = {"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2}
    config = SiglipConfig(text_config={**small, "vocab_size": 100}, vision_config={**small, "image_size": 32})
    torch.manual_seed(0)
    SiglipModel(config).save_pretrained(tmp_path)
    never_built(monkeypatch)
    check_allocation(tmp_path, SiglipModel, _config(tmp_path))
    _edit_config(tmp_path, "text_config.vocab_size", 120)  # small, but not what model.safetensors holds
    message = r"do not fit SiglipModel: the config \(text_config\.vocab_size=120\) gives an input embedding of shape"
    with pytest.raises(WeightsUnavailableError, match=message):
        check_allocation(tmp_path, SiglipModel, _config(tmp_path))


def test_a_huge_claim_beside_pytorch_bin_weights_is_refused_by_size(tmp_path, monkeypatch):
    import torch
    from safetensors.torch import load_file

    folder = _tiny_clip_folder(tmp_path / "clip")
    never_built(monkeypatch)
    torch.save(load_file(str(folder / "model.safetensors")), folder / "pytorch_model.bin")
    (folder / "model.safetensors").unlink()
    _edit_config(folder, "text_config.hidden_size", 10**6)  # no header to read shapes from: the budget decides
    with pytest.raises(WeightsUnavailableError, match=BUDGET.format(r"text_config\.hidden_size")):
        check_allocation(folder, CLIPModel, _config(folder))


def test_a_header_whose_shapes_the_file_cannot_back_is_refused(tmp_path):
    folder = _tiny_clip_folder(tmp_path / "clip")
    header = json.dumps({"big": {"dtype": "F32", "shape": [10**6, 10**6], "data_offsets": [0, 4 * 10**12]}}).encode()
    (folder / "model.safetensors").write_bytes(len(header).to_bytes(8, "little") + header + b"\0" * 64)
    with pytest.raises(WeightsUnavailableError, match=r"tensor big claims shape \[1000000, 1000000\]"):
        check_allocation(folder, CLIPModel, _config(folder))
    (folder / "model.safetensors").write_bytes((10**9).to_bytes(8, "little") + b"{}")
    with pytest.raises(WeightsUnavailableError, match="not a safetensors file"):
        check_allocation(folder, CLIPModel, _config(folder))


def test_weight_files_that_are_devices_are_refused_before_reading(tmp_path):
    folder = _tiny_clip_folder(tmp_path / "clip")
    (folder / "model.safetensors").unlink()
    (folder / "model.safetensors").symlink_to("/dev/zero")
    with pytest.raises(WeightsUnavailableError, match="a device"):
        check_allocation(folder, CLIPModel, _config(folder))


def _sparse_safetensors(path, model) -> None:
    """A safetensors file of ``model``'s real tensor shapes (bf16): an honest header, the data a sparse hole."""
    header, offset = {}, 0
    for name, tensor in model.state_dict().items():
        size = math.prod(tensor.shape) * 2
        header[name] = {"dtype": "BF16", "shape": list(tensor.shape), "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header).encode()
    with open(path, "wb") as fh:
        fh.write(len(raw).to_bytes(8, "little") + raw)
    os.truncate(path, 8 + len(raw) + offset)  # no data written: the check reads only the header


def _full_size(name: str):
    """``(model class, config)`` of a default architecture: the families' own declarations."""
    import transformers

    from snare.adapters.blip import BLIP
    from snare.adapters.blip2 import BLIP2
    from snare.adapters.blip2_yesno import BLIP2_LM
    from snare.adapters.flava import FLAVA

    if name in ("CLIPModel", "SiglipModel"):
        return getattr(transformers, name), getattr(transformers, name.replace("Model", "Config"))()
    family = {"blip": BLIP, "flava": FLAVA, "blip2": BLIP2, "blip2-yesno": BLIP2_LM}[name]
    model_cls = getattr(transformers, family.model_class.partition(":")[2])
    return model_cls, family.full_config()


@pytest.mark.parametrize("name", ["CLIPModel", "SiglipModel", "blip", "flava", "blip2", "blip2-yesno"])
def test_full_size_configs_pass_against_headers_of_their_real_shapes(tmp_path, name):
    import torch

    model_cls, config = _full_size(name)
    with torch.device("meta"):  # the real shapes, nothing allocated
        model = model_cls(config)
    tmp_path.joinpath("config.json").write_text(json.dumps(config.to_dict()))
    _sparse_safetensors(tmp_path / "model.safetensors", model)
    check_allocation(tmp_path, model_cls, config.to_dict())
