"""A transformers model family declared once: which classes, configs, tokenizer tokens and image processor it uses.

The BLIP, FLAVA and BLIP-2 adapters differ in their forward passes only; how they load is data (cf. open_clip's
model configs and timm's default cfgs). Each family module declares one :class:`HfFamily`; the :class:`HfAdapter`
mixin reads it to load ``--weights`` (hub id, ``from_pretrained`` folder, ``random`` with ``-o config=``, or, for a
family that has one, an original research checkpoint file), the tokenizer and the image processor, and to describe
the preprocessing in the run record, special-token layout included. Nothing here imports torch at module level.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from snare.adapters.hf_weights import HfInputs

CAPTION = "{caption}"


def _attribute(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def _symbol(target: str) -> Any:
    """``"package.module:Name"`` imported on use, so that declaring a family imports nothing heavy."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class HfFamily:
    """How one family of transformers adapters loads.

    Attributes:
        model_class: the transformers class the weights load into (``"transformers:BlipForImageTextRetrieval"``).
        config_class: its config class, which reads a ``-o config=PATH`` file.
        model_types: the config.json ``model_type`` values this family accepts.
        default_weights: the hub id used when ``--weights`` is not given (and whose tokenizer random weights use).
        full_config: the default weights' architecture, for ``--weights random``.
        tiny_config: a few-layer architecture for ``-o config=tiny``.
        image_processor: the image processor class used when the weights folder brings none (PIL backend).
        image_size: the config attribute holding the square input size (``"vision_config.image_size"``).
        vocab_size: the config attribute the tokenizer must fit (``"text_config.vocab_size"``).
        added_tokens: special tokens the original code adds to the tokenizer, in order (BLIP's ``[DEC]``, ``[ENC]``).
        crop: whether the processor also takes a ``crop_size`` (FLAVA's centre crop, set to the full size).
        tokenizer_what: what to ask for in a missing-tokenizer error.
        original_checkpoint: ``"module:function"`` that builds the model from an original research checkpoint file
            (``function(weights, seed=) -> (model, revision, tokenizer beside it or None)``, or None when ``weights``
            is not such a file), or None when the family loads only transformers weights.
    """

    model_class: str
    config_class: str
    model_types: tuple[str, ...]
    default_weights: str
    full_config: Callable[[], Any]
    tiny_config: Callable[[], Any]
    image_processor: str
    image_size: str = "vision_config.image_size"
    vocab_size: str = "text_config.vocab_size"
    added_tokens: tuple[tuple[str, str], ...] = ()
    crop: bool = False
    tokenizer_what: str = "a BERT vocabulary"
    original_checkpoint: str | None = None


def token_layout(encode: Callable[[list[str]], list[list[int]]], tokenizer: Any) -> str:
    """The special tokens around a caption as the adapter feeds them, e.g. ``[CLS] {caption} [SEP]``.

    ``encode`` is the adapter's own caption-to-ids path, so the layout shown is the one actually used.
    """
    word = "a"
    bare = tokenizer(word, add_special_tokens=False)["input_ids"]
    ids = list(encode([word])[0])
    for start in range(len(ids) - len(bare) + 1):
        if ids[start : start + len(bare)] == bare:
            before = tokenizer.convert_ids_to_tokens(ids[:start])
            after = tokenizer.convert_ids_to_tokens(ids[start + len(bare) :])
            return " ".join([*before, CAPTION, *after])
    return " ".join(tokenizer.convert_ids_to_tokens(ids))  # the caption is not visible as such: show everything


class HfAdapter(HfInputs):
    """Loading and preprocessing of a declared :class:`HfFamily` (a mixin before the adapter base class).

    Subclasses set ``family`` and ``max_text_length``; :meth:`_loaded` runs after loading (e.g. to look up the
    ids of special tokens).
    """

    replay_safe = True  # see Adapter.replay_safe
    family: ClassVar[HfFamily]

    weights: str
    options: dict[str, Any]
    seed: int
    dtype: str
    revision: str | None

    def load(self) -> None:
        import torch

        from snare.adapters import hf_weights as hf

        spec = self.family
        model, folder, tok_source = self._load_model(spec)
        tokenizer = hf.load_tokenizer(tok_source, what=spec.tokenizer_what)
        for kind, token in spec.added_tokens:  # added in the original's order, so their ids match its embeddings
            if token not in tokenizer.get_vocab():
                value: Any = [token] if kind == "additional_special_tokens" else token
                tokenizer.add_special_tokens({kind: value})
        hf.check_vocab(tokenizer, int(_attribute(model.config, spec.vocab_size)), tok_source)
        self.tokenizer = tokenizer
        size = int(_attribute(model.config, spec.image_size))
        square = {"height": size, "width": size}
        extra = {"crop_size": square} if spec.crop else {}
        self.processor = hf.image_processor(folder, lambda: _symbol(spec.image_processor)(size=square, **extra))
        self.model = model.to(self.device, dtype=getattr(torch, self.dtype)).eval()
        self._loaded()

    def _load_model(self, spec: HfFamily) -> tuple[Any, Path | None, str]:
        """The model, the folder its preprocessing comes from, and where its tokenizer comes from."""
        from snare.adapters import hf_weights as hf

        if spec.original_checkpoint is not None:
            found = _symbol(spec.original_checkpoint)(self.weights, seed=self.seed)
            if found is not None:  # an original research checkpoint: defaults for the rest, as its code had
                model, self.revision, beside = found
                return model, None, self.options.get("tokenizer") or beside or spec.default_weights
        model, resolved, tok_source = hf.load_family(
            self,
            _symbol(spec.model_class),
            _symbol(spec.config_class),
            family=spec.model_types,
            default=spec.full_config,
            tiny=spec.tiny_config,
            default_weights=spec.default_weights,
        )
        return model, resolved.path, tok_source

    def _loaded(self) -> None:
        """Hook: runs at the end of :meth:`load`."""

    def _encode(self, texts: list[str]) -> list[list[int]]:
        return self._tokens(texts).input_ids.tolist()

    def _input_description(self) -> dict[str, Any]:
        described = super()._input_description()
        if described:
            described["special_tokens"] = token_layout(self._encode, self.tokenizer)
        return described

    def preprocessing(self) -> dict[str, Any]:
        return self._input_description()
