"""Publish a probe set (or any snare output folder or file) to a Hugging Face Hub repository.

``snare probes push DIR REPO`` and ``snare submit RUN --out FILE --push REPO`` go through here, and through
``huggingface_hub`` only: the token is its usual one (``HF_TOKEN`` or ``hf auth login``), the endpoint its
``HF_ENDPOINT``. Nothing is pushed under ``HF_HUB_OFFLINE=1``.
"""

from __future__ import annotations

import re
from pathlib import Path

from snare.errors import SnareError

REPO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}")
REPO_TYPES = ("dataset", "model")


def check_repo_id(repo_id: str) -> None:
    if not REPO_ID.fullmatch(repo_id) or ".." in repo_id:
        raise SnareError(f"hub repository {repo_id!r}: give it as OWNER/NAME (letters, digits, . _ -)")


def check_can_push(repo_id: str) -> None:
    """Before any work whose result is to be pushed: a well-formed repository id, and not offline (so a command
    that writes a file and then pushes it does not write it only to fail)."""
    check_repo_id(repo_id)
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        raise SnareError("--push: HF_HUB_OFFLINE=1 is set, so nothing can be pushed; unset it, or leave out --push")


def push(
    path: str | Path,
    repo_id: str,
    *,
    repo_type: str = "dataset",
    path_in_repo: str | None = None,
    private: bool = False,
    message: str | None = None,
) -> str:
    """Upload the folder or file ``path`` to ``repo_id`` (created when missing) in one commit; return its URL.

    A folder keeps its layout under ``path_in_repo`` (the repository root by default); a file lands at
    ``path_in_repo`` (default: its name).

    Raises:
        SnareError: a malformed repository id, a missing ``path``, offline mode, or any refusal by the hub
            (no token, no write access), as one line.
    """
    check_repo_id(repo_id)
    if repo_type not in REPO_TYPES:
        raise SnareError(f"--repo-type {repo_type!r}: use dataset or model")
    path = Path(path)
    if not path.exists():
        raise SnareError(f"{path}: no such file or folder to push")
    from huggingface_hub import HfApi, constants

    if constants.HF_HUB_OFFLINE:
        raise SnareError("HF_HUB_OFFLINE=1 is set: nothing can be pushed; unset it to publish")
    api = HfApi()
    summary = message or f"snare: {path.name}"
    try:
        api.create_repo(repo_id, repo_type=repo_type, private=private, exist_ok=True)
        where = {"repo_id": repo_id, "repo_type": repo_type, "commit_message": summary}
        if path.is_dir():
            info = api.upload_folder(folder_path=str(path), path_in_repo=path_in_repo or "", **where)
        else:
            info = api.upload_file(path_or_fileobj=str(path), path_in_repo=path_in_repo or path.name, **where)
    except Exception as exc:  # huggingface_hub and httpx raise many types; the user needs the first line
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise SnareError(f"push to {repo_id} failed: {first} (token: HF_TOKEN or hf auth login)") from None
    return str(getattr(info, "commit_url", info))
