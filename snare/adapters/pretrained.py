"""``from_pretrained`` on a transformers folder, checked before anything is allocated and after loading.

Every adapter that loads a ``save_pretrained`` folder or hub snapshot goes through :func:`load_pretrained`:
the folder's files must be regular files of bounded size (:func:`check_folder_files`), the config must describe
a model its weight files can hold (:func:`snare.adapters.allocation.check_allocation`), pickled objects are
refused, and a load that left weights missing or misshapen is an error (:func:`check_loading_info`). Nothing here
imports torch or transformers at module level.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

from snare.errors import SnareError, WeightsUnavailableError

TEXT_SUFFIXES = (".json", ".txt", ".model", ".jinja")  # what transformers reads from a folder besides weights
WEIGHT_SUFFIXES = (".safetensors", ".bin")


def read_config(path: Path) -> dict[str, Any]:
    """A folder's (or a file's) config.json, read with the JSON bound; one line when it is not JSON."""
    from snare.safe_io import read_text

    file = path / "config.json" if path.is_dir() else path
    try:
        return json.loads(read_text(file, what="a config.json"))  # bounded: a config may be a link to /dev/zero
    except (OSError, ValueError) as exc:
        raise WeightsUnavailableError(f"{file} is not a readable config.json ({type(exc).__name__})") from None


def check_folder_files(folder: Path) -> Path:
    """``folder``, once every file transformers may read in it is a regular file, text files within the JSON bound.

    transformers opens a folder's tokenizer, processor and template files with plain ``open``: a FIFO among them
    would block forever and ``/dev/zero`` would never end. Their sizes are those of regular files (``fstat`` of
    what the links point to), so the bound holds for what transformers then reads.
    """
    from snare.safe_io import MAX_JSON_BYTES, check_regular

    for file in sorted(folder.iterdir()):
        if file.suffix in TEXT_SUFFIXES or file.suffix in WEIGHT_SUFFIXES:
            try:
                size = check_regular(file).stat().st_size
            except OSError as exc:
                raise WeightsUnavailableError(f"{file}: cannot read it ({exc.strerror})") from None
            except SnareError as exc:
                raise WeightsUnavailableError(str(exc)) from None
            if file.suffix in TEXT_SUFFIXES and size > MAX_JSON_BYTES:
                raise WeightsUnavailableError(f"{file}: larger than the {MAX_JSON_BYTES >> 20} MB limit for this file")
    return folder


def load_pretrained(model_cls: Any, folder: Path, weights: str) -> Any:
    """``model_cls.from_pretrained(folder)`` in float32, every adapter's one way to load a transformers folder.

    Before anything is allocated, the config is checked against the weight files
    (:func:`snare.adapters.allocation.check_allocation`); after loading, missing or misshapen weights are refused
    (:func:`check_loading_info`). Every failure is one :class:`WeightsUnavailableError` line.
    """
    import torch

    from snare.adapters.allocation import check_allocation

    check_allocation(check_folder_files(folder), model_cls, read_config(folder))
    try:
        model, info = model_cls.from_pretrained(folder, dtype=torch.float32, output_loading_info=True)
    except pickle.UnpicklingError:  # torch.load(weights_only=True) met a pickled object (torch.save(model))
        raise WeightsUnavailableError(
            f"--weights {weights}: a weight file holds pickled objects, not only tensors (torch.save of a whole "
            "model?); snare never unpickles code: save the state dict with save_pretrained or safetensors"
        ) from None
    except (OSError, ValueError, KeyError, RuntimeError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0][:240] if str(exc).strip() else type(exc).__name__
        raise WeightsUnavailableError(f"--weights {weights} could not be loaded: {first}") from None
    check_loading_info(info, weights, type(model).__name__)
    return model


def check_loading_info(info: dict[str, Any], weights: str | None, model_name: str) -> None:
    """Refuse a ``from_pretrained(..., output_loading_info=True)`` load that left weights missing or misshapen.

    transformers fills missing weights with random values and only warns; a score from them is meaningless."""
    missing = sorted(info.get("missing_keys") or [])
    mismatched = [str(m[0]) if isinstance(m, tuple) else str(m) for m in info.get("mismatched_keys") or []]
    if missing or mismatched:
        parts = [f"{len(missing)} missing (e.g. {', '.join(missing[:3])})"] if missing else []
        parts += [f"{len(mismatched)} of the wrong shape (e.g. {', '.join(mismatched[:3])})"] if mismatched else []
        raise WeightsUnavailableError(f"--weights {weights} does not fit {model_name}: {'; '.join(parts)}")
