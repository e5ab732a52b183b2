"""Load-time checks that every adapter passes before it scores anything, built-in or plug-in.

1. **Eval mode**: every torch module the adapter holds has ``training == False`` (dropout off). The original
   SNARE BLIP wrapper never called ``.eval()``, so the same input scored differently from call to call.
2. **Determinism**: scoring a fixed reference input twice (a scene rendered by the package plus a few captions)
   gives identical scores.
3. **Known reference scores**: when a trusted run recorded the reference scores of these weights (a
   ``reference_scores.json`` beside the adapter's module, keyed by ``name|weights|revision``), this run's
   reference scores must match within tolerance; a mismatch is an error that names the likely cause (the
   activation variant, the dtype, or the weights and preprocessing).

The checks' findings (dtype, device, the activation/config variant actually used, the reference scores) go into
the run record. A failed check raises :class:`snare.errors.AdapterError` with one line naming the adapter and
the check.
"""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from snare.errors import AdapterError
from snare.probes.scenes import REFERENCE_SCENE, reference_image

if TYPE_CHECKING:
    from snare.adapters.base import Adapter

REFERENCE_FILE = "reference_scores.json"
REFERENCE_CAPTIONS = (
    "the red circle is to the left of the blue square",
    "the blue square is to the left of the red circle",
    "the red circle and the blue square",
    "a photograph of a dog on a beach",
)
# Reference scores recorded in float32 are compared within these absolute tolerances per dtype of this run.
TOLERANCE = {"float32": 1e-4, "float16": 2e-2, "bfloat16": 5e-2}
_VARIANT_KEYS = ("activation", "arch", "context_length", "image")


def _torch_modules(adapter: Adapter) -> Iterator[tuple[str, Any]]:
    """``(attribute path, module)`` for every torch module the adapter holds directly or in a list/dict/tuple."""
    torch = sys.modules.get("torch")
    if torch is None:  # nothing can hold a torch module if torch was never imported
        return
    module_type = torch.nn.Module
    for name, value in vars(adapter).items():
        if isinstance(value, module_type):
            yield name, value
        elif isinstance(value, list | tuple):
            yield from ((f"{name}[{i}]", v) for i, v in enumerate(value) if isinstance(v, module_type))
        elif isinstance(value, dict):
            yield from ((f"{name}[{k!r}]", v) for k, v in value.items() if isinstance(v, module_type))


def check_eval_mode(adapter: Adapter) -> int:
    """Raise unless every torch module (and submodule) on the adapter is in eval mode; return how many were seen."""
    seen = 0
    training: list[tuple[str, Any]] = []
    for path, module in _torch_modules(adapter):
        for sub_name, sub in module.named_modules():
            seen += 1
            if sub.training:
                training.append((f"{path}.{sub_name}" if sub_name else path, sub))
    if training:
        # name a module whose training mode changes outputs (dropout) when there is one, else the first
        where, sub = next(((w, m) for w, m in training if "Dropout" in type(m).__name__), training[0])
        raise AdapterError(
            f"adapter {adapter.meta.name!r} failed the eval-mode check: {len(training)} modules are in training "
            f"mode (e.g. {where} ({type(sub).__name__})), so dropout would change scores from call to call; "
            "call .eval() after loading"
        )
    return seen


def reference_scores(adapter: Adapter) -> np.ndarray:
    """The adapter's scores of the reference image with each reference caption (cosine for dual encoders)."""
    from snare.adapters.base import DualEncoder, PairScorer

    image, texts = reference_image(), list(REFERENCE_CAPTIONS)
    if isinstance(adapter, DualEncoder):
        img = np.asarray(adapter.embed_images([image]), dtype=np.float64)
        txt = np.asarray(adapter.embed_texts(texts), dtype=np.float64)
        img /= np.linalg.norm(img, axis=1, keepdims=True).clip(min=1e-12)
        txt /= np.linalg.norm(txt, axis=1, keepdims=True).clip(min=1e-12)
        scores = txt @ img[0]
    elif isinstance(adapter, PairScorer):
        if adapter.reuses_images():  # encode the one image once, as the engine does, not once per caption
            encoded = list(adapter.encode_images([image]))
            raw = adapter.score_encoded(encoded * len(texts), texts)
        else:
            raw = adapter.score_pairs([image] * len(texts), texts)
        scores = np.asarray(raw, dtype=np.float64).reshape(-1)
    else:
        raise AdapterError(f"adapter {adapter.meta.name!r} is neither a DualEncoder nor a PairScorer")
    if scores.shape != (len(texts),):
        raise AdapterError(
            f"adapter {adapter.meta.name!r} failed the reference check: expected {len(texts)} finite scores, "
            f"got shape {scores.shape}"
        )
    if not np.all(np.isfinite(scores)):
        raise AdapterError(
            f"adapter {adapter.meta.name!r} failed the reference check: it scored NaN or infinity "
            f"({int(np.sum(~np.isfinite(scores)))} of {len(texts)} scores); are its weights corrupt?"
        )
    return scores


def check_deterministic(adapter: Adapter) -> np.ndarray:
    """Score the reference input twice; raise unless the two results are identical. Returns the scores."""
    first, second = reference_scores(adapter), reference_scores(adapter)
    if not np.array_equal(first, second):
        diff = float(np.max(np.abs(first - second)))
        raise AdapterError(
            f"adapter {adapter.meta.name!r} failed the determinism check: the same reference input scored "
            f"differently twice (max difference {diff:.3g}); look for dropout, sampling or an unseeded random step"
        )
    return first


def reference_key(adapter: Adapter) -> str:
    """How a known reference is looked up: ``name|weights|revision`` (revision ``-`` when unknown)."""
    return f"{adapter.meta.name}|{adapter.weights}|{adapter.revision or '-'}"


def variant(adapter: Adapter) -> dict[str, Any]:
    """The configuration variant actually used: activation, architecture, image transform, context length."""
    prep = adapter.preprocessing()
    return {k: prep[k] for k in _VARIANT_KEYS if k in prep and prep[k] is not None}


def reference_files(adapter: Adapter) -> list[Path]:
    """Where known reference scores may be: beside the adapter's module, then beside snare's built-in adapters."""
    candidates = []
    module_file = inspect.getsourcefile(type(adapter))
    if module_file:
        candidates.append(Path(module_file).parent / REFERENCE_FILE)
    candidates.append(Path(__file__).resolve().parents[1] / "adapters" / REFERENCE_FILE)
    return list(dict.fromkeys(p for p in candidates if p.is_file()))


def load_references(adapter: Adapter) -> dict[str, Any]:
    """Known reference entries for this adapter's module and the built-ins (first file wins on a shared key)."""
    merged: dict[str, Any] = {}
    for path in reversed(reference_files(adapter)):
        try:  # files shipped beside installed adapter code (snare's or a plug-in's), not user input
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise AdapterError(f"reference scores file {path} cannot be read: {exc}") from None
        merged.update(data.get("references", {}))
    return merged


def _likely_cause(adapter: Adapter, entry: Mapping[str, Any], dtype: str) -> str:
    recorded = entry.get("variant") or {}
    current = variant(adapter)
    if recorded.get("activation") and recorded.get("activation") != current.get("activation"):
        flag = "true" if recorded["activation"] == "quick_gelu" else "false"
        return (
            f"the activation differs (reference: {recorded['activation']}, this run: {current.get('activation')}); "
            f"pass -o quick_gelu={flag}"
        )
    if entry.get("dtype", "float32") != dtype:
        return f"the dtype differs (reference: {entry.get('dtype', 'float32')}, this run: {dtype}); try --dtype float32"
    for key in ("arch", "image", "context_length"):
        if key in recorded and recorded[key] != current.get(key):
            return f"the {key} differs from the reference run ({recorded[key]!r} vs {current.get(key)!r})"
    return "the weights or preprocessing differ from the trusted run; check the checkpoint and library versions"


def check_known_reference(
    adapter: Adapter, scores: np.ndarray, references: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Compare ``scores`` with the recorded reference for these weights, if any; raise on a mismatch."""
    table = load_references(adapter) if references is None else references
    key = reference_key(adapter)
    entry = table.get(key)
    if entry is None:
        return {"key": key, "status": "no reference recorded"}
    expected = np.asarray(entry["scores"], dtype=np.float64)
    tol = float(entry.get("atol", TOLERANCE["float32"]))
    tol = max(tol, TOLERANCE.get(adapter.dtype, tol))
    diff = float(np.max(np.abs(expected - scores))) if expected.shape == scores.shape else float("inf")
    if not diff <= tol:
        raise AdapterError(
            f"adapter {adapter.meta.name!r} failed the reference check for {key}: scores differ from the trusted "
            f"run by {diff:.3g} (tolerance {tol:g}); likely cause: {_likely_cause(adapter, entry, adapter.dtype)}"
        )
    return {"key": key, "status": "matched", "max_abs_diff": diff, "atol": tol}


def run_load_checks(adapter: Adapter, *, references: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Run every check on a loaded adapter; return what the run record stores, or raise :class:`AdapterError`."""
    adapter.ensure_loaded()
    n_modules = check_eval_mode(adapter)
    scores = check_deterministic(adapter)
    return {
        "eval_mode": True,
        "torch_modules_checked": n_modules,
        "deterministic": True,
        "dtype": adapter.dtype,
        "device": adapter.device,
        "variant": variant(adapter),
        "reference": {
            "scene": REFERENCE_SCENE,
            "captions": list(REFERENCE_CAPTIONS),
            "scores": [float(s) for s in scores],
        },
        "known_reference": check_known_reference(adapter, scores, references),
    }


def reference_entry(adapter: Adapter, scores: np.ndarray | None = None) -> dict[str, Any]:
    """A ``reference_scores.json`` entry for a trusted run of ``adapter`` (run once by a maintainer, then stored)."""
    adapter.ensure_loaded()
    values = check_deterministic(adapter) if scores is None else scores
    return {
        "scores": [float(s) for s in values],
        "atol": TOLERANCE["float32"],
        "dtype": adapter.dtype,
        "variant": variant(adapter),
        "recorded": datetime.now(timezone.utc).date().isoformat(),
    }


def record_reference(adapter: Adapter, path: str | Path) -> str:
    """Add (or replace) the reference entry of ``adapter`` in ``path``, written atomically; returns its key."""
    from snare.atomic import write_json
    from snare.safe_io import read_text

    path = Path(path)
    data = json.loads(read_text(path, what="a reference scores file")) if path.exists() else {}
    data.setdefault("about", "Reference scores of trusted runs: see snare.engine.checks")
    data.setdefault("references", {})[reference_key(adapter)] = reference_entry(adapter)
    write_json(path, data)
    return reference_key(adapter)
