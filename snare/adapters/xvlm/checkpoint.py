"""Reading the original X-VLM checkpoints into the port: safe loading, the documented key mapping, strict checks.

The official files are ``torch.save`` pickles: the pretrained ones (``4m_base_model_state_step_199999.th``,
``16m_...``) hold the pretraining model's state dict; the fine-tuned ones (``itr_coco/checkpoint_9.pth``,
``itr_flickr/checkpoint_best.pth``) hold ``{"model": state_dict, "config": {...}}``. They are read with
``torch.load(weights_only=True)`` (tensors and plain containers only, never arbitrary objects); safetensors files
with the same keys work too.

Key mapping, original name -> port name (:data:`RENAMES`, applied in order; every other key is unchanged):

=====================================================  =====================================================
original                                               port
=====================================================  =====================================================
``module.X``                                           ``X`` (DistributedDataParallel wrapper)
``text_encoder.bert.X``                                ``text_encoder.X`` (pretraining wraps BERT in an MLM model)
``vision_encoder.layers.{i}.downsample.X``             ``vision_encoder.layers.{i+1}.downsample.X`` (Swin's
                                                       patch merging ends stage i there, starts stage i+1 in timm)
=====================================================  =====================================================

Dropped without complaint (:data:`DROPPED`): buffers the port recomputes (``relative_position_index``,
``attn_mask``, ``position_ids``) and the pretraining heads that scoring never uses (``text_encoder.cls.*``: masked
LM; ``bbox_head.*``: box regression). Anything else left over, missing, or of the wrong shape is an error that
lists the first few offenders in one line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from snare.errors import WeightsUnavailableError, first_line


def _shift_stage(offset: int) -> Callable[[re.Match[str]], str]:
    return lambda m: f"vision_encoder.layers.{int(m.group(1)) + offset}.downsample."


RENAMES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str], str], ...] = (
    (re.compile(r"^module\."), "", "DistributedDataParallel wrapper"),
    (re.compile(r"^text_encoder\.bert\."), "text_encoder.", "pretraining checkpoints wrap BERT in BertForMaskedLM"),
    (
        re.compile(r"^vision_encoder\.layers\.(\d+)\.downsample\."),
        _shift_stage(+1),
        "Swin patch merging: end of stage i in the original, start of stage i+1 in timm",
    ),
)
DROPPED: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\.relative_position_index$"), "Swin buffer, recomputed from the window size"),
    (re.compile(r"\.attn_mask$"), "Swin shifted-window mask buffer, recomputed"),
    (re.compile(r"^text_encoder\.embeddings\.position_ids$"), "BERT buffer, recomputed"),
    (re.compile(r"^text_encoder\.cls\."), "masked-LM head of pretraining (not used for ITM/ITC)"),
    (re.compile(r"^bbox_head\."), "box head of pretraining (not used for ITM/ITC)"),
)
_BIAS_TABLE = "vision_encoder.layers.0.blocks.0.attn.relative_position_bias_table"


def port_key(original: str) -> str | None:
    """The port's name for an original checkpoint key, or ``None`` when the key is deliberately dropped."""
    key = original
    for pattern, replacement, _why in RENAMES:
        key = pattern.sub(replacement, key)
    if any(pattern.search(key) for pattern, _why in DROPPED):
        return None
    return key


def original_key(port: str) -> str:
    """The name an original fine-tuned checkpoint uses for one of the port's keys (inverse of :func:`port_key`)."""
    return re.sub(r"^vision_encoder\.layers\.(\d+)\.downsample\.", _shift_stage(-1), port)


def read_checkpoint(path: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The tensors of an X-VLM checkpoint file and the training config saved beside them (``{}`` if none)."""
    import torch

    from snare.safe_io import UnsafeInputError, check_regular

    path = Path(path).expanduser()
    if not path.exists():
        raise WeightsUnavailableError(f"X-VLM checkpoint not found: {path}")
    try:
        check_regular(path)  # torch.load on a FIFO would block, on /dev/zero never end
    except UnsafeInputError as exc:
        raise WeightsUnavailableError(f"X-VLM checkpoint {exc}") from None
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            obj: Any = load_file(str(path))
        else:
            obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        first = first_line(exc)
        raise WeightsUnavailableError(
            f"X-VLM checkpoint {path} cannot be read safely ({type(exc).__name__}: {first}); snare only loads "
            "tensors (torch.load(weights_only=True) or safetensors)"
        ) from None
    config: dict[str, Any] = {}
    if isinstance(obj, dict) and isinstance(obj.get("model"), dict):
        config = obj["config"] if isinstance(obj.get("config"), dict) else {}
        obj = obj["model"]
    if not isinstance(obj, dict) or not obj or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise WeightsUnavailableError(f"{path} holds no X-VLM state dict (expected tensors, optionally under 'model')")
    return obj, config


def to_port(state: dict[str, Any]) -> dict[str, Any]:
    """Rename original keys to the port's, dropping the documented buffers and unused heads."""
    mapped: dict[str, Any] = {}
    for key, value in state.items():
        new = port_key(key)
        if new is not None:
            mapped[new] = value
    return mapped


def window_size_of(state: dict[str, Any]) -> int | None:
    """Swin's window size, read from the first relative-position table ((2w-1)^2 rows), or ``None``."""
    for key in (_BIAS_TABLE, "module." + _BIAS_TABLE):
        if key in state:
            side = round(state[key].shape[0] ** 0.5)
            return (side + 1) // 2
    return None


def _examples(keys: list[str], n: int = 3) -> str:
    return ", ".join(keys[:n])


def check_fits(model: Any, state: dict[str, Any], source: str) -> dict[str, Any]:
    """``state`` renamed to the port's keys, after checking that it fits ``model`` (which may be on the meta
    device); any missing, unexpected or wrongly shaped tensor is a one-line error naming the first few as the
    original checkpoint names them, so that they can be looked up in the file."""
    mapped = to_port(state)
    expected = model.state_dict()
    missing = [original_key(k) for k in expected if k not in mapped]
    back = {port_key(k): k for k in state}
    unexpected = [back.get(k, k) for k in mapped if k not in expected]
    wrong = [
        f"{back.get(k, k)} {tuple(v.shape)} vs {tuple(expected[k].shape)}"
        for k, v in mapped.items()
        if k in expected and tuple(v.shape) != tuple(expected[k].shape)
    ]
    if missing or unexpected or wrong:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing (e.g. {_examples(missing)})")
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected (e.g. {_examples(unexpected)})")
        if wrong:
            parts.append(f"{len(wrong)} of the wrong shape (e.g. {_examples(wrong, 2)}: file vs model)")
        raise WeightsUnavailableError(
            f"checkpoint {source} does not fit the X-VLM port: {'; '.join(parts)}. Is it an X-VLM checkpoint "
            "of this configuration? (see docs/adapters-xvlm.md)"
        )
    return mapped


def load_into(model: Any, state: dict[str, Any], source: str) -> None:
    """Load an original-format ``state`` into the port ``model``, strictly (see :func:`check_fits`)."""
    model.load_state_dict(check_fits(model, state, source), strict=True)
