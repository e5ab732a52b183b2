"""Allocation bounded by data: a transformers folder's config is checked against its weight files before
``from_pretrained`` allocates the model it describes.

``from_pretrained`` allocates the model the config describes, then fills it from the weight files; whatever the
files lack is initialised at random (and only warned about). A config that claims ``hidden_size: 1000000`` or
``num_hidden_layers: 1000000`` beside kilobytes of weights would therefore allocate terabytes before any check of
the weights could run. :func:`check_allocation` runs first; it reads headers only and allocates nothing:

- counts that repeat modules (layers, experts) over ``MAX_REPEATS``, and an ``image_size`` whose square is over
  Pillow's pixel limit, are refused outright: building even an empty model of them would take unbounded time;
- the model class is built from the config on PyTorch's ``meta`` device (shapes, no storage), so the count of
  parameters is exact for the class being loaded; sub-configs the class never builds (BLIP-2's retrieval model
  keeps an OPT ``text_config``) and stale fields (PaliGemma's top-level ``vocab_size``) count for nothing;
- every safetensors header (an 8-byte length, then JSON naming each tensor's dtype, shape and byte range) is read
  with a bound and checked against the file's size, and the model's input embedding must have the shape of some
  tensor in it: a vocabulary or width the files do not hold is refused;
- the model's float32 size must be within ``ALLOCATION_FACTOR`` times the bytes of the weight files
  (``pytorch_model.bin`` files count by size: their shapes cannot be read without unpickling).

Every refusal is one :class:`WeightsUnavailableError` line naming ``config.json`` and the field.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from snare.errors import WeightsUnavailableError, first_line

# float32 (how snare loads) is 2x a bf16 file and 8x a 4-bit one; a tampered config is off by orders of magnitude.
ALLOCATION_FACTOR = 16
SLACK_BYTES = 64 * 1024 * 1024  # tiny models: position tables and buffers no tiny weight file needs to match
MAX_REPEATS = 4096  # layers or experts of one (sub-)model; real models have at most a few hundred
MAX_HEADER_BYTES = 100_000_000  # safetensors' own limit on a header
DTYPE_BYTES = {
    "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1, "I16": 2, "U16": 2, "F16": 2,
    "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8,
}  # fmt: skip
REPEATS = ("num_hidden_layers", "num_layers", "n_layer", "n_layers", "encoder_layers", "decoder_layers", "depth")
REPEATS += ("num_decoder_layers", "num_experts", "num_local_experts", "n_routed_experts")


def _tensor_header(path: Path) -> dict[str, list[int]]:
    """``{tensor name: shape}`` of a safetensors file, every shape checked against the bytes the file holds."""
    from snare.safe_io import open_regular

    with open_regular(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        raw = fh.read(8)
        length = int.from_bytes(raw, "little") if len(raw) == 8 else -1
        if length < 0 or length > min(MAX_HEADER_BYTES, size - 8):
            raise WeightsUnavailableError(f"{path}: not a safetensors file (its header length is not in the file)")
        try:
            header = json.loads(fh.read(length))
        except ValueError:
            raise WeightsUnavailableError(f"{path}: not a safetensors file (its header is not JSON)") from None
    if not isinstance(header, dict):
        raise WeightsUnavailableError(f"{path}: not a safetensors file (its header is not a JSON object)")
    data_bytes = size - 8 - length
    shapes = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        shape, offsets = (entry.get("shape"), entry.get("data_offsets")) if isinstance(entry, dict) else (None, None)
        if not _ints(shape) or not _ints(offsets) or len(offsets) != 2 or not 0 <= offsets[0] <= offsets[1]:
            raise WeightsUnavailableError(f"{path}: tensor {name} has no valid shape and data_offsets")
        itemsize = DTYPE_BYTES.get(entry.get("dtype"))
        if itemsize is None:  # a sub-byte or new dtype: its shape backs nothing here (it only loosens the checks)
            continue
        if offsets[1] > data_bytes or offsets[1] - offsets[0] != math.prod(shape) * itemsize:
            raise WeightsUnavailableError(
                f"{path}: tensor {name} claims shape {shape} ({entry['dtype']}) but the file holds "
                f"{max(0, min(offsets[1], data_bytes) - offsets[0])} bytes for it (truncated or tampered?)"
            )
        shapes[name] = shape
    return shapes


def _ints(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)


def _weight_files(folder: Path) -> list[Path]:
    """The files ``from_pretrained`` may read weights from: safetensors, else PyTorch ``.bin`` files."""
    safetensors = sorted(folder.glob("*.safetensors"))
    return safetensors or sorted(folder.glob("*.bin"))


def _nodes(config: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(dotted prefix, dict)`` for the config and every sub-config in it (``text_config``, ``vision_config``...);
    iterative, so a deeply nested config cannot exhaust the stack."""
    stack = [("", config)]
    while stack:
        prefix, node = stack.pop()
        yield prefix, node
        stack.extend((f"{prefix}{key}.", value) for key, value in reversed(node.items()) if isinstance(value, dict))


def _number(node: dict[str, Any], key: str) -> int | None:
    value = node.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _side(value: Any) -> int | None:
    """The larger side of an ``image_size`` given as a number or a pair."""
    if isinstance(value, list | tuple) and value:
        return max((v for v in value if isinstance(v, int) and not isinstance(v, bool)), default=None)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _held(files: list[Path]) -> tuple[set[tuple[int, ...]], int]:
    """Every tensor shape in the safetensors headers, and the bytes of all weight files."""
    from snare.safe_io import UnsafeInputError, check_regular

    try:
        held = sum(os.stat(check_regular(f)).st_size for f in files)
        shapes = {tuple(shape) for f in files if f.suffix == ".safetensors" for shape in _tensor_header(f).values()}
        return shapes, held
    except OSError as exc:  # a dangling link, an unreadable file
        raise WeightsUnavailableError(f"{exc.filename}: cannot read this weight file ({exc.strerror})") from None
    except UnsafeInputError as exc:  # a device or FIFO named like a weight file
        raise WeightsUnavailableError(f"weight file {exc}") from None


def _check_counts(source: Path, config: dict[str, Any]) -> None:
    """Counts that make even an empty (meta) model take unbounded time to build, and images over Pillow's limit."""
    from PIL import Image

    for prefix, node in _nodes(config):
        counts = [(key, _number(node, key)) for key in REPEATS]
        if isinstance(node.get("depths"), list):  # Swin-style stages
            counts.append(("depths", sum(n for n in node["depths"] if isinstance(n, int) and n > 0)))
        for key, value in counts:
            if value is not None and value > MAX_REPEATS:
                raise WeightsUnavailableError(
                    f"{source}: {prefix}{key} is {value:,} (more than {MAX_REPEATS:,}); refusing to build the model"
                )
        side = _side(node.get("image_size"))
        if side is not None and side * side > Image.MAX_IMAGE_PIXELS:
            raise WeightsUnavailableError(
                f"{source}: {prefix}image_size is {side:,}, over Pillow's limit of {Image.MAX_IMAGE_PIXELS:,} pixels "
                "per image; refusing to build the model"
            )


def _fields(config: dict[str, Any], sizes: Iterable[int]) -> str:
    """The config fields whose value is one of ``sizes``: what to name in a refusal."""
    wanted = set(sizes)
    found = [
        f"{prefix}{key}={node[key]:,}"
        for prefix, node in _nodes(config)
        for key in node
        if _number(node, key) in wanted
    ]
    return ", ".join(found[:3]) or "its sizes"


def _meta_model(source: Path, model_cls: Any, folder: Path) -> Any:
    """``model_cls`` built from the folder's config on the meta device: every shape, no storage."""
    import torch
    from transformers import AutoConfig

    try:
        config = AutoConfig.from_pretrained(folder)
        with torch.device("meta"):
            if hasattr(model_cls, "_from_config"):
                return model_cls._from_config(config)
            return model_cls.from_config(config)  # an Auto class
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RuntimeError) as exc:
        first = first_line(exc)
        raise WeightsUnavailableError(f"{source}: cannot build the model it describes ({first})") from None


def check_allocation(folder: Path, model_cls: Any, config: dict[str, Any]) -> None:
    """Refuse, in one line naming the file and the field, a ``config`` (the folder's config.json) that describes
    a model the weight files of ``folder`` cannot hold. Reads only headers; allocates nothing. Silent when there are
    no weight files (``from_pretrained`` reports that itself)."""
    files = _weight_files(folder)
    if not files:
        return
    source = folder / "config.json"
    shapes, held = _held(files)
    _check_counts(source, config)
    model = _meta_model(source, model_cls, folder)
    embedding = _input_embedding_shape(model)
    if shapes and embedding is not None and embedding not in shapes:
        held_sizes = {d for shape in shapes for d in shape}
        unheld = [d for d in embedding if d not in held_sizes] or embedding
        raise WeightsUnavailableError(
            f"{source}: these weights do not fit {type(model).__name__}: the config ({_fields(config, unheld)}) gives "
            f"an input embedding of shape {list(embedding)}, but no tensor in the weight files has that shape"
        )
    tensors = {id(t): t for t in [*model.parameters(), *model.buffers()]}.values()
    total = sum(t.numel() for t in tensors)
    if total * 4 <= ALLOCATION_FACTOR * held + SLACK_BYTES:
        return
    largest = max(tensors, key=lambda t: t.numel())
    raise WeightsUnavailableError(
        f"{source}: the config ({_fields(config, [max(largest.shape)])}) describes {total:,} parameters "
        f"({total * 4 / 1e9:,.1f} GB in float32), far more than the {held / 1e6:,.1f} MB of weight files beside it "
        "can hold; refusing to build the model"
    )


def _input_embedding_shape(model: Any) -> tuple[int, ...] | None:
    try:
        embedding = model.get_input_embeddings()
    except (NotImplementedError, AttributeError):
        return None
    weight = getattr(embedding, "weight", None)
    return tuple(weight.shape) if weight is not None else None
