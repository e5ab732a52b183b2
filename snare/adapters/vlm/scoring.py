"""Turning (image, prompt, caption) triples into one left-padded batch, and reading the two scores off its logits.

Each pair is encoded on its own by the model's processor (which expands the image placeholder into as many
image tokens as that image needs), so a pair's token ids do not depend on its batch. The caption of a
``likelihood`` pair is tokenised separately, without special tokens, and appended: the prompt mask is then exact
by construction (every prompt token, image tokens included, is masked; every caption token is scored).

Rows are **left**-padded, so the last position of every row is its last real token, where the answer is read,
and every caption ends at the same position. Padding must not move positions: models with one position per token
get ``position_ids`` counted from each row's first real token (PaliGemma's start at 1); models with multimodal
rotary positions (Qwen2-VL family) compute them from the attention mask themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# Models that compute their (multimodal rotary) positions from the attention mask: give them none.
SELF_POSITIONED = frozenset({"qwen2_vl", "qwen2_5_vl", "qwen3_vl", "qwen3_vl_moe", "glm4v"})
# The first real token's position id where it is not 0.
POSITION_START = {"paligemma": 1}
# Per-token processor outputs, padded like the input ids; the value a caption token gets.
TOKEN_FIELDS = {"token_type_ids": 1, "mm_token_type_ids": 0}


@dataclass
class Encoded:
    """One pair: its token ids, per-token fields, image tensors, and how many leading tokens are prompt."""

    ids: list[int]
    prompt_length: int
    tokens: dict[str, list[int]] = field(default_factory=dict)
    images: dict[str, Any] = field(default_factory=dict)


def encode(processor: Any, image: Any, prompt: str, caption_ids: Sequence[int] = ()) -> Encoded:
    """One pair through the processor (image placeholder expanded), with ``caption_ids`` appended."""
    bos = getattr(processor.tokenizer, "bos_token", None)
    # A template that writes the BOS itself must not get a second one from the tokenizer.
    special = not (bos and prompt.startswith(bos))
    out = processor(images=[image.convert("RGB")], text=[prompt], return_tensors="pt", add_special_tokens=special)
    ids = out["input_ids"][0].tolist()
    tokens = {
        name: out[name][0].tolist() + [value] * len(caption_ids) for name, value in TOKEN_FIELDS.items() if name in out
    }
    images = {k: v for k, v in out.items() if k not in ("input_ids", "attention_mask", "labels", *TOKEN_FIELDS)}
    return Encoded(ids + list(caption_ids), len(ids), tokens, images)


def collate(rows: Sequence[Encoded], *, pad_id: int, model_type: str, device: str, dtype: Any) -> dict[str, Any]:
    """Left-padded model inputs for ``rows``; image tensors concatenated in row order."""
    import torch

    width = max(len(r.ids) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    batch: dict[str, Any] = {name: torch.zeros_like(ids) for name in rows[0].tokens}
    for i, row in enumerate(rows):
        start = width - len(row.ids)
        ids[i, start:] = torch.tensor(row.ids)
        mask[i, start:] = 1
        for name, values in row.tokens.items():
            batch[name][i, start:] = torch.tensor(values)
    batch.update(input_ids=ids, attention_mask=mask)
    if model_type not in SELF_POSITIONED:
        batch["position_ids"] = (mask.cumsum(-1) - 1).clamp(min=0) + POSITION_START.get(model_type, 0)
    for name in rows[0].images:
        batch[name] = torch.cat([r.images[name] for r in rows])
    return {k: v.to(device, dtype) if v.is_floating_point() else v.to(device) for k, v in batch.items()}


def forward_logits(model: Any, batch: dict[str, Any], keep: int) -> Any:
    """The float32 log-probabilities of the last ``keep`` positions, shape ``(rows, keep, vocab)``."""
    import torch

    with torch.inference_mode():
        logits = model(**batch, logits_to_keep=keep, use_cache=False).logits
    return logits[:, -keep:].float().log_softmax(dim=-1)


def yes_no(logp_last: Any, yes: Sequence[int], no: Sequence[int]) -> Any:
    """``log p(yes) - log p(no)`` per row, each word's probability pooled over its ids."""
    return logp_last[:, list(yes)].logsumexp(-1) - logp_last[:, list(no)].logsumexp(-1)


def caption_logprob(logp: Any, rows: Sequence[Encoded], reduce: str) -> Any:
    """Mean (or sum) log-probability of each row's caption tokens given everything before them.

    ``logp`` holds the last ``k`` positions of left-padded rows, ``k`` one more than the longest caption:
    position ``-(n + 1) + j`` predicts caption token ``j`` of a caption of ``n`` tokens.
    """
    import torch

    scores = []
    for i, row in enumerate(rows):
        caption = row.ids[row.prompt_length :]
        n = len(caption)
        start = logp.shape[1] - n - 1
        picked = logp[i, start : start + n].gather(-1, torch.tensor(caption, device=logp.device)[:, None])[:, 0]
        scores.append(picked.sum() if reduce == "sum" else picked.mean())
    return torch.stack(scores)


@dataclass
class ImageState:
    """One image encoded once: the vision tower's output in the language model's space (``None`` where the
    model cannot take precomputed features; its pairs then run the vision tower themselves)."""

    image: Any
    features: Any = None
    stacked: bool = False  # the model takes the features of a batch as one (rows, tokens, dim) tensor


def takes_features(model: Any) -> bool:
    """Whether ``model.forward`` accepts precomputed vision outputs (transformers' ``mm_encoder_outputs``)."""
    import inspect

    return hasattr(model, "get_image_features") and "mm_encoder_outputs" in inspect.signature(model.forward).parameters


def encode_image(model: Any, processor: Any, image: Any) -> ImageState:
    """Run the image processor and the vision tower (with its projector) on one image."""
    import torch

    if not takes_features(model):
        return ImageState(image)
    out = processor.image_processor(images=[image.convert("RGB")], return_tensors="pt")
    dtype = next(model.parameters()).dtype
    device = next(model.parameters()).device
    inputs = {k: v.to(device, dtype) if v.is_floating_point() else v.to(device) for k, v in out.items()}
    with torch.inference_mode():
        pooled = model.get_image_features(**inputs, return_dict=True).pooler_output
    stacked = isinstance(pooled, torch.Tensor)
    return ImageState(image, pooled[0], stacked)


def with_features(batch: dict[str, Any], states: Sequence[ImageState]) -> dict[str, Any]:
    """The batch with each row's precomputed image features in place of its pixels."""
    import torch
    from transformers.modeling_outputs import BaseModelOutputWithPooling

    batch = {k: v for k, v in batch.items() if not k.startswith("pixel_values")}
    features = [s.features for s in states]
    pooled = torch.stack(features) if states[0].stacked else tuple(features)
    batch["mm_encoder_outputs"] = {"image": BaseModelOutputWithPooling(pooler_output=pooled)}
    return batch
