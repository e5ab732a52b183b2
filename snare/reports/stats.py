"""The statistics of a report: confidence intervals, tests against chance, paired tests, multiplicity.

Every test is a thin, documented wrapper around scipy or statsmodels; the one piece written here is the cluster
bootstrap, because neither library resamples clusters. Items that share an image (a ``cluster``) are not
independent, so their intervals must resample whole images, not single items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# The bootstrap draws (n_boot x n_clusters) indices; chunking keeps memory bounded on large probe sets.
_MAX_DRAWS_PER_CHUNK = 4_000_000


@dataclass(frozen=True)
class Interval:
    """A two-sided confidence interval ``[low, high]`` at level ``1 - alpha``."""

    low: float
    high: float

    def to_json(self) -> list[float | None]:
        return [_finite_or_none(self.low), _finite_or_none(self.high)]


def _finite_or_none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def wilson_interval(k: int, n: int, *, alpha: float = 0.05) -> Interval:
    """Wilson score interval for ``k`` successes in ``n`` independent trials (scipy's ``binomtest``).

    snare's one Wilson interval: reports and the text-only audit both call it. scipy rather than statsmodels,
    whose import alone takes seconds; the two agree to 1e-16 (tests/reports/test_stats.py)."""
    if n == 0:
        return Interval(float("nan"), float("nan"))
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=1 - alpha, method="wilson")
    return Interval(float(ci.low), float(ci.high))


def binomial_p_above(k: int, n: int, p: float) -> float:
    """One-sided exact binomial test: the p-value of seeing ``k`` or more successes in ``n`` if the rate is ``p``."""
    if n == 0:
        return float("nan")
    from scipy.stats import binomtest

    return float(binomtest(k, n, p=p, alternative="greater").pvalue)


def cluster_bootstrap_samples(
    values: Sequence[float] | np.ndarray,
    clusters: Sequence[str] | np.ndarray,
    *,
    n_boot: int,
    seed: int,
) -> np.ndarray:
    """``n_boot`` bootstrap replicates of the mean of ``values``, resampling whole clusters with replacement.

    Each replicate draws as many clusters as there are, with replacement, and takes the mean over every item of
    the drawn clusters (a cluster drawn twice counts twice). Seeded with a NumPy ``Generator``: the same inputs
    and seed give the same replicates on every machine.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.shape != (len(clusters),):
        raise ValueError("need one cluster per value")
    if n_boot < 1:
        raise ValueError("n_boot must be at least 1")
    _, codes = np.unique(np.asarray(clusters), return_inverse=True)
    sums = np.bincount(codes, weights=values)
    sizes = np.bincount(codes).astype(np.float64)
    n_clusters = len(sizes)
    rng = np.random.default_rng(seed)
    out = np.empty(n_boot)
    chunk = max(1, _MAX_DRAWS_PER_CHUNK // max(n_clusters, 1))
    for start in range(0, n_boot, chunk):
        stop = min(start + chunk, n_boot)
        draws = rng.integers(0, n_clusters, size=(stop - start, n_clusters))
        out[start:stop] = sums[draws].sum(axis=1) / sizes[draws].sum(axis=1)
    return out


def cluster_bootstrap_interval(
    values: Sequence[float] | np.ndarray,
    clusters: Sequence[str] | np.ndarray,
    *,
    n_boot: int = 2000,
    seed: int = 0,
    alpha: float = 0.05,
) -> Interval:
    """Percentile interval of the mean of ``values`` from a cluster bootstrap (see cluster_bootstrap_samples)."""
    if len(values) == 0:
        return Interval(float("nan"), float("nan"))
    samples = cluster_bootstrap_samples(values, clusters, n_boot=n_boot, seed=seed)
    low, high = np.quantile(samples, [alpha / 2, 1 - alpha / 2])
    return Interval(float(low), float(high))


def mean_of_tasks_interval(
    tasks: Sequence[tuple[Sequence[float] | np.ndarray, Sequence[str] | np.ndarray]],
    *,
    n_boot: int = 2000,
    seed: int = 0,
    alpha: float = 0.05,
) -> Interval:
    """Percentile interval of the unweighted mean over tasks of each task's mean, by one cluster bootstrap.

    ``tasks`` holds ``(values, clusters)`` per task. Each replicate draws the union of all clusters with
    replacement once and recomputes every task on that same draw, so a model's tasks move together as they do
    when items share images across tasks (resampling the tasks independently would understate the spread).
    A replicate that draws no item of some task averages the tasks it has.
    """
    if not tasks or any(len(v) == 0 for v, _ in tasks):
        return Interval(float("nan"), float("nan"))
    names, codes = np.unique(np.concatenate([np.asarray(c) for _, c in tasks]), return_inverse=True)
    sums, sizes, start = [], [], 0
    for values, _ in tasks:
        task_codes = codes[start : start + len(values)]
        start += len(values)
        sums.append(np.bincount(task_codes, weights=np.asarray(values, dtype=np.float64), minlength=len(names)))
        sizes.append(np.bincount(task_codes, minlength=len(names)).astype(np.float64))
    rng = np.random.default_rng(seed)
    out = np.empty(n_boot)
    chunk = max(1, _MAX_DRAWS_PER_CHUNK // max(len(names), 1))
    for lo in range(0, n_boot, chunk):
        hi = min(lo + chunk, n_boot)
        draws = rng.integers(0, len(names), size=(hi - lo, len(names)))
        with np.errstate(invalid="ignore", divide="ignore"):
            per_task = np.stack([s[draws].sum(axis=1) / n[draws].sum(axis=1) for s, n in zip(sums, sizes, strict=True)])
        out[lo:hi] = np.nanmean(per_task, axis=0)
    low, high = np.quantile(out, [alpha / 2, 1 - alpha / 2])
    return Interval(float(low), float(high))


@dataclass(frozen=True)
class McNemar:
    """Exact McNemar test on paired correct/incorrect outcomes: only the discordant items carry information."""

    both: int  # both runs right
    a_only: int  # run A right, run B wrong
    b_only: int
    neither: int
    p_value: float

    def to_json(self) -> dict[str, Any]:
        return {
            "both": self.both,
            "a_only": self.a_only,
            "b_only": self.b_only,
            "neither": self.neither,
            "p_value": _finite_or_none(self.p_value),
        }


def mcnemar_exact(a_correct: Sequence[bool] | np.ndarray, b_correct: Sequence[bool] | np.ndarray) -> McNemar:
    """Exact (binomial) McNemar test of the 2x2 table of two runs' per-item outcomes (statsmodels)."""
    a = np.asarray(a_correct, dtype=bool)
    b = np.asarray(b_correct, dtype=bool)
    if a.shape != b.shape:
        raise ValueError("paired outcomes need the same items")
    both, a_only = int(np.sum(a & b)), int(np.sum(a & ~b))
    b_only, neither = int(np.sum(~a & b)), int(np.sum(~a & ~b))
    from statsmodels.stats.contingency_tables import mcnemar

    # With no discordant pair the two runs agree everywhere: no evidence of a difference.
    p_value = 1.0 if a_only + b_only == 0 else float(mcnemar([[both, a_only], [b_only, neither]], exact=True).pvalue)
    return McNemar(both=both, a_only=a_only, b_only=b_only, neither=neither, p_value=p_value)


def holm_adjust(p_values: Sequence[float]) -> list[float]:
    """Holm step-down adjusted p-values (statsmodels), controlling the family-wise error rate; NaNs pass through."""
    values = np.asarray(p_values, dtype=np.float64)
    adjusted = np.full(values.shape, np.nan)
    finite = np.isfinite(values)
    if finite.any():
        from statsmodels.stats.multitest import multipletests

        adjusted[finite] = multipletests(values[finite], method="holm")[1]
    return [float(v) for v in adjusted]


# p-values are printed with 3 decimals ("<0.001" below that); a marker judges the p as printed, so that a star never
# sits beside a "0.050" (a p of 0.0498 rounds up to the threshold it would otherwise pass).
P_DECIMALS = 3


def format_p(p_value: float | None) -> str:
    """``0.042``, ``<0.001``, or ``–`` for a missing or NaN p: the one way a report prints a p-value."""
    if p_value is None or not np.isfinite(p_value):
        return "–"
    floor = 10.0**-P_DECIMALS
    return f"<{floor:.{P_DECIMALS}f}" if p_value < floor else f"{p_value:.{P_DECIMALS}f}"


def significance_marker(p_value: float | None) -> str:
    """``***`` below 0.001, ``**`` below 0.01, ``*`` below 0.05, otherwise empty; judged on the p as
    :func:`format_p` prints it, so the marker and the printed p always agree."""
    if p_value is None or not np.isfinite(p_value):
        return ""
    floor = 10.0**-P_DECIMALS
    shown = p_value if p_value < floor else round(float(p_value), P_DECIMALS)
    for threshold, marker in ((0.001, "***"), (0.01, "**"), (0.05, "*")):
        if shown < threshold:
            return marker
    return ""
    for threshold, marker in ((0.001, "***"), (0.01, "**"), (0.05, "*")):
        if p_value < threshold:
            return marker
    return ""
