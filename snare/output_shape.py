"""What a snare output folder of one kind looks like, so that ``--overwrite`` replaces only such a folder.

A folder is recognised by its full shape, never by one file name: ``eval --output proj --overwrite`` must not
wipe a project because it holds a ``results.json``, nor ``probes build --out`` a browser extension because it has a
``manifest.json``. Each kind of output declares its :class:`OutputShape` beside its format (results folders in
:mod:`snare.engine.results`, probe sets in :mod:`snare.probes.probeset`, reference models in
:mod:`snare.validity.shipping`); :func:`snare.atomic.check_destination` checks it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ANY = object()  # an OutputShape key that must be present, whatever its value


@dataclass(frozen=True)
class OutputShape:
    """What a snare output folder of one kind holds, so that ``--overwrite`` replaces only such a folder.

    ``marker`` is the JSON file that says what the folder is: a regular file whose object has every key of
    ``keys`` (with that value, or any value for :data:`ANY`: the kind and version). Every other file must match
    one of ``files`` (``/``-separated patterns; ``*`` stays within one folder, ``**`` crosses folders), and no
    entry may be a link: a folder that merely holds a file of the marker's name is not a snare output.
    """

    marker: str
    keys: Mapping[str, Any]
    files: tuple[str, ...] = field(default=())

    def problem(self, folder: Path) -> str | None:
        """Why ``folder`` is not an output of this shape (one short phrase), or None when it is one."""
        from snare.errors import SnareError
        from snare.safe_io import read_text

        try:
            data = json.loads(read_text(folder / self.marker, 64 * 1024 * 1024, what=self.marker))
        except FileNotFoundError:
            return f"no {self.marker}"
        except (OSError, ValueError, SnareError):
            return f"{self.marker} is not snare's"
        if os.path.islink(folder / self.marker) or not isinstance(data, dict):
            return f"{self.marker} is not snare's"
        for key, value in self.keys.items():
            if key not in data or (value is not ANY and data[key] != value):
                return f"{self.marker} is not snare's (its {key!r} is not {'set' if value is ANY else repr(value)})"
        allowed = [_pattern(p) for p in (self.marker, *self.files)]
        for root, dirs, files in os.walk(folder):
            for name in sorted(dirs + files):
                rel = Path(root, name).relative_to(folder).as_posix()
                if os.path.islink(Path(root, name)):
                    return f"{rel} is a link"
                if name in files and not any(p.fullmatch(rel) for p in allowed):
                    return f"{rel} is not part of one"
        return None


def _pattern(glob_pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(\*\*|\*)", glob_pattern)
    wild = {"**": ".*", "*": "[^/]*"}
    return re.compile("".join(wild.get(part, re.escape(part)) for part in parts))
