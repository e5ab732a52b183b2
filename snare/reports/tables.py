"""The report as format-neutral tables of formatted cells, which every text renderer (rich, Markdown, LaTeX,
HTML) lays out its own way. Numbers are formatted here once, so every format shows the same digits."""

from __future__ import annotations

from dataclasses import dataclass

from snare.reports.metrics import PAPER_VIEW, TIE, Proportion
from snare.reports.report import Report
from snare.reports.stats import Interval, significance_marker

MARKERS = "* p<0.05, ** p<0.01, *** p<0.001"


@dataclass(frozen=True)
class Table:
    """A titled grid of strings; ``align`` has one of ``l``/``r`` per column; ``caption`` explains the numbers."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    align: str
    caption: str = ""


def fmt_share(value: float | None) -> str:
    return "–" if value is None or value != value else f"{value:.3f}"


def fmt_interval(ci: Interval) -> str:
    return f"[{fmt_share(ci.low)}, {fmt_share(ci.high)}]"


def fmt_p(value: float | None) -> str:
    if value is None or value != value:
        return "–"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def fmt_signed(value: float) -> str:
    return f"{value:+.3f}"


def report_tables(report: Report) -> list[Table]:
    """The tables of a report, in reading order: accuracy, the paper's columns, breakdowns, comparisons."""
    tables = [accuracy_table(report)]
    for task in report.tasks:
        view = PAPER_VIEW.get(task)
        if view == "option_wins":
            tables.append(option_wins_table(report, task))
        elif view == "top_k":
            tables.append(top_k_table(report, task))
    tables.extend(t for task in report.tasks if (t := breakdown_table(report, task)) is not None)
    if report.comparisons:
        tables.append(comparison_table(report))
    return tables


def accuracy_table(report: Report) -> Table:
    s = report.settings
    n_tests = sum(len(r.tasks) for r in report.runs)
    rows = []
    for task in report.tasks:
        for run in report.runs:
            m = run.tasks.get(task)
            if m is None:
                continue
            rows.append(
                [
                    task,
                    run.label,
                    str(m.n),
                    fmt_share(m.accuracy.estimate) + significance_marker(m.p_chance_holm),
                    fmt_interval(m.accuracy.bootstrap),
                    fmt_interval(m.accuracy.wilson),
                    str(m.n_ties),
                    fmt_share(m.chance),
                    fmt_p(m.p_chance),
                    fmt_p(m.p_chance_holm),
                ]
            )
    level = f"{round(100 * s['confidence'])}%"
    caption = (
        "Strict accuracy: an item counts only when the intended option scores strictly above every other; ties "
        f"are wrong and counted. {level} intervals: cluster bootstrap resampling images (B={s['n_boot']}, seed "
        f"{s['seed']}) and Wilson (items treated as independent). Markers: one-sided exact binomial test against "
        f"chance (1/options), Holm-adjusted across {n_tests} tests: {MARKERS}."
    )
    columns = ["task", "run", "n", "accuracy", f"{level} CI (bootstrap)", f"{level} CI (Wilson)", "ties", "chance"]
    columns += ["p", "p (Holm)"]
    return Table("accuracy", "Strict accuracy per task", columns, rows, "llrrrrrrrr", caption)


def option_wins_table(report: Report, task: str) -> Table:
    labels: list[str] = []
    for run in report.runs:
        m = run.tasks.get(task)
        for label in m.option_wins if m else ():
            if label not in labels and label != TIE:
                labels.append(label)
    rows = []
    for run in report.runs:
        m = run.tasks.get(task)
        if m is not None:
            rows.append([run.label, *(fmt_share(m.option_wins.get(lab, 0.0)) for lab in [*labels, TIE])])
    caption = (
        f"{task}: the share of items where each option scores strictly highest (the paper's columns); "
        f"'{TIE}' is the share where the top score is shared. Each row sums to 1."
    )
    return Table(
        f"{task}-options",
        f"{task}: which option wins",
        ["run", *labels, TIE],
        rows,
        "l" + "r" * (len(labels) + 1),
        caption,
    )


def top_k_table(report: Report, task: str) -> Table:
    rows = []
    for run in report.runs:
        m = run.tasks.get(task)
        if m is None:
            continue
        top2: Proportion | None = m.top2
        rows.append(
            [
                run.label,
                fmt_share(m.accuracy.estimate),
                fmt_interval(m.accuracy.bootstrap),
                fmt_share(top2.estimate) if top2 else "–",
                fmt_interval(top2.bootstrap) if top2 else "–",
                fmt_share(min(1.0, 2 * m.chance)),
            ]
        )
    caption = (
        f"{task}: strict top-1 and top-2 accuracy (the intended option counts in the top k when fewer than k other "
        "options score at least as high) with cluster-bootstrap intervals; chance for top-2 is 2/options."
    )
    columns = ["run", "top-1", "top-1 CI", "top-2", "top-2 CI", "top-2 chance"]
    return Table(f"{task}-topk", f"{task}: top-1 and top-2", columns, rows, "lrrrrr", caption)


def breakdown_table(report: Report, task: str) -> Table | None:
    """Accuracy per relation / attribute pair, groups of at least ``min_group`` items; None when there are none."""
    per_run = {run.label: {g.name: g for g in run.tasks[task].groups} for run in report.runs if task in run.tasks}
    names = sorted({name for groups in per_run.values() for name in groups})
    if not names:
        return None
    group_field = next(g.field for groups in per_run.values() for g in groups.values())
    rows = []
    for name in names:
        n = next(groups[name].accuracy.n for groups in per_run.values() if name in groups)
        cells = [name, str(n)]
        for groups in per_run.values():
            g = groups.get(name)
            cells.append(f"{fmt_share(g.accuracy.estimate)} {fmt_interval(g.accuracy.bootstrap)}" if g else "–")
        rows.append(cells)
    caption = (
        f"{task}: strict accuracy per {group_field} with cluster-bootstrap intervals, for groups of at least "
        f"{report.settings['min_group']} items."
    )
    columns = [group_field, "n", *per_run]
    return Table(f"{task}-groups", f"{task} by {group_field}", columns, rows, "lr" + "r" * len(per_run), caption)


def comparison_table(report: Report) -> Table:
    s = report.settings
    rows = [
        [
            c.task,
            c.run_a,
            c.run_b,
            str(c.n),
            fmt_share(c.accuracy_a),
            fmt_share(c.accuracy_b),
            fmt_signed(c.delta) + significance_marker(c.p_holm),
            fmt_interval(c.difference),
            str(c.mcnemar.a_only),
            str(c.mcnemar.b_only),
            fmt_p(c.mcnemar.p_value),
            fmt_p(c.p_holm),
        ]
        for c in report.comparisons
    ]
    level = f"{round(100 * s['confidence'])}%"
    caption = (
        "Paired comparisons on identical items: difference in strict accuracy (A − B) with its paired "
        f"cluster-bootstrap {level} interval; exact McNemar test on the discordant items (A only / B only), "
        f"Holm-adjusted across all {len(rows)} comparisons: {MARKERS}."
    )
    columns = ["task", "A", "B", "n", "acc A", "acc B", "A − B", f"{level} CI", "A only", "B only", "p McNemar"]
    columns.append("p (Holm)")
    return Table("comparisons", "Paired comparisons", columns, rows, "lllrrrrrrrrr", caption)
