"""``--model vlm``: any generative vision-language model, scored by yes/no log-odds or caption likelihood.

Three scores (``-o score=``), each what one forward pass over the (image, caption) pair gives, batched with left
padding. The engine runs each image's vision tower once (:meth:`Vlm.encode_images`) and, where the architecture
allows, the language model once over each image's prompt prefix, every caption scored as a continuation over its
key/value cache (:mod:`snare.adapters.vlm.prefix`; the same scores):

- ``yesno`` (default; VQAScore-style): ``log p(yes) - log p(no)`` of the first answer token after the model's
  chat template asks ``-o question=TEMPLATE`` (:mod:`snare.adapters.vlm.answers`).
- ``vqascore``: ``log p("Yes")`` alone, which ranks options as t2v_metrics' VQAScore ``P("Yes")`` does.
- ``likelihood`` (VisualGPTScore-style): the mean (``-o reduce=sum``: the sum) log-probability of the caption's
  tokens, teacher-forced after the image and ``-o prefix=TEXT`` in the model's template, prompt tokens masked.

Weights: a hub id (default ``Qwen/Qwen2-VL-2B-Instruct``), a ``save_pretrained`` folder, or ``random`` with
``-o arch=llava|qwen2-vl|paligemma`` (and ``-o size=tiny|small|large``), a seeded random model with a tokenizer and
processor snare builds offline (:mod:`snare.adapters.vlm.tiny`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from snare.adapters.base import AdapterMeta, PairScorer
from snare.adapters.vlm import answers
from snare.errors import WeightsUnavailableError

DEFAULT_WEIGHTS = "Qwen/Qwen2-VL-2B-Instruct"
SCORES = ("yesno", "likelihood", "vqascore")
REDUCTIONS = ("mean", "sum")
OPTIONS = ("score", "reduce", "question", "prefix", "arch", "size", "max_caption_tokens")
MAX_CAPTION_TOKENS = 256


def _choice(options: dict[str, Any], key: str, choices: Sequence[str]) -> str:
    value = str(options.get(key) or choices[0])
    if value not in choices:
        raise WeightsUnavailableError(f"-o {key}={value}: choose one of {', '.join(choices)}")
    return value


class Vlm(PairScorer):
    option_names = OPTIONS
    share_prefixes = True  # reuse each image's prompt prefix where the architecture allows (False: bench baseline)
    replay_safe = True  # reads only --weights (hub snapshots through snare.adapters.hub) or builds from the seed
    meta = AdapterMeta(
        name="vlm",
        family="vlm",
        head="yes-no-logprob",
        default_weights=DEFAULT_WEIGHTS,
        license="per weights",
        description="any AutoModelForImageTextToText: log p(yes) - log p(no), or -o score=likelihood",
        url="https://huggingface.co/Qwen/Qwen2-VL-2B-Instruct",
        weights_help="hub id | save_pretrained folder | random with -o arch=llava|qwen2-vl|paligemma; "
        "-o score=yesno|likelihood|vqascore, -o question=TEMPLATE, -o prefix=TEXT, -o reduce=mean|sum",
    )

    def __init__(self, weights: str | None = None, **kwargs: Any) -> None:
        super().__init__(weights, **kwargs)
        self.score = _choice(self.options, "score", SCORES)
        self.reduce = _choice(self.options, "reduce", REDUCTIONS)
        self.question = answers.check_template(str(self.options.get("question") or answers.DEFAULT_QUESTION))
        self.prefix = str(self.options.get("prefix") or answers.DEFAULT_PREFIX)
        self.arch = self.options.get("arch")
        if self.arch is not None and self.weights != "random":
            raise WeightsUnavailableError("-o arch= builds a random model: use it with --weights random")
        raw = str(self.options.get("max_caption_tokens") or MAX_CAPTION_TOKENS)
        if not raw.isdigit() or int(raw) < 1:
            raise WeightsUnavailableError(f"-o max_caption_tokens={raw}: give a whole number of tokens, at least 1")
        self.max_caption_tokens = int(raw)

    def load(self) -> None:
        import torch

        from snare.adapters import hf_weights as hf
        from snare.adapters.vlm import loading, prefix

        if self.weights == "random":
            loaded = loading.random_model(self.arch, str(self.options.get("size") or "tiny"), self.seed)
        else:
            loaded = loading.pretrained(self.weights)
            self.revision = loaded.revision
        self.processor, tokenizer = loaded.processor, loaded.processor.tokenizer
        hf.check_vocab(tokenizer, loading.text_vocab_size(loaded.model), self.weights)
        self.tokenizer = tokenizer
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        self.has_template = bool(getattr(self.processor, "chat_template", None))
        self.answer_ids = answers.answer_tokens(tokenizer) if self.score == "yesno" else None
        self.vqa_yes = answers.vqascore_token(tokenizer) if self.score == "vqascore" else None
        self.model_type = loaded.model.config.model_type
        self.model = loaded.model.to(self.device, dtype=getattr(torch, self.dtype)).eval()
        self.shares_prefixes, self.unshared_reason = prefix.shareable(self.model_type, self.score)
        self.prefix_cache = prefix.PrefixCache()
        self._check_image_tokens()

    def _check_image_tokens(self) -> None:
        """The processor must turn the prompt's image placeholder into the model's image tokens."""
        from snare.adapters.vlm.scoring import encode
        from snare.probes.scenes import reference_image

        image_id = getattr(self.model.config, "image_token_id", None)
        try:
            row = encode(self.processor, reference_image(), self.prompt_of("a caption"))
        except (TypeError, ValueError, KeyError) as exc:  # a processor whose files do not fit together
            first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
            raise WeightsUnavailableError(
                f"--weights {self.weights}: the processor cannot build a prompt ({type(exc).__name__}: {first})"
            ) from None
        if image_id is not None and image_id not in row.ids:
            raise WeightsUnavailableError(
                f"--weights {self.weights}: the processor's prompt has no image token (id {image_id}); "
                "its chat template or image token does not match the model"
            )

    def prompt_of(self, caption: str) -> str:
        text = self.prefix if self.score == "likelihood" else answers.question(self.question, caption)
        return answers.prompt(self.processor, text, has_template=self.has_template)

    def describe(self) -> dict[str, Any]:
        described = super().describe()
        heads = {"yesno": "yes-no-logprob", "vqascore": "yes-logprob", "likelihood": f"caption-logprob-{self.reduce}"}
        described["head"] = heads[self.score]
        return described

    def preprocessing(self) -> dict[str, Any]:
        facts: dict[str, Any] = {"score": self.score, "max_caption_tokens": self.max_caption_tokens}
        facts.update({"prefix": self.prefix} if self.score == "likelihood" else {"question": self.question})
        if self.score == "likelihood":
            facts["reduce"] = self.reduce
        if not hasattr(self, "processor"):
            return facts
        from snare.adapters.hf_weights import describe_image_processor

        facts.update(
            arch=self.model_type,
            image=describe_image_processor(self.processor.image_processor),
            tokenizer=type(self.tokenizer).__name__,
            prompt=self.prompt_of("{caption}"),
            chat_template=self.has_template,
            padding="left",
        )
        if self.answer_ids is not None:
            facts["answer_tokens"] = self.answer_ids.to_json()
        if self.vqa_yes is not None:
            facts["answer_tokens"] = {"Yes": self.vqa_yes}
        return facts

    def _caption_ids(self, caption: str) -> list[int]:
        ids = list(self.tokenizer(caption, add_special_tokens=False).input_ids)[: self.max_caption_tokens]
        if not ids:
            raise WeightsUnavailableError("an empty caption has no likelihood; drop it from the probe set")
        return ids

    def _cut(self, caption: str) -> str:
        """The caption cut to ``max_caption_tokens`` tokens (a question must keep its closing words)."""
        ids = self.tokenizer(caption, add_special_tokens=False).input_ids
        return caption if len(ids) <= self.max_caption_tokens else self.tokenizer.decode(ids[: self.max_caption_tokens])

    def encode_images(self, images: Sequence[Any]) -> list[Any]:
        """Each image through the image processor and vision tower once, for all of its captions."""
        from snare.adapters.vlm.scoring import encode_image

        return [encode_image(self.model, self.processor, image) for image in images]

    def score_encoded(self, encoded: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        """Each pair over its image's encoded state: a shared prefix where :attr:`shares_prefixes` holds."""
        from snare.adapters.vlm.scoring import with_features

        if any(state.features is None for state in encoded):
            return self._score([state.image for state in encoded], texts)
        if self.share_prefixes and self.shares_prefixes:
            return self._score_shared(encoded, texts)
        return self._score([state.image for state in encoded], texts, lambda batch: with_features(batch, encoded))

    def score_pairs(self, images: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        return self._score(images, texts)

    def _rows(self, images: Sequence[Any], texts: Sequence[str]) -> list[Any]:
        """Each pair encoded as the unshared forward sees it (the prompt through the processor, caption ids)."""
        from snare.adapters.vlm import scoring

        pairs = list(zip(images, texts, strict=True))
        if self.score != "likelihood":
            return [scoring.encode(self.processor, im, self.prompt_of(self._cut(t))) for im, t in pairs]
        prompt = self.prompt_of("")
        return [scoring.encode(self.processor, im, prompt, self._caption_ids(t)) for im, t in pairs]

    def prefix_prompt(self) -> str:
        """The prompt up to the caption (likelihood: the whole prompt), the part all captions of an image share."""
        if self.score == "likelihood":
            return self.prompt_of("")
        mark = "\ue000"  # a private-use character no template writes
        return self.prompt_of(mark).split(mark)[0]

    def _score_shared(self, states: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        """Each image's prefix through the language model once (:mod:`snare.adapters.vlm.prefix`), then the rows'
        own tokens as one batch over the prefixes' cache; rows that cannot share run the unshared forward."""
        from snare.adapters.vlm import prefix as px
        from snare.adapters.vlm import scoring

        dtype = next(self.model.parameters()).dtype
        prompt, whole = self.prefix_prompt(), self.score == "likelihood"
        typed = {"model_type": self.model_type, "device": self.device, "dtype": dtype}

        def compute(state: Any) -> px.Prefix:
            return px.compute_prefix(self.model, scoring.encode(self.processor, state.image, prompt), state, **typed)

        rows = self._rows([s.image for s in states], texts)
        prefixes = self.prefix_cache.fetch(states, prompt, compute)
        ks = [px.shared_length(r, p, whole=whole) for r, p in zip(rows, prefixes, strict=True)]
        out = np.zeros(len(rows), dtype=np.float32)
        alone = [i for i, k in enumerate(ks) if k is None]
        if alone:
            sub = [states[i] for i in alone]
            out[alone] = self._score([s.image for s in sub], [texts[i] for i in alone], self._swap(sub))
        shared = [i for i, k in enumerate(ks) if k is not None]
        if shared:
            rows, prefixes, ks = ([seq[i] for i in shared] for seq in (rows, prefixes, ks))
            cache = self.prefix_cache
            cache.unshared_tokens += sum(len(r.ids) for r in rows)
            cache.continuation_tokens += sum(len(r.ids) - k for r, k in zip(rows, ks, strict=True))
            batch = px.continuation_batch(rows, prefixes, ks, pad_id=self.pad_id, **typed)
            if whole:
                keep = max(len(r.ids) - k for r, k in zip(rows, ks, strict=True))
                logp = px.forward_continuations(self.model, batch, keep)
                out[shared] = px.caption_logprob(logp, rows, prefixes, self.reduce).cpu().numpy()
            else:
                out[shared] = self._read_answer(px.forward_continuations(self.model, batch, 1)[:, -1]).cpu().numpy()
        return out

    @staticmethod
    def _swap(states: Sequence[Any]) -> Any:
        from snare.adapters.vlm.scoring import with_features

        return lambda batch: with_features(batch, states)

    def _read_answer(self, logp_last: Any) -> Any:
        """The yes/no log-odds (or VQAScore's log p("Yes")) from the last position's log-probabilities."""
        from snare.adapters.vlm import scoring

        if self.answer_ids is not None:
            return scoring.yes_no(logp_last, self.answer_ids.yes, self.answer_ids.no)
        return logp_last[:, self.vqa_yes]

    def _score(self, images: Sequence[Any], texts: Sequence[str], swap: Any = None) -> np.ndarray:
        """One left-padded forward; ``swap`` replaces the pixels by precomputed image features."""
        from snare.adapters.vlm import scoring

        rows = self._rows(images, texts)
        dtype = next(self.model.parameters()).dtype
        batch = scoring.collate(rows, pad_id=self.pad_id, model_type=self.model_type, device=self.device, dtype=dtype)
        if swap is not None:
            batch = swap(batch)
        if self.score != "likelihood":
            out = self._read_answer(scoring.forward_logits(self.model, batch, 1)[:, -1])
        else:
            keep = 1 + max(len(r.ids) - r.prompt_length for r in rows)
            out = scoring.caption_logprob(scoring.forward_logits(self.model, batch, keep), rows, self.reduce)
        return out.cpu().numpy().astype(np.float32)
