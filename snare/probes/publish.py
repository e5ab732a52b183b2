"""Publish a probe set (or a snare submission file) to a Hugging Face Hub repository.

``snare probes push DIR REPO`` and ``snare submit RUN --out FILE --push REPO`` go through here, and through
``huggingface_hub`` only: the token is its usual one (``HF_TOKEN`` or ``hf auth login``), the endpoint its
``HF_ENDPOINT``. Nothing is pushed under ``HF_HUB_OFFLINE=1``.

What is uploaded is named file by file (:func:`probeset_files`): a probe set's manifest, item files and the
images its items use, each a regular file inside the folder, never a stray ``.env`` nor what a link points to.
Every request has a timeout and the whole push a deadline (``SNARE_HUB_TIMEOUT``, seconds; see :func:`push`),
so a hub that never answers, or answers a byte at a time, cannot hold the command forever.
"""

from __future__ import annotations

import os
import re
import stat
import threading
import time
from pathlib import Path
from typing import Any

from snare.errors import SnareError

REPO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}")
REPO_TYPES = ("dataset", "model")
DEFAULT_TIMEOUT_S = 30.0  # one request's connect/read/write silence; SNARE_HUB_TIMEOUT overrides
FLOOR_BYTES_PER_S = 100_000  # the push deadline allows this slow a link, plus ten request timeouts
HF_DATASET_FILES = re.compile(r"dataset_dict\.json|[^/]+/(dataset_info\.json|state\.json|data-\d+-of-\d+\.arrow)")


class PushInterrupted(SnareError):
    """Ctrl-C or SIGTERM while uploading: says what was written locally and that nothing was pushed."""

    exit_code = 130


def check_repo_id(repo_id: str) -> None:
    if not REPO_ID.fullmatch(repo_id) or ".." in repo_id:
        raise SnareError(f"hub repository {repo_id!r}: give it as OWNER/NAME (letters, digits, . _ -)")


def _regular_inside(folder: Path, rel: str) -> Path:
    """``folder/rel`` if it is a regular file (not a link) inside ``folder``; otherwise one line naming it."""
    path = folder / rel
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        raise SnareError(f"{path}: listed by the probe set but missing; rebuild the set before pushing") from None
    if stat.S_ISLNK(mode) or not stat.S_ISREG(mode):
        what = "a link" if stat.S_ISLNK(mode) else "not a regular file"
        raise SnareError(f"{path}: {what}; push uploads only regular files inside the probe set folder")
    if not path.resolve().is_relative_to(folder.resolve()):
        raise SnareError(f"{path}: outside the probe set folder (a linked folder?); copy the file in instead")
    return path


def probeset_files(folder: str | Path, probes: Any) -> list[str]:
    """The paths (relative, POSIX) of exactly the files that make up the probe set ``probes`` loaded from ``folder``.

    A JSONL set: ``manifest.json``, one ``TASK.jsonl`` per task and every image file its items use that lies
    under the folder (an ``--images absolute`` set keeps its images elsewhere; they are not uploaded). A
    ``--format hf`` export: ``snare_manifest.json`` and the ``datasets`` files under ``dataset/``. Each must be
    a regular file inside the folder, not a link; anything else in the folder is left out.
    """
    folder = Path(folder)
    if (folder / "manifest.json").is_file():
        names = {"manifest.json", *(f"{task}.jsonl" for task in probes.tasks)}
        root = folder.resolve()
        for item in probes:
            if item.image.path is None:
                continue
            image = Path(os.path.abspath(probes.image_path(item.image)))
            if image.is_relative_to(os.path.abspath(folder)):
                names.add(image.relative_to(os.path.abspath(folder)).as_posix())
            elif image.resolve().is_relative_to(root):
                names.add(image.resolve().relative_to(root).as_posix())
    else:
        names = {"snare_manifest.json"}
        for path in (folder / "dataset").rglob("*"):
            rel = path.relative_to(folder / "dataset").as_posix()
            if HF_DATASET_FILES.fullmatch(rel):
                names.add(f"dataset/{rel}")
    for rel in names:
        _regular_inside(folder, rel)
    return sorted(names)


def hub_timeout() -> float:
    """Seconds one hub request may stay silent (``SNARE_HUB_TIMEOUT``, default 30)."""
    raw = os.environ.get("SNARE_HUB_TIMEOUT", "")
    try:
        value = float(raw) if raw else DEFAULT_TIMEOUT_S
    except ValueError:
        raise SnareError(f"SNARE_HUB_TIMEOUT={raw!r}: give a number of seconds") from None
    if not 0 < value < 1e6:
        raise SnareError(f"SNARE_HUB_TIMEOUT={raw!r}: give a positive number of seconds")
    return value


def _use_timeouts(seconds: float) -> None:
    """Make huggingface_hub's HTTP client time out (its default client waits forever)."""
    import httpx
    from huggingface_hub.utils import _http

    def factory() -> httpx.Client:
        client = _http.default_client_factory()
        client.timeout = httpx.Timeout(seconds)
        return client

    _http.set_client_factory(factory)


def push(
    path: str | Path,
    repo_id: str,
    *,
    repo_type: str = "dataset",
    path_in_repo: str | None = None,
    files: list[str] | None = None,
    private: bool = False,
    message: str | None = None,
) -> str:
    """Upload the file ``path``, or the listed ``files`` of the folder ``path``, in one commit; return its URL.

    Folder files keep their layout under ``path_in_repo`` (the repository root by default); a file lands at
    ``path_in_repo`` (default: its name). Each request times out after :func:`hub_timeout` seconds of silence,
    and the whole push after ten of those plus the time the bytes take at 100 kB/s.

    Raises:
        SnareError: a malformed repository id, a missing ``path``, a folder without ``files``, offline mode, a
            timeout, or any refusal by the hub (no token, no write access), as one line.
    """
    check_repo_id(repo_id)
    if repo_type not in REPO_TYPES:
        raise SnareError(f"--repo-type {repo_type!r}: use dataset or model")
    path = Path(path)
    if not path.exists():
        raise SnareError(f"{path}: no such file or folder to push")
    if path.is_dir() and files is None:
        raise SnareError(f"{path}: a folder is pushed file by file; name its files")
    sources = [(path / rel, f"{path_in_repo or ''}/{rel}".lstrip("/")) for rel in files or []]
    if not path.is_dir():
        sources = [(path, path_in_repo or path.name)]
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        raise SnareError("HF_HUB_OFFLINE=1 is set: nothing can be pushed; unset it to publish")
    timeout = hub_timeout()
    _use_timeouts(timeout)
    deadline = 10 * timeout + sum(src.stat().st_size for src, _ in sources) / FLOOR_BYTES_PER_S
    summary = message or f"snare: {path.name}"
    result: dict[str, Any] = {}
    worker = threading.Thread(target=_upload, args=(sources, repo_id, repo_type, private, summary, result), daemon=True)
    worker.start()
    end = time.monotonic() + deadline
    while worker.is_alive() and time.monotonic() < end:
        worker.join(0.1)  # short waits: Ctrl-C is handled in between
    if worker.is_alive():
        raise SnareError(
            f"push to {repo_id} failed: the hub did not finish within {deadline:.0f} s "
            f"(SNARE_HUB_TIMEOUT={timeout:g} s per request); check HF_ENDPOINT and the network"
        )
    if "error" in result:
        exc = result["error"]
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise SnareError(f"push to {repo_id} failed: {first} (token: HF_TOKEN or hf auth login)")
    return result["url"]


def _upload(
    sources: list[tuple[Path, str]], repo_id: str, repo_type: str, private: bool, summary: str, result: dict
) -> None:
    """Create the repository and commit ``sources`` to it; the URL or the exception lands in ``result``."""
    from huggingface_hub import CommitOperationAdd, HfApi

    try:
        api = HfApi()
        api.create_repo(repo_id, repo_type=repo_type, private=private, exist_ok=True)
        operations = [CommitOperationAdd(path_in_repo=dest, path_or_fileobj=str(src)) for src, dest in sources]
        info = api.create_commit(repo_id, operations, repo_type=repo_type, commit_message=summary)
        result["url"] = str(getattr(info, "commit_url", info))
    except Exception as exc:  # huggingface_hub and httpx raise many types; the user needs the first line
        result["error"] = exc
