"""Prefix reuse: each image's prompt prefix through the language model once, its captions scored as continuations.

Every caption of an image repeats the same prompt prefix: the chat template, the image tokens and the question
up to the caption (``yesno``/``vqascore``), or the whole prompt (``likelihood``). :func:`compute_prefix` runs the
language model once over that prefix (image features from the vision tower already computed) and keeps its
key/value cache; :func:`score_continuations` scores a batch of pairs, each as the tokens after its image's prefix,
over one :class:`transformers.DynamicCache` built from the prefixes' keys and values (left-padded to the batch's
longest prefix, copied per row, so rows of several images share one forward).

**Exactness.** A row's tokens are those of the unshared forward (the processor on the whole prompt); the part it
takes from the prefix is the longest common prefix of the two token sequences, so a tokenizer that merges the
caption's first characters with the text before it shortens the shared part instead of changing the tokens.
Positions are those of the unshared forward: one position per token counted from the row's first token (from 1
for PaliGemma), or, for multimodal rotary positions (Qwen2-VL), the prefix's own 3-component ``position_ids`` from
the model's ``get_rope_index`` and every later (text) token at its index plus the prefix's ``rope_delta``. Padding
(between a short prefix and its continuation) is masked. A row whose shared part would not hold all its image
tokens, or would leave no token to read the answer from, is scored by the unshared forward instead.

**Where the prefix depends on the caption.** PaliGemma is a prefix-LM: its prompt (image tokens and text) attends
bidirectionally, so for ``yesno``/``vqascore``, whose caption sits inside the prompt's question, every prompt
token (image tokens included) attends to the caption and no caption-free prefix exists. Its template has no place
for the question after the bidirectional block that would ask the same question, so these scores keep the
unshared forward. Its ``likelihood`` captions are the causal suffix after the bidirectional prompt: shared.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from snare.adapters.vlm.scoring import POSITION_START, SELF_POSITIONED, Encoded, collate, with_features

# The model types whose prefix reuse the tests check against the unshared forward, and the scores it serves.
SHARED = {"llava": ("yesno", "vqascore", "likelihood"), "qwen2_vl": ("yesno", "vqascore", "likelihood")}
SHARED["paligemma"] = ("likelihood",)  # yes/no: the bidirectional prompt attends to the caption (module doc)
# Prefixes kept across batches. The engine's schedule needs one (the image a batch boundary cuts through); each
# costs 2 x layers x prefix tokens x key/value width (about 30 MB for Qwen2-VL-2B at 1,000 tokens in bfloat16).
DEFAULT_CAP = 4


def shareable(model_type: str, score: str) -> tuple[bool, str]:
    """Whether ``score`` of a ``model_type`` model reuses prefixes, and why not where it does not."""
    if score in SHARED.get(model_type, ()):
        return True, ""
    if model_type == "paligemma":
        return False, "PaliGemma's prompt attends bidirectionally, so its prefix depends on the caption in it"
    return False, f"prefix reuse is not checked for {model_type!r} models"


@dataclass
class Prefix:
    """One image's prompt prefix after the language model: its tokens, key/value cache and positions."""

    ids: list[int]
    tokens: dict[str, list[int]]
    kv: list[tuple[Any, Any]]  # per layer: keys and values of shape (1, heads, len(ids), head_dim)
    offset: int  # a text token at index m after the image has position m + offset
    image_end: int  # index after the last image token
    last_logp: Any  # float32 log-probabilities at the last prefix position (vocab,)


@dataclass
class PrefixCache:
    """Prefixes keyed by (image state, template), at most ``cap`` kept; the oldest is dropped first.

    The engine schedules an image's captions together, so a prefix serves them all before it is dropped.
    """

    cap: int = DEFAULT_CAP
    entries: OrderedDict[tuple[int, str], tuple[Any, Prefix]] = field(default_factory=OrderedDict)
    computed: int = 0
    reused: int = 0
    evicted: int = 0
    prefix_tokens: int = 0  # tokens run through the language model as prefixes
    continuation_tokens: int = 0  # tokens run as continuations
    unshared_tokens: int = 0  # tokens the unshared forward would have run for the same rows

    def __post_init__(self) -> None:
        if self.cap < 1:
            raise ValueError(f"a prefix cache holds at least one prefix, not {self.cap}")

    def fetch(self, states: Sequence[Any], template: str, compute: Callable[[Any], Prefix]) -> list[Prefix]:
        """The prefix of each state (computed once per distinct state in this call, kept up to ``cap``)."""
        local: dict[int, Prefix] = {}
        for state in states:
            key = (id(state), template)
            if id(state) in local:
                continue
            if key in self.entries:
                self.reused += 1
                local[id(state)] = self.entries[key][1]
                continue
            prefix = compute(state)
            self.computed += 1
            self.prefix_tokens += len(prefix.ids)
            local[id(state)] = prefix
            self.entries[key] = (state, prefix)  # the state is held so that its id cannot be reused meanwhile
            while len(self.entries) > self.cap:
                self.entries.popitem(last=False)
                self.evicted += 1
        return [local[id(state)] for state in states]

    def share(self) -> float:
        """The share of the unshared forward's language-model tokens that prefix reuse did not run."""
        if not self.unshared_tokens:
            return 0.0
        return 1 - (self.prefix_tokens + self.continuation_tokens) / self.unshared_tokens


def _cache_arg(model: Any) -> str:
    import inspect

    return "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"


def _layers(cache: Any) -> list[tuple[Any, Any]]:
    if hasattr(cache, "layers"):
        return [(layer.keys, layer.values) for layer in cache.layers]
    return list(zip(cache.key_cache, cache.value_cache, strict=True))  # older transformers


def _dynamic_cache(kv: list[tuple[Any, Any]]) -> Any:
    from transformers import DynamicCache

    try:
        return DynamicCache(ddp_cache_data=kv)
    except TypeError:  # older transformers
        return DynamicCache.from_legacy_cache(tuple(kv))


def _rope_index(model: Any, batch: dict[str, Any]) -> tuple[Any, Any]:
    import inspect

    inner = getattr(model, "model", model)
    wanted = inspect.signature(inner.get_rope_index).parameters
    names = ("image_grid_thw", "attention_mask", "mm_token_type_ids")
    return inner.get_rope_index(batch["input_ids"], **{k: batch[k] for k in names if k in batch and k in wanted})


def compute_prefix(model: Any, row: Encoded, state: Any, *, model_type: str, device: str, dtype: Any) -> Prefix:
    """Run the language model once over ``row`` (one image's prefix, features from ``state``), keep its cache."""
    import torch

    batch = with_features(collate([row], pad_id=0, model_type=model_type, device=device, dtype=dtype), [state])
    if model_type in SELF_POSITIONED:
        batch["position_ids"], deltas = _rope_index(model, batch)
        offset = int(deltas.reshape(-1)[0])
    else:
        offset = POSITION_START.get(model_type, 0)
    with torch.inference_mode():
        out = model(**batch, logits_to_keep=1, use_cache=True)
    cache = out.cache if getattr(out, "cache", None) is not None else out.past_key_values  # transformers 5: cache
    image_id = getattr(model.config, "image_token_id", None)
    image_end = max((i + 1 for i, t in enumerate(row.ids) if t == image_id), default=0)
    last = out.logits[0, -1].float().log_softmax(-1)
    return Prefix(list(row.ids), dict(row.tokens), _layers(cache), offset, image_end, last)


def _common_length(row: Encoded, prefix: Prefix) -> int:
    """How many leading tokens (ids and per-token fields) ``row`` and ``prefix`` have in common."""
    for k in range(min(len(row.ids), len(prefix.ids))):
        if row.ids[k] != prefix.ids[k] or any(row.tokens[n][k] != prefix.tokens[n][k] for n in row.tokens):
            return k
    return min(len(row.ids), len(prefix.ids))


def shared_length(row: Encoded, prefix: Prefix, *, whole: bool) -> int | None:
    """How many leading tokens ``row`` takes from ``prefix`` (None: the row needs the unshared forward).

    ``whole``: the row must take the whole prefix (likelihood, whose first caption token is read off the
    prefix's last position); otherwise at least one token is left to read the answer from.
    """
    k = _common_length(row, prefix)
    if whole:
        return k if k == len(prefix.ids) == row.prompt_length and len(row.ids) > k else None
    k = min(k, len(row.ids) - 1)
    return k if k >= max(prefix.image_end, 1) else None


def continuation_batch(rows: Sequence[Encoded], prefixes: Sequence[Prefix], ks: Sequence[int], **kw: Any) -> dict:
    """Model inputs for the rows' tokens after their shared parts, over one cache of their prefixes.

    ``kw``: ``pad_id``, ``model_type``, ``device``. The cache holds each row's ``ks[i]`` prefix tokens, left-padded
    to the longest; the continuations are left-padded too, so every row ends in the last column.
    """
    import torch
    from torch.nn.functional import pad

    width, past = max(len(r.ids) - k for r, k in zip(rows, ks, strict=True)), max(ks)
    n = len(rows)
    ids = torch.full((n, width), kw["pad_id"], dtype=torch.long)
    mask = torch.zeros((n, past + width), dtype=torch.long)
    positions = torch.zeros((n, width), dtype=torch.long)
    fields = {name: torch.zeros_like(ids) for name in rows[0].tokens}
    for i, (row, prefix, k) in enumerate(zip(rows, prefixes, ks, strict=True)):
        tail = len(row.ids) - k
        ids[i, width - tail :] = torch.tensor(row.ids[k:])
        mask[i, past - k : past] = 1
        mask[i, past + width - tail :] = 1
        positions[i, width - tail :] = torch.arange(k, len(row.ids)) + prefix.offset
        for name, values in row.tokens.items():
            fields[name][i, width - tail :] = torch.tensor(values[k:])
    layers = []
    for layer in range(len(prefixes[0].kv)):
        pair = []
        for slot in (0, 1):
            parts = [pad(p.kv[layer][slot][:, :, :k], (0, 0, past - k, 0)) for p, k in zip(prefixes, ks, strict=True)]
            pair.append(torch.cat(parts))  # new tensors: the stored prefixes are never written to
        layers.append((pair[0], pair[1]))
    if kw["model_type"] in SELF_POSITIONED:
        positions = positions[None].expand(3, -1, -1)
    device = kw["device"]
    batch = {name: value.to(device) for name, value in fields.items()}
    batch.update(input_ids=ids.to(device), attention_mask=mask.to(device), position_ids=positions.to(device))
    batch["_cache"] = _dynamic_cache(layers)
    return batch


def forward_continuations(model: Any, batch: dict[str, Any], keep: int) -> Any:
    """The float32 log-probabilities of the continuations' last ``keep`` positions, ``(rows, keep, vocab)``."""
    import torch

    batch = dict(batch)
    batch[_cache_arg(model)] = batch.pop("_cache")
    with torch.inference_mode():
        logits = model(**batch, logits_to_keep=keep, use_cache=True).logits
    return logits[:, -keep:].float().log_softmax(dim=-1)


def caption_logprob(logp: Any, rows: Sequence[Encoded], prefixes: Sequence[Prefix], reduce: str) -> Any:
    """Mean (or sum) log-probability of each row's caption: its first token from the prefix's last position,
    the rest from the continuation (whose last ``k`` positions ``logp`` holds, rows ending in the last column)."""
    import torch

    scores = []
    for i, (row, prefix) in enumerate(zip(rows, prefixes, strict=True)):
        caption = torch.tensor(row.ids[row.prompt_length :], device=logp.device)
        n = len(caption)
        width = logp.shape[1]
        rest = logp[i, width - n : width - 1].gather(-1, caption[1:, None])[:, 0]
        picked = torch.cat([prefix.last_logp[caption[:1]].to(rest.device), rest])
        scores.append(picked.sum() if reduce == "sum" else picked.mean())
    return torch.stack(scores)
