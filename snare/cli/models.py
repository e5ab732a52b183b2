"""``snare models list``: built-in and plug-in adapters with their metadata (imports no torch)."""

from __future__ import annotations

import json

import typer

app = typer.Typer(help="List the models snare can evaluate.", no_args_is_help=True)


@app.command("list")
def list_models(
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON instead of a table."),
) -> None:
    """Show every adapter: name, family, scoring head, default weights, licence, and where it comes from.

    A plug-in that cannot be imported is reported on stderr (naming it and the error) and skipped; the other
    adapters are still listed.
    """
    from rich.table import Table

    from snare.adapters.registry import available, get_adapter_class, origin, plugin_problems
    from snare.cli.console import err, out
    from snare.errors import SnareError

    for problem in plugin_problems():
        err.print(f"[yellow]warning:[/] {problem}")
    rows = []
    for name, target in available().items():
        try:
            cls = get_adapter_class(name)
        except SnareError as exc:  # a broken plug-in is listed with its error; the rest still work
            err.print(f"[yellow]warning:[/] {exc}")
            continue
        meta = cls.meta
        rows.append(
            {
                "name": name,
                "origin": origin(name),
                "kind": cls.kind,
                "family": meta.family,
                "head": meta.head,
                "default_weights": meta.default_weights,
                "license": meta.license,
                "params": meta.params,
                "target": target,
                "description": meta.description,
            }
        )
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="snare models")
    for col in ("name", "family", "kind", "head", "default weights", "licence", "origin"):
        table.add_column(col, overflow="fold", no_wrap=col == "name")
    for r in rows:
        table.add_row(r["name"], r["family"], r["kind"], r["head"], r["default_weights"], r["license"], r["origin"])
    from snare.cli.tables import print_table

    print_table(table, out)
