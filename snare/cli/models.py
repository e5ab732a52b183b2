"""``snare models list``: built-in and plug-in adapters with their metadata (imports no torch)."""

from __future__ import annotations

import json

import typer

app = typer.Typer(help="List the models snare can evaluate.", no_args_is_help=True)


@app.command("list")
def list_models(
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON instead of a table."),
) -> None:
    """Show every adapter: name, family, scoring head, default weights, licence."""
    from rich.table import Table

    from snare.adapters.registry import BUILTIN, available, get_adapter_class
    from snare.cli.console import err, out
    from snare.errors import SnareError

    rows = []
    for name, target in available().items():
        origin = "built-in" if name in BUILTIN else "plug-in"
        try:
            cls = get_adapter_class(name)
        except SnareError as exc:  # a broken plug-in is listed with its error; the rest still work
            err.print(f"[yellow]warning:[/] {exc}")
            continue
        meta = cls.meta
        rows.append(
            {
                "name": name,
                "origin": origin,
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
        table.add_column(col)
    for r in rows:
        table.add_row(r["name"], r["family"], r["kind"], r["head"], r["default_weights"], r["license"], r["origin"])
    out.print(table)
