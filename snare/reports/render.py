"""Text renderers of a report: Markdown (GitHub), LaTeX (booktabs), HTML, and the rich terminal table.

Each lays out the same :func:`snare.reports.layout.report_tables`; CSV and JSON, which carry every raw number
rather than formatted cells, live in :mod:`snare.reports.export`. :func:`render` picks one by name.
"""

from __future__ import annotations

import html
import io
import re

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


def render(report: Report, fmt: str) -> str:
    """The report in format ``fmt`` (one of FORMATS) as text."""
    from snare.reports.export import render_csv, render_json

    renderers = {
        "table": render_text,
        "json": render_json,
        "csv": render_csv,
        "md": render_markdown,
        "latex": render_latex,
        "html": render_html,
    }
    return renderers[fmt](report)


def title(report: Report) -> str:
    """``SNARE report``, with `` — PARTIAL: run`` (or INCOMPLETE) when a run is below full coverage."""
    return "SNARE report" + title_mark(report)


def header_lines(report: Report) -> list[str]:
    """One line per run: label, folder, probe set, protocol, coverage over all tasks, and its mark."""
    lines = []
    for run in report.runs:
        p = run.probeset
        scored = sum(c.scored for c in run.trust.coverage.values())
        total = sum(c.total for c in run.trust.coverage.values())
        mark = f" · {run.trust.mark}" if run.trust.mark else ""
        lines.append(
            f"{run.label}: {run.path} · probe set {p.get('name', '?')} {str(p.get('fingerprint', '?'))[:19]}… "
            f"({p.get('n_items', '?')} items) · protocol {run.protocol} · coverage {scored}/{total}{mark}"
        )
    return lines


# -- Markdown -----------------------------------------------------------------------------------------------------
def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table(table: Table) -> str:
    rule = ["---:" if a == "r" else ":---" for a in table.align]
    lines = ["| " + " | ".join(_md_cell(c) for c in table.columns) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table.rows]
    return "\n".join(lines)


def render_markdown(report: Report) -> str:
    parts = [f"# {title(report)}", "", *(f"- {line}" for line in header_lines(report)), ""]
    for table in report_tables(report):
        parts += [f"## {table.title}", "", markdown_table(table), "", f"*{table.caption}*", ""]
    if report.notes:
        parts += ["## Notes", "", *(f"- {note}" for note in report.notes), ""]
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
    return _LATEX_RE.sub(lambda m: _LATEX_SPECIALS[m.group()], text)


def _latex_cell(text: str) -> str:
    # significance stars as superscripts, so that numbers stay aligned
    match = re.fullmatch(r"(.*?)(\*+)", text)
    if match:
        return latex_escape(match.group(1)) + "$^{" + match.group(2) + "}$"
    return latex_escape(text)


def latex_table(table: Table) -> str:
    lines = [
        r"\begin{table}[ht]",
        r"\centering",
        r"\caption{" + latex_escape(table.caption) + "}",
        r"\label{tab:snare-" + re.sub(r"[^a-z0-9-]", "-", table.key.lower()) + "}",
        r"\begin{tabular}{" + table.align + "}",
        r"\toprule",
        " & ".join(latex_escape(c) for c in table.columns) + r" \\",
        r"\midrule",
        *(" & ".join(_latex_cell(c) for c in row) + r" \\" for row in table.rows),
        r"\bottomrule",
        r"\end{tabular}",
        r"\end{table}",
    ]
    return "\n".join(lines)


def render_latex(report: Report) -> str:
    parts = [f"% {title(report)}; needs \\usepackage{{booktabs}}", *(f"% {line}" for line in header_lines(report))]
    parts.append("")
    parts += [latex_table(t) + "\n" for t in report_tables(report)]
    parts += [f"% note: {note}" for note in report.notes]
    return "\n".join(parts) + "\n"


# -- HTML ---------------------------------------------------------------------------------------------------------
_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
    "th,td{padding:.25em .6em;border-bottom:1px solid #ccc}th{border-bottom:2px solid #333}"
    "td.r,th.r{text-align:right}caption{caption-side:bottom;text-align:left;font-size:.9em;color:#444}"
)


def html_table(table: Table) -> str:
    def cell(tag: str, text: str, align: str) -> str:
        return f'<{tag} class="{align}">{html.escape(text)}</{tag}>'

    head = "".join(cell("th", c, a) for c, a in zip(table.columns, table.align, strict=True))
    body = "\n".join(
        "<tr>" + "".join(cell("td", c, a) for c, a in zip(row, table.align, strict=True)) + "</tr>"
        for row in table.rows
    )
    return (
        f"<h2>{html.escape(table.title)}</h2>\n<table>\n<caption>{html.escape(table.caption)}</caption>\n"
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"
    )


def render_html(report: Report) -> str:
    header = "".join(f"<li>{html.escape(line)}</li>" for line in header_lines(report))
    heading = html.escape(title(report))
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="en"><head><meta charset="utf-8"><title>{heading}</title>',
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{heading}</h1>\n<ul>{header}</ul>",
        *(html_table(t) for t in report_tables(report)),
    ]
    if report.notes:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in report.notes) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# -- terminal -----------------------------------------------------------------------------------------------------
def rich_tables(report: Report) -> list:
    """The report as rich tables (for ``snare report`` on a terminal)."""
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    out = []
    for table in report_tables(report):
        # light rules: the accuracy table is wide, and every border column costs terminal width. Every string is a
        # Text, never markup: a run label such as "clip/openai [PARTIAL]" must print its brackets.
        rich = RichTable(
            title=Text(table.title, style="bold"),
            caption=Text(table.caption),
            caption_justify="left",
            box=box.SIMPLE_HEAD,
            padding=(0, 1),
        )
        for i, (column, align) in enumerate(zip(table.columns, table.align, strict=True)):
            # the row name (task, run, group) is never cut; numbers wrap if the terminal is narrow
            width = max(len(row[i]) for row in table.rows) if i == 0 and table.rows else None
            justify = "right" if align == "r" else "left"
            rich.add_column(Text(column), justify=justify, no_wrap=i == 0, min_width=width)
        for row in table.rows:
            rich.add_row(*(Text(cell) for cell in row))
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
    for table in rich_tables(report):
        console.print(table)
    for note in report.notes:
        console.print(f"note: {note}", highlight=False, markup=False)
    return buffer.getvalue()
