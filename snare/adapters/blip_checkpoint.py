"""BLIP's original research checkpoints (github.com/salesforce/BLIP ``.pth`` files) loaded into transformers' model.

SNARE evaluated BLIP from ``model_base_14M.pth`` (the 14M-image pretrained ViT-B/16 at 224 px), not from a hub
port. This module reads such a file with ``torch.load(weights_only=True)``, derives the architecture from the
tensors themselves (image size from the position embedding, widths and depths from the weights), renames the
original keys to ``BlipForImageTextRetrieval``'s and loads them strictly: every key of the file is either used or
dropped by a named rule below (momentum encoders, queues, the captioning decoder, buffers), and no weight of the
model is left unset. Anything else stops loading with one line naming the first offenders.

Key mapping (original → transformers):

* ``visual_encoder.cls_token`` / ``pos_embed`` / ``patch_embed.proj.*`` → ``vision_model.embeddings.class_embedding``
  / ``position_embedding`` / ``patch_embedding.*``
* ``visual_encoder.blocks.N.{norm1,norm2,attn.qkv,attn.proj,mlp.fc1,mlp.fc2}`` →
  ``vision_model.encoder.layers.N.{layer_norm1,layer_norm2,self_attn.qkv,self_attn.projection,mlp.fc1,mlp.fc2}``
* ``visual_encoder.norm.*`` → ``vision_model.post_layernorm.*``
* ``text_encoder.*``, ``vision_proj.*``, ``text_proj.*``, ``itm_head.*``: unchanged (transformers kept BLIP's names)
"""

from __future__ import annotations

import re
from math import isqrt
from pathlib import Path
from typing import Any

from snare.errors import WeightsUnavailableError

SUFFIXES = (".pth", ".pt", ".bin", ".safetensors")
URL = "https://storage.googleapis.com/sfr-vision-language-research/BLIP/models/"
# tag -> (file name, what it is); the files are linked from BLIP's README.
TAGS: dict[str, tuple[str, str]] = {
    "14m": ("model_base_14M.pth", "the 14M-image pretrained ViT-B checkpoint (the one SNARE evaluates)"),
    "coco": ("model_base_retrieval_coco.pth", "the ViT-B COCO retrieval checkpoint"),
    "flickr": ("model_base_retrieval_flickr.pth", "the ViT-B Flickr30k retrieval checkpoint"),
}
HEAD_DIM = 64  # every published BLIP ViT (B: 768/12, L: 1024/16) and its BERT text encoder use 64-wide heads
VIT_LAYER_NORM_EPS = 1e-6  # BLIP's vit.py: partial(nn.LayerNorm, eps=1e-6)

# Keys of the file that scoring does not use: the momentum encoders and queues of contrastive training, its
# temperature, the captioning decoder of the pretrained file, and a buffer transformers recomputes.
_DROPPED = re.compile(
    r"^((visual_encoder_m|text_encoder_m|vision_proj_m|text_proj_m|text_decoder)\..*"
    r"|(image|text|idx|ptr)_queue|temp|text_encoder\.embeddings\.position_ids)$"
)
_RENAMES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), target)
    for pattern, target in (
        (r"^visual_encoder\.cls_token$", "vision_model.embeddings.class_embedding"),
        (r"^visual_encoder\.pos_embed$", "vision_model.embeddings.position_embedding"),
        (r"^visual_encoder\.patch_embed\.proj\.(weight|bias)$", r"vision_model.embeddings.patch_embedding.\1"),
        (r"^visual_encoder\.blocks\.(\d+)\.norm([12])\.", r"vision_model.encoder.layers.\1.layer_norm\2."),
        (r"^visual_encoder\.blocks\.(\d+)\.attn\.qkv\.", r"vision_model.encoder.layers.\1.self_attn.qkv."),
        (r"^visual_encoder\.blocks\.(\d+)\.attn\.proj\.", r"vision_model.encoder.layers.\1.self_attn.projection."),
        (r"^visual_encoder\.blocks\.(\d+)\.mlp\.(fc[12])\.", r"vision_model.encoder.layers.\1.mlp.\2."),
        (r"^visual_encoder\.norm\.", "vision_model.post_layernorm."),
        (r"^(text_encoder|vision_proj|text_proj|itm_head)\.", r"\1."),
    )
)


def checkpoint_file(weights: str) -> Path | None:
    """The original checkpoint ``weights`` names (a file), None when it names something else (hub id, folder,
    ``random``); a tag fails with where to download its file."""
    if weights.lower() in TAGS:
        name, what = TAGS[weights.lower()]
        raise WeightsUnavailableError(
            f"BLIP's original checkpoints are not on the Hugging Face hub: download {what} from {URL}{name} and "
            "pass the file with --weights PATH"
        )
    path = Path(weights).expanduser()
    return path if path.is_file() and path.suffix in SUFFIXES else None


def map_keys(state: dict[str, Any], source: str) -> dict[str, Any]:
    """The file's tensors under transformers' names; a key no rule covers is an error."""
    mapped: dict[str, Any] = {}
    unknown: list[str] = []
    for key, tensor in state.items():
        if _DROPPED.match(key):
            continue
        for pattern, target in _RENAMES:
            if pattern.match(key):
                mapped[pattern.sub(target, key, count=1)] = tensor
                break
        else:
            unknown.append(key)
    if unknown:
        raise WeightsUnavailableError(
            f"checkpoint {source} is not an original BLIP checkpoint: {len(unknown)} unknown key(s) "
            f"(e.g. {', '.join(sorted(unknown)[:3])})"
        )
    return mapped


def _count(state: dict[str, Any], pattern: str) -> int:
    found = {int(m.group(1)) for key in state if (m := re.match(pattern, key))}
    return max(found) + 1 if found else 0


def config_from_state(state: dict[str, Any], source: str) -> Any:
    """The ``BlipConfig`` the file's tensors describe (image size from the position embedding)."""
    from transformers import BlipConfig

    try:
        pos = state["visual_encoder.pos_embed"]
        patch = int(state["visual_encoder.patch_embed.proj.weight"].shape[-1])
        words = state["text_encoder.embeddings.word_embeddings.weight"]
        cross = state["text_encoder.encoder.layer.0.crossattention.self.key.weight"]
        vision_mlp = int(state["visual_encoder.blocks.0.mlp.fc1.weight"].shape[0])
        text_mlp = int(state["text_encoder.encoder.layer.0.intermediate.dense.weight"].shape[0])
        positions = int(state["text_encoder.embeddings.position_embeddings.weight"].shape[0])
        embed_dim = int(state["vision_proj.weight"].shape[0])
    except KeyError as exc:
        raise WeightsUnavailableError(f"checkpoint {source} is not an original BLIP checkpoint: no {exc}") from None
    width, grid = int(pos.shape[-1]), isqrt(int(pos.shape[1]) - 1)
    if grid * grid != int(pos.shape[1]) - 1:
        raise WeightsUnavailableError(f"checkpoint {source}: its position embedding is not a square grid")
    text_width = int(words.shape[1])
    vision = {
        "hidden_size": width,
        "intermediate_size": vision_mlp,
        "num_hidden_layers": _count(state, r"^visual_encoder\.blocks\.(\d+)\."),
        "num_attention_heads": max(1, width // HEAD_DIM),
        "image_size": grid * patch,
        "patch_size": patch,
        "layer_norm_eps": VIT_LAYER_NORM_EPS,
    }
    text = {
        "vocab_size": int(words.shape[0]),
        "hidden_size": text_width,
        "intermediate_size": text_mlp,
        "num_hidden_layers": _count(state, r"^text_encoder\.encoder\.layer\.(\d+)\."),
        "num_attention_heads": max(1, text_width // HEAD_DIM),
        "encoder_hidden_size": int(cross.shape[1]),
        "max_position_embeddings": positions,
    }
    return BlipConfig(vision_config=vision, text_config=text, image_text_hidden_size=embed_dim)


def load_original(weights: str, *, seed: int) -> tuple[Any, str, str | None] | None:
    """``(model, revision, vocab.txt beside the file or None)`` for an original BLIP checkpoint file; None when
    ``weights`` is not one (the caller then loads transformers weights)."""
    path = checkpoint_file(weights)
    if path is None:
        return None
    import torch
    from transformers import BlipForImageTextRetrieval

    from snare.adapters.checkpoint import load_strict, read_state_dict, sha256_file

    state = read_state_dict(path)  # safetensors, or torch.load(weights_only=True); the "model" wrapper removed
    mapped = map_keys(state, str(path))
    config = config_from_state(state, str(path))
    torch.manual_seed(seed)  # no weight stays random after a strict load; seeded all the same
    model = BlipForImageTextRetrieval(config)
    try:
        load_strict(model, mapped, str(path))
    except RuntimeError as exc:  # a tensor of the wrong shape
        first = str(exc).strip().splitlines()[-1].strip()[:240]
        raise WeightsUnavailableError(f"checkpoint {path} does not fit BLIP: {first}") from None
    vocab = path.parent / "vocab.txt"
    return model, "sha256:" + sha256_file(path), str(vocab) if vocab.is_file() else None
