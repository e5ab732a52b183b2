"""A pretrained causal language model that scores captions by their token log-probabilities, image unseen.

:class:`CausalLM` wraps any ``transformers`` causal LM: a ``from_pretrained`` folder, or a GGUF file read through
transformers' GGUF loading (de-quantized to the requested dtype). A caption's score is the **mean** log-probability
per token (``score="mean"``, default) or their sum (``"total"``): the mean compares fluency across options of
different lengths, the sum favours the shortest option whatever it says (see :mod:`snare.textmodels.ngram`).

One token is put before every caption so that its first word gets a probability too: the tokenizer's BOS token,
or its EOS token where it has no BOS (GPT-2's convention). A tokenizer that adds the BOS itself is asked not to,
so the prefix is never doubled. Each unique text is tokenized and scored once; texts are sorted by token count
and cut into batches of ``batch_size`` (length buckets: little padding), and a batch is padded on
``padding_side`` with position ids counted over the real tokens only, so a caption's score does not depend on its
batch or its padding (up to floating-point summation order).

:func:`snare.textmodels.load.load_causal_lm` fails loudly when what loaded is not what was asked: a tokenizer
that is not the model's (vocabulary size against the config), one that maps ordinary words to its unknown token
or does not round-trip a caption, or a model without a language-model head.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from snare.errors import WeightsUnavailableError

# The head a run record names for a causal LM scoring text alone (``lm``, ``smollm2``): reports find the language-
# prior baseline by it (snare.reports.lm_prior), never by a model's display name.
CAUSAL_LM_HEAD = "text-only-causal-lm"
SCORES = ("mean", "total")
PADDING_SIDES = ("right", "left")
MAX_TOKENS = 256  # a caption's tokens beyond this (or the model's context) are cut: captions are ~12 tokens
CHECK_TEXT = "a man riding a horse on the beach"
# A tokenizer far smaller than the model's vocabulary is not the model's (transformers may silently build a
# fallback from a missing vocabulary file); one larger cannot be embedded at all.
MIN_VOCAB_FRACTION = 0.9


class CausalLM:
    """A loaded causal LM and its tokenizer, scoring texts in length-bucketed batches (see the module docstring)."""

    def __init__(
        self, model: Any, tokenizer: Any, *, batch_size: int = 32, padding_side: str = "right", source: str = ""
    ) -> None:
        if padding_side not in PADDING_SIDES:
            raise ValueError(f"padding_side must be one of {PADDING_SIDES}, not {padding_side!r}")
        self.model, self.tokenizer = model, tokenizer
        self.batch_size, self.padding_side, self.source = batch_size, padding_side, source
        self.prefix_id = prefix_token(tokenizer, source)
        self.max_tokens = min(MAX_TOKENS, int(getattr(model.config, "max_position_embeddings", MAX_TOKENS) or 0) - 1)

    def token_ids(self, text: str) -> list[int]:
        """The prefix token followed by the text's tokens (no special tokens of the tokenizer's own)."""
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        return [self.prefix_id, *ids[: self.max_tokens]]

    def logprobs(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """``(total log-probability, predicted tokens)`` per text, each unique text computed once."""
        unique = list(dict.fromkeys(texts))
        ids = {t: self.token_ids(t) for t in unique}
        ordered = sorted(unique, key=lambda t: (len(ids[t]), t))  # length buckets: batches of near-equal length
        found: dict[str, tuple[float, int]] = {}
        for start in range(0, len(ordered), self.batch_size):
            chunk = ordered[start : start + self.batch_size]
            found.update(zip(chunk, self._batch([ids[t] for t in chunk]), strict=True))
        total = np.array([found[t][0] for t in texts], dtype=np.float64)
        count = np.array([found[t][1] for t in texts], dtype=np.int64)
        return total, count

    def score(self, texts: Sequence[str], how: str = "mean") -> np.ndarray:
        """Mean (or total) log-probability per text; a text with no tokens scores 0 (nothing left to predict)."""
        if how not in SCORES:
            raise ValueError(f"score must be one of {SCORES}, not {how!r}")
        total, count = self.logprobs(texts)
        return total if how == "total" else total / np.maximum(count, 1)

    def _batch(self, seqs: Sequence[Sequence[int]]) -> list[tuple[float, int]]:
        import torch

        width = max(len(s) for s in seqs)
        pad = self.prefix_id  # any valid id: padded positions are masked and never read
        tokens = torch.full((len(seqs), width), pad, dtype=torch.long)
        mask = torch.zeros((len(seqs), width), dtype=torch.long)
        for row, seq in enumerate(seqs):
            cols = slice(0, len(seq)) if self.padding_side == "right" else slice(width - len(seq), width)
            tokens[row, cols] = torch.tensor(seq, dtype=torch.long)
            mask[row, cols] = 1
        positions = (mask.cumsum(-1) - 1).clamp(min=0)  # each caption starts at position 0 whatever its padding
        device = next(self.model.parameters()).device
        with torch.inference_mode():
            logits = self.model(
                input_ids=tokens.to(device), attention_mask=mask.to(device), position_ids=positions.to(device)
            ).logits
        logp = logits[:, :-1].float().log_softmax(-1).gather(-1, tokens[:, 1:, None].to(device)).squeeze(-1).cpu()
        predicted = (mask[:, 1:] * mask[:, :-1]).bool()  # a real token whose context is real (not the prefix)
        totals = torch.where(predicted, logp.double(), torch.zeros((), dtype=torch.float64)).sum(-1)
        return [(float(t), int(n)) for t, n in zip(totals, predicted.sum(-1), strict=True)]

    def describe(self) -> dict[str, Any]:
        """What decides the scores besides the weights: the prefix, the cut, the padding."""
        return {
            "prefix_token": self.tokenizer.convert_ids_to_tokens(self.prefix_id),
            "max_tokens": self.max_tokens,
            "padding_side": self.padding_side,
            "vocab_size": int(self.model.config.vocab_size),
        }


def prefix_token(tokenizer: Any, source: str = "") -> int:
    """The id put before every text: the tokenizer's BOS, else its EOS; an error if it has neither."""
    for attr in ("bos_token_id", "eos_token_id"):
        value = getattr(tokenizer, attr, None)
        if isinstance(value, int):
            return value
    raise WeightsUnavailableError(
        f"the tokenizer of {source or 'the language model'} has neither a BOS nor an EOS token, so the first word "
        "of a caption cannot get a probability; give a tokenizer that declares one"
    )
