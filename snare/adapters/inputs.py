"""What a model load read from outside the package: hub snapshots and local files.

Loading notes each hub file or snapshot it resolves (repository, requested revision, commit) and each local file
it hashes or reads, while a :func:`recording` is open. :mod:`snare.engine.replay` keeps these notes beside the
score cache, so that a later run can tell, without loading anything, whether a load would read the same things:
hub weights are fetched cache first (:mod:`snare.adapters.hub`), so the same cached ref means the same commit,
and an unchanged size and modification time stand in for a local file's digest.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class LoadInputs:
    """Hub resolutions ``(repo, revision asked for, commit)`` and local files ``(path, size, mtime_ns)``."""

    hub: set[tuple[str, str | None, str | None]] = field(default_factory=set)
    files: set[tuple[str, int, int]] = field(default_factory=set)

    def to_json(self) -> dict[str, list[list[object]]]:
        return {"hub": sorted(map(list, self.hub), key=str), "files": sorted(map(list, self.files), key=str)}


_open: list[LoadInputs] = []


@contextmanager
def recording() -> Iterator[LoadInputs]:
    """Collect what the loads inside the block read."""
    inputs = LoadInputs()
    _open.append(inputs)
    try:
        yield inputs
    finally:
        _open.remove(inputs)


def file_signature(path: str | os.PathLike[str]) -> tuple[str, int, int] | None:
    """``(absolute path, size, mtime_ns)`` of a file, or None when it cannot be read."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns


def note_file(path: str | os.PathLike[str]) -> None:
    if _open and (signature := file_signature(path)) is not None:
        for inputs in _open:
            inputs.files.add(signature)


def note_hub(repo_id: str, revision: str | None, commit: str | None) -> None:
    for inputs in _open:
        inputs.hub.add((repo_id, revision, commit))
