"""A report over one or more results directories: per-run task metrics, paired comparisons, and notes.

:func:`build_report` does all the computing; the renderers only format what :class:`Report` holds, and
``Report.to_json`` carries every number for scripts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from snare.reports.compare import PairedComparison, PairingError, compare_runs
from snare.reports.load import ReportInputError, RunData, assign_labels, load_run
from snare.reports.metrics import MIN_GROUP, TaskMetrics, compute_task_metrics
from snare.reports.stats import holm_adjust

FORMAT = "snare-report/1"


@dataclass
class RunReport:
    """One run's identity and its recomputed metrics per task (sorted by task name)."""

    label: str
    path: str
    model: dict[str, Any]
    probeset: dict[str, Any]
    seed: int | None
    tasks: dict[str, TaskMetrics]

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "path": self.path,
            "model": self.model,
            "probeset": self.probeset,
            "seed": self.seed,
            "tasks": {name: m.to_json() for name, m in self.tasks.items()},
        }


@dataclass
class Report:
    runs: list[RunReport]
    comparisons: list[PairedComparison]
    settings: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def tasks(self) -> list[str]:
        return sorted({t for run in self.runs for t in run.tasks})

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "settings": self.settings,
            "runs": [r.to_json() for r in self.runs],
            "comparisons": [c.to_json() for c in self.comparisons],
            "notes": self.notes,
        }


def build_report(
    paths: Sequence[str | Path],
    *,
    seed: int = 0,
    n_boot: int = 2000,
    alpha: float = 0.05,
    min_group: int = MIN_GROUP,
    compare: bool = True,
) -> Report:
    """Load every results directory, recompute its metrics, and (with several runs) compare them pairwise.

    Raises :class:`ReportInputError` on bad input, including runs that cannot be paired when ``compare`` is set.
    """
    if not paths:
        raise ReportInputError("no results directories given; pass one or more folders written by snare eval --output")
    runs = [load_run(p) for p in paths]
    assign_labels(runs)
    comparisons: list[PairedComparison] = []
    if compare and len(runs) > 1:
        try:
            comparisons = compare_runs(runs, seed=seed, n_boot=n_boot, alpha=alpha)
        except PairingError as exc:
            raise ReportInputError(str(exc)) from None
    reports = [_run_report(run, seed=seed, n_boot=n_boot, alpha=alpha, min_group=min_group) for run in runs]
    chance_tests = [m for r in reports for m in r.tasks.values()]
    for metrics, adjusted in zip(chance_tests, holm_adjust([m.p_chance for m in chance_tests]), strict=True):
        metrics.p_chance_holm = adjusted
    settings = {
        "seed": seed,
        "n_boot": n_boot,
        "alpha": alpha,
        "confidence": 1 - alpha,
        "min_group": min_group,
        "accuracy": "strict: the intended option must score above every other; ties are wrong",
        "ci_bootstrap": "percentile cluster bootstrap, resampling images (the cluster field) with replacement",
        "ci_wilson": "Wilson score interval, treating items as independent",
        "test_chance": "one-sided exact binomial test against 1/n_options (scipy), Holm across all tasks and runs",
        "test_paired": "exact McNemar test (statsmodels), Holm across all comparisons",
    }
    notes = [note for run, rep in zip(runs, reports, strict=True) for note in _disagreements(run, rep)]
    notes += [
        f"{run.path}: a partial run (some items could not be scored); its accuracies cover the scored items only"
        for run in runs
        if run.record.get("partial")
    ]
    return Report(runs=reports, comparisons=comparisons, settings=settings, notes=notes)


def _run_report(run: RunData, *, seed: int, n_boot: int, alpha: float, min_group: int) -> RunReport:
    tasks = {
        task: compute_task_metrics(rows, task=task, seed=seed, n_boot=n_boot, alpha=alpha, min_group=min_group)
        for task, rows in sorted(run.rows.items())
    }
    return RunReport(
        label=run.label,
        path=str(run.path),
        model=run.model,
        probeset=run.record.get("probeset") or {},
        seed=run.record.get("seed"),
        tasks=tasks,
    )


def _disagreements(run: RunData, report: RunReport) -> list[str]:
    """Say where results.json (or the rows' own verdicts) disagree with the recomputation."""
    notes = []
    for task, metrics in report.tasks.items():
        summary = run.recorded_tasks.get(task) or {}
        recorded = {key: summary.get(key) for key in ("correct", "ties", "n")}
        computed = {"correct": metrics.accuracy.k, "ties": metrics.n_ties, "n": metrics.n}
        accuracy = summary.get("accuracy")
        off = [key for key, value in recorded.items() if value is not None and value != computed[key]]
        if isinstance(accuracy, int | float) and abs(accuracy - metrics.accuracy.estimate) > 1e-9:
            off.insert(0, "accuracy")
        if off:
            stated = f"accuracy {_fmt(accuracy)} (correct {recorded['correct']}, ties {recorded['ties']})"
            found = f"{metrics.accuracy.estimate:.4f} (correct {metrics.accuracy.k}, ties {metrics.n_ties})"
            notes.append(
                f"{run.path / 'results.json'}: {task} records {stated} but the per-item scores give {found}; "
                "this report uses the recomputation"
            )
        if metrics.recorded_mismatches:
            notes.append(
                f"{run.path}/predictions/{task}.jsonl: {metrics.recorded_mismatches} rows carry an is_correct/tie "
                "verdict that the strict rule does not give their scores; this report uses the recomputation"
            )
    return notes


def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, int | float) else "n/a"
