"""BLIP's original ``.pth`` checkpoints: written here in the original key layout, loaded strictly into transformers.

The key names and shapes below are enumerated from BLIP's own modules (``models/vit.py``: ``cls_token``,
``pos_embed``, ``patch_embed.proj``, ``blocks.N.{norm1,attn.qkv,attn.proj,norm2,mlp.fc1,mlp.fc2}``, ``norm``;
``models/med.py``: BERT names with a ``crossattention`` block in every layer; ``blip_retrieval.py`` /
``blip_pretrain.py``: the heads, the momentum copies, the queues, ``temp`` and the captioning decoder), independently
of the loader's mapping code; the tensors are random, so where each one landed can be checked by value.
"""

from __future__ import annotations

import numpy as np
import pytest

from snare.adapters.blip import BlipItm
from snare.errors import WeightsUnavailableError
from tests.adapters.hf_helpers import bert_vocab, scenes

WIDTH, TEXT, MLP, EMBED, POSITIONS, VOCAB, QUEUE = 64, 64, 128, 16, 40, 30524, 8


def _vit(t, prefix: str, image_size: int) -> dict:
    keys = {
        prefix + "cls_token": t(1, 1, WIDTH),
        prefix + "pos_embed": t(1, (image_size // 16) ** 2 + 1, WIDTH),
        prefix + "patch_embed.proj.weight": t(WIDTH, 3, 16, 16),
        prefix + "patch_embed.proj.bias": t(WIDTH),
        prefix + "norm.weight": t(WIDTH),
        prefix + "norm.bias": t(WIDTH),
    }
    for i in range(2):
        b = f"{prefix}blocks.{i}."
        shapes = {
            "norm1.weight": (WIDTH,),
            "norm1.bias": (WIDTH,),
            "attn.qkv.weight": (3 * WIDTH, WIDTH),
            "attn.qkv.bias": (3 * WIDTH,),
            "attn.proj.weight": (WIDTH, WIDTH),
            "attn.proj.bias": (WIDTH,),
            "norm2.weight": (WIDTH,),
            "norm2.bias": (WIDTH,),
            "mlp.fc1.weight": (MLP, WIDTH),
            "mlp.fc1.bias": (MLP,),
            "mlp.fc2.weight": (WIDTH, MLP),
            "mlp.fc2.bias": (WIDTH,),
        }
        keys |= {b + name: t(*shape) for name, shape in shapes.items()}
    return keys


def _bert(t, prefix: str) -> dict:
    import torch

    keys = {
        prefix + "embeddings.word_embeddings.weight": t(VOCAB, TEXT),
        prefix + "embeddings.position_embeddings.weight": t(POSITIONS, TEXT),
        prefix + "embeddings.LayerNorm.weight": t(TEXT),
        prefix + "embeddings.LayerNorm.bias": t(TEXT),
        prefix + "embeddings.position_ids": torch.arange(POSITIONS).unsqueeze(0),
    }
    for n in range(2):
        for block, source in (("attention", TEXT), ("crossattention", WIDTH)):
            b = f"{prefix}encoder.layer.{n}.{block}."
            keys |= {
                b + "self.query.weight": t(TEXT, TEXT),
                b + "self.key.weight": t(TEXT, source),
                b + "self.value.weight": t(TEXT, source),
                b + "output.dense.weight": t(TEXT, TEXT),
                b + "output.LayerNorm.weight": t(TEXT),
            }
            keys |= {b + f"{name}.bias": t(TEXT) for name in ("self.query", "self.key", "self.value", "output.dense")}
            keys[b + "output.LayerNorm.bias"] = t(TEXT)
        b = f"{prefix}encoder.layer.{n}."
        keys |= {
            b + "intermediate.dense.weight": t(MLP, TEXT),
            b + "intermediate.dense.bias": t(MLP),
            b + "output.dense.weight": t(TEXT, MLP),
            b + "output.dense.bias": t(TEXT),
            b + "output.LayerNorm.weight": t(TEXT),
            b + "output.LayerNorm.bias": t(TEXT),
        }
    return keys


def original_state(image_size: int = 32, *, pretrain: bool = True) -> tuple[dict, set[str]]:
    """A BLIP checkpoint's ``model`` dict, and the keys scoring must use (the rest are training-only)."""
    import torch

    generator = torch.Generator().manual_seed(image_size)

    def t(*shape):
        return torch.randn(*shape, generator=generator) * 0.05

    used = {**_vit(t, "visual_encoder.", image_size), **_bert(t, "text_encoder.")}
    used.pop("text_encoder.embeddings.position_ids")
    for head, shape in (("vision_proj", (EMBED, WIDTH)), ("text_proj", (EMBED, TEXT)), ("itm_head", (2, TEXT))):
        used |= {f"{head}.weight": t(*shape), f"{head}.bias": t(shape[0])}
    state = {**used, **_vit(t, "visual_encoder_m.", image_size), **_bert(t, "text_encoder_m.")}
    state["text_encoder.embeddings.position_ids"] = torch.arange(POSITIONS).unsqueeze(0)
    for head, shape in (("vision_proj_m", (EMBED, WIDTH)), ("text_proj_m", (EMBED, TEXT))):
        state |= {f"{head}.weight": t(*shape), f"{head}.bias": t(shape[0])}
    state |= {"image_queue": t(EMBED, QUEUE), "text_queue": t(EMBED, QUEUE), "temp": torch.tensor(0.07)}
    state["ptr_queue"] = torch.zeros(1, dtype=torch.long)
    if pretrain:  # blip_pretrain.py also holds the captioning decoder
        state |= {"text_decoder.cls.predictions.bias": t(VOCAB), "text_decoder.bert.embeddings.LayerNorm.weight": t(4)}
    else:
        state["idx_queue"] = torch.full((1, QUEUE), -100)
    return state, set(used)


def write(path, state) -> str:
    import torch

    torch.save({"model": state, "config": {"image_size": 224, "vit": "base"}, "epoch": 19}, path)
    return str(path)


@pytest.mark.parametrize(("image_size", "pretrain"), [(32, True), (48, False)])
def test_original_checkpoint_loads_every_used_tensor_once_and_reads_the_image_size(tmp_path, image_size, pretrain):
    import torch

    state, used = original_state(image_size, pretrain=pretrain)
    adapter = BlipItm(write(tmp_path / "model_base_14M.pth", state), tokenizer=str(bert_vocab()), score="snare")
    adapter.ensure_loaded()
    loaded = adapter.model.state_dict()
    # Accounting by value: every weight of the model is exactly one tensor of the file, and every tensor that
    # scoring uses went into exactly one weight.
    source = {}
    for name, tensor in loaded.items():
        hits = [key for key in used if state[key].shape == tensor.shape and torch.equal(state[key], tensor)]
        assert len(hits) == 1, (name, hits)
        source[name] = hits[0]
    assert sorted(source.values()) == sorted(used)
    assert source["vision_model.embeddings.position_embedding"] == "visual_encoder.pos_embed"
    assert (
        source["vision_model.encoder.layers.1.self_attn.projection.weight"]
        == "visual_encoder.blocks.1.attn.proj.weight"
    )
    assert source["vision_model.post_layernorm.bias"] == "visual_encoder.norm.bias"
    key = "text_encoder.encoder.layer.1.crossattention.self.key.weight"
    assert source[key] == key
    described = adapter.preprocessing()
    assert described["image"]["size"] == {"height": image_size, "width": image_size}
    assert adapter.model.config.vision_config.layer_norm_eps == 1e-6  # BLIP's vit.py, not transformers' default
    assert adapter.revision.startswith("sha256:") and not adapter.model.training
    images, options = scenes(2)
    scores = adapter.score_pairs(images, [options[0][0], options[1][1]])
    assert scores.shape == (2,) and np.isfinite(scores).all()


def test_original_checkpoint_keys_are_accounted_for_strictly(tmp_path):
    state, _ = original_state()
    unknown = {**state, "visual_encoder.head.weight": state["itm_head.weight"]}
    with pytest.raises(WeightsUnavailableError, match=r"1 unknown key\(s\) \(e.g. visual_encoder.head.weight\)"):
        BlipItm(write(tmp_path / "unknown.pth", unknown), tokenizer=str(bert_vocab())).ensure_loaded()
    missing = {k: v for k, v in state.items() if k != "itm_head.bias"}
    with pytest.raises(WeightsUnavailableError, match=r"1 missing \(e.g. itm_head.bias\)"):
        BlipItm(write(tmp_path / "missing.pth", missing), tokenizer=str(bert_vocab())).ensure_loaded()
    wrong = {**state, "text_proj.weight": state["text_proj.weight"][:, :8]}
    with pytest.raises(WeightsUnavailableError, match=r"does not fit BLIP"):
        BlipItm(write(tmp_path / "wrong.pth", wrong), tokenizer=str(bert_vocab())).ensure_loaded()


class _Payload:
    """Not a tensor: a pickle that would run code if it were unpickled without weights_only."""


def test_original_checkpoint_is_read_with_weights_only_and_tags_say_where_to_download(tmp_path):
    import torch

    torch.save({"model": {"x": _Payload()}}, tmp_path / "evil.pth")
    with pytest.raises(WeightsUnavailableError, match=r"cannot be read safely .*weights_only=True"):
        BlipItm(str(tmp_path / "evil.pth"), tokenizer=str(bert_vocab())).ensure_loaded()
    with pytest.raises(WeightsUnavailableError, match=r"not on the Hugging Face hub: download .*model_base_14M.pth"):
        BlipItm("14m").ensure_loaded()
