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
    "choice": "options given by the data (SugarCrepe, Winoground, VALSE...)",
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
    """One form ``--source`` takes, declared once in its module's ``SOURCE_KINDS``; the walks over them are in
    :mod:`snare.probes.sources` (:func:`~snare.probes.sources.open_source`, :func:`~snare.probes.sources.record_kind`,
    :func:`~snare.probes.sources.checker`), each taking the first form that answers.

    ``matches``/``open``: whether the form fits a request, and its records. ``records(spec, wanted, split)``: the
    record kind the form yields for ``spec`` (``captions``, ``vg_relation``, ``vg_attribution``), preferring one of
    ``wanted`` where it holds several; None when ``spec`` is not this form. ``check``: ``"module:function"``
    that ``snare data check`` runs on one of its files (None: not checked), ``check_names``: the file names
    looked for in a folder. ``task_check(spec, task)``: raises a one-line error when the form cannot give ``task``
    although it yields the task's record kind (one SugarCrepe set file builds only that set's task).
    """

    name: str
    matches: Callable[[SourceRequest], bool]
    open: Callable[[SourceRequest], Source]
    records: Callable[[str, tuple[str, ...], str], str | None]
    check: str | None = None
    check_names: tuple[str, ...] = ()
    task_check: Callable[[str, str], object] | None = None


def only_task(task: str, holds: str) -> Callable[[str, str], None]:
    """A ``SourceKind.task_check`` for a form that builds one task: ``holds`` says what its files hold
    ("VALSE pieces"), and asking it for any other task is one line naming the task it builds."""

    def check(spec: str, asked: str) -> None:
        if asked != task:
            raise SnareError(f"--source {spec} holds {holds}: it builds the task {task}, not {asked}")

    return check


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


def read_json(path: Path, **options: Any) -> Any:
    """Parse a JSON file (``options``: see :func:`snare.safe_io.load_json`); a missing or malformed file is a
    one-line :class:`SourceError`."""
    from snare.safe_io import MAX_ANNOTATION_BYTES
    from snare.safe_io import read_json as read

    if not path.exists():
        raise SourceError(f"{path}: file not found")
    return read(path, SourceError, MAX_ANNOTATION_BYTES, what="an annotation file", **options)


def caption_list(value: Any) -> tuple[str, ...] | None:
    """A caption field as a tuple of strings (Karpathy train files hold one string, test files a list)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        return None
    return tuple(value)


_JSON_KINDS = {bool: "true or false", int: "a number", float: "a number", list: "a list", dict: "an object"}


def text_problem(row: dict[str, Any], names: tuple[str, ...]) -> tuple[str, str] | None:
    """The first field of ``names`` in ``row`` that is not a non-empty text, as ``(problem, reason)`` for
    :class:`BadRecords`: absent or blank (reason ``empty captions``), or a number, list... named as such (reason
    ``malformed captions``: a caption of ``5`` is not "empty"); None when every one is text."""
    for name in names:
        value = row.get(name)
        if isinstance(value, str) and value.strip():
            continue
        if value is None:
            return f"no {name!r}", "empty captions"
        if isinstance(value, str):
            return f"{name!r} is empty", "empty captions"
        return f"{name!r} is not text ({_JSON_KINDS.get(type(value), type(value).__name__)})", "malformed captions"
    return None
