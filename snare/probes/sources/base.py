"""What every source yields: caption records or Visual Genome records, plus how bad records are handled."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from snare.errors import SnareError


class SourceError(SnareError):
    """A source file is missing, malformed or refers to images that cannot be read."""


@dataclass(frozen=True)
class CaptionRecord:
    """One image and its captions. ``key`` stems the item ids; ``cluster`` names the underlying image."""

    key: str
    cluster: str
    image: str  # relative to the source's root
    captions: tuple[str, ...]


@dataclass(frozen=True)
class VGRecord:
    """One ARO Visual Genome entry (VG-Relation or VG-Attribution) with the box its items are cropped to
    (None: the image is used whole, for a mirror without boxes)."""

    key: str
    cluster: str
    image: str
    bbox: tuple[float, float, float, float] | None
    entry: dict[str, Any]


@dataclass
class Source:
    """Records loaded from one data source, with what the manifest should say about it."""

    kind: str  # "captions", "vg_relation" or "vg_attribution"
    name: str  # "coco", "flickr30k", "vg_relation", "hf/<name>", "pairs"...
    root: Path
    records: list[Any]
    info: dict[str, Any]
    skipped: Counter[str] = field(default_factory=Counter)
    bad_images: list[str] = field(default_factory=list)
    bad_rows: list[tuple[str, str, str]] = field(default_factory=list)  # (where, problem, reason) when skipping


# What a task of each record kind needs, as the one-line "this task needs ..." error says it.
NEEDS = {
    "captions": "captions",
    "vg_relation": "VG-Relation entries",
    "vg_attribution": "VG-Attribution entries",
    "choice": "options given by the data (SugarCrepe, Winoground)",
}


@dataclass(frozen=True)
class SourceRequest:
    """One ``--source`` string and what the task asks of it (see :func:`snare.probes.sources.open_source`)."""

    spec: str
    kind: str  # "captions", "vg_relation" or "vg_attribution": the records the task needs
    split: str = "test"
    dataset: str | None = None  # "coco" or "flickr30k": the Karpathy file when a folder holds both
    skip_bad: bool = False
    image_dir: Path | None = None  # where images of Hugging Face datasets are written
    image_column: str | None = None
    caption_column: str | None = None

    @property
    def path(self) -> Path:
        return Path(self.spec)

    def need(self, has: str, what: str) -> None:
        """Stop with one line when the source holds ``has`` records (described as ``what``) but the task needs
        others."""
        if self.kind != has:
            raise SourceError(f"--source {self.spec} is {what}, but this task needs {NEEDS[self.kind]}")


@dataclass(frozen=True)
class SourceKind:
    """One form ``--source`` takes: a source module declares its kinds in ``SOURCE_KINDS`` and
    :func:`snare.probes.sources.open_source` tries them in order; the first whose ``matches`` is true opens it."""

    name: str
    matches: Callable[[SourceRequest], bool]
    open: Callable[[SourceRequest], Source]


class BadRecords:
    """Either stop at the first bad record (one line naming the file and the problem) or, with ``skip_bad``,
    skip it and count it by reason."""

    def __init__(self, skip_bad: bool) -> None:
        self.skip_bad = skip_bad
        self.skipped: Counter[str] = Counter()
        self.listed: list[tuple[str, str, str]] = []  # (where, problem, reason) of the first skipped records

    def __call__(self, where: str, problem: str, reason: str) -> None:
        if not self.skip_bad:
            raise SourceError(f"{where}: {problem} (fix the file, or pass --skip-bad to skip such records)")
        self.skipped[reason] += 1
        if len(self.listed) < 1000:  # enough for snare data check to list; bounded on a huge bad file
            self.listed.append((where, problem, reason))


def read_json(path: Path) -> Any:
    """Parse a JSON file; a missing or malformed file is a one-line :class:`SourceError`."""
    import json

    from snare.safe_io import MAX_ANNOTATION_BYTES, UnsafeInputError, read_text

    if not path.exists():
        raise SourceError(f"{path}: file not found")
    try:
        return json.loads(read_text(path, MAX_ANNOTATION_BYTES, what="an annotation file"))
    except UnsafeInputError as exc:
        raise SourceError(str(exc)) from None
    except json.JSONDecodeError as exc:
        raise SourceError(f"{path}: not valid JSON ({exc})") from None


def caption_list(value: Any) -> tuple[str, ...] | None:
    """A caption field as a tuple of strings (Karpathy train files hold one string, test files a list)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        return None
    return tuple(value)
