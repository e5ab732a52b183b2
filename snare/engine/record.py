"""The run record: everything needed to know what produced a set of numbers, and which part of it sets the scores.

:func:`build_record` writes down the package version (and the git commit when snare runs from a checkout), the
model (name, weights, resolved revision: a hub commit sha or ``sha256:`` of a local file), dtype, device, batch
size, the versions of the libraries that compute or prepare scores (read with :mod:`importlib.metadata`, so
nothing heavy is imported), the probe-set fingerprint, the protocol, the seed and the load-time checks.

:func:`score_key` is the part of a record that can change a score; it is what a score cache is keyed by. It
leaves out what cannot change a score: the probe set (cached rows are keyed by image and text content), the
protocol (it changes verdicts, not scores), the batch size, the device index and the number of processes
(they change floating-point noise at most, so a cache filled with 2 GPUs resumes with 1; answers that flip
between such runs are listed by :func:`snare.reports.flips.flips_between`).
"""

from __future__ import annotations

import platform
import subprocess
import sys
from datetime import datetime, timezone
from functools import cache
from importlib.metadata import PackageNotFoundError, distributions, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from snare import __version__

if TYPE_CHECKING:
    from snare.adapters.base import Adapter
    from snare.probes.probeset import ProbeSet
    from snare.protocols import Protocol

# Distributions whose version can change a score (they compute it, or decode and resize the image).
SCORE_LIBRARIES = ("torch", "transformers", "open_clip_torch", "timm", "pillow", "numpy")
# Distributions that shape the probe items (tokenisation, tagging) but not the score of a given text.
PROBE_LIBRARIES = ("spacy", "nltk")
SPACY_MODEL_PREFIX = "en_core_web_sm"


def _version_of(dist: str) -> str | None:
    try:
        return version(dist)
    except PackageNotFoundError:
        return None


@cache
def _spacy_models() -> dict[str, str]:
    """Installed spaCy English model packages (``en_core_web_sm`` and variants) and their versions."""
    found: dict[str, str] = {}
    for dist in distributions():
        name = (dist.metadata.get("Name") or "").replace("-", "_")
        if name.lower().startswith(SPACY_MODEL_PREFIX):
            found[name] = dist.version
    return dict(sorted(found.items()))


def library_versions() -> dict[str, Any]:
    """Versions of python, the score libraries, the probe libraries and the spaCy English model(s)."""
    return {
        "python": platform.python_version(),
        **{name: _version_of(name) for name in (*SCORE_LIBRARIES, *PROBE_LIBRARIES)},
        "spacy_models": _spacy_models(),
    }


@cache
def git_commit(start: str | None = None) -> dict[str, Any] | None:
    """The checkout's commit and whether tracked files differ from it, when snare runs from a git checkout."""
    root = Path(start or Path(__file__).resolve().parents[2])
    if not (root / ".git").exists():
        return None

    def git(*args: str) -> str | None:
        try:
            proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return proc.stdout.strip() if proc.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return None
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status)}


def model_record(adapter: Adapter) -> dict[str, Any]:
    """The model part of the record (call after loading, so revision and preprocessing are the resolved ones)."""
    described = adapter.describe()
    return {
        **described,
        "id": f"{described['name']}:{described['weights']}",
        "license": adapter.meta.license,
        "params": count_params(adapter),
    }


def count_params(adapter: Adapter) -> int | None:
    """Parameters of the loaded model (``adapter.model``, a torch module), else the adapter's declared count.

    Counted, not declared, where possible: one adapter serves several architectures (CLIP ViT-B/32 or ViT-L/14),
    and a declared number would be blank or wrong for most of them."""
    model = getattr(adapter, "model", None)
    parameters = getattr(model, "parameters", None)
    if callable(parameters):
        return int(sum(p.numel() for p in parameters()))
    return adapter.meta.params


def build_record(
    adapter: Adapter,
    probes: ProbeSet,
    *,
    batch_size: int,
    seed: int,
    protocol: Protocol,
    checks: dict[str, Any] | None = None,
    world_size: int = 1,
    model: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The full run record of one evaluation; JSON-serialisable. ``model``: the model entry when the adapter was
    not loaded (a replayed run, :mod:`snare.engine.replay`); by default it is read off the loaded adapter."""
    from snare.errors import ProbeFormatError

    try:
        fingerprint, verified = probes.fingerprint, True
    except ProbeFormatError:  # an image is missing (a partial run): the manifest's fingerprint, marked unverified
        fingerprint, verified = probes.info.get("fingerprint"), False
    return {
        "snare_version": __version__,
        "git": git_commit(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "python": platform.python_version(),
        "libraries": library_versions(),
        "model": model if model is not None else model_record(adapter),
        "probeset": {
            "name": probes.name,
            "fingerprint": fingerprint,
            "fingerprint_verified": verified,
            "n_items": len(probes),
            "source": probes.info.get("source"),
            "limit": probes.info.get("limit"),
            "seed": probes.info.get("seed"),
        },
        "protocol": protocol.to_json(),
        "seed": seed,
        "batch_size": batch_size,
        "world_size": world_size,
        "checks": checks,
        **extra,
    }


def score_key(record: dict[str, Any]) -> dict[str, Any]:
    """The part of a run record that can change a score: what a score cache is keyed by.

    Model identity (name, kind, head, weights, resolved revision), dtype, device type (``cuda`` for any
    ``cuda:N``), adapter options, the preprocessing actually used (image transform, activation variant, context
    length), the versions of the libraries that compute scores, and the seed when the weights are random.
    """
    model = record.get("model") or {}
    libraries = record.get("libraries") or {}
    key: dict[str, Any] = {
        "model": {k: model.get(k) for k in ("name", "kind", "head", "weights", "revision", "options", "preprocessing")},
        "dtype": model.get("dtype"),
        "device_type": str(model.get("device") or "cpu").split(":")[0],
        "libraries": {name: libraries.get(name) for name in SCORE_LIBRARIES},
    }
    if model.get("weights") == "random":
        key["seed"] = record.get("seed")
    return key


def score_key_id(record: dict[str, Any]) -> str:
    """A short stable hash of :func:`score_key` (a cache folder name)."""
    import hashlib
    import json

    blob = json.dumps(score_key(record), sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:32]


def score_key_for(adapter: Adapter, *, seed: int | None = None) -> dict[str, Any]:
    """:func:`score_key` computed from a loaded adapter alone (no probe set needed): for the engine's cache."""
    record = {
        "model": model_record(adapter),
        "libraries": library_versions(),
        "seed": adapter.seed if seed is None else seed,
    }
    return score_key(record)
