"""Loading transformers models for adapters: weights, configs, tokenizers and image processors, with checks.

Shared by the BLIP, FLAVA, BLIP-2 and transformers-CLIP adapters. ``--weights`` is a hub id (``ORG/NAME``), a
local ``from_pretrained`` folder, or ``random`` (a config-built model seeded with the run's seed; ``-o config=tiny``
or ``-o config=PATH`` picks another config). Every failure a user can cause is one :class:`WeightsUnavailableError`
line. Nothing here imports torch or transformers at module level.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from snare.adapters.pretrained import check_folder_files, load_pretrained, read_config
from snare.errors import WeightsUnavailableError, first_line

# Which snare adapter a config.json ``model_type`` belongs to: the hint in a wrong-family error.
ADAPTER_OF_MODEL_TYPE = {
    "clip": "clip",
    "siglip": "clip",
    "siglip2": "clip",
    "blip": "blip",
    "blip-2": "blip2 (or blip2-yesno)",
    "flava": "flava",
}
# A tokenizer far smaller than the model's vocabulary is not the model's: transformers 5 silently builds a 5-token
# BertTokenizer from a missing or misnamed vocabulary, and every word then maps to [UNK].
MIN_VOCAB_FRACTION = 0.9
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
WEIGHT_PATTERNS = ["*.json", "*.txt", "*.model", "*.safetensors"]
TOKENIZER_PATTERNS = ["*.json", "*.txt", "*.model"]
SCORES = ("logodds", "probability")


@dataclass(frozen=True)
class Resolved:
    """Where weights come from: ``path`` is a ``from_pretrained`` folder, or ``None`` for random weights."""

    path: Path | None
    revision: str | None


def sha256_folder(folder: Path) -> str:
    """One digest over the names and contents of a folder's config, vocabulary, weight and chat-template files.

    Chat templates (``*.jinja``) change what a model is fed, so they are part of it; they extend the digest of the
    other files rather than entering it, so a folder without one keeps the digest it always had (and recorded
    results keep their revision).
    """
    import hashlib

    from snare.adapters.checkpoint import sha256_file

    files = sorted(f for f in folder.iterdir() if f.is_file())
    digest = hashlib.sha256()
    for file in files:
        if file.suffix in {".json", ".txt", ".model", ".safetensors", ".bin"}:
            digest.update(f"{file.name}:{sha256_file(file)}\n".encode())
    templates = [f for f in files if f.suffix == ".jinja"]
    if not templates:
        return digest.hexdigest()
    extended = hashlib.sha256(f"sha256:{digest.hexdigest()}\n".encode())  # as snare's vlm adapter recorded them
    for file in templates:
        extended.update(f"{file.name}:{sha256_file(file)}\n".encode())
    return extended.hexdigest()


def resolve(weights: str) -> Resolved:
    """A local folder, a hub snapshot (cache first, then network), or ``random``."""
    if weights == "random":
        return Resolved(None, None)
    local = Path(weights).expanduser()
    if local.is_dir():
        if not (local / "config.json").is_file():
            raise WeightsUnavailableError(
                f"--weights {weights}: the folder has no config.json (not a save_pretrained folder)"
            )
        return Resolved(local, "sha256:" + sha256_folder(local))
    if local.exists():
        raise WeightsUnavailableError(
            f"--weights {weights} is a file; this model loads a from_pretrained folder (config.json + weights), "
            "a hub id ORG/NAME, or 'random'"
        )
    if not _HUB_ID.match(weights):
        raise WeightsUnavailableError(f"--weights {weights!r} is not a folder, a hub id (ORG/NAME) or 'random'")
    from snare.adapters.hub import fetch_snapshot, revision_of

    path = fetch_snapshot(weights, allow_patterns=WEIGHT_PATTERNS)
    if not any(path.glob("*.safetensors")):  # older repositories publish only PyTorch .bin files
        path = fetch_snapshot(weights, allow_patterns=[*WEIGHT_PATTERNS, "*.bin"])
    return Resolved(path, revision_of(path))


def check_family(config: dict[str, Any], expected: Sequence[str], model: str, source: str) -> None:
    """Refuse a config of another family (e.g. a CLIP id given to ``--model blip``) with a hint."""
    model_type = config.get("model_type")
    if model_type in expected:
        return
    hint = ADAPTER_OF_MODEL_TYPE.get(str(model_type))
    advice = f"use --model {hint}" if hint else f"{model} needs a {' or '.join(expected)} model"
    raise WeightsUnavailableError(f"{source} is a {model_type!r} model (config.json model_type), not {model}: {advice}")


def build_model(
    model_cls: Any,
    config_cls: Any,
    resolved: Resolved,
    *,
    option: str | None,
    default: Callable[[], Any],
    tiny: Callable[[], Any],
    seed: int,
    expected: Sequence[str],
    name: str,
    weights: str,
) -> Any:
    """``model_cls`` from the resolved folder, or randomly initialised from a config (default, tiny or a file).

    ``config_cls.from_dict`` reads a config file given as ``-o config=PATH``.
    """
    import torch

    if resolved.path is not None:
        check_family(read_config(resolved.path), expected, name, f"--weights {weights}")
        return load_pretrained(model_cls, resolved.path, weights)
    if option in (None, "", "default"):
        config = default()
    elif option == "tiny":
        config = tiny()
    else:
        source = Path(option).expanduser()
        if not source.exists():
            raise WeightsUnavailableError(f"-o config={option}: not tiny, default or an existing config file or folder")
        check_family(read_config(source), expected, name, f"-o config={option}")
        config = config_cls.from_dict(read_config(source))
    torch.manual_seed(seed)
    return model_cls(config)


def load_family(
    adapter: Any,
    model_cls: Any,
    config_cls: Any,
    *,
    family: Sequence[str],
    default: Callable[[], Any],
    tiny: Callable[[], Any],
    default_weights: str,
) -> tuple[Any, Resolved, str]:
    """The adapter's model from its ``--weights`` (hub id, folder or ``random``), its revision recorded.

    Returns the model, the resolved weights, and where its tokenizer comes from (``-o tokenizer=``, else the
    weights folder, else the default hub id's tokenizer).
    """
    resolved = resolve(adapter.weights)
    model = build_model(
        model_cls,
        config_cls,
        resolved,
        option=adapter.options.get("config"),
        default=default,
        tiny=tiny,
        seed=adapter.seed,
        expected=family,
        name=adapter.meta.name,
        weights=adapter.weights,
    )
    if resolved.path is not None:
        adapter.revision = resolved.revision
    tok_source = adapter.options.get("tokenizer") or (str(resolved.path) if resolved.path else default_weights)
    return model, resolved, tok_source


def load_tokenizer(source: str, *, what: str) -> Any:
    """A tokenizer from a ``vocab.txt`` (BERT WordPiece, read into a dict: transformers 5 silently ignores
    ``vocab_file=``), a ``from_pretrained`` folder, or a hub id. Check the result with :func:`check_vocab`."""
    from transformers import AutoTokenizer, BertTokenizer

    from snare.safe_io import MAX_JSON_BYTES, UnsafeInputError, read_text

    path = Path(source).expanduser()
    try:
        if path.exists() and not path.is_dir():  # bounded; a FIFO or device is refused, not read
            words = read_text(path, MAX_JSON_BYTES, what="a vocabulary file").splitlines()
            tokenizer = BertTokenizer(vocab={w: i for i, w in enumerate(words)}, do_lower_case=True)
        elif path.is_dir():
            tokenizer = AutoTokenizer.from_pretrained(check_folder_files(path))
        elif _HUB_ID.match(source):
            from snare.adapters.hub import fetch_snapshot

            tokenizer = AutoTokenizer.from_pretrained(fetch_snapshot(source, allow_patterns=TOKENIZER_PATTERNS))
        else:
            raise WeightsUnavailableError(f"tokenizer {source!r} is not a vocab.txt file, a folder or a hub id")
    except (WeightsUnavailableError, UnsafeInputError) as exc:
        raise WeightsUnavailableError(f"{exc}; or give {what} with -o tokenizer=PATH (a folder or vocab.txt)") from None
    except (OSError, ValueError) as exc:
        raise WeightsUnavailableError(
            f"tokenizer {source} could not be loaded ({type(exc).__name__}: {first_line(exc)})"
        ) from None
    return tokenizer


def check_vocab(tokenizer: Any, vocab_size: int, source: str) -> None:
    """The tokenizer must fit the model's text embedding and be (nearly) as large as it."""
    size = len(tokenizer)
    if size > vocab_size or size < MIN_VOCAB_FRACTION * vocab_size:
        raise WeightsUnavailableError(
            f"tokenizer {source} has {size} tokens but the model's text vocabulary has {vocab_size}: it is not this "
            "model's tokenizer; pass the right one with -o tokenizer=PATH"
        )


def image_processor(folder: Path | None, fallback: Callable[[], Any]) -> Any:
    """The folder's own image preprocessing (PIL backend, as the original models resized with PIL), else defaults."""
    if folder is not None and (folder / "preprocessor_config.json").is_file():
        from transformers import AutoImageProcessor

        return AutoImageProcessor.from_pretrained(check_folder_files(folder), backend="pil")
    return fallback()


def describe_image_processor(processor: Any) -> dict[str, Any]:
    """The preprocessing facts that change pixels, for the run record."""
    keys = ("size", "crop_size", "do_center_crop", "resample", "image_mean", "image_std", "do_normalize")
    facts: dict[str, Any] = {"class": type(processor).__name__}
    for key in keys:
        value = getattr(processor, key, None)
        if value is None:
            continue
        if key == "resample":
            value = getattr(value, "name", str(value))
        elif dataclasses.is_dataclass(value):  # transformers' SizeDict
            value = {k: v for k, v in dataclasses.asdict(value).items() if v is not None}
        elif hasattr(value, "items"):
            value = {k: v for k, v in dict(value).items() if v is not None}
        elif isinstance(value, tuple | list):
            value = [float(v) for v in value]
        facts[key] = value
    return facts


def pixel_values(processor: Any, images: Sequence[Any]) -> Any:
    """Processed images as one float tensor (RGB: probe images may be greyscale or RGBA)."""
    return processor([img.convert("RGB") for img in images], return_tensors="pt")["pixel_values"]


def itm_score(logits: Any, kind: str) -> Any:
    """One score per row of ITM logits ``(no match, match)``: log-odds or softmax probability of match."""
    if kind == "probability":
        return logits.float().softmax(dim=-1)[:, 1]
    return (logits[:, 1] - logits[:, 0]).float()


def score_kind(options: dict[str, Any], choices: Sequence[str] = SCORES) -> str:
    kind = str(options.get("score", "logodds"))
    if kind not in choices:
        raise WeightsUnavailableError(f"-o score={kind}: choose one of {', '.join(choices)}")
    return kind


class HfInputs:
    """Turning images and captions into model inputs, shared by the transformers adapters.

    A family sets ``max_text_length``; ``load`` sets ``processor``, ``tokenizer`` and ``model``.
    """

    max_text_length: int
    processor: Any
    tokenizer: Any
    model: Any
    device: str

    def _pixels(self, images: Sequence[Any]) -> Any:
        """Pixel values from the family's own image processor, on the model's device and dtype."""
        return pixel_values(self.processor, images).to(self.device, next(self.model.parameters()).dtype)

    def _tokens(self, texts: Sequence[str]) -> Any:
        """Token ids padded to the longest caption and cut at ``max_text_length``, on the model's device."""
        return self.tokenizer(
            list(texts), padding="longest", truncation=True, max_length=self.max_text_length, return_tensors="pt"
        ).to(self.device)

    def _input_description(self) -> dict[str, Any]:
        """The image and text preprocessing in use (empty before ``load``)."""
        if not hasattr(self, "processor"):
            return {}
        return {
            "image": describe_image_processor(self.processor),
            "tokenizer": type(self.tokenizer).__name__,
            "max_text_length": self.max_text_length,
        }
