"""Machine-readable report formats: JSON (the whole report) and CSV (one row per estimate, every number).

Every CSV row of a run carries the run's protocol and its ``partial``/``headline_withheld`` flags; the accuracy
rows add coverage, split credit, exact and near ties and the protocol's accuracy. A withheld accuracy (coverage
below 100% without --allow-partial) is left empty, as every other format leaves it out.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from snare.reports.lm_prior_table import prior_records
from snare.reports.metrics import Proportion, TaskMetrics
from snare.reports.report import Report, RunReport

CSV_COLUMNS = (
    "kind",  # accuracy | top2 | option_win | group | comparison | flips | lm_prior_* (snare.reports.lm_prior_table)
    "run",
    "run_b",
    "task",
    "subgroup",
    "n",
    "k",
    "ties",
    "estimate",
    "ci_low",
    "ci_high",
    "wilson_low",
    "wilson_high",
    "chance",
    "p_value",
    "p_holm",
    "protocol",
    "protocol_accuracy",
    "split_credit",
    "exact_ties",
    "near_ties",
    "scored",
    "total",
    "partial",
    "headline_withheld",
    "differs",  # flips: the settings the two runs differ in
)
_ACCURACIES = ("estimate", "ci_low", "ci_high", "wilson_low", "wilson_high", "p_value", "p_holm")


def render_json(report: Report) -> str:
    from snare.atomic import dumps_json

    return dumps_json(report.to_json())


def _proportion(p: Proportion) -> dict[str, Any]:
    return {
        "n": p.n,
        "k": p.k,
        "estimate": p.estimate,
        "ci_low": p.bootstrap.low,
        "ci_high": p.bootstrap.high,
        "wilson_low": p.wilson.low,
        "wilson_high": p.wilson.high,
    }


def csv_records(report: Report) -> list[dict[str, Any]]:
    """Every estimate of the report as flat records with the CSV_COLUMNS keys (missing ones are empty)."""
    records: list[dict[str, Any]] = []
    for run in report.runs:
        for task, m in run.tasks.items():
            records += _task_records(run, task, m)
    records += prior_records(report)
    records += _comparison_records(report)
    for pair in report.flips:
        for task, t in pair.tasks.items():
            record = {"kind": "flips", "run": pair.run_a, "run_b": pair.run_b, "task": task, "n": t.n}
            records.append({**record, "k": len(t.flips), "differs": pair.describe_difference()})
    return records


def _task_records(run: RunReport, task: str, m: TaskMetrics) -> list[dict[str, Any]]:
    """One task of one run: its accuracy, top-2, option wins and groups (accuracies blank when withheld)."""
    hidden = run.trust.withheld(task)
    base = {"run": run.label, "task": task, "protocol": run.protocol, "partial": run.trust.is_partial}
    base["headline_withheld"] = hidden
    coverage, score = run.trust.coverage[task], run.trust.protocol_scores.get(task)
    task_records = [
        {
            **base,
            "kind": "accuracy",
            **_proportion(m.accuracy),
            "ties": m.n_ties,
            "chance": m.chance,
            "p_value": m.p_chance,
            "p_holm": m.p_chance_holm,
            "protocol_accuracy": score.accuracy if score is not None else None,
            "split_credit": m.tie_summary.split_credit_accuracy,
            "exact_ties": m.tie_summary.exact_ties,
            "near_ties": m.tie_summary.near_ties,
            "scored": coverage.scored,
            "total": coverage.total,
        }
    ]
    if m.top2 is not None:
        task_records.append({**base, "kind": "top2", **_proportion(m.top2), "chance": min(1.0, 2 * m.chance)})
    for label, share in m.option_wins.items():
        task_records.append({**base, "kind": "option_win", "subgroup": label, "n": m.n, "estimate": share})
    for g in m.groups:
        task_records.append({**base, "kind": "group", "subgroup": f"{g.field}={g.name}", **_proportion(g.accuracy)})
    if hidden:  # no accuracy of a task below full coverage without --allow-partial; counts stay
        blank = dict.fromkeys((*_ACCURACIES, "protocol_accuracy", "split_credit"))
        task_records = [{**r, **{k: v for k, v in blank.items() if k in r}} for r in task_records]
    return task_records


def _comparison_records(report: Report) -> list[dict[str, Any]]:
    """One record per paired comparison; only its size when either side's accuracy is withheld."""
    hidden = {(run.label, task) for run in report.runs for task in run.tasks if run.trust.withheld(task)}
    records: list[dict[str, Any]] = []
    for c in report.comparisons:
        if {(c.run_a, c.task), (c.run_b, c.task)} & hidden:
            records.append({"kind": "comparison", "run": c.run_a, "run_b": c.run_b, "task": c.task, "n": c.n})
            records[-1]["headline_withheld"] = True
            continue
        records.append(
            {
                "kind": "comparison",
                "run": c.run_a,
                "run_b": c.run_b,
                "task": c.task,
                "n": c.n,
                "estimate": c.delta,
                "ci_low": c.difference.low,
                "ci_high": c.difference.high,
                "p_value": c.mcnemar.p_value,
                "p_holm": c.p_holm,
            }
        )
    return records


def render_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in csv_records(report):
        writer.writerow({k: _csv_value(v) for k, v in record.items()})
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if value != value else repr(value)
    if isinstance(value, str):
        return csv_text(value)
    return "" if value is None else value


def csv_text(text: str) -> str:
    """A text cell a spreadsheet shows as text: a leading ``= + - @``, tab or carriage return (which would make
    it a formula) gets a ``'`` in front, as OWASP advises; numbers are written as numbers, never through here."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
