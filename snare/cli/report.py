"""``snare report``: turn one or more results directories into a report (terminal table, files, plot)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from snare.errors import SnareError, check_seed
from snare.probes.tasks import MIN_GROUP

if TYPE_CHECKING:
    from rich.console import Console

    from snare.reports.report import Report

FORMAT_NAMES = ("table", "json", "csv", "md", "latex", "html")


def choose_format(fmt: str | None, out: Path | None) -> str:
    """``--format`` if given, else from the ``--out`` suffix, else the terminal table."""
    from snare.reports.render import SUFFIXES

    if fmt is not None:
        if fmt not in FORMAT_NAMES:
            raise SnareError(f"unknown --format {fmt!r}; use one of: {', '.join(FORMAT_NAMES)}")
        return fmt
    if out is None:
        return "table"
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise SnareError(f"--out {out}: cannot tell the format from {suffix or 'no suffix'!r}; pass --format")
    return SUFFIXES[suffix]


def parse_names(pairs: list[str]) -> dict[str, str]:
    """``--name RUN=LABEL`` strings into ``{RUN: LABEL}``."""
    names: dict[str, str] = {}
    for pair in pairs:
        run, sep, label = pair.partition("=")
        if not sep or not run.strip() or not label.strip():
            raise SnareError(f"--name takes RUN=LABEL (e.g. --name runs/a=CLIP-B/32), not {pair!r}")
        names[run.strip()] = label.strip()
    return names


def check_target(path: Path, option: str, overwrite: bool = False) -> None:
    """A folder, an existing file (without ``--overwrite``) or an unwritable place is refused before any work."""
    from snare.atomic import check_file_target

    check_file_target(path, option, overwrite=overwrite)


def report_command(
    runs: list[Path] = typer.Argument(..., help="Results directories written by: snare eval --output DIR."),
    fmt: str = typer.Option(None, "--format", "-f", help="table, json, csv, md, latex or html (default: from --out)."),
    out: Path = typer.Option(None, "--out", help="Write the report to this file instead of the terminal."),
    plot: Path = typer.Option(None, "--plot", help="Also draw per-task accuracy with intervals (.png or .svg)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the cluster bootstrap."),
    n_boot: int = typer.Option(2000, "--n-boot", min=100, help="Bootstrap replicates."),
    alpha: float = typer.Option(0.05, "--alpha", min=0.001, max=0.5, help="1 - confidence level of intervals."),
    min_group: int = typer.Option(MIN_GROUP, "--min-group", min=1, help="Smallest subgroup shown in breakdowns."),
    no_compare: bool = typer.Option(False, "--no-compare", help="Side by side only: no paired tests between runs."),
    vs_paper: bool = typer.Option(False, "--vs-paper", help="Show each score beside the papers' published numbers."),
    name: list[str] = typer.Option([], "--name", help="Label a run: RUN=LABEL, RUN a folder or its name (repeatable)."),
    layout: str = typer.Option(
        "wide", "--layout", help="md/latex/html: wide (models x tasks, as a paper) or long (one row per task and run)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace existing --out/--plot files."),
) -> None:
    """Report strict accuracies with intervals and tests, split credit, ties, coverage and each run's protocol;
    compare several runs, and list answers that flip between runs differing only in batch size or dtype."""
    from snare.atomic import write_bytes, write_text
    from snare.cli.console import err
    from snare.cli.console import out as stdout
    from snare.reports.report import build_report

    check_seed(seed)
    chosen = choose_format(fmt, out)
    if layout not in ("wide", "long"):
        raise SnareError(f"unknown --layout {layout!r}; use wide or long")
    names = parse_names(name)
    if out is not None:
        check_target(out, "--out", overwrite)
    if plot is not None:
        from snare.reports.plot import check_plot_path

        check_target(plot, "--plot", overwrite)
        check_plot_path(plot)
    report = build_report(
        runs, seed=seed, n_boot=n_boot, alpha=alpha, min_group=min_group, compare=not no_compare, names=names
    )
    # Render everything before writing anything: a failure leaves no partial output behind.
    text = None
    if out is not None or chosen != "table":
        from snare.reports.render import render

        text = render(report, chosen, layout=layout)
    image = None
    if plot is not None:
        from snare.reports.plot import plot_bytes, plot_format

        image = plot_bytes(report, plot_format(plot))
    if out is not None and text is not None:
        write_text(out, text)
    if image is not None and plot is not None:
        write_bytes(plot, image)
    if out is None and text is not None:
        typer.echo(text, nl=False)
    elif out is None:
        from snare.reports.render import header_lines, rich_tables, title

        stdout.print(title(report), highlight=False, markup=False, soft_wrap=True)
        for line in header_lines(report):
            stdout.print(line, highlight=False, markup=False, soft_wrap=True)
        for table in rich_tables(report, width=stdout.width):  # piped: rich's 80 columns, or $COLUMNS
            stdout.print(table)
    if vs_paper:  # each reproduced score beside the published one, under the paper's protocol
        _print_vs_paper(runs, report, stdout)
    for note in report.notes:
        err.print(f"note: {note}", style="yellow", markup=False, highlight=False, soft_wrap=True)
    written = [str(p) for p in (out, plot) if p is not None]
    if written:
        from snare.plain import terminal_safe

        err.print(f"wrote {terminal_safe(', '.join(written))}", highlight=False, markup=False, soft_wrap=True)


def _print_vs_paper(runs: list[Path], report: Report, console: Console) -> None:
    """Each run's gap table (:mod:`snare.reports.vs_paper`), laid out for 80 columns or ``$COLUMNS`` when piped."""
    from snare.cli.tables import fit
    from snare.reports.load import load_run
    from snare.reports.vs_paper import gap_table, paper_gaps

    for path, run in zip(runs, report.runs, strict=True):
        console.print(fit(gap_table(run.label, paper_gaps(run.model, load_run(path).rows)), console))
