"""Train the known-groups pair of reference models, score them, and write the weights with their record.

The record (``reference.json`` beside the weights) holds the exact command, the settings and seed, library
versions, each file's sha256, and the strict accuracies and McNemar comparison on the built-in probe set: the
shipped files are what ``snare train-reference`` wrote, and a test re-scores them against this record.
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

from snare.engine.results import RunResult
from snare.output_shape import ANY, OutputShape

FILES = {"gru": "reference.safetensors", "bow": "reference-bow.safetensors"}
ADAPTERS = {"gru": "reference", "bow": "reference-bow"}
RECORD = "reference.json"
# what --overwrite requires of a folder it replaces: snare's reference.json and the two weight files
REFERENCE_SHAPE = OutputShape(RECORD, {"files": ANY, "versions": ANY, "settings": ANY}, tuple(FILES.values()))


def train_pair(settings: Any, on_step: Callable[[str, int, float], object] | None = None) -> dict[str, Any]:
    """The order-aware (gru) and bag-of-words (bow) models: same data, order, seed and image encoder init."""
    from snare.validity.train import train, training_data

    data = training_data(settings.train_seed, settings.n_scenes)
    models = {}
    for encoder in FILES:
        callback = (lambda s, loss, e=encoder: on_step(e, s, loss)) if on_step else None
        models[encoder] = train(encoder, settings, data, on_step=callback)
    return models


def score(model_or_path: Any, encoder: str, seed: int = 0) -> RunResult:
    """Strict results of one reference model (in memory or a file) on the built-in synthetic set, as the default
    protocol builds it."""
    from snare.adapters.registry import create
    from snare.engine.evaluate import evaluate
    from snare.probes.assemble import ProbeSpec, assemble
    from snare.protocols import DEFAULT

    if isinstance(model_or_path, (str, Path)):
        adapter = create(ADAPTERS[encoder], str(model_or_path))
    else:
        adapter = create(ADAPTERS[encoder], "in-memory")
        adapter.attach(model_or_path)
    return evaluate(adapter, assemble(ProbeSpec(seed=seed), DEFAULT), batch_size=256)


def accuracy_table(result: RunResult) -> dict[str, dict[str, Any]]:
    """Strict accuracy, counts and ties per task (the fields the record keeps)."""
    return {
        task: {"accuracy": r.accuracy, "n": r.n, "correct": r.n_correct, "ties": r.n_ties, "chance": 1 / r.n_options}
        for task, r in sorted(result.tasks.items())
    }


def write_pair(
    folder: str | Path,
    models: dict[str, Any],
    results: dict[str, RunResult],
    *,
    settings: Any,
    command: str,
    duration_s: float,
    overwrite: bool,
) -> Path:
    """Write both weight files and the record, atomically (all three appear together or not at all)."""
    import numpy as np
    import torch

    from snare import __version__
    from snare.adapters.reference_model import to_bytes
    from snare.atomic import dumps_json, staged_directory, write_bytes, write_text
    from snare.validity.known_groups import compare

    blobs = {encoder: to_bytes(model) for encoder, model in models.items()}
    record = {
        "command": command,
        "seed": settings.seed,
        "settings": settings.to_json(),
        "probe_set": {
            "source": "synthetic",
            "seed": 0,
            "fingerprint": results["gru"].record.probeset.fingerprint,
        },
        "versions": {
            "snare": __version__,
            "torch": torch.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
            "machine": platform.machine(),
        },
        "duration_s": round(duration_s, 1),
        "files": {
            FILES[e]: {
                "adapter": ADAPTERS[e],
                "text_encoder": e,
                "sha256": hashlib.sha256(blob).hexdigest(),
                "params": int(sum(p.numel() for p in models[e].parameters())),
            }
            for e, blob in blobs.items()
        },
        "accuracy": {ADAPTERS[e]: accuracy_table(r) for e, r in results.items()},
        "known_groups": {
            "a": "reference",
            "b": "reference-bow",
            "test": "exact McNemar, Holm-corrected",
            "tasks": {t: c.to_json() for t, c in compare(results["gru"], results["bow"]).items()},
        },
    }
    with staged_directory(
        folder, overwrite=overwrite, kind=(REFERENCE_SHAPE,), what="reference-model folder"
    ) as staging:
        for encoder, blob in blobs.items():
            write_bytes(staging / FILES[encoder], blob)
        write_text(staging / RECORD, dumps_json(record))
    return Path(folder)
