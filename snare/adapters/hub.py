"""Fetching weights from the Hugging Face hub with a fast, clear failure when they cannot be had.

huggingface_hub retries an unreachable hub for about a minute before giving up; a benchmark user who is offline
should instead learn at once which weights are missing and how to supply them. Files already in the cache
(``HF_HOME``/``HF_HUB_CACHE``) are used without touching the network; ``HF_HUB_OFFLINE=1`` is honoured.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

from snare.errors import WeightsUnavailableError

_SNAPSHOT = re.compile(r"/snapshots/([0-9a-f]{40})(?:/|$)")


def offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


@cache
def reachable(timeout: float = 3.0) -> bool:
    """Whether the hub endpoint answers a TCP connection within ``timeout`` seconds."""
    if offline():
        return False
    endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    host, port = endpoint.hostname or "huggingface.co", endpoint.port or (443 if endpoint.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def how_to_supply(what: str) -> str:
    return (
        f"{what} could not be loaded: not in the Hugging Face cache and the hub is unreachable"
        f"{' (HF_HUB_OFFLINE is set)' if offline() else ''}. Download it where you have network (it lands in "
        "HF_HOME), pass a local path with --weights PATH, or use --weights random for an untrained model"
    )


# what a hub id looks like (``org/name``, optionally ``hf-hub:org/name``): a name with one slash and no scheme
_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")
# file names that are weights on disk, whatever folder they are in
_WEIGHT_SUFFIXES = {".pt", ".pth", ".bin", ".safetensors", ".ckpt", ".pkl", ".npz", ".h5", ".msgpack"}


def hub_cache_root() -> Path:
    """The hub cache folder, read from the environment at call time as huggingface_hub reads it at import."""
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if os.environ.get(name):
            return Path(os.environ[name]).expanduser()
    home = os.environ.get("HF_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME") or "~/.cache", "huggingface")
    return Path(home).expanduser() / "hub"


def is_repo_id(name: str) -> bool:
    """Whether ``name`` reads as a hub id (``org/name`` or ``hf-hub:org/name``)."""
    return bool(_REPO_ID.fullmatch(name.removeprefix("hf-hub:")))


def check_weights(weights: str, *, hub_ids: bool = True) -> None:
    """Refuse at once weights that cannot be had, before torch or transformers is imported (a model's own load
    imports them first, which takes seconds): a path that does not exist, or (for a model that takes hub ids,
    ``hub_ids``, or an ``hf-hub:`` id) a hub id with no snapshot in the local cache while the hub is unreachable
    (``HF_HUB_OFFLINE`` set). Anything else is left to the adapter.

    Raises:
        WeightsUnavailableError: one line naming the weights and how to supply them.
    """
    path = Path(weights).expanduser()
    if path.exists():
        return
    if weights.startswith(("./", "../", "/", "~", ".\\")) or path.suffix.lower() in _WEIGHT_SUFFIXES:
        raise WeightsUnavailableError(
            f"--weights {weights}: no such file or folder; pass an existing path, a hub id, or --weights random"
        )
    repo = weights.removeprefix("hf-hub:")
    if not is_repo_id(weights) or not (hub_ids or weights.startswith("hf-hub:")):
        return  # a tag, 'random', 'shipped', or a model that reads no hub ids: the adapter says what it means
    snapshots = hub_cache_root() / f"models--{repo.replace('/', '--')}" / "snapshots"
    if snapshots.is_dir() and any(snapshots.iterdir()):
        return
    if not reachable():
        raise WeightsUnavailableError(how_to_supply(f"weights {repo}"))


def revision_of(path: str | os.PathLike[str]) -> str | None:
    """The hub commit sha a cached file or snapshot folder belongs to, read from its path."""
    match = _SNAPSHOT.search(Path(path).as_posix())
    return match.group(1) if match else None


def fetch_file(repo_id: str, filenames: Sequence[str], *, revision: str | None = None) -> Path:
    """The first of ``filenames`` that ``repo_id`` has, from the cache if there, else downloaded."""
    from huggingface_hub import hf_hub_download

    for name in filenames:
        try:
            return _noted(
                repo_id, revision, Path(hf_hub_download(repo_id, name, revision=revision, local_files_only=True))
            )
        except Exception:
            continue
    if not reachable():
        raise WeightsUnavailableError(how_to_supply(f"weights {repo_id}"))
    errors = []
    for name in filenames:
        try:
            return _noted(repo_id, revision, Path(hf_hub_download(repo_id, name, revision=revision)))
        except Exception as exc:
            errors.append(f"{name}: {type(exc).__name__}")
    raise WeightsUnavailableError(f"weights {repo_id} could not be downloaded ({'; '.join(errors)})")


def fetch_snapshot(repo_id: str, *, revision: str | None = None, allow_patterns: Sequence[str] | None = None) -> Path:
    """A local folder holding ``repo_id`` (a model directory for ``from_pretrained``), cache first."""
    from huggingface_hub import snapshot_download

    try:
        path = Path(snapshot_download(repo_id, revision=revision, allow_patterns=allow_patterns, local_files_only=True))
        return _noted(repo_id, revision, path)
    except Exception:
        pass
    if not reachable():
        raise WeightsUnavailableError(how_to_supply(f"weights {repo_id}"))
    try:
        path = Path(snapshot_download(repo_id, revision=revision, allow_patterns=allow_patterns))
    except Exception as exc:
        raise WeightsUnavailableError(
            f"weights {repo_id} could not be downloaded: {type(exc).__name__}: {exc}"
        ) from None
    return _noted(repo_id, revision, path)


def _noted(repo_id: str, revision: str | None, path: Path) -> Path:
    """``path``, after noting which commit of ``repo_id`` it belongs to (see :mod:`snare.adapters.inputs`)."""
    from snare.adapters.inputs import note_hub

    note_hub(repo_id, revision, revision_of(path))
    return path
