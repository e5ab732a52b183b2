"""The published X-VLM configurations, as data (no torch): Swin-B vision encoders and the BERT-base text encoder.

The values are those of X-VLM's ``configs/config_swinB_{224,384,480}.json`` and ``configs/config_bert.json``
(github.com/zengyan-97/X-VLM). The 4M/16M pretrained checkpoints use Swin-B 224 (window 7); the COCO and Flickr30k
retrieval checkpoints use Swin-B 384 (window 12). A checkpoint's window size is read from its relative-position
tables, so the right vision config is picked without being told (see :func:`vision_config_for_window`).
"""

from __future__ import annotations

import json
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from snare.errors import WeightsUnavailableError

SWIN_B_224: dict[str, Any] = {
    "vision_width": 1024,
    "image_res": 224,
    "window_size": 7,
    "embed_dim": 128,
    "depths": [2, 2, 18, 2],
    "num_heads": [4, 8, 16, 32],
}
SWIN_B_384: dict[str, Any] = {**SWIN_B_224, "image_res": 384, "window_size": 12}
SWIN_B_480: dict[str, Any] = {**SWIN_B_224, "image_res": 480, "window_size": 15}
VISION_CONFIGS: dict[str, dict[str, Any]] = {"swinB_224": SWIN_B_224, "swinB_384": SWIN_B_384, "swinB_480": SWIN_B_480}

BERT_BASE: dict[str, Any] = {
    "attention_probs_dropout_prob": 0.1,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "hidden_size": 768,
    "initializer_range": 0.02,
    "intermediate_size": 3072,
    "layer_norm_eps": 1e-12,
    "max_position_embeddings": 512,
    "num_attention_heads": 12,
    "num_hidden_layers": 12,
    "pad_token_id": 0,
    "type_vocab_size": 2,
    "vocab_size": 30522,
    "fusion_layer": 6,
    "encoder_width": 1024,
}

# Image preprocessing of X-VLM's test transform (dataset/__init__.py): a square bicubic resize, then CLIP's
# normalisation constants (X-VLM uses them for every vision encoder, Swin included).
IMAGE_MEAN = (0.48145466, 0.4578275, 0.40821073)
IMAGE_STD = (0.26862954, 0.26130258, 0.27577711)
# ``max_tokens`` of the 4M pretraining and the retrieval configs (the 16M pretraining config uses 30).
MAX_TOKENS = 40
EMBED_DIM = 256
TEMP = 0.07


def _pick(cls: type, data: dict[str, Any], source: str) -> dict[str, Any]:
    """The fields of dataclass ``cls`` from ``data``; extra keys (``ckpt``, ``architectures``…) are ignored."""
    names = {f.name for f in fields(cls) if f.init}
    required = {f.name for f in fields(cls) if f.init and f.default is MISSING and f.default_factory is MISSING}
    missing = sorted(n for n in required if n not in data)
    if missing:
        raise WeightsUnavailableError(f"X-VLM config {source} lacks {', '.join(missing)}")
    return {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in names}


@dataclass(frozen=True)
class SwinConfig:
    """A Swin Transformer vision encoder as X-VLM configures it (patch size 4, MLP ratio 4, qkv bias)."""

    image_res: int
    window_size: int
    embed_dim: int
    depths: tuple[int, ...]
    num_heads: tuple[int, ...]
    vision_width: int

    def __post_init__(self) -> None:
        if self.vision_width != self.embed_dim * 2 ** (len(self.depths) - 1):
            raise WeightsUnavailableError(
                f"X-VLM vision config: vision_width {self.vision_width} != embed_dim {self.embed_dim} "
                f"x 2^{len(self.depths) - 1} (the width of the last Swin stage)"
            )
        if len(self.num_heads) != len(self.depths):
            raise WeightsUnavailableError("X-VLM vision config: depths and num_heads differ in length")

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "(dict)") -> SwinConfig:
        return cls(**_pick(cls, data, source))


@dataclass(frozen=True)
class TextConfig:
    """BERT with cross-attention in layers ``fusion_layer`` and up, whose keys/values read ``encoder_width``-wide
    image features (X-VLM's ``xbert``: layers below ``fusion_layer`` are the text encoder, the rest the fusion)."""

    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    vocab_size: int
    fusion_layer: int
    encoder_width: int = 1024
    hidden_act: str = "gelu"
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    pad_token_id: int = 0
    initializer_range: float = 0.02

    def __post_init__(self) -> None:
        if not 0 <= self.fusion_layer <= self.num_hidden_layers:
            raise WeightsUnavailableError(
                f"X-VLM text config: fusion_layer {self.fusion_layer} outside 0..{self.num_hidden_layers}"
            )

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "(dict)") -> TextConfig:
        return cls(**_pick(cls, data, source))


@dataclass(frozen=True)
class XvlmConfig:
    """The whole retrieval model: encoders, the contrastive projection size and the text length limit."""

    vision: SwinConfig = field(default_factory=lambda: SwinConfig.from_dict(SWIN_B_224))
    text: TextConfig = field(default_factory=lambda: TextConfig.from_dict(BERT_BASE))
    embed_dim: int = EMBED_DIM
    temp: float = TEMP
    max_tokens: int = MAX_TOKENS

    def __post_init__(self) -> None:
        # X-VLM overrides the BERT config's encoder_width with the vision encoder's width (build_text_encoder).
        if self.text.encoder_width != self.vision.vision_width:
            object.__setattr__(self, "text", replace(self.text, encoder_width=self.vision.vision_width))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def read_config_file(path: str | Path) -> dict[str, Any]:
    """A JSON config file in X-VLM's own format (``config_swinB_224.json``, ``config_bert.json``)."""
    from snare.safe_io import UnsafeInputError, read_text

    path = Path(path).expanduser()
    try:
        data = json.loads(read_text(path, what="an X-VLM config"))  # bounded; a FIFO or device is refused
    except (OSError, ValueError, UnsafeInputError) as exc:
        raise WeightsUnavailableError(f"X-VLM config {path} cannot be read: {type(exc).__name__}: {exc}") from None
    if not isinstance(data, dict):
        raise WeightsUnavailableError(f"X-VLM config {path} is not a JSON object")
    return data


def vision_config_for_window(window_size: int) -> SwinConfig:
    """The published Swin-B config with this window size (7: 224 px, 12: 384 px, 15: 480 px)."""
    for data in VISION_CONFIGS.values():
        if data["window_size"] == window_size:
            return SwinConfig.from_dict(data)
    known = ", ".join(f"{name} (window {d['window_size']})" for name, d in VISION_CONFIGS.items())
    raise WeightsUnavailableError(
        f"no published X-VLM Swin config has window size {window_size} (known: {known}); "
        "pass the checkpoint's own config with -o vision_config=PATH"
    )
