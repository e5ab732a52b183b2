"""CLIP and SigLIP through transformers (``CLIPModel``/``SiglipModel``): the ``clip`` adapter's second backend.

:class:`snare.adapters.clip.OpenClip` hands a ``--weights`` value to this backend when it is a hub id
``ORG/NAME`` (without open_clip's ``hf-hub:`` prefix) or a local ``from_pretrained`` folder whose config.json
says ``model_type: clip`` or ``siglip``. Embeddings are the models' own projected features
(``get_image_features``/``get_text_features``); the engine takes the cosine, which ranks captions as SigLIP's
sigmoid logits do (an increasing function of it). Preprocessing is the folder's own (PIL backend). Text: CLIP pads
to the longest caption (its pooling reads the end-of-text token); SigLIP pads to its full length, as it was trained.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

MODEL_TYPES = ("clip", "siglip", "siglip2")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def handles(weights: str) -> bool:
    """Whether ``weights`` names a transformers model: a hub id ``ORG/NAME`` or a folder with a config.json."""
    local = Path(weights).expanduser()
    if local.is_dir():
        return (local / "config.json").is_file() and not (local / "open_clip_config.json").is_file()
    return not local.exists() and bool(_HUB_ID.match(weights))


class TransformersClip:
    """Loads and runs a transformers CLIP/SigLIP model for the ``clip`` adapter."""

    def __init__(self, weights: str, *, device: str, dtype: str, seed: int) -> None:
        self.weights, self.device, self.dtype, self.seed = weights, device, dtype, seed
        self.revision: str | None = None

    def load(self) -> None:
        import torch
        from transformers import AutoImageProcessor, AutoModel, AutoTokenizer

        from snare.adapters import hf_weights as hf
        from snare.errors import WeightsUnavailableError

        resolved = hf.resolve(self.weights)
        if resolved.path is None:
            raise WeightsUnavailableError("transformers CLIP weights must be a hub id or a folder")
        config = hf.read_config(resolved.path)
        hf.check_family(config, MODEL_TYPES, "clip", f"--weights {self.weights}")
        self.model_type = str(config["model_type"])
        model = hf.load_pretrained(AutoModel, resolved.path, self.weights)  # config checked against the weights
        try:
            tokenizer = AutoTokenizer.from_pretrained(resolved.path)
            processor = AutoImageProcessor.from_pretrained(resolved.path, backend="pil")
        except (OSError, ValueError, KeyError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:240]
            raise WeightsUnavailableError(f"--weights {self.weights} could not be loaded: {first}") from None
        hf.check_vocab(tokenizer, model.config.text_config.vocab_size, str(resolved.path))
        self.revision = resolved.revision
        self.tokenizer, self.processor = tokenizer, processor
        self.max_length = int(model.config.text_config.max_position_embeddings)
        self.model = model.to(self.device, dtype=getattr(torch, self.dtype)).eval()

    def preprocessing(self) -> dict[str, Any]:
        from snare.adapters.hf_weights import describe_image_processor

        return {
            "backend": "transformers",
            "model_type": self.model_type,
            "image": describe_image_processor(self.processor),
            "tokenizer": type(self.tokenizer).__name__,
            "max_text_length": self.max_length,
            "padding": self._padding(),
        }

    def _padding(self) -> str:
        return "max_length" if self.model_type.startswith("siglip") else "longest"

    def tokens(self, texts: Sequence[str]) -> Any:
        return self.tokenizer(
            list(texts), padding=self._padding(), truncation=True, max_length=self.max_length, return_tensors="pt"
        ).to(self.device)

    def pixels(self, images: Sequence[Any]) -> Any:
        from snare.adapters.hf_weights import pixel_values

        return pixel_values(self.processor, images).to(self.device, next(self.model.parameters()).dtype)

    def embed_images(self, images: Sequence[Any]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            out = self.model.get_image_features(pixel_values=self.pixels(images))
        return _features(out).float().cpu().numpy()

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        tokens = self.tokens(texts)
        inputs = {k: v for k, v in tokens.items() if k in ("input_ids", "attention_mask")}
        if self.model_type.startswith("siglip"):
            inputs.pop("attention_mask", None)  # SigLIP was trained without a text attention mask
        with torch.inference_mode():
            out = self.model.get_text_features(**inputs)
        return _features(out).float().cpu().numpy()


def _features(out: Any) -> Any:
    """transformers 5 returns an output object whose ``pooler_output`` holds the features; 4.x a tensor."""
    return getattr(out, "pooler_output", out)
