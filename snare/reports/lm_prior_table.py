"""The language prior's share as a table and as CSV records (the numbers of :mod:`snare.reports.lm_prior`).

The table and the exports show the same estimates and intervals: the table formats
:class:`~snare.reports.lm_prior.PriorShare` with the report's formatters, the CSV records carry them raw.
"""

from __future__ import annotations

from typing import Any

from snare.reports.lm_prior import PriorShare
from snare.reports.metrics import Proportion
from snare.reports.report import Report
from snare.reports.run_trust import WITHHELD_CELL
from snare.reports.tables import Table, fmt_interval, fmt_share, title_mark

# CSV kinds, one per share of a PriorShare (run: the model's label, run_b: the LM's)
CSV_KINDS = {
    "model": "lm_prior_accuracy",  # the run on the items both runs scored
    "lm_accuracy": "lm_prior_lm_accuracy",  # the LM on the same items
    "on_lm_wrong": "lm_prior_where_lm_wrong",  # the run on the items the LM gets wrong
}


def _cells(share: Proportion, hidden: bool) -> list[str]:
    if hidden:
        return [WITHHELD_CELL, "–"]
    return [fmt_share(share.estimate), fmt_interval(share.bootstrap)]


def _share_row(share: PriorShare, label: str) -> list[str]:
    hidden = share.withheld
    return [
        share.task,
        label,
        str(share.n),
        *_cells(share.model, hidden),
        *_cells(share.lm_accuracy, hidden),
        str(share.on_lm_wrong.n),
        *_cells(share.on_lm_wrong, hidden),
    ]


def _lm_row(report: Report, task: str, lm: str) -> list[str] | None:
    """The LM's own row: its accuracy on every item of the task it scored (never ranked: a baseline)."""
    run = next((r for r in report.runs if r.label == lm), None)
    if run is None or task not in run.tasks:
        return None
    m = run.tasks[task]
    wrong = str(m.accuracy.n - m.accuracy.k)
    return [task, lm, str(m.n), fmt_share(m.accuracy.estimate), fmt_interval(m.accuracy.bootstrap), "–", "–", wrong]


def prior_table(report: Report) -> Table | None:
    """Per word-order task: each LM run's row, then each run's shares against it; None without any share."""
    shares = report.prior.shares
    if not shares:
        return None
    several = len(report.prior.lms) > 1
    rows: list[list[str]] = []
    for task in dict.fromkeys(s.task for s in shares):
        for lm in dict.fromkeys(s.lm for s in shares if s.task == task):
            if (own := _lm_row(report, task, lm)) is not None:
                rows.append([*own, "–", "–"])
            for s in (s for s in shares if s.task == task and s.lm == lm):
                rows.append(_share_row(s, f"{s.run} vs {lm}" if several else s.run))
    s = report.settings
    level = f"{round(100 * s['confidence'])}%"
    caption = (
        "Word-order tasks measure sensitivity to syntax, which a text-only language model has too. Per run, on the "
        "n items a pretrained-LM run of the same probe set also scored (matched by id): its strict accuracy, the "
        "LM's on the same items, and its accuracy on the 'LM wrong' items, which the language prior does not "
        f"explain. {level} cluster-bootstrap intervals (B={s['n_boot']}, seed {s['seed']}); Wilson intervals in the "
        "JSON and CSV. The LM's own row (a baseline, never ranked) covers every item it scored."
    )
    columns = ["task", "run", "n", "acc.", f"{level} CI", "LM acc.", f"{level} CI", "LM wrong", "acc. there"]
    columns.append(f"{level} CI")
    title = "Language prior on word-order tasks" + title_mark(report)
    return Table("language-prior", title, columns, rows, "llrrrrrrrr", caption)


def prior_records(report: Report) -> list[dict[str, Any]]:
    """Three CSV records per share (CSV_KINDS), accuracies blank when the run's accuracy is withheld."""
    records: list[dict[str, Any]] = []
    for share in report.prior.shares:
        base = {"run": share.run, "run_b": share.lm, "task": share.task, "headline_withheld": share.withheld}
        for attribute, kind in CSV_KINDS.items():
            p: Proportion = getattr(share, attribute)
            record = {**base, "kind": kind, "n": p.n, "k": p.k}
            if not share.withheld:
                record |= {
                    "estimate": p.estimate,
                    "ci_low": p.bootstrap.low,
                    "ci_high": p.bootstrap.high,
                    "wilson_low": p.wilson.low,
                    "wilson_high": p.wilson.high,
                }
            records.append(record)
    return records
