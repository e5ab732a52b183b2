"""Scoring protocols: this package's own rules, and the two originals' rules for comparing with published numbers.

* ``snare`` (default): a tie at the top is wrong; shuffles that leave the caption unchanged are re-drawn; every
  option is rendered from the same tokens with the same spacing; accuracy is micro-averaged over all items.
* ``snare-balanced``: this package's rules on probe sets that need the image: every task is rebuilt as
  intended-vs-negative pairs chosen so that blind text-only models are at chance (:mod:`snare.probes.balanced`).
  Scoring is as under ``snare``; only the construction differs.
* ``snare-paper``: the SNARE code's choices (github.com/WangFei-2019/SNARE, commit 5cb0f5f). Ties go to the
  option listed first: ``np.argmax`` does so for the COCO/Flickr semantic-structure scorer, and
  ``datasets_zoo/utils.top_n_accuracy`` (with its two column-reversing lines active, as committed) does so for
  the Visual Genome tasks; the intended option is listed first in every task but spatial relations. No
  re-drawing of shuffles. Relationship composition leaves out nine relations (``near``, ``next to``... the
  list in ``snare_datasets.VG_Relation``); accuracies are micro-averaged over the remaining items.
* ``aro-paper``: the ARO code's choices (github.com/mertyg/vision-language-models-are-bows). Only the true and
  the subject/object- or attribute-exchanged captions are scored, listed ``[false, true]`` as ARO does, so
  ``np.argmax`` gives a tie to the false caption. VG-Relation is the macro accuracy over relations, symmetric
  relations excluded (the authors' notebook list, ``snare/data/aro_symmetric_relations.json``);
  VG-Attribution the macro accuracy over attribute pairs with at least 25 items (``VG_Attribution
  .evaluate_scores``). ARO's VG-Relation scorer applies no minimum group size, so none is applied here.

Generation choices (re-drawing, spacing) take effect when a probe set is built; scoring choices (ties, option
subsets, exclusions, averaging) are applied here to the per-item scores of any run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any, Literal

import numpy as np

from snare.errors import UnknownNameError, suggest

TieBreak = Literal["strict", "first"]
DEFAULT = "snare"

# SNARE's relationship-composition dataset drops these relations (snare_datasets.VG_Relation, commit 5cb0f5f).
SNARE_EXCLUDED_RELATIONS = frozenset(
    {"near", "next to", "beside", "on the side of", "surrounding", "close to", "standing beside", "with", "by"}
)


@cache
def aro_symmetric_relations() -> frozenset[str]:
    """The relations ARO's notebook leaves out of the VG-Relation macro accuracy."""
    data = json.loads((files("snare") / "data" / "aro_symmetric_relations.json").read_text(encoding="utf-8"))
    return frozenset(data["relations"])


@dataclass(frozen=True)
class TaskRule:
    """How a protocol scores one task.

    ``options``: the option labels kept, in the order the original lists them (None: all, in item order); ties
    under ``first`` go to the earliest of these. ``exclude_field``/``exclude``: items whose ``meta`` value is in
    ``exclude`` are left out. ``macro_over``: average per-group accuracies over this ``meta`` field instead of
    items, dropping groups of fewer than ``min_group`` items. ``name``: what the original calls the task.
    """

    options: tuple[str, ...] | None = None
    exclude_field: str | None = None
    exclude: frozenset[str] = frozenset()
    macro_over: str | None = None
    min_group: int = 0
    name: str | None = None


@dataclass(frozen=True)
class Protocol:
    name: str
    title: str
    tie_break: TieBreak
    redraw_shuffles: bool
    consistent_spacing: bool
    rules: Mapping[str, TaskRule] = field(default_factory=dict)
    only_ruled_tasks: bool = False  # True: tasks without a rule have no counterpart in the original
    cite: str = ""

    def rule(self, task: str) -> TaskRule | None:
        """The task's rule; None when the protocol does not score this task at all."""
        if task in self.rules:
            return self.rules[task]
        return None if self.only_ruled_tasks else TaskRule()

    def to_json(self) -> dict[str, Any]:
        """What the run record stores: enough to know which numbers the protocol produced."""
        return {
            "name": self.name,
            "tie_break": self.tie_break,
            "redraw_shuffles": self.redraw_shuffles,
            "consistent_spacing": self.consistent_spacing,
        }


def _aro_rules() -> dict[str, TaskRule]:
    return {
        "relationship_composition": TaskRule(
            options=("exchange", "correct"),
            exclude_field="relation",
            exclude=aro_symmetric_relations(),
            macro_over="relation",
            name="VG-Relation",
        ),
        "attribute_ownership": TaskRule(
            options=("exchange", "correct"), macro_over="attributes", min_group=25, name="VG-Attribution"
        ),
    }


@cache
def protocols() -> dict[str, Protocol]:
    """Every protocol by name."""
    return {
        p.name: p
        for p in (
            Protocol(
                "snare",
                "this package: strict ties, re-drawn shuffles, consistent spacing",
                tie_break="strict",
                redraw_shuffles=True,
                consistent_spacing=True,
            ),
            Protocol(
                "snare-balanced",
                "this package, blind-balanced: pairs kept so that text-only models are at chance",
                tie_break="strict",
                redraw_shuffles=True,
                consistent_spacing=True,
            ),
            Protocol(
                "snare-paper",
                "the SNARE code: ties to the first-listed option, no re-drawing, its relation filter",
                tie_break="first",
                redraw_shuffles=False,
                consistent_spacing=False,
                rules={
                    "relationship_composition": TaskRule(
                        exclude_field="relation", exclude=SNARE_EXCLUDED_RELATIONS, name="Relationship Composition"
                    )
                },
                cite="Wang et al. 2023, github.com/WangFei-2019/SNARE@5cb0f5f",
            ),
            Protocol(
                "aro-paper",
                "the ARO code: [false, true] options with argmax ties, macro accuracy, its exclusions",
                tie_break="first",
                redraw_shuffles=False,
                consistent_spacing=False,
                rules=_aro_rules(),
                only_ruled_tasks=True,
                cite="Yuksekgonul et al. ICLR 2023, github.com/mertyg/vision-language-models-are-bows@42dbb5e",
            ),
        )
    }


def get_protocol(name: str) -> Protocol:
    table = protocols()
    if name not in table:
        raise UnknownNameError(f"unknown --protocol {name!r}.{suggest(name, list(table))} Choose: {', '.join(table)}")
    return table[name]


def _get(row: Any, key: str, default: Any = None) -> Any:
    if isinstance(row, Mapping):
        return row.get(key, default)
    return getattr(row, key, default)


def _labels(row: Any, task: str) -> tuple[str, ...]:
    labels = _get(row, "labels")
    if labels:
        return tuple(labels)
    from snare.probes.tasks import TASKS

    if task in TASKS and TASKS[task].n_options == len(_get(row, "scores")):
        return TASKS[task].labels
    return tuple(f"option{k}" for k in range(len(_get(row, "scores"))))


def _group(row: Any, meta_field: str) -> str | None:
    value = (_get(row, "meta") or {}).get(meta_field)
    if value is None:
        return None
    return "_".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)


def item_correct(protocol: Protocol, task: str, row: Any) -> bool:
    """Whether one item counts as answered correctly under ``protocol`` (the item must not be excluded)."""
    rule = protocol.rule(task) or TaskRule()
    scores = np.asarray(_get(row, "scores"), dtype=np.float64)
    correct = int(_get(row, "correct"))
    if rule.options is not None:
        labels = _labels(row, task)
        missing = [lab for lab in rule.options if lab not in labels]
        if missing:
            raise ValueError(f"{task} item {_get(row, 'id')} has no option labelled {missing[0]!r}")
        order = [labels.index(lab) for lab in rule.options]
        if correct not in order:
            raise ValueError(f"{task} item {_get(row, 'id')}: the intended option is not among {rule.options}")
    else:
        order = list(range(len(scores)))
    kept = scores[order]
    winners = np.flatnonzero(kept == kept.max())
    if len(winners) > 1 and protocol.tie_break == "strict":
        return False
    return order[int(winners[0])] == correct  # "first": the earliest listed of the tied options wins


@dataclass(frozen=True)
class ProtocolScore:
    """One task's accuracy under one protocol, with what the protocol left out."""

    protocol: str
    task: str
    accuracy: float | None  # None when the protocol does not score this task, or nothing was left to score
    n_used: int
    n_excluded: int
    aggregate: Literal["micro", "macro", "n/a"]
    groups: dict[str, tuple[int, int]] = field(default_factory=dict)  # macro: name -> (correct, n), kept groups
    dropped_groups: int = 0
    name: str | None = None  # the original's name for the task

    def to_json(self) -> dict[str, Any]:
        return {
            "protocol": self.protocol,
            "task": self.task,
            "name": self.name,
            "accuracy": self.accuracy,
            "n_used": self.n_used,
            "n_excluded": self.n_excluded,
            "aggregate": self.aggregate,
            "n_groups": len(self.groups),
            "dropped_groups": self.dropped_groups,
        }


def score_task(protocol: Protocol, task: str, rows: Iterable[Any]) -> ProtocolScore:
    """Recompute one task's accuracy from its per-item rows under ``protocol``."""
    rule = protocol.rule(task)
    rows = list(rows)
    if rule is None:
        return ProtocolScore(protocol.name, task, None, 0, len(rows), "n/a")
    used = [r for r in rows if not (rule.exclude_field and (_group(r, rule.exclude_field) or "") in rule.exclude)]
    excluded = len(rows) - len(used)
    hits = [item_correct(protocol, task, r) for r in used]
    if rule.macro_over is None:
        accuracy = sum(hits) / len(hits) if hits else None
        return ProtocolScore(protocol.name, task, accuracy, len(used), excluded, "micro", name=rule.name)
    counts: dict[str, list[int]] = {}
    for row, hit in zip(used, hits, strict=True):
        name = _group(row, rule.macro_over)
        if name is not None:
            counts.setdefault(name, [0, 0])
            counts[name][0] += int(hit)
            counts[name][1] += 1
    kept = {g: (k, n) for g, (k, n) in sorted(counts.items()) if n >= rule.min_group}
    accuracy = float(np.mean([k / n for k, n in kept.values()])) if kept else None
    n_used = sum(n for _, n in kept.values())
    return ProtocolScore(
        protocol.name,
        task,
        accuracy,
        n_used,
        len(rows) - n_used,
        "macro",
        groups=kept,
        dropped_groups=len(counts) - len(kept),
        name=rule.name,
    )


def score_run(protocol: Protocol, rows_by_task: Mapping[str, Iterable[Any]]) -> dict[str, ProtocolScore]:
    """Every task of a run under ``protocol``, by task name."""
    return {task: score_task(protocol, task, rows) for task, rows in sorted(rows_by_task.items())}
