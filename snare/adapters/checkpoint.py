"""Reading local weight files safely: safetensors, or ``torch.load(weights_only=True)``; never arbitrary pickle."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from snare.errors import WeightsUnavailableError, first_line


def sha256_file(path: str | os.PathLike[str]) -> str:
    from snare.adapters.inputs import note_file
    from snare.safe_io import open_regular

    note_file(path)
    h = hashlib.sha256()
    with open_regular(path) as fh:  # a FIFO or device would hang the digest
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_state_dict(
    path: str | os.PathLike[str], *, unwrap: tuple[str, ...] = ("state_dict", "model")
) -> dict[str, Any]:
    """Tensors of a checkpoint file; wrapper keys such as ``state_dict``/``model`` and ``module.`` prefixes removed."""
    import torch

    from snare.safe_io import UnsafeInputError, check_regular

    path = Path(path)
    if not path.exists():
        raise WeightsUnavailableError(f"checkpoint not found: {path}")
    try:
        check_regular(path)
    except UnsafeInputError as exc:
        raise WeightsUnavailableError(f"checkpoint {exc}") from None
    if path.stat().st_size == 0:
        raise WeightsUnavailableError(f"checkpoint {path} is empty (an interrupted download?); fetch it again")
    from snare.adapters.inputs import note_file

    note_file(path)
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            state: Any = load_file(str(path))
        else:
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise WeightsUnavailableError(
            f"checkpoint {path} cannot be read safely ({type(exc).__name__}: {first_line(exc)}); "
            "snare only loads tensors (safetensors or torch.load(weights_only=True))"
        ) from None
    for key in unwrap:
        if isinstance(state, dict) and key in state and isinstance(state[key], dict):
            state = state[key]
    if not isinstance(state, dict):
        raise WeightsUnavailableError(f"checkpoint {path} holds no state dict")
    return {k.removeprefix("module."): v for k, v in state.items()}


def load_strict(model: Any, state: dict[str, Any], source: str, what: str = "the model") -> None:
    """Load ``state`` into ``model``; a tensor of the wrong shape, or any missing or unexpected key, is an error
    (one line, naming the first few; ``what`` names the model in it)."""
    own = model.state_dict()
    for key, value in state.items():
        if key in own and tuple(getattr(value, "shape", ())) != tuple(own[key].shape):
            raise WeightsUnavailableError(
                f"checkpoint {source} does not fit {what}: {key} has shape {list(value.shape)}, "
                f"the model expects {list(own[key].shape)} (weights of another model size?)"
            )
    result = model.load_state_dict(state, strict=False)
    missing, unexpected = list(result.missing_keys), list(result.unexpected_keys)
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing (e.g. {', '.join(missing[:3])})")
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected (e.g. {', '.join(unexpected[:3])})")
        raise WeightsUnavailableError(f"checkpoint {source} does not fit {what}: {'; '.join(parts)}")
