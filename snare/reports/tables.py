"""The report as format-neutral tables of formatted cells, which every text renderer (rich, Markdown, LaTeX,
HTML) lays out its own way. Numbers are formatted here once, so every format shows the same digits.

Every table's caption names each run's protocol; a run marked PARTIAL or INCOMPLETE carries the mark in its label
(every row) and in the titles of the tables it appears in; an INCOMPLETE run's accuracies read ``withheld``."""

from __future__ import annotations

from dataclasses import dataclass

from snare.reports.compare import PairedComparison
from snare.reports.metrics import TIE, Proportion
from snare.reports.report import Report, RunReport
from snare.reports.run_trust import WITHHELD_CELL
from snare.reports.stats import Interval, format_p, significance_marker

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
    return format_p(value)


def fmt_signed(value: float) -> str:
    return f"{value:+.3f}"


def withheld(run: RunReport, task: str) -> bool:
    return task in run.tasks and run.trust.withheld(task)


def title_mark(report: Report, labels: list[str] | None = None) -> str:
    """`` — PARTIAL: run a; INCOMPLETE: run b`` for the marked runs among ``labels`` (all runs when None)."""
    marked = [r for r in report.marked if labels is None or r.label in labels]
    return " — " + "; ".join(f"{r.trust.mark}: {r.label}" for r in marked) if marked else ""


def accuracy_table(report: Report) -> Table:
    s = report.settings
    n_tests = sum(not withheld(r, t) for r in report.runs for t in r.tasks)
    rows = []
    for task in report.tasks:
        for run in report.runs:
            m = run.tasks.get(task)
            if m is None:
                continue
            if withheld(run, task):
                rows.append([task, run.label, str(m.n), WITHHELD_CELL, "–", "–", str(m.n_ties), fmt_share(m.chance)])
                rows[-1] += ["–", "–"]
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
        "Strict accuracy (the headline): an item counts only when the intended option scores strictly above every "
        "other; ties are wrong ('ties': items lost to a top tie with the intended option). "
        f"{level} intervals: cluster bootstrap resampling images (B={s['n_boot']}, seed {s['seed']}) and Wilson "
        "(items treated as independent). Markers: one-sided exact binomial test against "
        f"chance (1/options), Holm-adjusted across {n_tests} tests: {MARKERS}."
    )
    columns = ["task", "run", "n", "accuracy", f"{level} CI (bootstrap)", f"{level} CI (Wilson)", "ties", "chance"]
    columns += ["p", "p (Holm)"]
    title = "Strict accuracy per task" + title_mark(report)
    return Table("accuracy", title, columns, rows, "llrrrrrrrr", caption)


def pairs_table(report: Report) -> Table | None:
    """Item and pair accuracy on a contrast set (items with twins); None when no run has pairs."""
    s = report.settings
    rows = []
    for task in report.tasks:
        for run in report.runs:
            m = run.tasks.get(task)
            if m is None or m.pairs is None:
                continue
            if withheld(run, task):
                rows.append([task, run.label, str(m.pairs.n), WITHHELD_CELL, "–", WITHHELD_CELL, "–", str(m.unpaired)])
                continue
            rows.append(
                [
                    task,
                    run.label,
                    str(m.pairs.n),
                    fmt_share(m.accuracy.estimate),
                    fmt_interval(m.accuracy.bootstrap),
                    fmt_share(m.pairs.estimate),
                    fmt_interval(m.pairs.bootstrap),
                    str(m.unpaired),
                ]
            )
    if not rows:
        return None
    level = f"{round(100 * s['confidence'])}%"
    caption = (
        "Contrast twins: each item has a twin with the same options and another intended option, on another image. "
        "Pair accuracy counts a pair only when both twins are strictly right; a text-only model gives twins the "
        "same scores, so its pair accuracy is 0 and its item accuracy at most 1/2. "
        f"{level} cluster-bootstrap intervals resample pairs with the images they share (B={s['n_boot']}, seed "
        f"{s['seed']}); 'unpaired': items whose twin is not in the run."
    )
    columns = ["task", "run", "pairs", "item acc.", f"{level} CI", "pair acc.", f"{level} CI", "unpaired"]
    title = "Item and pair accuracy (contrast twins)" + title_mark(report)
    return Table("pairs", title, columns, rows, "llrrrrrr", caption)


def task_sizes(report: Report, task: str) -> list[int]:
    """The item count of ``task`` in each run that has it, in run order (runs may differ: ``--limit``)."""
    return [run.tasks[task].n for run in report.runs if task in run.tasks]


def size_label(report: Report, task: str) -> str:
    """``n=300`` when every run scored ``task`` on the same number of items, else ``n=20/300`` (run order)."""
    sizes = task_sizes(report, task)
    if not sizes:
        return "n=?"
    return f"n={sizes[0]}" if len(set(sizes)) == 1 else "n=" + "/".join(map(str, sizes))


def grid_table(report: Report) -> Table:
    """Models x tasks: one row per run, one column per task, each cell ``accuracy [CI]`` (cluster bootstrap).

    A task's item count is in its header when every run has the same; else each cell carries its run's ``(n=…)``.
    """
    s = report.settings
    shared = {t: len(set(task_sizes(report, t))) <= 1 for t in report.tasks}
    rows = []
    for run in report.runs:
        cells = [run.label]
        for task in report.tasks:
            m = run.tasks.get(task)
            if m is None:
                cells.append("–")
            elif withheld(run, task):
                cells.append(WITHHELD_CELL)
            else:
                own = "" if shared[task] else f" (n={m.n})"
                cells.append(f"{fmt_share(m.accuracy.estimate)} {fmt_interval(m.accuracy.bootstrap)}{own}")
        rows.append(cells)
    level = f"{round(100 * s['confidence'])}%"
    caption = (
        "Strict accuracy (ties are wrong) per model and task, with "
        f"{level} cluster-bootstrap intervals resampling images (B={s['n_boot']}, seed {s['seed']}); n items per "
        "task in the header, or in the cell where runs scored different numbers of items."
    )
    columns = ["model", *(f"{task} ({size_label(report, task)})" if shared[task] else task for task in report.tasks)]
    title = "Strict accuracy, models x tasks" + title_mark(report)
    return Table("grid", title, columns, rows, "l" + "r" * len(report.tasks), caption)


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
        if m is not None and withheld(run, task):
            rows.append([run.label, *(WITHHELD_CELL for _ in [*labels, TIE])])
        elif m is not None:
            rows.append([run.label, *(fmt_share(m.option_wins.get(lab, 0.0)) for lab in [*labels, TIE])])
    caption = (
        f"{task}: the share of items where each option scores strictly highest (the paper's columns); "
        f"'{TIE}' is the share where the top score is shared. Each row sums to 1."
    )
    return Table(
        f"{task}-options",
        f"{task}: which option wins" + title_mark(report),
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
        if withheld(run, task):
            rows.append([run.label, *([WITHHELD_CELL] * 4), fmt_share(min(1.0, 2 * m.chance))])
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
    title = f"{task}: top-1 and top-2" + title_mark(report)
    return Table(f"{task}-topk", title, columns, rows, "lrrrrr", caption)


def breakdown_table(report: Report, task: str) -> Table | None:
    """Accuracy per relation / attribute pair, groups of at least ``min_group`` items; None when there are none."""
    shown = [run for run in report.runs if task in run.tasks and not withheld(run, task)]
    per_run = {run.label: {g.name: g for g in run.tasks[task].groups} for run in shown}
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
    title = f"{task} by {group_field}" + title_mark(report, list(per_run))
    return Table(f"{task}-groups", title, columns, rows, "lr" + "r" * len(per_run), caption)


def _comparison_row(c: PairedComparison, *, hide: bool) -> list[str]:
    counts = [str(c.mcnemar.a_only), str(c.mcnemar.b_only)]
    if hide:  # a run whose accuracy is withheld: its differences are withheld too
        return [c.task, c.run_a, c.run_b, str(c.n), *([WITHHELD_CELL] * 4), *counts, "–", "–"]
    return [
        c.task,
        c.run_a,
        c.run_b,
        str(c.n),
        fmt_share(c.accuracy_a),
        fmt_share(c.accuracy_b),
        fmt_signed(c.delta) + significance_marker(c.p_holm),
        fmt_interval(c.difference),
        *counts,
        fmt_p(c.mcnemar.p_value),
        fmt_p(c.p_holm),
    ]


def comparison_table(report: Report) -> Table:
    s = report.settings
    hidden = {(run.label, task) for run in report.runs for task in run.tasks if withheld(run, task)}
    rows = [_comparison_row(c, hide=bool({(c.run_a, c.task), (c.run_b, c.task)} & hidden)) for c in report.comparisons]
    level = f"{round(100 * s['confidence'])}%"
    caption = (
        "Paired comparisons on identical items: difference in strict accuracy (A − B) with its paired "
        f"cluster-bootstrap {level} interval; exact McNemar test on the discordant items (A only / B only), "
        f"Holm-adjusted across all {len(rows)} comparisons: {MARKERS}."
    )
    columns = ["task", "A", "B", "n", "acc A", "acc B", "A − B", f"{level} CI", "A only", "B only", "p McNemar"]
    columns.append("p (Holm)")
    title = "Paired comparisons" + title_mark(report)
    return Table("comparisons", title, columns, rows, "lllrrrrrrrrr", caption)
