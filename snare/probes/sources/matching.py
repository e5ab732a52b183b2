"""The files of a repository copy that match its declared pattern, found without walking where none can be.

A dataset's ``files`` (``snare/data/suites.json``) is matched the way ``huggingface_hub``'s ``allow_patterns`` is,
with :func:`fnmatch.fnmatch` on the path relative to the copy, where ``*`` also crosses ``/`` (``[MQ]*`` takes
``MMVP Images/1.jpg``). Walking the whole copy to test each path would walk the whole file system for a copy that
is a link to ``/``; so a folder is entered only when a path under it may still match (its name agrees with the
pattern up to the first wildcard that can cross a ``/``), and links to folders are never entered.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path


def _crossing(segment: str) -> int | None:
    """Index of the first wildcard in ``segment`` that may match a ``/`` (``*``, ``?``, a negated class), else None.

    A plain class (``[MQ]``) matches one of its characters only, so it is skipped whole."""
    i = 0
    while i < len(segment):
        char = segment[i]
        if char in "*?":
            return i
        if char == "[":
            end = segment.find("]", i + 2)  # a ']' right after '[' is a literal member of the class
            if end >= 0 and segment[i + 1] in "!^":
                return i
            i = end if end >= 0 else i  # an unclosed '[' is a literal character
        i += 1
    return None


def may_hold(parts: tuple[str, ...], pattern: str) -> bool:
    """Whether the folder at relative path ``parts`` may hold a file whose relative path matches ``pattern``."""
    segments = pattern.split("/")
    for part, segment in zip(parts, segments, strict=False):
        at = _crossing(segment)
        if at is not None:  # from here on the wildcard may swallow any folders: only its head must agree
            return fnmatch.fnmatch(part, segment[:at] + "*")
        if not fnmatch.fnmatch(part, segment):
            return False
    return len(parts) < len(segments)


def files_matching(folder: Path, pattern: str) -> list[Path]:
    """Every entry under ``folder`` that is not a folder and whose relative POSIX path matches ``pattern``,
    sorted; links to folders are not entered (a link to a file is listed: its reader checks it)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):  # followlinks=False
        rel = Path(dirpath).relative_to(folder).parts
        dirnames[:] = [d for d in dirnames if may_hold((*rel, d), pattern)]
        found += [Path(dirpath, name) for name in filenames if fnmatch.fnmatch("/".join((*rel, name)), pattern)]
    return sorted(found)
