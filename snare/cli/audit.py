"""``snare audit [SOURCE]``: text-only artifact checks of a probe set, with one verdict line per task."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from snare.errors import SnareError


def audit_command(
    source: Path = typer.Argument(None, help="Probe-set folder (default: the built-in synthetic probe set)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the synthetic probe set (when no SOURCE)."),
    task: list[str] = typer.Option([], "--task", "-t", help="Only these tasks (repeatable)."),
    output: Path = typer.Option(None, "--output", help="Also write the audit as JSON to this file."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --output file."),
) -> None:
    """Can each task be solved from the captions alone? Blind n-gram LM, length/frequency bias, BoW classifier."""
    from snare.cli.eval import load_probes

    if source is not None and source.is_file():
        raise SnareError(
            f"{source} is a file; snare audit takes a probe-set folder (build one with: snare probes build)"
        )
    if output is not None and output.is_dir():
        raise SnareError(f"--output {output} is a folder; give a file name such as audit.json")
    if output is not None:
        from snare.atomic import check_file_target

        check_file_target(output, "--output", overwrite=overwrite)
    probes = load_probes(source, task, None, seed)
    from snare.validity.audit import audit_probeset

    audits = audit_probeset(probes)
    report = {
        "probeset": {"name": probes.name, "fingerprint": probes.checked_fingerprint()[0], "n_items": len(probes)},
        "tasks": {a.task: a.to_json() for a in audits},
    }
    if output is not None:
        from snare.atomic import write_json

        write_json(output, report)
    if as_json:
        typer.echo(json.dumps(report, indent=2, sort_keys=True))
        return
    from snare.cli.console import out

    out.print(_table(audits, probes.name))
    for a in audits:
        out.print(f"[bold]{a.task}[/]: {a.verdict}")
        for note in a.notes:
            out.print(f"  [yellow]note:[/] {note}")


def _acc(acc: Any) -> str:
    return f"{acc.value:.3f} [{acc.ci_low:.2f}, {acc.ci_high:.2f}]" if acc else "—"


def _bias(bias: Any) -> str:
    if bias is None:
        return "—"
    if bias.p_value is None:
        return "none (all equal)"
    return f"{bias.mean_difference:+.2f} (p={bias.p_value:.1g})"


def _table(audits: list[Any], name: str):  # -> rich.table.Table
    from rich.table import Table

    from snare.plain import console_safe

    table = Table(title=f"text-only audit of {console_safe(name)} — strict accuracy [95% Wilson], ties are wrong")
    columns = ("task", "n", "chance", "blind n-gram", "length Δ", "word-freq Δ", "BoW classifier (5-fold)")
    for col in columns:
        table.add_column(col, justify="left" if col == "task" else "right")
    for a in audits:
        table.add_row(
            a.task, str(a.n_items), f"{a.chance:.3f}", _acc(a.blind), _bias(a.length), _bias(a.frequency), _acc(a.bow)
        )
    return table
