"""A report over one or more results directories: per-run task metrics, paired comparisons, flips, and notes.

:func:`build_report` does all the computing; the renderers only format what :class:`Report` holds, and
``Report.to_json`` carries every number for scripts. Beside each run's strict accuracies it holds the run's
protocol, coverage and partial status (:mod:`snare.reports.run_trust`) and, for runs that differ only in batch size,
dtype or device, the answers that flip between them (:mod:`snare.reports.flips`); beside a pretrained-LM run, each
run's share of the word-order tasks that the language prior explains (:mod:`snare.reports.lm_prior`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from snare.engine.record import ModelRecord, ProbeSetRecord, TaskSummary
from snare.engine.scoring import NEAR_TIE_RTOL
from snare.plain import terminal_safe
from snare.probes.tasks import MIN_GROUP
from snare.reports.compare import PairedComparison, PairingError, compare_runs
from snare.reports.flips import RunFlips, find_flips
from snare.reports.lm_prior import LanguagePrior, language_prior
from snare.reports.load import ReportInputError, RunData, assign_labels, load_run
from snare.reports.metrics import TaskMetrics, compute_task_metrics
from snare.reports.run_trust import RunTrust, run_trust, trust_disagreements
from snare.reports.stats import holm_adjust

FORMAT = "snare-report/1"


@dataclass
class RunReport:
    """One run's identity, its recomputed metrics per task (sorted by task name), protocol and coverage.

    ``label`` carries the run's mark (`` [PARTIAL]``, `` [INCOMPLETE]``) so every table row shows it.
    """

    label: str
    path: str
    model: ModelRecord
    probeset: ProbeSetRecord
    seed: int | None
    tasks: dict[str, TaskMetrics]
    trust: RunTrust
    settings: dict[str, Any] = field(default_factory=dict)  # batch size, dtype, device: what flips depend on

    @property
    def protocol(self) -> str:
        return self.trust.protocol

    def task_json(self, task: str) -> dict[str, Any]:
        """Every number of one task; a withheld task's accuracies are null (its counts stay)."""
        data = {**self.tasks[task].to_json(), **self.trust.task_json(task)}
        if self.trust.withheld(task):
            data["accuracy"] = {**data["accuracy"], "estimate": None, "ci_bootstrap": None, "ci_wilson": None}
            data["split_credit_accuracy"] = None
            data["p_chance"] = data["p_chance_holm"] = None
            if data["protocol_accuracy"] is not None:
                data["protocol_accuracy"] = {**data["protocol_accuracy"], "accuracy": None}
        data["headline_accuracy"] = None if self.trust.withheld(task) else data["accuracy"]["estimate"]
        return data

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "path": self.path,
            "model": self.model.to_json(),
            "probeset": self.probeset.to_json(),
            "seed": self.seed,
            "settings": self.settings,
            **self.trust.to_json(),
            "tasks": {name: self.task_json(name) for name in self.tasks},
        }


@dataclass
class Report:
    runs: list[RunReport]
    comparisons: list[PairedComparison]
    settings: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    flips: list[RunFlips] = field(default_factory=list)
    prior: LanguagePrior = field(default_factory=LanguagePrior)  # word-order tasks beside a pretrained LM

    @property
    def tasks(self) -> list[str]:
        return sorted({t for run in self.runs for t in run.tasks})

    @property
    def marked(self) -> list[RunReport]:
        """The runs marked PARTIAL or INCOMPLETE (every format says so in its title)."""
        return [r for r in self.runs if r.trust.mark]

    def _comparison_json(self, c: PairedComparison) -> dict[str, Any]:
        """A comparison; its accuracies and difference are null when either run's accuracy is withheld."""
        data = c.to_json()
        runs = {r.label: r for r in self.runs}
        if any(runs[label].trust.withheld(c.task) for label in (c.run_a, c.run_b) if c.task in runs[label].tasks):
            blank = ("accuracy_a", "accuracy_b", "difference", "ci_difference", "p_value", "p_holm")
            data.update({**dict.fromkeys(blank), "headline_withheld": True})
        return data

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "settings": self.settings,
            "partial": any(r.trust.is_partial for r in self.runs),
            "runs": [r.to_json() for r in self.runs],
            "comparisons": [self._comparison_json(c) for c in self.comparisons],
            "flips": [f.to_json() for f in self.flips],
            "language_prior": self.prior.to_json(),
            "notes": self.notes,
        }


def _rename(runs: list[RunData], given: list[str], names: dict[str, str]) -> None:
    for key, label in names.items():
        hits = [r for r, g in zip(runs, given, strict=True) if key in (g, str(r.path), r.path.name, r.label)]
        if not hits:
            known = ", ".join(repr(r.path.name) for r in runs)
            raise ReportInputError(f"--name {key}={label}: no run {key!r} (give a folder or its name: {known})")
        for run in hits:
            run.label = label
    labels = [r.label for r in runs]
    clash = next((lab for lab in labels if labels.count(lab) > 1), None)
    if clash is not None and names:
        raise ReportInputError(f"--name: two runs are labelled {clash!r}; give each run its own label")


def build_report(
    paths: Sequence[str | Path],
    *,
    seed: int = 0,
    n_boot: int = 2000,
    alpha: float = 0.05,
    min_group: int = MIN_GROUP,
    compare: bool = True,
    names: dict[str, str] | None = None,
) -> Report:
    """Load every results directory, recompute its metrics, and (with several runs) compare them pairwise.

    ``names`` relabels runs (``snare report --name RUN=LABEL``): RUN is the folder as given, its name, or the
    run's automatic label. Raises :class:`ReportInputError` on bad input, including runs that cannot be paired
    when ``compare`` is set, a RUN that matches no run and two runs given one label.
    """
    if not paths:
        raise ReportInputError("no results directories given; pass one or more folders written by snare eval --output")
    runs = [load_run(p) for p in paths]
    assign_labels(runs)
    _rename(runs, [str(p) for p in paths], names or {})
    for run in runs:  # labels (from --name or a results.json) reach terminals and files: escapes shown, not run
        run.label = terminal_safe(run.label)
    trusts = [run_trust(run) for run in runs]
    for run, trust in zip(runs, trusts, strict=True):
        if trust.mark:  # before comparing: comparison and flip rows name the run by its marked label
            run.label = f"{run.label} [{trust.mark}]"
    comparisons: list[PairedComparison] = []
    if compare and len(runs) > 1:
        try:
            comparisons = compare_runs(runs, seed=seed, n_boot=n_boot, alpha=alpha)
        except PairingError as exc:
            hint = " (a partial run holds fewer items: pass --no-compare)" if any(t.mark for t in trusts) else ""
            raise ReportInputError(f"{exc}{hint}") from None
    reports = [
        _run_report(run, trust, seed=seed, n_boot=n_boot, alpha=alpha, min_group=min_group)
        for run, trust in zip(runs, trusts, strict=True)
    ]
    # withheld tasks show no accuracy, so they take no part in the multiplicity correction either
    chance_tests = [m for r in reports for task, m in r.tasks.items() if not r.trust.withheld(task)]
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
        "split_credit": "1/k for an item whose intended option is one of k options sharing the top score, else 0/1",
        "exact_ties": "items whose top score is shared by two or more options",
        "near_ties": f"items whose two best scores differ by at most {NEAR_TIE_RTOL:g} relative, without being equal",
        "coverage": "scored / total items; below 100% the headline is withheld unless the run used --allow-partial",
        "flips": "items whose strict answer differs between two runs differing only in batch size, dtype or device",
        "language_prior": "on word-order tasks, each run's strict accuracy on the items a pretrained-LM run of the "
        "same probe set also scored (matched by id), the LM's on the same items, and the run's on those the LM "
        "gets wrong; cluster-bootstrap and Wilson intervals",
    }
    notes = [note for run, rep in zip(runs, reports, strict=True) for note in _disagreements(run, rep)]
    split_credit = [{t: m.tie_summary.split_credit_accuracy for t, m in rep.tasks.items()} for rep in reports]
    for run, trust, credit in zip(runs, trusts, split_credit, strict=True):
        notes += trust_disagreements(run, trust, credit)
    flips = find_flips(runs)
    prior = language_prior(runs, trusts, seed=seed, n_boot=n_boot, alpha=alpha)
    notes = [terminal_safe(note) for note in notes]  # notes quote paths and recorded values
    return Report(runs=reports, comparisons=comparisons, settings=settings, notes=notes, flips=flips, prior=prior)


def _run_report(run: RunData, trust: RunTrust, *, seed: int, n_boot: int, alpha: float, min_group: int) -> RunReport:
    tasks = {
        task: compute_task_metrics(rows, task=task, seed=seed, n_boot=n_boot, alpha=alpha, min_group=min_group)
        for task, rows in sorted(run.rows.items())
    }
    model = run.model
    return RunReport(
        label=run.label,
        path=str(run.path),
        model=model,
        probeset=run.record.probeset,
        seed=run.record.seed,
        tasks=tasks,
        trust=trust,
        settings={key: run.record.setting(key) for key in ("batch_size", "dtype", "device")},
    )


def _disagreements(run: RunData, report: RunReport) -> list[str]:
    """Say where results.json (or the rows' own verdicts) disagree with the recomputation."""
    notes = []
    for task, metrics in report.tasks.items():
        summary = run.recorded_tasks.get(task) or TaskSummary()
        recorded = {"correct": summary.correct, "ties": summary.ties, "n": summary.n}
        computed = {"correct": metrics.accuracy.k, "ties": metrics.n_ties, "n": metrics.n}
        accuracy = summary.accuracy
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
