"""The language prior's share as a table and as CSV records (the numbers of :mod:`snare.reports.lm_prior`).

The table and the exports show the same estimates and intervals: the table formats
:class:`~snare.reports.lm_prior.PriorShare` with the report's formatters, the CSV records carry them raw.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from snare.reports.lm_prior import LanguagePrior, PriorShare
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


def _lm_row(task: str, lm: str, own: Proportion | None) -> list[str] | None:
    """The LM's own row: its accuracy on every item of the task it scored (never ranked: a baseline)."""
    if own is None:
        return None
    wrong = str(own.n - own.k)
    return [task, lm, str(own.n), fmt_share(own.estimate), fmt_interval(own.bootstrap), "–", "–", wrong, "–", "–"]


def share_table(
    prior: LanguagePrior, own: Mapping[tuple[str, str], Proportion], settings: Mapping[str, Any], mark: str = ""
) -> Table | None:
    """Per word-order task: each LM run's row (its accuracy ``own[(label, task)]``), then each run's shares
    against it; None without any share. ``settings``: the report's (confidence, n_boot, seed)."""
    shares = prior.shares
    if not shares:
        return None
    several = len(prior.lms) > 1
    rows: list[list[str]] = []
    for task in dict.fromkeys(s.task for s in shares):
        for lm in dict.fromkeys(s.lm for s in shares if s.task == task):
            if (lm_row := _lm_row(task, lm, own.get((lm, task)))) is not None:
                rows.append(lm_row)
            for s in (s for s in shares if s.task == task and s.lm == lm):
                rows.append(_share_row(s, f"{s.run} vs {lm}" if several else s.run))
    level = f"{round(100 * settings['confidence'])}%"
    caption = (
        "Word-order tasks measure sensitivity to syntax, which a text-only language model has too. Per run, on the "
        "n items a pretrained-LM run of the same probe set also scored (matched by id): its strict accuracy, the "
        "LM's on the same items, and its accuracy on the 'LM wrong' items, which the language prior does not "
        f"explain. {level} cluster-bootstrap intervals (B={settings['n_boot']}, seed {settings['seed']}); Wilson "
        "intervals in the JSON and CSV. The LM's own row (a baseline, never ranked) covers every item it scored."
    )
    columns = ["task", "run", "n", "acc.", f"{level} CI", "LM acc.", f"{level} CI", "LM wrong", "acc. there"]
    columns.append(f"{level} CI")
    title = "Language prior on word-order tasks" + mark
    return Table("language-prior", title, columns, rows, "llrrrrrrrr", caption)


def prior_table(report: Report) -> Table | None:
    """The report's language-prior table (:func:`share_table`); None when it holds no share."""
    own = {(run.label, task): m.accuracy for run in report.runs for task, m in run.tasks.items()}
    return share_table(report.prior, own, report.settings, title_mark(report))


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
