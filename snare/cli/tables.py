"""Rich tables for the terminal (their machine-readable twins are the JSON/CSV files), and :func:`fit`, which lays
any of them out for an 80-column terminal or a pipe without cutting a word or a number."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from snare.protocols import DEFAULT, is_default

if TYPE_CHECKING:
    from snare.engine.results import RunResult


def _protocol_value(r) -> str:
    value = (r.extra.get("protocol_accuracy") or {}).get("accuracy")
    return "n/a" if value is None else f"{value:.3f}"


def results_table(result: RunResult) -> Table:
    """Strict accuracy per task beside split credit, ties, coverage, for a paper protocol whose accuracy differs
    from strict on some task that accuracy (a column that would only repeat ``strict`` is left out), and on a
    contrast set pair accuracy: the share of pairs with both twins right."""
    model = result.record.model
    protocol = result.record.protocol_name or DEFAULT
    partial = " — PARTIAL (some items failed)" if result.record.partial else ""
    tasks = sorted(result.tasks.items())
    strict = {name: f"{r.accuracy:.3f}" for name, r in tasks}
    own = not is_default(protocol) and any(_protocol_value(r) != strict[name] for name, r in tasks)
    paired = any(r.extra.get("pairs") for _, r in tasks)
    legend = "strict: a tie is wrong · split: 1/k per k-way tie · near: within 1e-6"
    if paired:
        legend += " · pairs: both twins right (text-only: 0)"
    if own:
        legend += f" · proto: accuracy as --protocol {protocol} scores it"
    elif not is_default(protocol):
        legend += f" · --protocol {protocol} scores every task as strict does"
    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        collapse_padding=True,
        title=f"{model.name} ({model.weights}) — protocol {protocol}{partial}",
        caption=legend,
    )
    # Short headers so the table fits an 80-column terminal; the caption below spells them out.
    columns = ["task", "n", "strict", *(["pairs"] if paired else []), "split", "ties", "near", "scored", "chance"]
    columns += ["proto"] if own else []
    for col in columns:
        # Task names are what readers scan for: never wrap them (fit() wraps or stacks the rest instead).
        table.add_column(col, justify="left" if col == "task" else "right", no_wrap=True)
    for name, r in tasks:
        extra = r.extra
        split = extra.get("split_credit_accuracy")
        coverage = r.coverage
        cells = [
            name,
            str(r.n),
            strict[name] + (" (partial)" if extra.get("partial") else ""),
            "—" if split is None else f"{split:.3f}",
            str(r.n_ties),
            str(extra.get("near_ties", "—")),
            f"{coverage.scored}/{coverage.total}" if coverage is not None else "—",
            f"{1 / r.n_options:.3f}",
        ]
        if paired:
            value = extra.get("pair_accuracy")
            cells.insert(3, "—" if value is None else f"{value:.3f}")
        table.add_row(*cells, *([_protocol_value(r)] if own else []))
    return table


# The narrowest a wrapping column may get (its longest word, when longer, or its longest cell, when shorter).
MIN_WRAP = 16


def fit(table: Table, console: Console) -> RenderableType:
    """``table`` laid out for ``console.width`` columns without cutting a word or a number.

    As it is when every cell fits on one line; else (with light rules instead of a full grid when that helps)
    with column widths chosen so that each column is at least as wide as its longest word and ``MIN_WRAP`` (a
    no-wrap column: its longest cell), so cells wrap between words and are never folded or ellipsised; else, when
    even that is too wide, one block per row (the first cell as its heading, then one ``column  value`` line per
    other cell).
    Piped output is laid out for ``$COLUMNS`` (80 when unset), as rich does. Changes ``table``'s box and column
    widths in place.
    """
    wide = console.options.update_width(10_000)
    lows: list[int] = []
    highs: list[int] = []
    for column in table.columns:
        measures = [Measurement.get(console, wide, cell) for cell in (column.header, *column.cells)]
        high = max(m.maximum for m in measures)
        # a wrapped column narrower than a short phrase reads as one word per line: blocks read better then
        lows.append(high if column.no_wrap else max(max(m.minimum for m in measures), min(high, MIN_WRAP)))
        highs.append(high)
    # what the table adds around its cells (borders, padding): the same whatever the column widths
    room = console.width - (Measurement.get(console, wide, table).maximum - sum(highs))
    if sum(lows) > room and (table.box is not box.SIMPLE_HEAD or table.show_edge):
        table.box, table.show_edge, table.pad_edge = box.SIMPLE_HEAD, False, False  # light rules: less width
        room = console.width - (Measurement.get(console, wide, table).maximum - sum(highs))
    if sum(highs) <= room:
        return table
    if sum(lows) > room:
        return _blocks(table, console)
    widths = list(lows)
    spare = room - sum(lows)
    for i in sorted(range(len(widths)), key=lambda i: highs[i] - lows[i]):  # the columns that want least first
        grant = min(highs[i] - lows[i], spare)
        widths[i] += grant
        spare -= grant
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        column.overflow = "fold"  # a safety net: folding keeps every character where an ellipsis drops some
    return table


def _blocks(table: Table, console: Console) -> RenderableType:
    """One block per row: its first cell as a heading, then one ``column  value`` line per other cell."""
    heads = [column.header for column in table.columns]
    cells = [list(column.cells) for column in table.columns]
    wide = console.options.update_width(10_000)
    label = max((Measurement.get(console, wide, head).maximum for head in heads[1:]), default=0)
    parts: list[RenderableType] = []
    if table.title:
        parts.append(Text(table.title, style="bold") if isinstance(table.title, str) else table.title)
    for r in range(len(cells[0]) if cells else 0):
        block = Table.grid(padding=(0, 0, 0, 2))
        block.add_column(no_wrap=True, width=label + 2)
        block.add_column(overflow="fold")
        for head, column in zip(heads[1:], cells[1:], strict=True):
            block.add_row(head, column[r])
        parts += [Text(""), cells[0][r], block]
    if table.caption:
        parts += [Text(""), table.caption]
    return Group(*parts)


def print_table(table: Table, console: Console | None = None) -> None:
    """Print ``table`` on ``console`` (default: stdout) laid out by :func:`fit`."""
    from snare.cli.console import out

    console = console or out
    console.print(fit(table, console))
