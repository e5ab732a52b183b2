"""The X-VLM retrieval network, built from timm's Swin Transformer and transformers' BERT modules.

Layout and forward pass follow X-VLM's ``models/xvlm.py`` (``XVLMBase``), ``models/xbert.py`` and
``models/model_retrieval.py``; the code is this project's own. Module names are chosen so that a parameter's name
here equals its name in an original checkpoint wherever the libraries allow (see :mod:`.checkpoint` for the rest):

- ``vision_encoder``: Swin; its output is the mean of the final-norm patch tokens followed by those tokens
  (X-VLM prepends the average-pooled token as a [CLS] stand-in), shape ``(B, 1 + H*W/1024, vision_width)``.
- ``text_encoder``: BERT embeddings and ``encoder.layer[0..N)``; layers below ``fusion_layer`` are self-attention
  only (the text encoder), layers from ``fusion_layer`` on add ``crossattention`` whose keys and values read the
  image tokens (``encoder_width`` wide).
- ``vision_proj``/``text_proj`` (ITC features of the first token), ``itm_head`` (Linear, LayerNorm, GELU, Linear
  to 2 classes: index 1 is "match") and ``temp`` (the contrastive temperature).

Dropout and stochastic depth exist only for training; the adapter puts the model in eval mode.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from timm.models.swin_transformer import SwinTransformer
from torch import nn
from transformers import BertConfig
from transformers.models.bert.modeling_bert import BertAttention, BertEmbeddings, BertIntermediate, BertOutput

from snare.adapters.xvlm.config import SwinConfig, TextConfig, XvlmConfig

# X-VLM's xbert adds -10000 (not -inf) at padded positions; kept so that a fully padded row stays finite.
_MASKED = -10000.0


class SwinVisionEncoder(SwinTransformer):
    """timm's Swin with X-VLM's output: ``[mean of tokens; tokens]`` after the final LayerNorm."""

    def __init__(self, cfg: SwinConfig) -> None:
        super().__init__(
            img_size=cfg.image_res,
            patch_size=4,
            in_chans=3,
            num_classes=0,
            global_pool="",
            embed_dim=cfg.embed_dim,
            depths=tuple(cfg.depths),
            num_heads=tuple(cfg.num_heads),
            window_size=cfg.window_size,
            mlp_ratio=4.0,
            qkv_bias=True,
            drop_rate=0.0,
            drop_path_rate=0.0,  # X-VLM trains with 0.1; it has no effect in eval mode
        )

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        tokens = self.forward_features(pixels).flatten(1, 2)  # (B, H, W, C) -> (B, H*W, C)
        return torch.cat([tokens.mean(dim=1, keepdim=True), tokens], dim=1)


def bert_config(cfg: TextConfig) -> BertConfig:
    """transformers' BertConfig for the port's layers (eager attention: the original's arithmetic)."""
    return BertConfig(
        vocab_size=cfg.vocab_size,
        hidden_size=cfg.hidden_size,
        num_hidden_layers=cfg.num_hidden_layers,
        num_attention_heads=cfg.num_attention_heads,
        intermediate_size=cfg.intermediate_size,
        hidden_act=cfg.hidden_act,
        hidden_dropout_prob=cfg.hidden_dropout_prob,
        attention_probs_dropout_prob=cfg.attention_probs_dropout_prob,
        max_position_embeddings=cfg.max_position_embeddings,
        type_vocab_size=cfg.type_vocab_size,
        layer_norm_eps=cfg.layer_norm_eps,
        pad_token_id=cfg.pad_token_id,
        initializer_range=cfg.initializer_range,
        attn_implementation="eager",
    )


class FusionBertLayer(nn.Module):
    """One xbert layer: self-attention, cross-attention to the image (fusion layers only), feed-forward."""

    def __init__(self, config: BertConfig, *, cross: bool, encoder_width: int) -> None:
        super().__init__()
        self.attention = BertAttention(config)
        self.has_cross_attention = cross
        if cross:
            self.crossattention = BertAttention(config, is_cross_attention=True)
            # transformers sizes cross-attention keys/values for BERT's own width; X-VLM's read the image tokens.
            self.crossattention.self.key = nn.Linear(encoder_width, config.hidden_size)
            self.crossattention.self.value = nn.Linear(encoder_width, config.hidden_size)
        self.intermediate = BertIntermediate(config)
        self.output = BertOutput(config)

    def forward(
        self, hidden: torch.Tensor, mask: torch.Tensor, image_embeds: torch.Tensor | None = None
    ) -> torch.Tensor:
        hidden = self.attention(hidden, mask)[0]
        if self.has_cross_attention:
            if image_embeds is None:
                raise ValueError("a fusion layer needs the image embeddings")
            # X-VLM's image attention mask is all ones, so the cross-attention needs no mask.
            hidden = self.crossattention(hidden, None, image_embeds, None)[0]
        return self.output(self.intermediate(hidden), hidden)


class _LayerStack(nn.Module):
    """Holds ``layer`` so that parameter names read ``encoder.layer.N...`` as in BERT."""

    def __init__(self, layers: list[FusionBertLayer]) -> None:
        super().__init__()
        self.layer = nn.ModuleList(layers)


class XvlmTextEncoder(nn.Module):
    """BERT embeddings and layers; ``encode`` runs the text layers, ``fuse`` the cross-attending ones."""

    def __init__(self, cfg: TextConfig) -> None:
        super().__init__()
        config = bert_config(cfg)
        self.fusion_layer = cfg.fusion_layer
        self.embeddings = BertEmbeddings(config)
        self.encoder = _LayerStack(
            [
                FusionBertLayer(config, cross=i >= cfg.fusion_layer, encoder_width=cfg.encoder_width)
                for i in range(cfg.num_hidden_layers)
            ]
        )
        self._init_like_bert(cfg.initializer_range)

    def _init_like_bert(self, std: float) -> None:
        """BERT's initialisation (normal(0, std) weights, zero biases), as X-VLM's untrained model starts."""
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, mean=0.0, std=std)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)
            if isinstance(module, nn.Embedding) and module.padding_idx is not None:
                with torch.no_grad():
                    module.weight[module.padding_idx].zero_()
            if isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    @staticmethod
    def extended_mask(mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        """``(B, T)`` 1/0 mask -> additive ``(B, 1, 1, T)`` mask: 0 where attended, -10000 where padded."""
        return (1.0 - mask[:, None, None, :].to(dtype)) * _MASKED

    def encode(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Text-only hidden states (X-VLM's ``mode='text'``): embeddings, then layers below ``fusion_layer``."""
        hidden = self.embeddings(input_ids=input_ids)
        mask = self.extended_mask(attention_mask, hidden.dtype)
        for layer in self.encoder.layer[: self.fusion_layer]:
            hidden = layer(hidden, mask)
        return hidden

    def fuse(self, text_hidden: torch.Tensor, attention_mask: torch.Tensor, image_embeds: torch.Tensor) -> torch.Tensor:
        """Multimodal hidden states (X-VLM's ``mode='fusion'``): the layers from ``fusion_layer`` on."""
        mask = self.extended_mask(attention_mask, text_hidden.dtype)
        hidden = text_hidden
        for layer in self.encoder.layer[self.fusion_layer :]:
            hidden = layer(hidden, mask, image_embeds)
        return hidden


def _itm_head(width: int) -> nn.Sequential:
    """X-VLM's ``build_mlp(width, 2)``."""
    return nn.Sequential(nn.Linear(width, width * 2), nn.LayerNorm(width * 2), nn.GELU(), nn.Linear(width * 2, 2))


class XVLM(nn.Module):
    """X-VLM for image-text retrieval: ITC features and ITM logits."""

    def __init__(self, cfg: XvlmConfig | None = None) -> None:
        super().__init__()
        cfg = cfg or XvlmConfig()
        self.config = cfg
        self.vision_encoder = SwinVisionEncoder(cfg.vision)
        self.text_encoder = XvlmTextEncoder(cfg.text)
        self.vision_proj = nn.Linear(cfg.vision.vision_width, cfg.embed_dim)
        self.text_proj = nn.Linear(cfg.text.hidden_size, cfg.embed_dim)
        self.temp = nn.Parameter(torch.ones([]) * cfg.temp)
        self.itm_head = _itm_head(cfg.text.hidden_size)

    def encode_image(self, pixels: torch.Tensor) -> torch.Tensor:
        """Image tokens ``(B, 1 + L, vision_width)``; token 0 is the mean of the others."""
        return self.vision_encoder(pixels)

    def encode_text(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Text-only hidden states ``(B, T, hidden_size)``."""
        return self.text_encoder.encode(input_ids, attention_mask)

    def image_features(self, image_embeds: torch.Tensor) -> torch.Tensor:
        """L2-normalised ITC image features from token 0."""
        return F.normalize(self.vision_proj(image_embeds[:, 0, :]), dim=-1)

    def text_features(self, text_embeds: torch.Tensor) -> torch.Tensor:
        """L2-normalised ITC text features from [CLS]."""
        return F.normalize(self.text_proj(text_embeds[:, 0, :]), dim=-1)

    def itm_logits(
        self, image_embeds: torch.Tensor, text_embeds: torch.Tensor, attention_mask: torch.Tensor
    ) -> torch.Tensor:
        """ITM logits ``(B, 2)`` of row-aligned pairs (column 1: match), from the fused [CLS]."""
        fused = self.text_encoder.fuse(text_embeds, attention_mask, image_embeds)
        return self.itm_head(fused[:, 0, :])
