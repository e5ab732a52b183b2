"""``snare probes``: list the probe tasks (and, with later verbs, build and inspect probe sets)."""

from __future__ import annotations

import json

import typer

app = typer.Typer(help="Probe tasks and probe sets.", no_args_is_help=True)


@app.command("list")
def list_probes(as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")) -> None:
    """Show the probe tasks: what each tests, its options, which is intended."""
    from rich.table import Table

    from snare.cli.console import out
    from snare.probes.tasks import TASKS

    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "name": t.name,
                        "title": t.title,
                        "tests": t.tests,
                        "labels": list(t.labels),
                        "correct": t.correct,
                        "paper": t.paper,
                    }
                    for t in TASKS.values()
                ],
                indent=2,
            )
        )
        return
    table = Table(title="snare probe tasks")
    for col in ("task", "tests", "options (in order)", "intended"):
        table.add_column(col, overflow="fold")
    for t in TASKS.values():
        table.add_row(
            t.name,
            t.tests,
            " | ".join(t.labels),
            t.labels[t.correct] if t.correct is not None else "varies (the true relation)",
        )
    out.print(table)
