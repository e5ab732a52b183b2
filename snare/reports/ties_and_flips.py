"""The report's trust tables: strict vs split-credit accuracy with tie counts, coverage and protocol per run and
task, and the answers that flip between runs differing only in batch size, dtype or device."""

from __future__ import annotations

from snare.engine.scoring import NEAR_TIE_RTOL
from snare.protocols import is_default
from snare.reports.report import Report
from snare.reports.run_trust import WITHHELD_CELL
from snare.reports.tables import Table, fmt_share, title_mark, withheld


def trust_table(report: Report) -> Table:
    """Per task and run: protocol, coverage, strict (headline) and split-credit accuracy, exact and near ties, and
    the accuracy under the run's protocol when that is not ``snare``."""
    paper_protocols = any(not is_default(r.protocol) for r in report.runs)
    rows = []
    for task in report.tasks:
        for run in report.runs:
            m = run.tasks.get(task)
            if m is None:
                continue
            hide = withheld(run, task)
            ties = m.tie_summary
            cells = [
                task,
                run.label,
                run.protocol,
                run.trust.coverage[task].describe(),
                WITHHELD_CELL if hide else fmt_share(m.accuracy.estimate),
                WITHHELD_CELL if hide else fmt_share(ties.split_credit_accuracy),
                str(ties.exact_ties),
                str(ties.near_ties),
            ]
            if paper_protocols:
                score = run.trust.protocol_scores.get(task)
                if score is None:
                    cells.append("–")  # the snare protocol: its accuracy is the strict one
                elif hide:
                    cells.append(WITHHELD_CELL)
                else:
                    cells.append(fmt_share(score.accuracy) if score.accuracy is not None else "n/a")
            rows.append(cells)
    columns = ["task", "run", "protocol", "coverage", "strict", "split credit", "exact ties", "near ties"]
    caption = (
        "Strict accuracy (the headline; a tie is wrong) beside split credit (1/k for a k-way top tie that includes "
        "the intended option), recomputed from the per-item scores. Exact ties: items whose top score is shared; "
        f"near ties: the two best scores within {NEAR_TIE_RTOL:g} relative. Coverage: scored / total items; below "
        f"100% the accuracies read '{WITHHELD_CELL}' unless the run used --allow-partial (then it is marked partial)."
    )
    if paper_protocols:
        columns.append("protocol accuracy")
        caption += (
            " Protocol accuracy: the run's --protocol recomputed from the same scores (its tie direction, "
            "exclusions and averaging); n/a where the protocol does not score the task."
        )
    title = "Strict vs split credit, ties, coverage and protocol" + title_mark(report)
    return Table("trust", title, columns, rows, "lllrrrrr" + ("r" if paper_protocols else ""), caption)


def flips_table(report: Report) -> Table:
    """Per pair of comparable runs and task: how many items change their strict answer, and in which direction."""
    rows = [
        [
            pair.run_a,
            pair.run_b,
            pair.describe_difference(),
            task,
            str(t.n),
            str(len(t.flips)),
            str(t.lost),
            str(t.gained),
        ]
        for pair in report.flips
        for task, t in pair.tasks.items()
    ]
    caption = (
        "Items whose strict answer differs between two runs of one model on one probe set that differ only in "
        "batch size, dtype or device (which should change scores by floating-point noise at most): near ties or "
        "numerical problems. The item ids are in the JSON report (flips)."
    )
    columns = ["A", "B", "differs in", "task", "n", "flips", "right → wrong", "wrong → right"]
    return Table("flips", "Answers that flip between runs" + title_mark(report), columns, rows, "llllrrrr", caption)
