"""The run record: everything needed to know what produced a set of numbers, and which part of it sets the scores.

:class:`RunRecord` is the record's one typed form at every seam: built by the engine (:func:`build_record`),
written into ``results.json`` (:meth:`RunRecord.to_json`) and parsed back (:meth:`RunRecord.from_json`) by reports,
``snare submit`` and the flip finder. Unknown keys (written by another snare version) are kept, never dropped, and
written back as they were read; only the fields snare itself reads are typed.

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

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from snare import __version__
from snare.engine.coverage import Coverage
from snare.errors import SnareError

if TYPE_CHECKING:
    from snare.adapters.base import Adapter
    from snare.probes.probeset import ProbeSet
    from snare.protocols import Protocol

# Distributions whose version can change a score (they compute it, or decode and resize the image).
SCORE_LIBRARIES = ("torch", "transformers", "open_clip_torch", "timm", "pillow", "numpy")
# Distributions that shape the probe items (tokenisation, tagging) but not the score of a given text.
PROBE_LIBRARIES = ("spacy", "nltk")
SPACY_MODEL_PREFIX = "en_core_web_sm"


# A number as the file wrote it: an int stays an int (a float field would write 1 back as 1.0).
Real = int | float


class RecordError(SnareError):
    """A run record (``results.json``) is not one snare can read; the message is one line."""


class _Recorded(BaseModel):
    # extra="allow": keys of another snare version are kept and written back; strict: a value is never coerced,
    # so a record read back is written back byte for byte.
    model_config = ConfigDict(extra="allow", strict=True)

    def to_json(self) -> dict[str, Any]:
        """The JSON form: the fields that were given (by the engine or the file), extra keys included."""
        return self.model_dump(exclude_unset=True)

    def recorded(self, key: str, default: Any = None) -> Any:
        """The value recorded under ``key`` (a field given, or an extra key), else ``default``."""
        if key in self.model_fields_set:
            return getattr(self, key)
        return (self.__pydantic_extra__ or {}).get(key, default)


class ModelRecord(_Recorded):
    """The model part: :meth:`Adapter.describe` (name, weights, resolved revision...) plus id, license, params."""

    name: str | None = None
    family: str | None = None
    head: str | None = None
    kind: str | None = None
    weights: str | None = None
    revision: str | None = None
    dtype: str | None = None
    device: str | None = None
    id: str | None = None
    license: str | None = None
    params: int | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    preprocessing: dict[str, Any] = Field(default_factory=dict)


class ProbeSetRecord(_Recorded):
    """The probe set the run scored: its name and fingerprint, and what rebuilds it (source, limit, seed)."""

    name: str | None = None
    fingerprint: str | None = None
    fingerprint_verified: bool | None = None
    n_items: int | None = None
    source: Any = None
    limit: int | None = None
    seed: int | None = None


class ProtocolRecord(_Recorded):
    """The protocol's choices, as :meth:`snare.protocols.Protocol.to_json` writes them."""

    name: str | None = None
    tie_break: str | None = None
    redraw_shuffles: bool | None = None
    consistent_spacing: bool | None = None


class TaskSummary(_Recorded):
    """One task's summary in ``results.json`` (:meth:`snare.engine.results.TaskResult.to_json` writes it)."""

    accuracy: Real | None = None
    n: int | None = None
    correct: int | None = None
    ties: int | None = None
    n_options: int | None = None
    split_credit_accuracy: Real | None = None
    coverage: Coverage | None = None
    protocol_accuracy: dict[str, Any] | None = None


class RunRecord(_Recorded):
    """The run record (see the module docstring); ``tasks`` is filled in ``results.json``, not while scoring."""

    snare_version: str | None = None
    git: dict[str, Any] | None = None
    created: str | None = None
    command: str | None = None
    python: str | None = None
    libraries: dict[str, Any] = Field(default_factory=dict)
    model: ModelRecord = Field(default_factory=ModelRecord)
    probeset: ProbeSetRecord = Field(default_factory=ProbeSetRecord)
    protocol: ProtocolRecord | str | None = None  # a bare name (or none: ``snare``) in records of early versions
    seed: int | None = None
    batch_size: int | None = None
    world_size: int | None = None
    checks: dict[str, Any] | None = None
    engine: dict[str, Any] | None = None
    duration_s: Real | None = None
    coverage: dict[str, Coverage] = Field(default_factory=dict)
    partial: bool = False
    tasks: dict[str, TaskSummary] = Field(default_factory=dict)

    @property
    def protocol_name(self) -> str | None:
        """The protocol's name, whether recorded as a block or (in early records) a bare name; None if absent."""
        value = self.protocol.name if isinstance(self.protocol, ProtocolRecord) else self.protocol
        return value or None

    def setting(self, key: str) -> Any:
        """A run setting that tells runs apart: a top-level key (batch size, protocol by name) when recorded, else
        the model part's (dtype, device)."""
        value = self.recorded(key, self.model.recorded(key))
        return value.name if isinstance(value, ProtocolRecord) else value

    @classmethod
    def from_json(cls, data: Any, where: str) -> RunRecord:
        """Parse a record read from ``where``; anything malformed is one :class:`RecordError` line."""
        if not isinstance(data, dict):
            raise RecordError(f"{where}: not a JSON object; not a snare results file")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise RecordError(f"{where}: {_first_error(exc)}; re-run snare eval") from None


def _first_error(exc: ValidationError) -> str:
    """``loc: message (got value)`` of the first problem pydantic found: one line."""
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    return f"{loc}: {first['msg']} (got {first.get('input')!r:.60})"


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
) -> RunRecord:
    """The full run record of one evaluation. ``model``: the model entry when the adapter was not loaded (a
    replayed run, :mod:`snare.engine.replay`); by default it is read off the loaded adapter."""
    from snare.errors import ProbeFormatError

    try:
        fingerprint, verified = probes.fingerprint, True
    except ProbeFormatError:  # an image is missing (a partial run): the manifest's fingerprint, marked unverified
        fingerprint, verified = probes.info.get("fingerprint"), False
    fields = {
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
    try:
        return RunRecord.model_validate(fields)
    except ValidationError as exc:  # an adapter whose describe() breaks its declared types (a plug-in, say)
        problem = _first_error(exc)
        raise RecordError(f"the run record of adapter {adapter.meta.name!r} is malformed: {problem}") from None


def score_key(record: RunRecord) -> dict[str, Any]:
    """The part of a run record that can change a score: what a score cache is keyed by.

    Model identity (name, kind, head, weights, resolved revision), dtype, device type (``cuda`` for any
    ``cuda:N``), adapter options, the preprocessing actually used (image transform, activation variant, context
    length), the versions of the libraries that compute scores, and the seed when the weights are random.
    """
    model = record.model
    fields = ("name", "kind", "head", "weights", "revision", "options", "preprocessing")
    key: dict[str, Any] = {
        "model": {k: model.recorded(k) for k in fields},  # None when not recorded, as the cache keys were made
        "dtype": model.dtype,
        "device_type": str(model.device or "cpu").split(":")[0],
        "libraries": {name: record.libraries.get(name) for name in SCORE_LIBRARIES},
    }
    if model.weights == "random":
        key["seed"] = record.seed
    return key


def score_key_for(adapter: Adapter, *, seed: int | None = None) -> dict[str, Any]:
    """:func:`score_key` computed from a loaded adapter alone (no probe set needed): for the engine's cache."""
    record = RunRecord.model_validate(
        {
            "model": model_record(adapter),
            "libraries": library_versions(),
            "seed": adapter.seed if seed is None else seed,
        }
    )
    return score_key(record)
