"""``snare data fetch --suite NAME`` (download a suite's pinned datasets into the Hugging Face cache) and
``snare data check SOURCE`` / ``--suite NAME`` (counts against the papers', missing images, hashes, bad captions)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

app = typer.Typer(help="Fetch and check data sources before building probe sets from them.", no_args_is_help=True)


@app.command("fetch")
def fetch_command(
    suite: str = typer.Option(..., "--suite", help="The suite whose datasets to download (see: snare probes list)."),
) -> None:
    """Download a suite's datasets at their pinned revisions into the Hugging Face cache (HF_HOME)."""
    from snare.cli.console import err
    from snare.probes.sources import fallback, hub
    from snare.probes.suites import get_suite

    datasets = get_suite(suite).datasets()
    for i, ds in enumerate(datasets, 1):
        err.print(f"[{i}/{len(datasets)}] {ds.label} ({ds.files})")
        used, paths = fallback.fetch(ds, quiet=False)
        via = f" from the fallback mirror {used.label}" if used is not ds else ""
        err.print(f"  {len(paths)} shard(s), {hub.count_rows(paths):,} rows{via} in {paths[0].parent}")
    typer.echo(f"data fetch done: {len(datasets)} dataset(s) of suite {suite} in {hub.cache_dir()}", err=True)


def _check_suite(suite: str, data_dir: Path | None, as_json: bool) -> None:
    """Every dataset of ``suite`` is complete, matches the hub's checksums and has the rows the table expects."""
    from snare.cli.console import out
    from snare.probes.sources import fallback, hub
    from snare.probes.suites import get_suite

    problems: list[str] = []
    reports = []
    for first in get_suite(suite).datasets():
        found = fallback.locate(first, data_dir)
        ds, paths = found if found is not None else (first, None)
        report = {"repo": ds.repo, "revision": ds.revision, "expected_rows": ds.rows, "fetched": paths is not None}
        reports.append(report)
        if paths is None:
            problems.append(f"{ds.label}: not fetched (run: snare data fetch --suite {suite})")
            continue
        rows, bad = hub.count_rows(paths), hub.checksum_problems(paths)
        report.update({"shards": [str(p) for p in paths], "rows": rows, "checksum_problems": bad})
        problems += [f"{ds.label}: {p}" for p in bad]
        if ds.rows is not None and rows != ds.rows:
            problems.append(f"{ds.label}: {rows:,} rows, the mirror has {ds.rows:,} ({ds.rows_from})")
        if not as_json:
            out.print(f"{ds.label}: {len(paths)} shard(s), {rows:,} rows, checksums {'ok' if not bad else 'BAD'}")
    if as_json:
        typer.echo(json.dumps(reports, indent=2, sort_keys=True))
    if problems:
        _fail(problems)
    typer.echo(f"data check passed: {len(reports)} dataset(s) of suite {suite} complete and verified", err=True)


def _fail(problems: list[str]) -> None:
    typer.echo(f"data check failed: {'; '.join(problems)}", err=True)
    raise typer.Exit(1)


@app.command("check")
def check_command(
    source: Path = typer.Argument(None, help="A data folder (holding the annotation files) or one annotation file."),
    as_json: bool = typer.Option(False, "--json", help="Print the full report as JSON."),
    suite: str = typer.Option(None, "--suite", help="Check a suite's fetched datasets instead (hashes, rows)."),
    data_dir: Path = typer.Option(None, "--data-dir", help="With --suite: local copies instead of the cache."),
) -> None:
    """Compare a source with what the papers scored; exit 1 with a summary when anything is off."""
    from rich.table import Table

    from snare.errors import SnareError

    if (suite is None) == (source is None):
        raise SnareError("pass a SOURCE folder or file, or --suite NAME (see: snare data check --help)")
    if suite is not None:
        return _check_suite(suite, data_dir, as_json)

    from snare.cli.console import out
    from snare.plain import console_safe
    from snare.probes.sources.check import check_source

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
        from snare.cli.tables import print_table

        print_table(table, out)
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
