"""BLIP-2 as the SNARE paper used it: asked a yes/no question about each caption, scored continuously.

The paper generated an answer and parsed "yes"/"no" from it: 0/1 scores, so most items tie. Here the score is
``log p("yes") - log p("no")`` at the first position the model would generate, read from one forward pass of
transformers' ``Blip2ForConditionalGeneration`` (Flan-T5 or OPT language model): continuous, so ties are as rare
as for any other head. The question is ``-o question=TEMPLATE`` with a ``{caption}`` slot, by default
``Question: Is there "{caption}"? Answer:`` (the BLIP-2 VQA prompt format around SNARE's relation/negation
question; SNARE also prefixed a generated image description, which is not done here).

The image enters as the 32 Q-Former outputs projected into the language model's embedding space, placed before
the prompt, as BLIP-2 does. Flan-T5: they feed the encoder and the decoder starts from its start token. OPT: the
prompt (with OPT's BOS) follows them and the next-token distribution after the last prompt token is read.

Weights: a hub id (default ``Salesforce/blip2-flan-t5-xl``), a ``from_pretrained`` folder, or ``random`` with
``-o config=PATH`` (a Blip2Config file) or the default (full Flan-T5-XL size; not practical on a CPU). The
language model's tokenizer comes with the weights, or ``-o tokenizer=PATH``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from snare.adapters.base import AdapterMeta, PairScorer
from snare.adapters.hf_family import HfAdapter, HfFamily
from snare.errors import WeightsUnavailableError

DEFAULT_WEIGHTS = "Salesforce/blip2-flan-t5-xl"
DEFAULT_QUESTION = 'Question: Is there "{caption}"? Answer:'
MAX_PROMPT_LENGTH = 64


def full_config() -> Any:
    """The Salesforce/blip2-flan-t5-xl architecture (ViT-g, Q-Former, Flan-T5-XL)."""
    from transformers import Blip2Config

    t5_xl = {
        "model_type": "t5",
        "d_model": 2048,
        "d_ff": 5120,
        "d_kv": 64,
        "num_heads": 32,
        "num_layers": 24,
        "vocab_size": 32128,
        "feed_forward_proj": "gated-gelu",
        "tie_word_embeddings": False,
    }
    return Blip2Config(text_config=t5_xl)


def tiny_config() -> Any:
    """A tiny BLIP-2 with a two-layer T5 whose vocabulary is Flan-T5's size (needs a Flan-T5 tokenizer)."""
    from transformers import Blip2Config

    from snare.adapters.blip2 import tiny_qformer_parts

    small_t5 = {"model_type": "t5", "d_model": 32, "d_ff": 64, "d_kv": 16, "num_heads": 2, "num_layers": 2}
    return Blip2Config(**tiny_qformer_parts(), text_config={**small_t5, "vocab_size": 32128})


BLIP2_LM = HfFamily(
    model_class="transformers:Blip2ForConditionalGeneration",
    config_class="transformers:Blip2Config",
    model_types=("blip-2",),
    default_weights=DEFAULT_WEIGHTS,
    full_config=full_config,
    tiny_config=tiny_config,
    image_processor="transformers.models.blip.image_processing_pil_blip:BlipImageProcessorPil",
    tokenizer_what="the language model's tokenizer",
)


def answer_token(tokenizer: Any, word: str) -> int:
    """The single token that starts the answer ``word`` right after "Answer:" (e.g. OPT's "Ġyes", T5's "▁yes").

    Only this variant is scored: "Yes", "YES" or "yes" without the leading space are not pooled in, as the
    prompt's own answers (Flan-T5's and OPT's VQA answers) are lower-case words after a space.
    """
    ids = tokenizer(" " + word, add_special_tokens=False).input_ids
    if not ids or ids[0] == tokenizer.unk_token_id:
        raise WeightsUnavailableError(f"the language model's tokenizer has no token for {word!r}; it cannot answer")
    return int(ids[0])


class Blip2YesNo(HfAdapter, PairScorer):
    option_names = ("config", "tokenizer", "question")
    family = BLIP2_LM
    max_text_length = MAX_PROMPT_LENGTH
    meta = AdapterMeta(
        name="blip2-yesno",
        family="blip2",
        head="yes-no-logprob",
        default_weights=DEFAULT_WEIGHTS,
        license="mit",
        description='BLIP-2 asked "Is there <caption>?": log p(yes) - log p(no) (Blip2ForConditionalGeneration)',
        params=3_940_000_000,
        url="https://huggingface.co/Salesforce/blip2-flan-t5-xl",
        weights_help="hub id | from_pretrained folder | random with -o config=PATH; -o question=TEMPLATE",
    )

    def __init__(self, weights: str | None = None, **kwargs: Any) -> None:
        super().__init__(weights, **kwargs)
        self.question = str(self.options.get("question") or DEFAULT_QUESTION)
        if "{caption}" not in self.question:
            raise WeightsUnavailableError(f"-o question={self.question!r} has no {{caption}} slot")

    def _loaded(self) -> None:
        self.tokenizer.padding_side = "right"  # the answer position is found from the attention mask
        self.yes_id, self.no_id = answer_token(self.tokenizer, "yes"), answer_token(self.tokenizer, "no")
        self.decoder_only = bool(self.model.config.use_decoder_only_language_model)

    def preprocessing(self) -> dict[str, Any]:
        from snare.adapters.hf_weights import describe_image_processor

        if not hasattr(self, "processor"):
            return {"question": self.question}
        return {
            "image": describe_image_processor(self.processor),
            "tokenizer": type(self.tokenizer).__name__,
            "question": self.question,
            # one token per answer, no variants pooled: the first token of " yes" / " no" (see answer_token)
            "answer_tokens": {"yes": self.yes_id, "no": self.no_id},
            "answer_token_text": dict(
                zip(("yes", "no"), self.tokenizer.convert_ids_to_tokens([self.yes_id, self.no_id]), strict=True)
            ),
            "language_model": self.model.config.text_config.model_type,
            "max_prompt_length": MAX_PROMPT_LENGTH,
        }

    def prompts(self, texts: Sequence[str]) -> list[str]:
        return [self.question.replace("{caption}", text) for text in texts]

    def encode_images(self, images: Sequence[Any]) -> list[Any]:
        """The Q-Former outputs projected into the language model's embedding space, one tensor per image."""
        import torch

        with torch.inference_mode():
            return list(self.model.get_image_features(pixel_values=self._pixels(images)).pooler_output)

    def score_encoded(self, encoded: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        import torch

        model = self.model
        image_inputs = torch.stack(list(encoded))
        tokens = self._tokens(self.prompts(texts))
        lm = model.language_model
        with torch.inference_mode():
            text_embeds = lm.get_input_embeddings()(tokens.input_ids)
            embeds = torch.cat([image_inputs.to(text_embeds.dtype), text_embeds], dim=1)
            image_mask = torch.ones(image_inputs.shape[:-1], dtype=tokens.attention_mask.dtype, device=self.device)
            mask = torch.cat([image_mask, tokens.attention_mask], dim=1)
            if self.decoder_only:
                logits = lm(inputs_embeds=embeds, attention_mask=mask).logits
                last = mask.sum(dim=1) - 1  # right padding: the last real prompt token predicts the answer
                logits = logits[torch.arange(len(texts), device=self.device), last]
            else:
                start = torch.full((len(texts), 1), lm.config.decoder_start_token_id, device=self.device)
                logits = lm(inputs_embeds=embeds, attention_mask=mask, decoder_input_ids=start).logits[:, 0]
            logp = logits.float().log_softmax(dim=-1)
        return (logp[:, self.yes_id] - logp[:, self.no_id]).cpu().numpy()

    def score_pairs(self, images: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        return self.score_encoded(self.encode_images(images), texts)
