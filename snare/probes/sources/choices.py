"""Records whose options come with the data (SugarCrepe: an image, its caption and one hard negative).

Nothing is generated: the options are the dataset's, in the dataset's order, and the intended one is the one the
data marks. A :class:`ChoiceRecord` becomes one item of its set's task (:func:`choice_item`); ties count as wrong
under snare's strict rule, where mteb and CLIP_benchmark count them as right (``docs/differences.md``).

From a hub mirror (:func:`load_choices`) each row gives ``image`` (an embedded image), ``options`` (a list of
captions) and either ``intended`` (an index into the options) or ``intended_label``: a class label whose names
(the shard's ``datasets`` ClassLabel, :func:`class_names`) spell the intended caption; a shard without those
names is refused rather than read as indices. Images are written once under their content digest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from snare.errors import SnareError
from snare.probes.item import ImageRef, ProbeItem
from snare.probes.sources.base import BadRecords, Source, SourceError
from snare.probes.sources.hub import HubDataset
from snare.probes.sources.images import image_bytes, store_image

KIND = "choice"
LABELS = ("correct", "negative")  # a 2-option item's labels, put in the order of its options


@dataclass(frozen=True)
class ChoiceRecord:
    """One image and its options; ``correct`` is the intended option's index, fixed by the data."""

    key: str
    cluster: str
    image: str  # relative to the source's root
    options: tuple[str, ...]
    correct: int
    subset: str  # the set it belongs to ("swap_att"...): its task is the suite's task of that set
    meta: dict[str, Any] = field(default_factory=dict)


def choice_item(record: ChoiceRecord, task: str, source_name: str) -> ProbeItem:
    """The item of one record: its options as given, labelled ``correct`` / ``negative`` (``negative_<k>`` when
    there are several negatives)."""
    negatives = len(record.options) - 1
    names = iter(("negative",) if negatives == 1 else (f"negative_{k}" for k in range(1, negatives + 1)))
    labels = tuple("correct" if k == record.correct else next(names) for k in range(len(record.options)))
    return ProbeItem(
        id=f"{record.key}/{task}",
        task=task,
        image=ImageRef(path=record.image),
        cluster=record.cluster,
        options=record.options,
        labels=labels,
        correct=record.correct,
        meta={"source": source_name, "subset": record.subset, **record.meta},
    )


def class_names(paths: Sequence[Path], column: str) -> list[str] | None:
    """The ClassLabel names of ``column`` that ``datasets`` stores in a parquet shard's schema metadata (the
    first shard that has them), else None (a plain integer column)."""
    import pyarrow.parquet as pq

    for path in paths:
        meta = pq.read_schema(path).metadata or {}
        raw = meta.get(b"huggingface")
        if not raw:
            continue
        try:
            feature = json.loads(raw)["info"]["features"][column]
        except (ValueError, KeyError, TypeError):
            continue
        if isinstance(feature, dict) and feature.get("_type") == "ClassLabel" and "names" in feature:
            return [str(n) for n in feature["names"]]
    return None


def intended_index(options: tuple[str, ...], intended: Any, names: list[str] | None) -> int:
    """Which option ``intended`` marks: with ``names``, a class label spelling the caption; else an index.

    Raises:
        ValueError: it marks no option, or one that appears twice.
    """
    if isinstance(intended, bool) or not isinstance(intended, int):
        raise ValueError(f"intended option {intended!r} is not an integer")
    if names is None:
        if not 0 <= intended < len(options):
            raise ValueError(f"intended option {intended} out of range")
        return intended
    if not 0 <= intended < len(names):
        raise ValueError(f"class label {intended} has no name")
    caption = names[intended]
    if options.count(caption) != 1:
        raise ValueError("the intended caption is not exactly one of the options")
    return options.index(caption)


def _options(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or len(value) < 2:
        raise ValueError("fewer than two options")
    if not all(isinstance(o, str) and o.strip() for o in value):
        raise ValueError("an empty or non-text option")
    if len(set(value)) != len(value):
        raise ValueError("two options are the same text")
    return tuple(value)


def load_choices(
    ds: HubDataset,
    rows: Iterable[dict[str, Any]],
    image_dir: Path,
    *,
    skip_bad: bool,
    names: list[str] | None,
    subset: str,
) -> Source:
    """The records of one mirror's rows (roles ``image``, ``options``, ``intended`` or ``intended_label``); bad
    rows stop the build unless ``skip_bad`` (then counted by reason). ``names``: ``intended_label``'s class names.

    Raises:
        SourceError: the mirror marks the intended option by class label but its shards carry no class names.
    """
    if "intended_label" in ds.columns and names is None:
        raise SourceError(
            f"{ds.label}: column {ds.columns['intended_label']!r} is not a ClassLabel with names in the shards' "
            "metadata, so the intended caption cannot be read; check snare/data/suites.json"
        )
    image_dir.mkdir(parents=True, exist_ok=True)
    bad = BadRecords(skip_bad)
    records: list[ChoiceRecord] = []
    stored: dict[bytes, tuple[str, str]] = {}
    n_rows = 0
    for i, row in enumerate(rows):
        n_rows += 1
        where = f"{ds.label} [{ds.split}] row {i}"
        try:
            data = image_bytes(row.get("image"))
            key = hashlib.sha256(data).digest()
            if key not in stored:
                stored[key] = store_image(data, image_dir)
            digest, filename = stored[key]
        except (OSError, ValueError, SyntaxError, SnareError) as exc:
            bad(where, f"image cannot be read ({exc})", "corrupt image")
            continue
        try:
            options = _options(row.get("options"))
            labelled = "intended_label" in ds.columns
            correct = intended_index(options, row.get("intended_label" if labelled else "intended"), names)
        except ValueError as why:
            bad(where, str(why), "bad options")
            continue
        records.append(
            ChoiceRecord(f"{ds.name}/{i:05d}", f"img/{digest}", filename, options, correct, subset, {"row": i})
        )
    info = {"kind": "hub", "dataset": ds.name, "repo": ds.repo, "revision": ds.revision, "split": ds.split}
    info.update({"n_rows": n_rows, "expected_rows": ds.rows, "intended_from": "class names" if names else "index"})
    return Source(KIND, ds.name, image_dir, list(records), info, skipped=bad.skipped)
