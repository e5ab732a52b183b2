"""BLIP-2 through transformers ``Blip2ForImageTextRetrieval``: the Q-Former's matching and contrastive heads.

``blip2`` (ITM): the 32 learned queries and the caption tokens pass through the Q-Former together, the queries
cross-attending to the frozen ViT's patch features; the ITM head's logits, averaged over the query positions, give
(no match, match). The score is their log-odds (``-o score=probability`` for the softmax probability), as
``Blip2ForImageTextRetrieval(use_image_text_matching_head=True)`` computes them.
``blip2-itc``: the largest cosine, over the 32 query outputs, between a projected query output and the projected
[CLS] feature of the caption, as ``use_image_text_matching_head=False`` computes it (not a single-vector cosine,
so this is a pair scorer). ``blip2-yesno`` (the generative variant of the paper) lives in
:mod:`snare.adapters.blip2_yesno`.

Weights: a hub id (default ``Salesforce/blip2-itm-vit-g``), a ``from_pretrained`` folder, or ``random`` (the
ViT-g + Q-Former architecture; ``-o config=tiny|PATH`` for others). Tokenizer: BERT's with ``[DEC]`` added (as
LAVIS's BLIP-2), from the weights, the default id's cache, or ``-o tokenizer=PATH``. Captions: 32 tokens at most.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from snare.adapters.base import AdapterMeta, PairScorer
from snare.adapters.hf_family import HfAdapter, HfFamily
from snare.adapters.hf_weights import itm_score, score_kind

DEFAULT_WEIGHTS = "Salesforce/blip2-itm-vit-g"
MAX_TEXT_LENGTH = 32  # LAVIS's Blip2Qformer max_txt_len
QFORMER_VOCAB = 30523  # BERT's 30,522 WordPiece tokens and [DEC]
WEIGHTS_HELP = "hub id | from_pretrained folder | random; -o config=tiny|PATH, -o tokenizer=PATH"


def full_config() -> Any:
    """The Salesforce/blip2-itm-vit-g architecture: EVA ViT-g/14 at 224 px and a BERT-base Q-Former."""
    from transformers import Blip2Config

    return Blip2Config(qformer_config={"vocab_size": QFORMER_VOCAB, "use_qformer_text_input": True})


def tiny_qformer_parts() -> dict[str, Any]:
    """Vision and Q-Former settings of the tiny test configs (shared with the yes/no variant)."""
    return {
        "vision_config": {
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "image_size": 28,
            "patch_size": 14,
        },
        "qformer_config": {
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "encoder_hidden_size": 32,
            "cross_attention_frequency": 1,
            "max_position_embeddings": 64,
            "vocab_size": QFORMER_VOCAB,
            "use_qformer_text_input": True,
        },
        "num_query_tokens": 4,
    }


def tiny_config() -> Any:
    from transformers import Blip2Config

    return Blip2Config(**tiny_qformer_parts(), image_text_hidden_size=16)


BLIP2 = HfFamily(
    model_class="transformers:Blip2ForImageTextRetrieval",
    config_class="transformers:Blip2Config",
    model_types=("blip-2",),
    default_weights=DEFAULT_WEIGHTS,
    full_config=full_config,
    tiny_config=tiny_config,
    image_processor="transformers.models.blip.image_processing_pil_blip:BlipImageProcessorPil",
    vocab_size="qformer_config.vocab_size",
    added_tokens=(("bos_token", "[DEC]"),),  # LAVIS's BLIP-2 tokenizer: BERT's plus a [DEC] bos token
)


class _Blip2Retrieval(HfAdapter, PairScorer):
    option_names = ("config", "tokenizer", "score")
    """Loading, preprocessing and the image side shared by the ITM and ITC heads."""

    family = BLIP2
    max_text_length = MAX_TEXT_LENGTH

    def __init__(self, weights: str | None = None, **kwargs: Any) -> None:
        super().__init__(weights, **kwargs)
        self.score_kind = score_kind(self.options)

    def preprocessing(self) -> dict[str, Any]:
        described = self._input_description()
        if not described:
            return {}
        return {**described, "num_query_tokens": self.model.config.num_query_tokens, "score": self.score_kind}

    def _vision(self, images: Sequence[Any]) -> Any:
        return self.model.vision_model(pixel_values=self._pixels(images)).last_hidden_state

    def score_pairs(self, images: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        return self.score_encoded(self.encode_images(images), texts)


class Blip2Itm(_Blip2Retrieval):
    meta = AdapterMeta(
        name="blip2",
        family="blip2",
        head="itm",
        default_weights=DEFAULT_WEIGHTS,
        license="mit",
        description="BLIP-2 Q-Former image-text matching head (transformers Blip2ForImageTextRetrieval)",
        params=1_170_000_000,
        url="https://huggingface.co/Salesforce/blip2-itm-vit-g",
        weights_help=WEIGHTS_HELP,
    )

    def encode_images(self, images: Sequence[Any]) -> list[Any]:
        """The ViT's patch features, one ``(tokens, hidden)`` tensor per image."""
        import torch

        with torch.inference_mode():
            return list(self._vision(images))

    def score_encoded(self, encoded: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        import torch

        model = self.model
        image_embeds = torch.stack(list(encoded))
        tokens = self._tokens(texts)
        queries = model.query_tokens.expand(image_embeds.shape[0], -1, -1)
        n_query = queries.shape[1]
        query_mask = torch.ones(queries.shape[:-1], dtype=tokens.attention_mask.dtype, device=self.device)
        with torch.inference_mode():
            hidden = model.qformer(
                query_embeds=model.embeddings(input_ids=tokens.input_ids, query_embeds=queries),
                query_length=n_query,
                attention_mask=torch.cat([query_mask, tokens.attention_mask], dim=1),
                encoder_hidden_states=image_embeds,
                encoder_attention_mask=torch.ones(image_embeds.shape[:-1], dtype=torch.long, device=self.device),
            ).last_hidden_state
            logits = model.itm_head(hidden[:, :n_query, :].to(model.itm_head.weight.dtype)).mean(dim=1)
        return itm_score(logits, self.score_kind).cpu().numpy()


class Blip2Itc(_Blip2Retrieval):
    meta = AdapterMeta(
        name="blip2-itc",
        family="blip2",
        head="itc-max-query",
        default_weights=DEFAULT_WEIGHTS,
        license="mit",
        description="BLIP-2 contrastive head: best cosine over the 32 query outputs",
        params=1_170_000_000,
        url="https://huggingface.co/Salesforce/blip2-itm-vit-g",
        weights_help=WEIGHTS_HELP,
    )

    def preprocessing(self) -> dict[str, Any]:
        facts = super().preprocessing()
        facts.pop("score", None)  # the cosine needs no transform
        return facts

    def encode_images(self, images: Sequence[Any]) -> list[Any]:
        """Normalised projected query outputs, one ``(queries, dim)`` tensor per image."""
        import torch

        model = self.model
        with torch.inference_mode():
            image_embeds = self._vision(images)
            queries = model.query_tokens.expand(image_embeds.shape[0], -1, -1)
            out = model.qformer(
                query_embeds=queries,
                encoder_hidden_states=image_embeds,
                encoder_attention_mask=torch.ones(image_embeds.shape[:-1], dtype=torch.long, device=self.device),
            ).last_hidden_state
            feats = model.vision_projection(out.to(model.vision_projection.weight.dtype))
            return list(torch.nn.functional.normalize(feats, dim=-1))

    def score_encoded(self, encoded: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        import torch

        model = self.model
        tokens = self._tokens(texts)
        with torch.inference_mode():
            hidden = model.qformer(
                query_embeds=model.embeddings(input_ids=tokens.input_ids),
                query_length=0,
                attention_mask=tokens.attention_mask,
            ).last_hidden_state
            text = model.text_projection(hidden[:, 0, :].to(model.text_projection.weight.dtype))
            text = torch.nn.functional.normalize(text, dim=-1)
            sims = torch.einsum("bqd,bd->bq", torch.stack(list(encoded)), text)
        return sims.max(dim=1).values.float().cpu().numpy()
