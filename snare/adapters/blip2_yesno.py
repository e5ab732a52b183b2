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


def answer_token(tokenizer: Any, word: str) -> int:
    """The single token that starts the answer ``word`` right after "Answer:" (e.g. OPT's "Ġyes", T5's "▁yes")."""
    ids = tokenizer(" " + word, add_special_tokens=False).input_ids
    if not ids or ids[0] == tokenizer.unk_token_id:
        raise WeightsUnavailableError(f"the language model's tokenizer has no token for {word!r}; it cannot answer")
    return int(ids[0])


class Blip2YesNo(PairScorer):
    replay_safe = True  # see Adapter.replay_safe
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

    def load(self) -> None:
        import torch
        from transformers import Blip2Config, Blip2ForConditionalGeneration
        from transformers.models.blip.image_processing_pil_blip import BlipImageProcessorPil

        from snare.adapters import hf_weights as hf

        model, resolved, tok_source = hf.load_family(
            self,
            Blip2ForConditionalGeneration,
            Blip2Config,
            family=("blip-2",),
            default=full_config,
            tiny=tiny_config,
            default_weights=DEFAULT_WEIGHTS,
        )
        tokenizer = hf.load_tokenizer(tok_source, what="the language model's tokenizer")
        hf.check_vocab(tokenizer, model.config.text_config.vocab_size, tok_source)
        tokenizer.padding_side = "right"  # the answer position is found from the attention mask
        self.tokenizer = tokenizer
        self.yes_id, self.no_id = answer_token(tokenizer, "yes"), answer_token(tokenizer, "no")
        self.decoder_only = bool(model.config.use_decoder_only_language_model)
        size = model.config.vision_config.image_size
        self.processor = hf.image_processor(
            resolved.path, lambda: BlipImageProcessorPil(size={"height": size, "width": size})
        )
        self.model = model.to(self.device, dtype=getattr(torch, self.dtype)).eval()

    def preprocessing(self) -> dict[str, Any]:
        from snare.adapters.hf_weights import describe_image_processor

        if not hasattr(self, "processor"):
            return {"question": self.question}
        return {
            "image": describe_image_processor(self.processor),
            "tokenizer": type(self.tokenizer).__name__,
            "question": self.question,
            "answer_tokens": {"yes": self.yes_id, "no": self.no_id},
            "language_model": self.model.config.text_config.model_type,
            "max_prompt_length": MAX_PROMPT_LENGTH,
        }

    def prompts(self, texts: Sequence[str]) -> list[str]:
        return [self.question.replace("{caption}", text) for text in texts]

    def encode_images(self, images: Sequence[Any]) -> list[Any]:
        """The Q-Former outputs projected into the language model's embedding space, one tensor per image."""
        import torch

        from snare.adapters.hf_weights import pixel_values

        model = self.model
        pixels = pixel_values(self.processor, images).to(self.device, next(model.parameters()).dtype)
        with torch.inference_mode():
            return list(model.get_image_features(pixel_values=pixels).pooler_output)

    def score_encoded(self, encoded: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        import torch

        model = self.model
        image_inputs = torch.stack(list(encoded))
        tokens = self.tokenizer(
            self.prompts(texts), padding="longest", truncation=True, max_length=MAX_PROMPT_LENGTH, return_tensors="pt"
        ).to(self.device)
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
