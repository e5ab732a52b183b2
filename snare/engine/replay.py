"""Re-running a finished evaluation from the score cache without loading the model.

The score cache is keyed by what the loaded model turned out to be (resolved revision, preprocessing), so a
re-run had to build the model just to find its own cached scores: seconds to minutes of work for nothing.
After a run that loaded a model, snare therefore keeps a *load memo* beside the cache: what was known before
loading (adapter class, name, weights, options, dtype, device type, seed for random weights, snare and score
library versions) maps to what the load resolved (the cache identity, the run record's model entry, the
load-time checks) and to what the load read (:mod:`snare.adapters.inputs`).

A later run with the same pre-load key replays from the memo when
- the adapter declares :attr:`~snare.adapters.base.Adapter.replay_safe` (snare can see everything it reads),
- every input is unchanged: the same hub commit behind each cached ref (hub weights are fetched cache first), the
  same size and modification time of each local file the load hashed or read and of every file under a path
  given as weights or option (those are part of the key),
- and every image, text or pair row the probe set needs is in the cache.

Otherwise it loads the model as usual. A replayed run's record says so (``engine.model_loaded`` is false, and
the checks are the ones the memo's load passed).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from snare import __version__
from snare.adapters.inputs import LoadInputs, file_signature

if TYPE_CHECKING:
    from snare.adapters.base import Adapter

FORMAT = 1
_COMMIT = re.compile(r"[0-9a-f]{40}")


def _path_value(value: Any) -> Path | None:
    if not isinstance(value, str) or not value:
        return None
    path = Path(value).expanduser()
    return path if path.exists() else None


def preload_key(adapter: Adapter) -> dict[str, Any]:
    """Everything that decides a load and is known before it (paths made absolute: the cwd may differ)."""
    from snare.engine.record import SCORE_LIBRARIES, _version_of

    def canonical(value: Any) -> Any:
        path = _path_value(value)
        return str(path.resolve()) if path is not None else value

    cls = type(adapter)
    key: dict[str, Any] = {
        "format": FORMAT,
        "snare": __version__,
        "adapter": f"{cls.__module__}.{cls.__qualname__}",
        "name": adapter.meta.name,
        "weights": canonical(adapter.weights),
        "options": {k: canonical(v) for k, v in sorted(adapter.options.items()) if v is not None},
        "dtype": adapter.dtype,
        "device_type": str(adapter.device).split(":")[0],
        "libraries": {name: _version_of(name) for name in SCORE_LIBRARIES},
    }
    if adapter.weights == "random":
        key["seed"] = adapter.seed
    key["given"] = [list(s) for s in _given_paths(adapter)]  # a changed file under a given path: a new key
    return key


def _memo_path(key: dict[str, Any], root: Path | None) -> Path:
    from snare.engine.cache import FORMAT as CACHE_FORMAT
    from snare.engine.cache import default_root

    blob = json.dumps(key, sort_keys=True, default=str).encode("utf-8")
    return (root or default_root()) / CACHE_FORMAT / "loads" / (hashlib.sha256(blob).hexdigest()[:32] + ".json")


def _given_paths(adapter: Adapter) -> list[tuple[str, int, int]]:
    """Signatures of every file under the paths passed as weights or options (a folder: all files in it)."""
    signatures = []
    for value in [adapter.weights, *adapter.options.values()]:
        path = _path_value(value)
        if path is None:
            continue
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        signatures.extend(s for s in map(file_signature, files) if s is not None)
    return sorted(signatures)


def _hub_ref(repo_id: str, revision: str | None) -> str | None:
    """The commit a cache-first fetch of ``repo_id`` at ``revision`` resolves to now, from the local hub cache."""
    if revision is not None and _COMMIT.fullmatch(revision):
        return revision
    from huggingface_hub import constants

    ref = Path(constants.HF_HUB_CACHE) / f"models--{repo_id.replace('/', '--')}" / "refs" / (revision or "main")
    from snare.safe_io import UnsafeInputError, read_text

    try:  # a ref file huggingface_hub wrote (a 40-character commit id); bounded: a FIFO or device never blocks
        return read_text(ref, 4096, what="a hub cache ref").strip()
    except (OSError, UnsafeInputError):
        return None


def remember(
    adapter: Adapter,
    root: Path | None,
    *,
    key: dict[str, Any],
    identity: dict[str, Any],
    model: dict[str, Any],
    checks: dict[str, Any] | None,
    inputs: LoadInputs,
) -> None:
    """Write the load memo of a run that loaded ``adapter`` (nothing when the load cannot be pinned).

    ``key`` is :func:`preload_key` as it was before loading (a load may fill in or drop options)."""
    if not type(adapter).replay_safe or any(commit is None for _, _, commit in inputs.hub):
        return
    from snare.atomic import write_json

    memo = {
        "key": key,
        "identity": identity,
        "model": model,
        "checks": checks,
        "inputs": inputs.to_json(),
    }
    path = _memo_path(key, root)
    if os.path.islink(path) or (path.exists() and not path.is_file()):
        with contextlib.suppress(OSError):  # a tampered entry of snare's own cache (a link, a FIFO): drop it
            path.unlink()
    write_json(path, memo)


def recall(adapter: Adapter, root: Path | None, key: dict[str, Any]) -> dict[str, Any] | None:
    """The memo of an earlier load of this adapter whose inputs are all unchanged, or None.

    ``key`` is :func:`preload_key` of the adapter, not loaded yet."""
    if not type(adapter).replay_safe:
        return None
    from snare.safe_io import UnsafeInputError, read_text

    try:  # a memo snare wrote (remember); read as untrusted all the same: a FIFO or /dev/zero never blocks
        memo = json.loads(read_text(_memo_path(key, root), what="a load memo"))
        inputs = memo["inputs"]
        if memo["key"] != json.loads(json.dumps(key, default=str)):
            return None
        if any(file_signature(p) != (p, size, mtime) for p, size, mtime in inputs["files"]):
            return None
        if any(_hub_ref(repo, revision) != commit for repo, revision, commit in inputs["hub"]):
            return None
        if not all(isinstance(memo[k], dict) for k in ("identity", "model")):
            return None
    except (OSError, ValueError, KeyError, TypeError, UnsafeInputError):
        return None  # no memo, one this version cannot read, or a tampered one: load as usual
    return memo
