"""Text renderers of a report: Markdown (GitHub), LaTeX (booktabs), HTML, and the rich terminal table.

Each lays out the same :func:`snare.reports.layout.report_tables`; CSV and JSON, which carry every raw number
rather than formatted cells, live in :mod:`snare.reports.export`. :func:`render` picks one by name.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import replace

from snare.plain import terminal_safe
from snare.reports.layout import report_tables
from snare.reports.report import Report
from snare.reports.tables import Table, title_mark

FORMATS = ("table", "json", "csv", "md", "latex", "html")
SUFFIXES = {
    ".txt": "table",
    ".json": "json",
    ".csv": "csv",
    ".md": "md",
    ".tex": "latex",
    ".html": "html",
    ".htm": "html",
}


def render(report: Report, fmt: str, *, layout: str = "wide") -> str:
    """The report in format ``fmt`` (one of FORMATS) as text.

    ``layout`` applies to Markdown, LaTeX and HTML: ``wide`` (default) leads with the models x tasks table a paper
    uses, then the detailed tables; ``long`` gives the detailed tables only (one row per task and run)."""
    from snare.reports.export import render_csv, render_json

    if fmt == "md":
        return render_markdown(report, layout=layout)
    if fmt == "latex":
        return render_latex(report, layout=layout)
    if fmt == "html":
        return render_html(report, layout=layout)
    renderers = {"table": render_text, "json": render_json, "csv": render_csv}
    return renderers[fmt](report)


def title(report: Report) -> str:
    """``SNARE report``, with `` — PARTIAL: run`` (or INCOMPLETE) when a run is below full coverage."""
    return "SNARE report" + title_mark(report)


def header_lines(report: Report) -> list[str]:
    """One line per run (label, folder, probe set, protocol, coverage, mark); one per probe set lacking an LM run."""
    lines = []
    for run in report.runs:
        p = run.probeset
        scored = sum(c.scored for c in run.trust.coverage.values())
        total = sum(c.total for c in run.trust.coverage.values())
        mark = f" · {run.trust.mark}" if run.trust.mark else ""
        name, fingerprint, n_items = (p.recorded(key, "?") for key in ("name", "fingerprint", "n_items"))
        line = (
            f"{run.label}: {run.path} · probe set {name} {str(fingerprint)[:19]}… "
            f"({n_items} items) · protocol {run.protocol} · coverage {scored}/{total}{mark}"
        )
        lines.append(terminal_safe(line))  # a probe-set name or folder may carry escapes or a newline
    return lines + [missing.line() for missing in report.prior.missing]  # word order without a pretrained LM


# -- Markdown -----------------------------------------------------------------------------------------------------
# a link, image or link definition needs "](", "][" or "]:": that "]" is escaped, an interval's "[a, b]" is not
_MD_SPECIALS = re.compile(r"[\\`|]|\](?=[(\[:])")


def md_text(text: str) -> str:
    """``text`` as literal Markdown: no raw HTML (``<``, ``>``, ``&`` as entities), no link, image or link
    definition (so ``[x](javascript:...)`` stays text), no code span, no cell break."""
    return _MD_SPECIALS.sub(lambda m: "\\" + m.group(), html.escape(text, quote=False))


def _md_cell(text: str) -> str:
    return md_text(text)


def markdown_table(table: Table) -> str:
    rule = ["---:" if a == "r" else ":---" for a in table.align]
    lines = ["| " + " | ".join(_md_cell(c) for c in table.columns) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table.rows]
    return "\n".join(lines)


def render_markdown(report: Report, *, layout: str = "long") -> str:
    parts = [f"# {md_text(title(report))}", "", *(f"- {md_text(line)}" for line in header_lines(report)), ""]
    for table in report_tables(report, layout):
        parts += [f"## {md_text(table.title)}", "", markdown_table(table), "", f"*{md_text(table.caption)}*", ""]
    if report.notes:
        parts += ["## Notes", "", *(f"- {md_text(note)}" for note in report.notes), ""]
    return "\n".join(parts)


# -- LaTeX --------------------------------------------------------------------------------------------------------
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "–": "--",
    "−": "$-$",
    "…": r"\ldots{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}
_LATEX_RE = re.compile("|".join(re.escape(k) for k in _LATEX_SPECIALS))


def latex_escape(text: str) -> str:
    """``text`` as literal LaTeX: specials escaped, control characters (a line break ends a comment or makes a
    paragraph) shown as ``\\xNN``."""
    return _LATEX_RE.sub(lambda m: _LATEX_SPECIALS[m.group()], terminal_safe(text))


def _latex_cell(text: str) -> str:
    # significance stars as superscripts, so that numbers stay aligned
    match = re.fullmatch(r"(.*?)(\*+)", text)
    if match:
        return latex_escape(match.group(1)) + "$^{" + match.group(2) + "}$"
    # "0.823 [0.800, 0.850]" (and a run's own "(n=20)"): the interval set small after the estimate, as papers print it
    match = re.fullmatch(r"(\S+) (\[\S+, \S+\])((?: \(n=\d+\))?)", text)
    if match:
        return latex_escape(match.group(1)) + r" {\scriptsize " + latex_escape(match.group(2) + match.group(3)) + "}"
    return latex_escape(text)


# An article's \textwidth (345pt) holds about 70 characters of table text at 10pt, column gaps included; wider
# tables get short task labels (with a legend in the caption) first, and LaTeX shrinks what is still too wide.
LATEX_WIDTH_CHARS = 70


def _latex_chars(columns: list[str], rows: list[list[str]]) -> int:
    """The width of a tabular in characters: each column's widest cell (the interval set small counts 2/3), plus
    the column gaps (2 x \tabcolsep, about 2 characters)."""

    def width(cell: str) -> int:
        match = re.fullmatch(r"(\S+) (\[.*)", cell)
        return len(match.group(1)) + 1 + (2 * len(match.group(2)) + 2) // 3 if match else len(cell)

    return sum(max(width(c) for c in [head, *(row[i] for row in rows)]) + 2 for i, head in enumerate(columns))


def short_labels(names: list[str]) -> dict[str, str]:
    """Task names as initials (``relationship_composition`` -> ``RC``), unique; for headers of wide tables."""
    labels: dict[str, str] = {}
    for name in names:
        parts = [p for p in re.split(r"[_\W]+", name) if p]
        label = "".join(p[0] for p in parts).upper() or name
        k = 2
        while label in labels.values():  # two tasks with the same initials: one more letter of each word
            label = "".join(p[:k].capitalize() for p in parts)
            k += 1
        labels[name] = label
    return labels


def _latex_fitted(table: Table) -> Table:
    """``table`` with short task headers and a legend in the caption when it is too wide for \textwidth."""
    if _latex_chars(table.columns, table.rows) <= LATEX_WIDTH_CHARS:
        return table
    heads = {c: c.split(" (", 1) for c in table.columns[1:]}
    labels = short_labels([head[0] for head in heads.values()])
    if len(labels) < 2 or not any(len(name) > len(short) for name, short in labels.items()):
        return table
    columns = [
        table.columns[0],
        *(labels[heads[c][0]] + (f" ({heads[c][1]}" if len(heads[c]) > 1 else "") for c in table.columns[1:]),
    ]
    legend = "; ".join(f"{short}: {name}" for name, short in labels.items())
    return replace(table, columns=columns, caption=f"{table.caption} Columns: {legend}.")


def latex_table(table: Table) -> str:
    """A booktabs table; the grid gets short task labels when wide, and any tabular wider than the line is scaled
    down to it (\resizebox decides from the tabular's real width, so a table never overflows \textwidth)."""
    if table.key == "grid":
        table = _latex_fitted(table)
    lines = [
        r"\begin{table}[ht]",
        r"\centering",
        r"\caption{" + latex_escape(table.caption) + "}",
        r"\label{tab:snare-" + re.sub(r"[^a-z0-9-]", "-", table.key.lower()) + "}",
        r"\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{\begin{tabular}{" + table.align + "}",
        r"\toprule",
        " & ".join(latex_escape(c) for c in table.columns) + r" \\",
        r"\midrule",
        *(" & ".join(_latex_cell(c) for c in row) + r" \\" for row in table.rows),
        r"\bottomrule",
        r"\end{tabular}}",
        r"\end{table}",
    ]
    return "\n".join(lines)


def render_latex(report: Report, *, layout: str = "long") -> str:
    # comment lines: terminal_safe shows every line break as \x0a, so no text can start a live line
    comment = [f"{title(report)}; needs \\usepackage{{booktabs,graphicx}}", *header_lines(report)]
    parts = [f"% {terminal_safe(line)}" for line in comment]
    parts.append("")
    parts += [latex_table(t) + "\n" for t in report_tables(report, layout)]
    parts += [f"% note: {terminal_safe(note)}" for note in report.notes]
    return "\n".join(parts) + "\n"


# -- HTML ---------------------------------------------------------------------------------------------------------
_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
    "th,td{padding:.25em .6em;border-bottom:1px solid #ccc}th{border-bottom:2px solid #333}"
    "td.r,th.r{text-align:right}caption{caption-side:bottom;text-align:left;font-size:.9em;color:#444}"
)


def _html(text: str) -> str:
    """Text for HTML: escaped, and bidi overrides or other invisible characters shown as ``\\uNNNN``."""
    return html.escape(terminal_safe(text))


def html_table(table: Table) -> str:
    def cell(tag: str, text: str, align: str) -> str:
        return f'<{tag} class="{align}">{_html(text)}</{tag}>'

    head = "".join(cell("th", c, a) for c, a in zip(table.columns, table.align, strict=True))
    body = "\n".join(
        "<tr>" + "".join(cell("td", c, a) for c, a in zip(row, table.align, strict=True)) + "</tr>"
        for row in table.rows
    )
    return (
        f"<h2>{_html(table.title)}</h2>\n<table>\n<caption>{_html(table.caption)}</caption>\n"
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"
    )


def render_html(report: Report, *, layout: str = "wide") -> str:
    """The report as one HTML page; ``layout="wide"`` leads with the models x tasks grid, as Markdown and LaTeX do."""
    header = "".join(f"<li>{_html(line)}</li>" for line in header_lines(report))
    heading = _html(title(report))
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="en"><head><meta charset="utf-8"><title>{heading}</title>',
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{heading}</h1>\n<ul>{header}</ul>",
        *(html_table(t) for t in report_tables(report, layout)),
    ]
    if report.notes:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{_html(n)}</li>" for n in report.notes) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# -- terminal -----------------------------------------------------------------------------------------------------
def _cell_width(table: Table, i: int) -> int:
    """Width column ``i`` needs without cutting a cell: its longest cell, or its header's longest word."""
    words = max((len(w) for w in table.columns[i].split()), default=0)
    return max([words, *(len(row[i]) for row in table.rows)])


def column_groups(table: Table, width: int) -> list[list[int]]:
    """Column indexes per printed part: the leading label columns (``l``) in every part, then as many value
    columns as fit in ``width``. One part when the table fits; several (pandas-style wrapping) when not, so no
    number is ever cut. A value column wider than the room left gets a part of its own (rich folds it)."""
    keys = [i for i, a in enumerate(table.align) if a == "l" and all(b == "l" for b in table.align[:i])]
    values = [i for i in range(len(table.columns)) if i not in keys]
    # SIMPLE_HEAD: each column takes its width, one space of padding each side and one for its (blank) rule
    used = 1 + sum(_cell_width(table, i) + 3 for i in keys)
    groups: list[list[int]] = []
    current: list[int] = []
    room = width - used
    for i in values:
        need = _cell_width(table, i) + 3
        if current and need > room:
            groups.append(keys + current)
            current, room = [], width - used
        current.append(i)
        room -= need
    groups.append(keys + current)
    return groups


def _records(table: Table):  # -> rich.table.Table
    """The narrow layout: each row as a block of ``column  value`` lines, blocks separated by a rule."""
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    rich = RichTable(
        title=Text(table.title, style="bold"),
        caption=Text(table.caption),
        caption_justify="left",
        box=box.SIMPLE,
        show_header=False,
        padding=(0, 1),
    )
    rich.add_column(no_wrap=True)
    rich.add_column(overflow="fold")
    for row in table.rows:
        for k, (column, cell) in enumerate(zip(table.columns, row, strict=True)):
            rich.add_row(Text(column), Text(cell), end_section=k == len(row) - 1)
    return rich


def rich_tables(report: Report, *, width: int = 160) -> list:
    """The report as rich tables fitting ``width`` columns (``snare report`` on a terminal or piped).

    A table too wide for ``width`` is split into parts that repeat the label columns (task, run), titled
    ``(part 1/2)``...; cells are never cut with an ellipsis."""
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    out = []
    for table in report_tables(report):
        groups = column_groups(table, width)
        too_wide = max(sum(_cell_width(table, i) + 3 for i in g) for g in groups) > width
        if len(groups) > 3 or (len(groups) > 1 and too_wide):
            # even the label columns do not fit, or the parts would be many: one block of "column  value" per row
            out.append(_records(table))
            continue
        for part, columns in enumerate(groups, 1):
            suffix = f" (part {part}/{len(groups)})" if len(groups) > 1 else ""
            # light rules: every border column costs terminal width. Every string is a Text, never markup: a run
            # label such as "clip/openai [PARTIAL]" must print its brackets.
            rich = RichTable(
                title=Text(table.title + suffix, style="bold"),
                caption=Text(table.caption) if part == len(groups) else None,
                caption_justify="left",
                box=box.SIMPLE_HEAD,
                padding=(0, 1),
            )
            for i in columns:
                justify = "right" if table.align[i] == "r" else "left"
                rich.add_column(
                    Text(table.columns[i]), justify=justify, min_width=_cell_width(table, i), overflow="fold"
                )
            for row in table.rows:
                rich.add_row(*(Text(row[i]) for i in columns))
            out.append(rich)
    return out


def render_text(report: Report, *, width: int = 160) -> str:
    """The rich tables as plain text (for ``--format table --out FILE``)."""
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    console.print(title(report), highlight=False, markup=False)
    for line in header_lines(report):
        console.print(line, highlight=False, markup=False)
    for table in rich_tables(report, width=width):
        console.print(table)
    for note in report.notes:
        console.print(f"note: {note}", highlight=False, markup=False)
    return buffer.getvalue()
