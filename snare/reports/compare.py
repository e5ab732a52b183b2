"""Paired comparisons of runs scored on the same probe set: exact McNemar, Holm, paired bootstrap effect size.

Pairing needs the very same items: the probe-set fingerprints must be equal and every task must hold the same
item ids. Anything else is refused with one line, because an unpaired difference would be mistaken for a paired
one.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from snare.engine.rows import PredictionRow
from snare.reports.load import RunData
from snare.reports.metrics import item_outcomes, strict_hits
from snare.reports.stats import Interval, McNemar, cluster_bootstrap_interval, holm_adjust, mcnemar_exact


class PairingError(Exception):
    """Two runs cannot be paired; the message says why (the CLI wraps it into a user error)."""


@dataclass
class PairedComparison:
    """Run A against run B on one task. ``difference`` is accuracy(A) - accuracy(B); ``p_holm`` is set by
    :func:`compare_runs`, adjusted across every comparison of the report."""

    task: str
    run_a: str
    run_b: str
    accuracy_a: float
    accuracy_b: float
    difference: Interval  # the paired cluster-bootstrap interval of the difference
    mcnemar: McNemar
    p_holm: float | None = None

    @property
    def n(self) -> int:
        m = self.mcnemar
        return m.both + m.a_only + m.b_only + m.neither

    @property
    def delta(self) -> float:
        return self.accuracy_a - self.accuracy_b

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "run_a": self.run_a,
            "run_b": self.run_b,
            "n": self.n,
            "accuracy_a": self.accuracy_a,
            "accuracy_b": self.accuracy_b,
            "difference": self.delta,
            "ci_difference": self.difference.to_json(),
            "mcnemar": self.mcnemar.to_json(),
            "p_value": self.mcnemar.p_value,
            "p_holm": self.p_holm,
        }


def compare_task(
    task: str,
    label_a: str,
    rows_a: list[PredictionRow],
    label_b: str,
    rows_b: list[PredictionRow],
    *,
    seed: int = 0,
    n_boot: int = 2000,
    alpha: float = 0.05,
) -> PairedComparison:
    """Compare two runs on one task, item by item (matched by id)."""
    by_id_b = {r.id: r for r in rows_b}
    if len(rows_a) != len(rows_b) or any(r.id not in by_id_b for r in rows_a):
        raise PairingError(f"{label_a} and {label_b} scored different {task} items; paired tests need the same items")
    rows_b = [by_id_b[r.id] for r in rows_a]
    if any(a.cluster != b.cluster for a, b in zip(rows_a, rows_b, strict=True)):
        raise PairingError(f"{label_a} and {label_b} disagree on which {task} items share an image")
    hits_a = strict_hits(item_outcomes(rows_a))
    hits_b = strict_hits(item_outcomes(rows_b))
    clusters = np.array([r.cluster for r in rows_a])
    diff = hits_a.astype(float) - hits_b.astype(float)
    return PairedComparison(
        task=task,
        run_a=label_a,
        run_b=label_b,
        accuracy_a=float(hits_a.mean()),
        accuracy_b=float(hits_b.mean()),
        difference=cluster_bootstrap_interval(diff, clusters, n_boot=n_boot, seed=seed, alpha=alpha),
        mcnemar=mcnemar_exact(hits_a, hits_b),
    )


def _identity(run: RunData) -> str:
    """``synthetic sha256:70924e357675… --limit 20`` (or ``all items``): what a run's probe set was built from."""
    p = run.record.probeset
    limit = f"--limit {p.limit}" if p.limit is not None else "all items"
    return f"{p.name or '?'} {str(run.fingerprint)[:19]}… {limit}"


def _advice(a: RunData, b: RunData) -> str:
    """How to get two runs onto one probe set: the same --limit (or --seed) when only that differs."""
    pa, pb = a.record.probeset, b.record.probeset
    if pa.name == pb.name and pa.limit != pb.limit:
        return "re-run them with the same --limit (it selects the items) or pass --no-compare"
    if pa.name == pb.name and pa.seed is not None and pb.seed is not None and pa.seed != pb.seed:
        return "re-run them with the same --seed (it builds the probe set) or pass --no-compare"
    return "re-run on one probe set (snare eval --probes DIR) or pass --no-compare"


def check_pairable(runs: list[RunData]) -> None:
    """Raise :class:`PairingError` unless all runs were scored on one probe set (equal fingerprints); the message
    names each probe set with its ``--limit`` and says which setting to make the same."""
    first = runs[0]
    for other in runs[1:]:
        if not first.fingerprint or first.fingerprint != other.fingerprint:
            raise PairingError(
                f"{first.path} and {other.path} were scored on different probe sets ({_identity(first)} and "
                f"{_identity(other)}); paired tests need the same items: {_advice(first, other)}"
            )
        if sorted(first.rows) != sorted(other.rows):
            raise PairingError(f"{first.path} and {other.path} hold different tasks; paired tests need the same items")


def compare_runs(
    runs: list[RunData], *, seed: int = 0, n_boot: int = 2000, alpha: float = 0.05
) -> list[PairedComparison]:
    """Every pair of runs on every task, with Holm-adjusted p-values across all of these comparisons."""
    if len(runs) < 2:
        return []
    check_pairable(runs)
    comparisons = [
        compare_task(task, a.label, a.rows[task], b.label, b.rows[task], seed=seed, n_boot=n_boot, alpha=alpha)
        for a, b in combinations(runs, 2)
        for task in sorted(a.rows)
    ]
    for comparison, adjusted in zip(comparisons, holm_adjust([c.mcnemar.p_value for c in comparisons]), strict=True):
        comparison.p_holm = adjusted
    return comparisons
