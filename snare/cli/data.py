"""``snare data check SOURCE``: counts against the papers', missing images, file hashes, bad captions."""

from __future__ import annotations

import json
from pathlib import Path

import typer

app = typer.Typer(help="Check data sources before building probe sets from them.", no_args_is_help=True)


@app.command("check")
def check_command(
    source: Path = typer.Argument(..., help="A data folder (holding the annotation files) or one annotation file."),
    as_json: bool = typer.Option(False, "--json", help="Print the full report as JSON."),
) -> None:
    """Compare a source with what the papers scored; exit 1 with a summary when anything is off."""
    from rich.table import Table

    from snare.cli.console import out
    from snare.plain import console_safe
    from snare.probes.check import check_source

    reports = check_source(source)
    if as_json:
        typer.echo(json.dumps([r.to_json() for r in reports], indent=2, sort_keys=True))
    else:
        table = Table(title=f"snare data check {source}")
        for col in ("file", "sha256", "counts", "expected", "problems"):
            table.add_column(col)
        for r in reports:
            counts = ", ".join(f"{k} {v:,}" for k, v in r.counts.items())
            expected = ", ".join(f"{k} {v:,}" for k, v in r.expected.items()) or "—"
            problems = ", ".join(f"{n} {kind}" for kind, n in r.problems().items()) or "[green]none[/]"
            table.add_row(r.path.name, r.sha256[:16] + "…", counts, expected, problems)
        out.print(table)
        for r in reports:
            for name, (found, expected) in r.count_mismatches.items():
                out.print(f"{r.path.name}: {name} {found:,}, the papers' file has {expected:,} ({r.expected_source})")
            for kind, listed in (
                ("missing image", r.missing_images),
                ("unreadable image", r.unreadable_images),
                ("duplicate caption", r.duplicate_captions),
                ("empty caption", r.empty_captions),
                ("malformed", r.malformed),
            ):
                for entry in listed[:5]:  # captions and file names from the data: shown, not interpreted
                    out.print(f"{console_safe(r.path.name)}: {kind}: {console_safe(entry)}")
                if len(listed) > 5:
                    out.print(f"{r.path.name}: … and {len(listed) - 5} more ({kind}; see --json)")
    bad = [r for r in reports if not r.ok]
    if bad:
        summary = "; ".join(
            f"{r.path.name}: " + ", ".join(f"{n} {kind}" for kind, n in r.problems().items()) for r in bad
        )
        typer.echo(f"data check failed: {summary}", err=True)
        raise typer.Exit(1)
    typer.echo(f"data check passed: {len(reports)} file(s) match", err=True)
