"""BLIP through transformers ``BlipForImageTextRetrieval``: the image-text matching head, or the contrastive head.

``blip`` scores a pair with the ITM head: the text encoder reads the caption and cross-attends to the ViT's
patch features; a linear head on its first token gives logits for (no match, match). The score is the log-odds
``logit(match) - logit(no match)``, a monotone transform of the softmax probability of "match" (same ranking),
that float32 does not round to a tie when two captions both look certain (``-o score=probability`` gives the
probability itself; ``-o score=snare`` what SNARE's code scores: the ITM match logit plus the contrastive cosine,
the text of the cosine read with ``[CLS]``). As in BLIP's own retrieval code, the first token is ``[ENC]`` for ITM
(``-o itm_first_token=cls`` gives transformers' example behaviour, ``[CLS]``). ``blip-itc`` embeds image and text
separately (projected first tokens; the engine takes the cosine).

Weights: a hub id (default ``Salesforce/blip-itm-base-coco``), a ``from_pretrained`` folder, an original BLIP
checkpoint file (``model_base_14M.pth``, the one SNARE evaluates, or a retrieval one; read by
:mod:`snare.adapters.blip_checkpoint`, image size from the file; the tags ``14m``, ``coco``, ``flickr`` say where to
download them), or ``random`` (a ViT-B/16-384 + BERT-base model as in the default weights; ``-o config=tiny|PATH``
for others). The tokenizer comes with the weights; otherwise it is a ``vocab.txt`` beside the checkpoint, the
default id's (cached) or ``-o tokenizer=PATH``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from snare.adapters.base import AdapterMeta, DualEncoder, PairScorer
from snare.adapters.hf_family import HfAdapter, HfFamily
from snare.adapters.hf_weights import SCORES, itm_score, score_kind
from snare.errors import WeightsUnavailableError

DEFAULT_WEIGHTS = "Salesforce/blip-itm-base-coco"
MAX_TEXT_LENGTH = 35  # BLIP's retrieval code truncates captions to 35 tokens
WEIGHTS_HELP = (
    "hub id | from_pretrained folder | original .pth (tags 14m, coco, flickr) | random; "
    "-o config=tiny|PATH, -o tokenizer=PATH, -o score=logodds|probability|snare"
)


def full_config() -> Any:
    """The architecture of Salesforce/blip-itm-base-coco (ViT-B/16 at 384 px, BERT-base text encoder)."""
    from transformers import BlipConfig

    return BlipConfig(text_config={"num_attention_heads": 12}, image_text_hidden_size=256)


def tiny_config() -> Any:
    """A few-layer BLIP for tests and smoke runs (same vocabulary as the real one)."""
    from transformers import BlipConfig

    return BlipConfig(
        vision_config={
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "image_size": 64,
            "patch_size": 16,
        },
        text_config={
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "encoder_hidden_size": 32,
            "max_position_embeddings": 64,
        },
        image_text_hidden_size=16,
    )


BLIP = HfFamily(
    model_class="transformers:BlipForImageTextRetrieval",
    config_class="transformers:BlipConfig",
    model_types=("blip",),
    default_weights=DEFAULT_WEIGHTS,
    full_config=full_config,
    tiny_config=tiny_config,
    image_processor="transformers.models.blip.image_processing_pil_blip:BlipImageProcessorPil",
    # BLIP's tokenizer is BERT's plus a [DEC] (bos) and an [ENC] token, added in this order (ids 30522, 30523).
    added_tokens=(("bos_token", "[DEC]"), ("additional_special_tokens", "[ENC]")),
    original_checkpoint="snare.adapters.blip_checkpoint:load_original",
)


class _BlipModel(HfAdapter):
    """Loading and preprocessing shared by both BLIP heads."""

    family = BLIP
    max_text_length = MAX_TEXT_LENGTH

    def _loaded(self) -> None:
        self.enc_token_id = self.tokenizer.convert_tokens_to_ids("[ENC]")


class BlipItm(_BlipModel, PairScorer):
    option_names = ("config", "tokenizer", "score", "itm_first_token")
    meta = AdapterMeta(
        name="blip",
        family="blip",
        head="itm",
        default_weights=DEFAULT_WEIGHTS,
        license="bsd-3-clause",
        description="BLIP image-text matching head (transformers BlipForImageTextRetrieval)",
        params=223_000_000,
        url="https://huggingface.co/Salesforce/blip-itm-base-coco",
        weights_help=WEIGHTS_HELP,
    )

    def __init__(self, weights: str | None = None, **kwargs: Any) -> None:
        super().__init__(weights, **kwargs)
        self.score_kind = score_kind(self.options, (*SCORES, "snare"))
        first = str(self.options.get("itm_first_token", "enc"))
        if first not in ("enc", "cls"):
            raise WeightsUnavailableError(f"-o itm_first_token={first}: choose enc (BLIP's retrieval code) or cls")
        self.first_token = first

    def preprocessing(self) -> dict[str, Any]:
        described = super().preprocessing()
        return {**described, "itm_first_token": self.first_token, "score": self.score_kind} if described else {}

    def _encode(self, texts: list[str]) -> list[list[int]]:
        return self._itm_ids(self._tokens(texts)).tolist()

    def _itm_ids(self, tokens: Any) -> Any:
        input_ids = tokens.input_ids.clone()
        if self.first_token == "enc":  # BLIP trained its ITM head with [ENC] in place of [CLS]
            input_ids[:, 0] = self.enc_token_id
        return input_ids

    def encode_images(self, images: Sequence[Any]) -> list[Any]:
        """The vision encoder's patch features, one ``(tokens, hidden)`` tensor per image."""
        import torch

        with torch.inference_mode():
            feats = self.model.vision_model(pixel_values=self._pixels(images)).last_hidden_state
        return list(feats)

    def score_encoded(self, encoded: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        import torch

        image_embeds = torch.stack(list(encoded))
        tokens = self._tokens(texts)
        with torch.inference_mode():
            hidden = self.model.text_encoder(
                input_ids=self._itm_ids(tokens),
                attention_mask=tokens.attention_mask,
                encoder_hidden_states=image_embeds,
                encoder_attention_mask=torch.ones(image_embeds.shape[:-1], dtype=torch.long, device=self.device),
            ).last_hidden_state
            logits = self.model.itm_head(hidden[:, 0, :])
            if self.score_kind == "snare":
                return (logits[:, 1].float() + self._itc_cosine(image_embeds, tokens)).cpu().numpy()
        return itm_score(logits, self.score_kind).cpu().numpy()

    def _itc_cosine(self, image_embeds: Any, tokens: Any) -> Any:
        """The contrastive head's cosine of each pair, the text read with its own [CLS] (as SNARE's code does)."""
        from torch.nn.functional import normalize

        image = normalize(self.model.vision_proj(image_embeds[:, 0, :]), dim=-1)
        text = self.model.text_encoder(input_ids=tokens.input_ids, attention_mask=tokens.attention_mask)
        text = normalize(self.model.text_proj(text.last_hidden_state[:, 0, :]), dim=-1)
        return (image * text).sum(dim=-1).float()

    def score_pairs(self, images: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        return self.score_encoded(self.encode_images(images), texts)


class BlipItc(_BlipModel, DualEncoder):
    option_names = ("config", "tokenizer")
    meta = AdapterMeta(
        name="blip-itc",
        family="blip",
        head="itc-cosine",
        default_weights=DEFAULT_WEIGHTS,
        license="bsd-3-clause",
        description="BLIP contrastive head: cosine of projected image and text [CLS] features",
        params=223_000_000,
        url="https://huggingface.co/Salesforce/blip-itm-base-coco",
        weights_help=WEIGHTS_HELP,
    )

    def embed_images(self, images: Sequence[Any]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            feats = self.model.vision_model(pixel_values=self._pixels(images)).last_hidden_state
            return self.model.vision_proj(feats[:, 0, :]).float().cpu().numpy()

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        tokens = self._tokens(texts)
        with torch.inference_mode():
            hidden = self.model.text_encoder(
                input_ids=tokens.input_ids, attention_mask=tokens.attention_mask
            ).last_hidden_state
            return self.model.text_proj(hidden[:, 0, :]).float().cpu().numpy()
