"""Rich tables for the terminal (their machine-readable twins are the JSON/CSV files)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.table import Table

from snare.protocols import DEFAULT, is_default

if TYPE_CHECKING:
    from snare.engine.results import RunResult


def results_table(result: RunResult) -> Table:
    """Strict accuracy per task beside split credit, ties, coverage, (for another protocol) its accuracy and (on a
    contrast set) pair accuracy: the share of pairs with both twins right."""
    model = result.record.model
    protocol = result.record.protocol_name or DEFAULT
    partial = " — PARTIAL (some items failed)" if result.record.partial else ""
    paired = any(r.extra.get("pairs") for r in result.tasks.values())
    # the protocol's column is left out where it only repeats strict accuracy, to make room for pairs
    repeats = all((r.extra.get("protocol_accuracy") or {}).get("accuracy") == r.accuracy for r in result.tasks.values())
    with_protocol = not is_default(protocol) and not (paired and repeats)
    name = f"{model.name} ({model.weights})"
    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
        title=f"{name} — protocol {protocol}{partial}",
        caption="strict: a tie is wrong · split: 1/k per k-way tie · "
        + ("pairs: both twins right (text-only: 0)" if paired else "near: ties within 1e-6"),
    )
    # Short headers so the table fits an 80-column terminal; the caption below spells them out.
    columns = [("task", "left"), ("n", "right"), ("strict", "right"), ("split", "right")]
    columns += [("ties", "right"), ("near", "right"), ("scored", "right"), ("chance", "right")]
    if with_protocol:
        columns.append((protocol, "right"))
    if paired:  # pairs beside strict; near ties make room for them (results.json keeps them)
        columns.insert(3, ("pairs", "right"))
        columns.remove(("near", "right"))
    for col, justify in columns:
        # Task names are what readers scan for: never truncate them, let the number columns wrap instead.
        table.add_column(col, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for name, r in sorted(result.tasks.items()):
        extra = r.extra
        split = extra.get("split_credit_accuracy")
        coverage = r.coverage
        cells = [
            name,
            str(r.n),
            f"{r.accuracy:.3f}" + (" (partial)" if extra.get("partial") else ""),
            "—" if split is None else f"{split:.3f}",
            str(r.n_ties),
            str(extra.get("near_ties", "—")),
            f"{coverage.scored}/{coverage.total}" if coverage is not None else "—",
            f"{1 / r.n_options:.3f}",
        ]
        if with_protocol:
            value = (extra.get("protocol_accuracy") or {}).get("accuracy")
            cells.append("n/a" if value is None else f"{value:.3f}")
        if paired:
            value = extra.get("pair_accuracy")
            cells.insert(3, "—" if value is None else f"{value:.3f}")
            del cells[6]  # near ties
        table.add_row(*cells)
    return table
