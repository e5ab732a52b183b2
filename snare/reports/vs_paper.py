"""``snare report --vs-paper``: each reproduced score beside the published one, under the paper's own protocol.

Published numbers live in ``snare/data/published.json``, each with the table it comes from and the ``source``
where it was read (a URL and what it says); a number nobody has verified in a retrieved source is ``null`` and
shows as ``—`` (never a guess). An entry may name ``options`` (``{"arch": "ViT-B-32"}``): it then matches only
runs whose model options agree, so a ViT-L-14 run is never compared with a ViT-B/32 number.
The reproduced score is recomputed from the run's per-item scores under the paper's protocol (``snare-paper`` for
SNARE, ``aro-paper`` for ARO), so the gap compares like with like; the strict ``snare`` accuracy is shown beside it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

from snare.engine.protocol_scores import score_task
from snare.engine.record import ModelRecord
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


def paper_gaps(
    model: ModelRecord, rows_by_task: Mapping[str, Iterable[Any]], entries: Iterable[Published] | None = None
) -> list[Gap]:
    """The published slots for this run's model and tasks, each with the reproduced score under its protocol."""
    rows = {task: list(task_rows) for task, task_rows in rows_by_task.items()}
    gaps = []
    for entry in published() if entries is None else entries:
        if entry.task not in rows or not _matches(entry, model):
            continue
        reproduced = score_task(get_protocol(entry.protocol), entry.task, rows[entry.task]).accuracy
        strict = score_task(get_protocol("snare"), entry.task, rows[entry.task]).accuracy
        gaps.append(Gap(entry, reproduced, strict))
    return gaps


def gap_table(label: str, gaps: list[Gap]) -> Any:
    """A rich table of the gaps of one run."""
    from rich.markup import escape
    from rich.table import Table

    def fmt(value: float | None, signed: bool = False) -> str:
        if value is None:
            return "—"
        return f"{value:+.3f}" if signed else f"{value:.3f}"

    # the label may hold brackets ("[PARTIAL]"), which rich would read as markup
    table = Table(title=f"{escape(label)} vs. the papers (— : no published number on file)")
    for col in ("paper", "table", "task", "protocol", "published", "reproduced", "gap", "strict (snare)"):
        table.add_column(col)
    # each filled number names where it was read: its URL (the source's first word) under the table, not in a column
    sources = sorted(
        {g.published.source.split()[0] for g in gaps if g.published.value is not None and g.published.source}
    )
    if sources:
        table.caption = "sources: " + " · ".join(escape(s) for s in sources)
    for g in gaps:
        p = g.published
        table.add_row(
            p.paper,
            p.table or "—",
            p.task,
            p.protocol,
            fmt(p.value),
            fmt(g.reproduced),
            fmt(g.gap, signed=True),
            fmt(g.strict),
        )
    return table
