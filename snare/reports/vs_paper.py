"""``snare report --vs-paper``: each reproduced score beside the published one, under the paper's own protocol.

Published numbers live in ``snare/data/published.json``, each with the table it comes from and the ``source``
where it was read (a URL and what it says); a number nobody has verified in a retrieved source is ``null`` and
shows as ``—`` (never a guess). An entry may name ``options`` (``{"arch": "ViT-B-32"}``): it then matches only
runs whose model options agree, so a ViT-L-14 run is never compared with a ViT-B/32 number.
The reproduced score is recomputed from the run's per-item scores under the paper's protocol (``snare-paper`` for
SNARE, ``aro-paper`` for ARO, ``snare``'s strict rule for SugarCrepe, whose ``main_eval.py`` also counts a tie
wrong), so the gap compares like with like; the strict ``snare`` accuracy is shown beside it. An entry whose
``metric`` is Winoground's ``text score``, ``image score`` or ``group score`` (Winoground, MMVP-VLM) is reproduced
from the run's 2x2 examples by :func:`snare.engine.groups.group_counts`; ``subset`` (``{"field": "pattern",
"value": ...}``) keeps the examples of one MMVP-VLM pattern, and ``macro_over`` averages the score over a meta
field's values, as MMVP-VLM's average over its nine patterns does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

from snare.engine.groups import OUTCOMES, group_counts, group_counts_by
from snare.engine.protocol_scores import score_task
from snare.engine.record import ModelRecord
from snare.engine.rows import PredictionRow
from snare.protocols import get_protocol


@dataclass(frozen=True)
class Published:
    paper: str
    cite: str
    protocol: str
    model: str
    weights: str | None
    task: str
    metric: str
    table: str | None
    value: float | None
    source: str | None = None  # where the value was read: URL and what it states (required when value is set)
    # model options the paper's number was measured with (arch); a dict, so kept out of the hash
    options: Mapping[str, Any] | None = field(default=None, hash=False)
    # {"field": meta field, "value": its value}: only the items of that subset (an MMVP-VLM pattern)
    subset: Mapping[str, str] | None = field(default=None, hash=False)
    macro_over: str | None = None  # average the score over this meta field's values (MMVP-VLM's average)

    @property
    def outcome(self) -> str | None:
        """Winoground's ``text``, ``image`` or ``group`` when ``metric`` names that score; None for accuracy."""
        first = self.metric.split()[0] if self.metric else ""
        return first if first in OUTCOMES and self.metric.split()[1:2] == ["score"] else None


@cache
def published() -> tuple[Published, ...]:
    """Every published-number slot of ``snare/data/published.json``."""
    # package data shipped with snare, not user input: a plain read
    data = json.loads((files("snare") / "data" / "published.json").read_text(encoding="utf-8"))
    papers = data["papers"]
    return tuple(
        Published(
            paper=n["paper"],
            cite=papers[n["paper"]]["cite"],
            protocol=papers[n["paper"]]["protocol"],
            model=n["model"],
            weights=n.get("weights"),
            task=n["task"],
            metric=n["metric"],
            table=n.get("table"),
            value=n.get("value"),
            source=n.get("source"),
            options=n.get("options"),
            subset=n.get("subset"),
            macro_over=n.get("macro_over"),
        )
        for n in data["numbers"]
    )


@dataclass(frozen=True)
class Gap:
    """One published number beside this run's score under the same protocol."""

    published: Published
    reproduced: float | None
    strict: float | None  # this package's strict accuracy of the same task, for reference

    @property
    def gap(self) -> float | None:
        if self.reproduced is None or self.published.value is None:
            return None
        return self.reproduced - self.published.value

    def to_json(self) -> dict[str, Any]:
        p = self.published
        return {
            "paper": p.paper,
            "table": p.table,
            "source": p.source,
            "cite": p.cite,
            "protocol": p.protocol,
            "task": p.task,
            "subset": dict(p.subset) if p.subset else None,
            "metric": p.metric,
            "published": p.value,
            "reproduced": self.reproduced,
            "gap": self.gap,
            "strict": self.strict,
        }


def _matches(entry: Published, model: ModelRecord) -> bool:
    if entry.model != model.name:
        return False
    if entry.weights is not None and entry.weights != model.weights:
        return False
    run_options = model.options
    return all(run_options.get(key) == value for key, value in (entry.options or {}).items())


def _subset(entry: Published, rows: list[PredictionRow]) -> list[PredictionRow]:
    if not entry.subset:
        return rows
    key, value = entry.subset["field"], entry.subset["value"]
    return [row for row in rows if str(row.meta.get(key)) == value]


def _group_score(outcome: str, rows: list[PredictionRow], macro_over: str | None) -> float | None:
    """``outcome``'s share of the complete 2x2 examples among ``rows``, or the mean of its shares per value of
    ``macro_over``; None when no example is complete.

    Raises:
        ValueError: a row is not an item of a 2x2 example (:func:`snare.engine.groups.group_counts`).
    """
    parts = list(group_counts_by(rows, macro_over).values()) if macro_over else [group_counts(rows)]
    rates = [counts[outcome] / counts["n"] for counts in parts if counts["n"]]
    return sum(rates) / len(rates) if rates else None


def reproduce(entry: Published, rows: list[PredictionRow]) -> float | None:
    """The run's score on ``entry``'s task (and subset) as the paper computes it: a Winoground score of the 2x2
    examples, or the accuracy under the paper's protocol. None when nothing is left to score."""
    rows = _subset(entry, rows)
    if entry.outcome is not None:
        return _group_score(entry.outcome, rows, entry.macro_over)
    if not rows:
        return None
    return score_task(get_protocol(entry.protocol), entry.task, rows).accuracy


def paper_gaps(
    model: ModelRecord, rows_by_task: Mapping[str, Iterable[Any]], entries: Iterable[Published] | None = None
) -> list[Gap]:
    """The published slots for this run's model and tasks, each with the reproduced score under its protocol."""
    rows = {task: list(task_rows) for task, task_rows in rows_by_task.items()}
    gaps = []
    for entry in published() if entries is None else entries:
        if entry.task not in rows or not _matches(entry, model):
            continue
        own = _subset(entry, rows[entry.task])
        strict = score_task(get_protocol("snare"), entry.task, own).accuracy if own else None
        gaps.append(Gap(entry, reproduce(entry, rows[entry.task]), strict))
    return gaps


def _fmt(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def _legend(gaps: list[Gap]) -> str:
    """What the short headers and the ``score`` cells mean, with each listed paper's protocol, then the sources."""
    from rich.markup import escape

    protocols = "; ".join(sorted({f"{g.published.paper}: {g.published.protocol}" for g in gaps}))
    legend = "paper: the paper and its table · score: acc (accuracy under the paper's protocol"
    legend += f"{' — ' + protocols if protocols else ''}) or Winoground's text, image or group score · theirs: "
    legend += "published · ours: this run, scored so · strict: snare's strict accuracy of the same items"
    # each filled number names where it was read: its URL (the source's first word) under the table, not in a column
    sources = sorted(
        {g.published.source.split()[0] for g in gaps if g.published.value is not None and g.published.source}
    )
    if sources:
        legend += "\nsources: " + " · ".join(sources)
    return escape(legend)


def gap_table(label: str, gaps: list[Gap]) -> Any:
    """A rich table of the gaps of one run, with short headers so that :func:`snare.cli.tables.fit` lays it out
    in 80 columns (the caption spells them out and lists the sources)."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    # the label may hold brackets ("[PARTIAL]"), which rich would read as markup
    table = Table(
        title=f"{escape(label)} vs. the papers (— : no published number on file)",
        caption=_legend(gaps),
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        collapse_padding=True,
    )
    for col in ("paper", "task", "score", "theirs", "ours", "gap", "strict"):
        table.add_column(col, justify="left" if col in ("paper", "task", "score") else "right")
    for g in gaps:
        p = g.published
        table.add_row(
            f"{p.paper} {p.table or '—'}",
            p.task + (f" ({p.subset['value']})" if p.subset else ""),
            p.outcome or "acc",
            _fmt(p.value),
            _fmt(g.reproduced),
            _fmt(g.gap, signed=True),
            _fmt(g.strict),
        )
    return table
