"""A report's tables in reading order, the one list every text renderer lays out.

The tables themselves are built in :mod:`snare.reports.tables` (accuracy, the paper's columns, breakdowns,
comparisons) and :mod:`snare.reports.ties_and_flips` (ties, coverage, protocol, flips); this module only orders them
and appends the protocol line to each caption, so neither table module imports the other's assembler.
"""

from __future__ import annotations

from dataclasses import replace

from snare.reports.lm_prior_table import prior_table
from snare.reports.metrics import PAPER_VIEW
from snare.reports.report import Report
from snare.reports.tables import (
    Table,
    accuracy_table,
    breakdown_table,
    comparison_table,
    grid_table,
    option_wins_table,
    pairs_table,
    top_k_table,
)
from snare.reports.ties_and_flips import flips_table, trust_table


def protocol_line(report: Report) -> str:
    """``Protocol: snare (clip/openai); snare-paper (blip/coco).`` (appended to every caption)."""
    names = {r.protocol for r in report.runs}
    if len(names) == 1:
        return f"Protocol: {next(iter(names))}."
    return "Protocol: " + "; ".join(f"{r.protocol} ({r.label})" for r in report.runs) + "."


def report_tables(report: Report, layout: str = "long") -> list[Table]:
    """The tables of a report, in reading order: accuracy, (on a contrast set) pair accuracy, (beside a pretrained-LM
    run) the language prior's share of word-order tasks, ties/coverage/protocol, the paper's columns,
    breakdowns, comparisons, flips; each caption names the protocol(s). ``layout="wide"`` puts the models x tasks
    table a paper uses (:func:`snare.reports.tables.grid_table`) first."""
    tables = [accuracy_table(report), trust_table(report)]
    if (pairs := pairs_table(report)) is not None:  # a contrast set: pair accuracy right after item accuracy
        tables.insert(1, pairs)
    if (prior := prior_table(report)) is not None:  # word-order tasks beside a pretrained LM on the same items
        tables.insert(len(tables) - 1, prior)
    if layout == "wide":
        tables.insert(0, grid_table(report))
    for task in report.tasks:
        view = PAPER_VIEW.get(task)
        if view == "option_wins":
            tables.append(option_wins_table(report, task))
        elif view == "top_k":
            tables.append(top_k_table(report, task))
    tables.extend(t for task in report.tasks if (t := breakdown_table(report, task)) is not None)
    if report.comparisons:
        tables.append(comparison_table(report))
    if report.flips:
        tables.append(flips_table(report))
    line = protocol_line(report)
    return [replace(t, caption=f"{t.caption} {line}".strip()) for t in tables]
