"""Loading a causal LM for :class:`~snare.textmodels.causal_lm.CausalLM`, with checks that it is what was asked.

``path`` is a ``from_pretrained`` folder or a ``.gguf`` file (transformers reads GGUF through the ``gguf``
package and de-quantizes it). Nothing here reaches the network: hub ids are resolved to a local folder by the
caller (:mod:`snare.adapters.hub`). Every failure a user can cause is one :class:`WeightsUnavailableError` line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from snare.errors import WeightsUnavailableError
from snare.textmodels.causal_lm import CHECK_TEXT, MIN_VOCAB_FRACTION, CausalLM

DTYPES = {"float32": "float32", "float16": "float16", "bfloat16": "bfloat16"}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0][:300]}" if text else type(exc).__name__


def load_causal_lm(
    path: str | Path, *, dtype: str = "float32", device: str = "cpu", batch_size: int = 32, padding_side: str = "right"
) -> CausalLM:
    """The model and tokenizer at ``path`` (a folder or a ``.gguf`` file), in eval mode on ``device``, checked."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = Path(path).expanduser()
    if not path.exists():
        raise WeightsUnavailableError(f"language model not found: {path} (give a model folder or a .gguf file)")
    if path.is_file() and path.suffix != ".gguf":
        raise WeightsUnavailableError(f"{path} is a file but not a .gguf file; give a model folder or a .gguf file")
    folder, kwargs = (path.parent, {"gguf_file": path.name}) if path.is_file() else (path, {})
    if kwargs:
        _need_gguf()
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True, **kwargs)
        model = AutoModelForCausalLM.from_pretrained(
            folder, local_files_only=True, dtype=getattr(torch, DTYPES[dtype]), **kwargs
        )
    except Exception as exc:  # every loader failure (missing file, wrong format) is the user's to fix
        raise WeightsUnavailableError(f"language model {path} could not be loaded: {_first_line(exc)}") from None
    model = model.to(device).eval()
    check_loaded(model, tokenizer, str(path))
    return CausalLM(model, tokenizer, batch_size=batch_size, padding_side=padding_side, source=str(path))


def _need_gguf() -> None:
    import importlib.util

    if importlib.util.find_spec("gguf") is None:
        raise WeightsUnavailableError("reading a .gguf file needs the gguf package: pip install gguf")


def check_loaded(model: Any, tokenizer: Any, source: str) -> None:
    """Raise unless ``tokenizer`` is ``model``'s and ``model`` predicts tokens (see the module docstring)."""
    vocab = int(getattr(model.config, "vocab_size", 0) or 0)
    head = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    if head is None or vocab <= 0:
        raise WeightsUnavailableError(f"{source} is not a causal language model (no language-model head)")
    rows = int(head.weight.shape[0])
    if rows != vocab:
        raise WeightsUnavailableError(
            f"{source}: the language-model head predicts {rows} tokens but the config declares {vocab}; "
            "the weights and the config do not belong together"
        )
    size = len(tokenizer)
    if size > vocab or size < MIN_VOCAB_FRACTION * vocab:
        raise WeightsUnavailableError(
            f"{source}: the tokenizer has {size} tokens but the model's vocabulary is {vocab}; "
            "the tokenizer is not this model's (check the tokenizer files)"
        )
    _check_tokenizer(tokenizer, vocab, source)


def _check_tokenizer(tokenizer: Any, vocab: int, source: str) -> None:
    ids = tokenizer(CHECK_TEXT, add_special_tokens=False)["input_ids"]
    unk = getattr(tokenizer, "unk_token_id", None)
    problem = ""
    if not ids:
        problem = "gives no tokens"
    elif max(ids) >= vocab or min(ids) < 0:
        problem = f"gives token ids outside the model's vocabulary of {vocab}"
    elif unk is not None and unk in ids:
        problem = "maps ordinary words to its unknown token"
    elif tokenizer.decode(ids, skip_special_tokens=True).strip() != CHECK_TEXT:
        problem = f"does not decode its own tokens back ({tokenizer.decode(ids, skip_special_tokens=True)!r})"
    if problem:
        raise WeightsUnavailableError(
            f"{source}: the tokenizer {problem} for {CHECK_TEXT!r}; it is not a working tokenizer of this model"
        )
