"""CLIP's text tower without its padding: the same embeddings at a fraction of the cost for short captions.

open_clip pads every caption to the full context (77 tokens for OpenAI CLIP) and runs the causal text
transformer over all of it, although the embedding is read at one position per caption (the end-of-text token)
and the causal mask keeps every position from seeing the ones after it. Cutting a batch to the last position any
of its captions is read at therefore leaves each embedding unchanged (up to floating-point summation order), and
probe captions are around 12 tokens long: about a fifth of the work.

This only applies to open_clip's ``CLIP`` text tower with a causal mask and ``argmax``/``eos`` pooling, and only
after :func:`trimming_agrees` has confirmed on real captions that the result matches ``encode_text``; anything
else goes through ``encode_text`` unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

_PARTS = ("token_embedding", "positional_embedding", "transformer", "ln_final", "attn_mask")
# Captions of different lengths, so that the check cuts a batch whose captions end at different positions.
CHECK_CAPTIONS = (
    "a dog",
    "the red circle is to the left of the blue square",
    "a man riding a horse on a sandy beach next to the ocean while two children watch from a wooden bench",
)
# How far the two may differ, relative to the largest embedding value: summation-order noise of each dtype.
TOLERANCE = {"float32": 1e-5, "float16": 1e-2, "bfloat16": 5e-2}


def can_trim(model: Any) -> bool:
    """Whether ``model`` has the text tower this module knows how to cut (a causal mask, pooled at one token)."""
    import torch

    if not all(hasattr(model, part) for part in _PARTS) or model.attn_mask is None:
        return False
    if getattr(model, "text_pool_type", None) not in ("argmax", "eos"):
        return False
    mask = model.attn_mask
    n = mask.shape[-1]
    causal = torch.full((n, n), float("-inf"), device=mask.device).triu(1)
    return mask.shape == (n, n) and bool(torch.equal(mask.float(), causal))


def _pooled_at(model: Any, tokens: Any) -> Any:
    """The position each caption's embedding is read at (as ``open_clip.transformer.text_global_pool``)."""
    if model.text_pool_type == "argmax":
        return tokens.argmax(dim=-1)
    return (tokens == model.text_eos_id).int().argmax(dim=-1)


def encode_text_trimmed(model: Any, tokens: Any) -> Any:
    """``model.encode_text(tokens)`` computed on the positions up to the last one the pooling reads."""
    import torch
    from open_clip.transformer import text_global_pool

    n = int(_pooled_at(model, tokens).max()) + 1
    tokens = tokens[:, :n]
    cast_dtype = model.transformer.get_cast_dtype()
    x = model.token_embedding(tokens).to(cast_dtype) + model.positional_embedding[:n].to(cast_dtype)
    x = model.ln_final(model.transformer(x, attn_mask=model.attn_mask[:n, :n]))
    x = text_global_pool(x, tokens, model.text_pool_type, eos_token_id=getattr(model, "text_eos_id", None))
    if isinstance(model.text_projection, torch.nn.Linear):
        x = model.text_projection(x)
    elif model.text_projection is not None:
        x = x @ model.text_projection
    return x


def trimming_agrees(model: Any, tokenizer: Any, dtype: str, captions: Sequence[str] = CHECK_CAPTIONS) -> bool:
    """Whether the trimmed and the full text tower give the same embeddings for ``captions`` (one batch)."""
    import torch

    atol = TOLERANCE.get(dtype, TOLERANCE["float16"])
    device = next(model.parameters()).device
    tokens = tokenizer(list(captions)).to(device)
    with torch.inference_mode():
        full = model.encode_text(tokens).float()
        cut = encode_text_trimmed(model, tokens).float()
    scale = max(float(full.abs().max()), 1.0)
    return full.shape == cut.shape and bool(torch.allclose(full, cut, rtol=0.0, atol=atol * scale))
