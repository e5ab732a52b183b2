"""The prompts a generative VLM is asked and the answer tokens its yes/no score reads.

**Prompts.** The ``yesno`` question is ``-o question=TEMPLATE`` with a ``{caption}`` slot, by default VQAScore's
(t2v_metrics) ``Does this figure show "{caption}"? Please answer yes or no.``. The ``likelihood`` prefix is
``-o prefix=TEXT``, by default ``Describe the image.``. Either goes into one user turn after the image, through
the model's own chat template with ``add_generation_prompt=True`` and ``enable_thinking=False`` (templates with a
reasoning mode then open the answer directly); a model without a chat template gets the raw prompt
``<image token>TEXT`` and its processor's own layout (PaliGemma: image tokens, BOS, text, newline).

**Answer tokens.** Each answer word is looked up in four spellings: ``yes``, `` yes``, ``Yes``, `` Yes`` (and the
same for ``no``), each encoded *without* special tokens (``encode("yes")[0]`` is the BOS id for Gemma-style
tokenizers). A spelling that encodes to exactly one ordinary token contributes that id; the word's probability
is the sum over its distinct ids (pooling the capitalised and spaced variants: which one a model emits after the
generation prompt depends on its template, not on the image). A word with no single-token spelling, an id that is
special or unknown, or an id shared by both words is refused at load time with one line.

**VQAScore.** ``-o score=vqascore`` reads ``log p("Yes")`` of the single token ``Yes`` alone, as t2v_metrics'
VQAScore reads ``P("Yes")``: the same ranking of a caption's options as VQAScore (a logarithm is monotone).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from snare.errors import WeightsUnavailableError

DEFAULT_QUESTION = 'Does this figure show "{caption}"? Please answer yes or no.'
DEFAULT_PREFIX = "Describe the image."
ANSWER_WORDS = ("yes", "no")


@dataclass(frozen=True)
class AnswerTokens:
    """The token ids pooled for each answer word, and which spellings they came from."""

    yes: tuple[int, ...]
    no: tuple[int, ...]
    spellings: dict[str, list[str]]

    def to_json(self) -> dict[str, Any]:
        return {"yes": list(self.yes), "no": list(self.no), "spellings": self.spellings}


def spellings(word: str) -> tuple[str, ...]:
    """The four spellings of an answer word that are pooled: bare, leading space, capitalised, both."""
    return (word, " " + word, word.capitalize(), " " + word.capitalize())


def _word_ids(tokenizer: Any, word: str) -> tuple[tuple[int, ...], list[str], list[str]]:
    special = set(tokenizer.all_special_ids)
    unk = tokenizer.unk_token_id
    ids: list[int] = []
    used: list[str] = []
    seen: list[str] = []
    for spelled in spellings(word):
        encoded = list(tokenizer(spelled, add_special_tokens=False).input_ids)
        seen.append(f"{spelled!r} -> {encoded}")
        if len(encoded) != 1 or encoded[0] in special or encoded[0] == unk:
            continue
        used.append(spelled)
        if encoded[0] not in ids:
            ids.append(encoded[0])
    return tuple(ids), used, seen


def answer_tokens(tokenizer: Any) -> AnswerTokens:
    """The pooled answer ids of ``yes`` and ``no``; raises WeightsUnavailableError when the rule cannot hold."""
    found: dict[str, tuple[int, ...]] = {}
    used: dict[str, list[str]] = {}
    for word in ANSWER_WORDS:
        ids, spelled, seen = _word_ids(tokenizer, word)
        if not ids:
            raise WeightsUnavailableError(
                f"the tokenizer has no single ordinary token for the answer {word!r} ({'; '.join(seen)}): a yes/no "
                "score would read only part of the word; use -o score=likelihood"
            )
        found[word], used[word] = ids, spelled
    shared = set(found["yes"]) & set(found["no"])
    if shared:
        raise WeightsUnavailableError(f"the answers 'yes' and 'no' share token ids {sorted(shared)}: no yes/no score")
    return AnswerTokens(found["yes"], found["no"], used)


def vqascore_token(tokenizer: Any, answer: str = "Yes") -> int:
    """The one token of VQAScore's answer ``Yes`` (t2v_metrics scores P("Yes") alone, unpooled)."""
    ids = list(tokenizer(answer, add_special_tokens=False).input_ids)
    if len(ids) != 1 or ids[0] in set(tokenizer.all_special_ids) or ids[0] == tokenizer.unk_token_id:
        raise WeightsUnavailableError(
            f"the tokenizer encodes {answer!r} as {ids}, not one ordinary token: -o score=vqascore needs one"
        )
    return int(ids[0])


def question(template: str, caption: str) -> str:
    """The yes/no question about ``caption`` (``{caption}`` replaced, nothing else formatted)."""
    return template.replace("{caption}", caption)


def check_template(template: str) -> str:
    if "{caption}" not in template:
        raise WeightsUnavailableError(f"-o question={template!r} has no {{caption}} slot")
    return template


def prompt(processor: Any, text: str, *, has_template: bool) -> str:
    """One user turn holding the image and ``text``, up to where the model's answer starts."""
    if not has_template:
        return f"{image_token(processor)}{text}"
    from snare.adapters.vlm.template import render

    template = processor.chat_template
    if isinstance(template, dict):  # named templates: transformers uses "default"
        template = template.get("default")
    if not isinstance(template, str):
        raise WeightsUnavailableError(f"{type(processor).__name__}: no default chat template (a str) to render")
    messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": text}]}]
    # Only templates that declare a reasoning switch get it (others would take it for a processor argument).
    thinking = {"enable_thinking": False} if "enable_thinking" in template else {}
    # rendered as processor.apply_chat_template does (its special tokens, a generation prompt), within bounds
    variables = {**processor.tokenizer.special_tokens_map, "tools": None, "documents": None, **thinking}
    return render(template, messages=messages, add_generation_prompt=True, **variables)


def image_token(processor: Any) -> str:
    token = getattr(processor, "image_token", None) or getattr(processor.tokenizer, "image_token", None)
    if not token:
        raise WeightsUnavailableError(f"{type(processor).__name__} declares no image token: not a supported VLM")
    return str(token)
