"""FLAVA through transformers ``FlavaForPreTraining``: the image-text matching head, or the contrastive head.

``flava`` runs FLAVA's multimodal encoder over the projected last-layer states of the image encoder (patches and
[CLS], before the final layer norm) followed by those of the text encoder, and scores the pair with the ITM head
on the multimodal [CLS] token, exactly as ``FlavaForPreTraining`` does (with no image patch masked, as in ARO's
and SNARE's FLAVA wrapper). The score is the log-odds of "match" (``-o score=probability`` for the softmax
probability). ``flava-itc`` embeds image and text separately (projected [CLS] features; the engine takes the
cosine), as FLAVA's global contrastive head does.

Weights: a hub id (default ``facebook/flava-full``), a ``from_pretrained`` folder, or ``random`` (the flava-full
architecture; ``-o config=tiny|PATH`` for others). Tokenizer: the weights' own, or for random weights the default
id's (cached) or ``-o tokenizer=PATH``. Captions are truncated to 77 tokens, as in ARO/SNARE.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from snare.adapters.base import AdapterMeta, DualEncoder, PairScorer
from snare.adapters.hf_family import HfAdapter, HfFamily
from snare.adapters.hf_weights import itm_score, score_kind

DEFAULT_WEIGHTS = "facebook/flava-full"
MAX_TEXT_LENGTH = 77
WEIGHTS_HELP = "hub id | from_pretrained folder | random; -o config=tiny|PATH, -o tokenizer=PATH"


def full_config() -> Any:
    """The facebook/flava-full architecture (ViT-B/16 image and text encoders, 6-layer multimodal encoder)."""
    from transformers import FlavaConfig

    return FlavaConfig()


def tiny_config() -> Any:
    """A few-layer FLAVA for tests and smoke runs (BERT's vocabulary, a minimal image codebook)."""
    from transformers import FlavaConfig

    small = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2}
    return FlavaConfig(
        image_config={**small, "image_size": 64, "patch_size": 16},
        text_config={**small, "max_position_embeddings": 96},
        multimodal_config={**small, "num_hidden_layers": 1},
        image_codebook_config={"hidden_size": 8, "num_blocks_per_group": 1, "vocab_size": 16},
        hidden_size=32,
        projection_dim=16,
    )


FLAVA = HfFamily(
    model_class="transformers:FlavaForPreTraining",
    config_class="transformers:FlavaConfig",
    model_types=("flava",),
    default_weights=DEFAULT_WEIGHTS,
    full_config=full_config,
    tiny_config=tiny_config,
    image_processor="transformers.models.flava.image_processing_pil_flava:FlavaImageProcessorPil",
    image_size="image_config.image_size",
    crop=True,
)


class _FlavaModel(HfAdapter):
    """Loading and preprocessing shared by both FLAVA heads."""

    family = FLAVA
    max_text_length = MAX_TEXT_LENGTH


class FlavaItm(_FlavaModel, PairScorer):
    option_names = ("config", "tokenizer", "score")
    meta = AdapterMeta(
        name="flava",
        family="flava",
        head="itm",
        default_weights=DEFAULT_WEIGHTS,
        license="bsd-3-clause",
        description="FLAVA image-text matching head (transformers FlavaForPreTraining)",
        params=358_000_000,
        url="https://huggingface.co/facebook/flava-full",
        weights_help=WEIGHTS_HELP,
    )

    def __init__(self, weights: str | None = None, **kwargs: Any) -> None:
        super().__init__(weights, **kwargs)
        self.score_kind = score_kind(self.options)

    def preprocessing(self) -> dict[str, Any]:
        return {**super().preprocessing(), "score": self.score_kind} if hasattr(self, "processor") else {}

    def encode_images(self, images: Sequence[Any]) -> list[Any]:
        """The image encoder's last-layer states projected into the multimodal width, one tensor per image."""
        import torch

        flava = self.model.flava
        with torch.inference_mode():
            states = flava.image_model(pixel_values=self._pixels(images), output_hidden_states=True).hidden_states
            return list(flava.image_to_mm_projection(states[-1]))

    def score_encoded(self, encoded: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        import torch

        flava = self.model.flava
        image_mm = torch.stack(list(encoded))
        tokens = self._tokens(texts)
        with torch.inference_mode():
            states = flava.text_model(
                input_ids=tokens.input_ids,
                attention_mask=tokens.attention_mask,
                token_type_ids=tokens.get("token_type_ids"),
                output_hidden_states=True,
            ).hidden_states
            text_mm = flava.text_to_mm_projection(states[-1])
            n_image = image_mm.shape[1] + int(flava.multimodal_model.use_cls_token)
            image_mask = torch.ones(image_mm.shape[0], n_image, device=image_mm.device)
            mask = torch.cat([image_mask, tokens.attention_mask.to(image_mask.dtype)], dim=1)
            fused = flava.multimodal_model(torch.cat([image_mm, text_mm], dim=1), attention_mask=mask)
            logits = self.model.itm_head(fused.last_hidden_state)
        return itm_score(logits, self.score_kind).cpu().numpy()

    def score_pairs(self, images: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        return self.score_encoded(self.encode_images(images), texts)


class FlavaItc(_FlavaModel, DualEncoder):
    option_names = ("config", "tokenizer")
    meta = AdapterMeta(
        name="flava-itc",
        family="flava",
        head="itc-cosine",
        default_weights=DEFAULT_WEIGHTS,
        license="bsd-3-clause",
        description="FLAVA contrastive head: cosine of projected image and text [CLS] features",
        params=358_000_000,
        url="https://huggingface.co/facebook/flava-full",
        weights_help=WEIGHTS_HELP,
    )

    def embed_images(self, images: Sequence[Any]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            out = self.model.flava.get_image_features(pixel_values=self._pixels(images))
            return out.pooler_output[:, 0, :].float().cpu().numpy()

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        tokens = self._tokens(texts)
        with torch.inference_mode():
            out = self.model.flava.get_text_features(
                input_ids=tokens.input_ids,
                attention_mask=tokens.attention_mask,
                token_type_ids=tokens.get("token_type_ids"),
            )
            return out.pooler_output[:, 0, :].float().cpu().numpy()
