"""Rich tables for the terminal (their machine-readable twins are the JSON/CSV files)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

if TYPE_CHECKING:
    from snare.engine.results import RunResult


def results_table(result: RunResult) -> Table:
    model = result.record["model"]
    table = Table(title=f"{model['name']} ({model['weights']}) — strict accuracy, ties count as wrong")
    for col, justify in (
        ("task", "left"),
        ("n", "right"),
        ("accuracy", "right"),
        ("ties", "right"),
        ("chance", "right"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for name, r in sorted(result.tasks.items()):
        table.add_row(name, str(r.n), f"{r.accuracy:.3f}", str(r.n_ties), f"{1 / r.n_options:.3f}")
    return table
