"""Rich tables for the terminal (their machine-readable twins are the JSON/CSV files)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

if TYPE_CHECKING:
    from snare.engine.results import RunResult


def results_table(result: RunResult) -> Table:
    """Strict accuracy per task beside split credit, ties, coverage and (for a paper protocol) its accuracy."""
    model = result.record["model"]
    protocol = (result.record.get("protocol") or {}).get("name", "snare")
    partial = " — PARTIAL (some items failed)" if result.record.get("partial") else ""
    name = f"{model['name']} ({model['weights']})"
    table = Table(title=f"{name} — strict accuracy, ties count as wrong — protocol {protocol}{partial}")
    columns = [("task", "left"), ("n", "right"), ("accuracy", "right"), ("split credit", "right")]
    columns += [("ties", "right"), ("near ties", "right"), ("coverage", "right"), ("chance", "right")]
    if protocol != "snare":
        columns.append((protocol, "right"))
    for col, justify in columns:
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for name, r in sorted(result.tasks.items()):
        extra = r.extra
        split = extra.get("split_credit_accuracy")
        coverage = extra.get("coverage") or {}
        cells = [
            name,
            str(r.n),
            f"{r.accuracy:.3f}" + (" (partial)" if extra.get("partial") else ""),
            "—" if split is None else f"{split:.3f}",
            str(r.n_ties),
            str(extra.get("near_ties", "—")),
            f"{coverage['scored']}/{coverage['total']}" if coverage else "—",
            f"{1 / r.n_options:.3f}",
        ]
        if protocol != "snare":
            value = (extra.get("protocol_accuracy") or {}).get("accuracy")
            cells.append("n/a" if value is None else f"{value:.3f}")
        table.add_row(*cells)
    return table
