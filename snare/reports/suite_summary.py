"""One benchmark suite's tasks side by side, with the suite's micro and macro accuracy (``--suite`` runs).

Papers report a benchmark either way: micro pools every item of the suite (ARO's and SugarCrepe's per-set
tables average nothing; a pooled number weighs each set by its size), macro is the unweighted mean of the
tasks' accuracies (SugarCrepe's and mteb's averages over sets). Both are strict (a tie is wrong) and carry a
cluster-bootstrap interval over the items' images: micro resamples the pooled items' clusters, macro draws the
clusters once per replicate for every task (:func:`snare.reports.stats.mean_of_tasks_interval`), since sets
share images (SugarCrepe's sets all use COCO val2017).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from snare.engine.rows import PredictionRow
from snare.engine.scoring import strict_outcome
from snare.reports.stats import Interval, cluster_bootstrap_interval, mean_of_tasks_interval


@dataclass(frozen=True)
class SuiteSummary:
    """Per task ``(task, n, correct)`` in the suite's order, and the micro / macro accuracy with intervals."""

    suite: str
    tasks: tuple[tuple[str, int, int], ...]
    micro: float
    micro_interval: Interval
    macro: float
    macro_interval: Interval


def suite_summary(
    suite: str, tasks: Sequence[str], rows: Mapping[str, Sequence[PredictionRow]], *, n_boot: int = 2000, seed: int = 0
) -> SuiteSummary:
    """The summary of ``suite`` over its ``tasks`` (each listed once, in order) from a run's rows by task.

    Raises:
        ValueError: a task of the suite has no rows in the run.
    """
    names = list(dict.fromkeys(tasks))
    missing = [t for t in names if not rows.get(t)]
    if missing:
        raise ValueError(f"suite {suite}: the run has no rows for task {missing[0]!r}")
    per_task = []
    for t in names:
        outcomes = [float(strict_outcome(r.scores, r.correct).correct) for r in rows[t]]
        per_task.append((outcomes, [r.cluster for r in rows[t]]))
    pooled = [v for outcomes, _ in per_task for v in outcomes]
    clusters = [c for _, cl in per_task for c in cl]
    accuracies = [sum(o) / len(o) for o, _ in per_task]
    return SuiteSummary(
        suite=suite,
        tasks=tuple((t, len(o), int(sum(o))) for t, (o, _) in zip(names, per_task, strict=True)),
        micro=sum(pooled) / len(pooled),
        micro_interval=cluster_bootstrap_interval(pooled, clusters, n_boot=n_boot, seed=seed),
        macro=sum(accuracies) / len(accuracies),
        macro_interval=mean_of_tasks_interval(per_task, n_boot=n_boot, seed=seed),
    )


def suite_lines(summary: SuiteSummary) -> list[str]:
    """Plain lines at 80 columns: each task's accuracy, then the suite's micro and macro with 95% intervals."""
    width = max([len(t) for t, _, _ in summary.tasks] + [len("macro (mean of tasks)")]) + 2
    lines = [f"{'suite ' + summary.suite:<{width}}{'n':>7}  {'accuracy':>8}  95% interval"]
    lines += [f"{t:<{width}}{n:>7}  {c / n:8.3f}" for t, n, c in summary.tasks]
    total = sum(n for _, n, _ in summary.tasks)
    for label, value, iv, n in (
        ("micro (all items)", summary.micro, summary.micro_interval, f"{total:>7}"),
        ("macro (mean of tasks)", summary.macro, summary.macro_interval, " " * 7),
    ):
        lines.append(f"{label:<{width}}{n}  {value:8.3f}  [{iv.low:.3f}, {iv.high:.3f}]")
    return lines
