"""Reading a submission file safely: a size cap before parsing, gzip read with the same cap, JSON only.

Nothing in a submission is ever executed: it is parsed with :func:`json.loads` (no pickle, no eval, no YAML
tags), a gzip bomb is stopped at the cap instead of being inflated into memory, and duplicate keys, which
``json`` would silently merge (letting a second ``accuracy`` hide behind the first), are an error.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import Any

from snare.errors import SnareError
from snare.leaderboard.schema import MAX_BYTES
from snare.safe_io import load_json

GZIP_MAGIC = b"\x1f\x8b"


class SubmissionRejected(SnareError):
    """A submission breaks a board rule; the message is one line: the file, then why."""


def read_capped(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The file's bytes (inflated if gzipped), or a rejection when they exceed ``limit`` bytes."""
    from snare.safe_io import UnsafeInputError, open_regular

    too_big = f"{path}: larger than the {limit // (1024 * 1024)} MB limit (uncompressed); submit fewer items"
    try:
        with open_regular(path) as fh:  # refuses /dev/zero, FIFOs and links to them before reading
            head = fh.read(2)
            if head != GZIP_MAGIC:
                data = head + fh.read(limit - 1)  # never trust st_size: read at most limit + 1 bytes
                if len(data) > limit:
                    raise SubmissionRejected(too_big)
                return data
            fh.seek(0)
            with gzip.GzipFile(fileobj=fh, mode="rb") as gz:
                data = gz.read(limit + 1)  # never inflate more than the cap, whatever the header claims
    except FileNotFoundError:
        raise SubmissionRejected(f"{path}: file not found") from None
    except UnsafeInputError as exc:
        if "a folder" in str(exc):
            raise SubmissionRejected(f"{path}: is a folder, not a submission file") from None
        raise SubmissionRejected(str(exc)) from None
    except (OSError, EOFError, zlib.error) as exc:
        raise SubmissionRejected(f"{path}: broken gzip data ({exc})") from None
    if len(data) > limit:
        raise SubmissionRejected(too_big)
    return data


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"duplicate key {key!r}")
        obj[key] = value
    return obj


def parse_json(data: bytes, path: Path) -> Any:
    """Parse ``data`` as UTF-8 JSON. NaN and Infinity literals parse (so the score check can name the item)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SubmissionRejected(f"{path}: not valid JSON (not UTF-8 text; a pickle or binary file?)") from None
    return load_json(text, path, SubmissionRejected, object_pairs_hook=_no_duplicate_keys)


def read_json(path: str | Path, limit: int = MAX_BYTES) -> Any:
    """Read a (possibly gzipped) JSON submission file under the size cap."""
    path = Path(path)
    return parse_json(read_capped(path, limit), path)
