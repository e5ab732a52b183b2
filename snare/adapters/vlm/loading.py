"""Loading a generative VLM and its processor: a hub id, a ``save_pretrained`` folder, or a tiny random model.

Everything goes through transformers' ``AutoModelForImageTextToText`` and ``AutoProcessor``, so any architecture
transformers maps there loads; the architectures snare tests are those of :mod:`snare.adapters.vlm.tiny`. A load
fails with one line when the folder is not such a model, when weights are missing or of the wrong shape
(transformers would fill them randomly and only warn), or when the tokenizer does not fit the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from snare.errors import WeightsUnavailableError

# Hub snapshots: configs, vocabularies, chat templates (chat_template.jinja) and safetensors weights.
PATTERNS = ["*.json", "*.txt", "*.model", "*.jinja", "*.safetensors"]
# The architecture a random model of each --weights random -o arch=NAME must turn out to be.
MODEL_TYPES = {"llava": "llava", "qwen2-vl": "qwen2_vl", "paligemma": "paligemma"}


@dataclass
class Loaded:
    model: Any
    processor: Any
    revision: str | None


def image_text_types() -> set[str]:
    """The config ``model_type`` values transformers' AutoModelForImageTextToText can build."""
    from transformers.models.auto.modeling_auto import MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES

    return set(MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES)


def random_model(arch: str | None, size: str, seed: int) -> Loaded:
    """A seeded random model of ``arch`` with snare's tiny processor (see :mod:`snare.adapters.vlm.tiny`)."""
    import torch
    from transformers import AutoModelForImageTextToText

    from snare.adapters.vlm.tiny import ARCHS, WIDTHS, random_parts

    if arch not in ARCHS:
        raise WeightsUnavailableError(f"--weights random needs -o arch=NAME with NAME one of {', '.join(ARCHS)}")
    if size not in WIDTHS:
        raise WeightsUnavailableError(f"-o size={size}: choose one of {', '.join(WIDTHS)}")
    config, processor = random_parts(arch, size)
    torch.manual_seed(seed)
    model = AutoModelForImageTextToText.from_config(config, dtype=torch.float32)
    if model.config.model_type != MODEL_TYPES[arch]:  # what was built must be what was asked for
        raise WeightsUnavailableError(f"-o arch={arch} built a {model.config.model_type!r} model")
    return Loaded(model, processor, None)


def _folder(weights: str) -> tuple[Path, str | None]:
    from snare.adapters import hf_weights as hf

    local = Path(weights).expanduser()
    if local.exists() or not hf._HUB_ID.match(weights):
        resolved = hf.resolve(weights)  # folder checks and their one-line errors; the digest covers *.jinja
        assert resolved.path is not None
        return resolved.path, resolved.revision
    from snare.adapters.hub import fetch_snapshot, revision_of

    path = fetch_snapshot(weights, allow_patterns=PATTERNS)
    return path, revision_of(path)


def pretrained(weights: str) -> Loaded:
    """The model and processor of a hub id or a ``save_pretrained`` folder, checked to be complete."""
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from snare.adapters import hf_weights as hf

    path, revision = _folder(weights)
    model_type = hf.read_config(path).get("model_type")
    if model_type not in image_text_types():
        raise WeightsUnavailableError(
            f"--weights {weights} is a {model_type!r} model (config.json model_type), which transformers' "
            "AutoModelForImageTextToText does not build: --model vlm needs a generative vision-language model"
        )
    model = hf.load_pretrained(AutoModelForImageTextToText, path, weights)  # config checked against the weights
    try:
        processor = AutoProcessor.from_pretrained(path)
    except (OSError, ValueError, KeyError, RuntimeError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0][:240] if str(exc).strip() else type(exc).__name__
        raise WeightsUnavailableError(f"--weights {weights} could not be loaded: {first}") from None
    return Loaded(model, processor, revision)


def text_vocab_size(model: Any) -> int:
    config = model.config
    text = getattr(config, "text_config", None)
    return int(getattr(text, "vocab_size", None) or config.vocab_size)
