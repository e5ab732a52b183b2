"""Machine-readable report formats: JSON (the whole report) and CSV (one row per estimate, every number)."""

from __future__ import annotations

import csv
import io
from typing import Any

from snare.reports.metrics import Proportion
from snare.reports.report import Report

CSV_COLUMNS = (
    "kind",  # accuracy | top2 | option_win | group | comparison
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
)


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
            base = {"run": run.label, "task": task}
            records.append(
                {
                    **base,
                    "kind": "accuracy",
                    **_proportion(m.accuracy),
                    "ties": m.n_ties,
                    "chance": m.chance,
                    "p_value": m.p_chance,
                    "p_holm": m.p_chance_holm,
                }
            )
            if m.top2 is not None:
                records.append({**base, "kind": "top2", **_proportion(m.top2), "chance": min(1.0, 2 * m.chance)})
            for label, share in m.option_wins.items():
                records.append({**base, "kind": "option_win", "subgroup": label, "n": m.n, "estimate": share})
            for g in m.groups:
                records.append({**base, "kind": "group", "subgroup": f"{g.field}={g.name}", **_proportion(g.accuracy)})
    for c in report.comparisons:
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
    if isinstance(value, float):
        return "" if value != value else repr(value)
    return "" if value is None else value
