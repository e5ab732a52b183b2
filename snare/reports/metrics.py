"""Per-task metrics recomputed from per-item scores: strict accuracy, ties, intervals, the paper's columns.

One function per metric, each taking the validated rows of one task; :func:`compute_task_metrics` assembles
them into a typed :class:`TaskMetrics` with ``to_json``. The strict rule is the engine's
(:func:`snare.engine.scoring.strict_outcome`): the intended option must score strictly above every other, and
a tie at the top is wrong. Split credit and the exact/near tie counts come from :mod:`snare.engine.scoring`, the
one implementation ``snare eval`` uses too. Accuracies in ``results.json`` are never trusted; they are only
compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from snare.engine.pairs import has_pairs, pair_clusters, pair_hits, pairs_of
from snare.engine.rows import PredictionRow
from snare.engine.scoring import (
    NEAR_TIE_RTOL,
    Outcome,
    TieSummary,
    in_strict_top_k,
    strict_outcome,
    summarize_ties,
)
from snare.probes.tasks import MIN_GROUP, TASKS
from snare.reports.stats import Interval, binomial_p_above, cluster_bootstrap_interval, wilson_interval

# Which item metadata a task is broken down by, and the extra columns the paper prints for it (how often each
# option wins, or top-1/top-2): both declared with the task.
GROUP_FIELD: dict[str, str] = {t.name: t.group_field for t in TASKS.values() if t.group_field}
PAPER_VIEW: dict[str, str] = {t.name: t.paper_view for t in TASKS.values() if t.paper_view}
TIE = "tie"  # the option-win share of items whose top score is shared


def _none_if_nan(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


@dataclass(frozen=True)
class Proportion:
    """``k`` of ``n`` items, with a cluster-bootstrap and a Wilson interval."""

    k: int
    n: int
    bootstrap: Interval
    wilson: Interval

    @property
    def estimate(self) -> float:
        return self.k / self.n if self.n else float("nan")

    def to_json(self) -> dict[str, Any]:
        return {
            "estimate": _none_if_nan(self.estimate),
            "k": self.k,
            "n": self.n,
            "ci_bootstrap": self.bootstrap.to_json(),
            "ci_wilson": self.wilson.to_json(),
        }


@dataclass(frozen=True)
class GroupMetrics:
    """Strict accuracy over the items of one subgroup (one relation, one attribute pair)."""

    field: str
    name: str
    accuracy: Proportion

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "name": self.name, **self.accuracy.to_json()}


@dataclass
class TaskMetrics:
    """Everything the report shows for one task of one run. ``p_chance_holm`` is set by the report (it adjusts
    across every test against chance in it)."""

    task: str
    n_options: int
    accuracy: Proportion
    n_ties: int  # items lost to a top tie that includes the intended option (the strict rule's cost)
    tie_summary: TieSummary  # split credit, exact ties (any shared top score), near ties
    p_chance: float
    option_wins: dict[str, float]
    top2: Proportion | None
    groups: list[GroupMetrics] = field(default_factory=list)
    recorded_mismatches: int = 0  # rows whose own is_correct/tie fields disagree with the recomputation
    p_chance_holm: float | None = None
    pairs: Proportion | None = None  # contrast sets: pairs with every twin right (snare.engine.pairs)
    unpaired: int = 0  # items of a contrast set outside any complete pair

    @property
    def n(self) -> int:
        return self.accuracy.n

    @property
    def chance(self) -> float:
        return 1.0 / self.n_options

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "n": self.n,
            "n_options": self.n_options,
            "chance": self.chance,
            "accuracy": self.accuracy.to_json(),
            "ties": self.n_ties,
            "split_credit_accuracy": _none_if_nan(self.tie_summary.split_credit_accuracy),
            "split_credit": self.tie_summary.split_credit,
            "exact_ties": self.tie_summary.exact_ties,
            "exact_ties_with_correct": self.tie_summary.exact_ties_with_correct,
            "near_ties": self.tie_summary.near_ties,
            "near_tie_rtol": NEAR_TIE_RTOL,
            "p_chance": _none_if_nan(self.p_chance),
            "p_chance_holm": _none_if_nan(self.p_chance_holm),
            "option_wins": self.option_wins,
            "top2": self.top2.to_json() if self.top2 is not None else None,
            "groups": [g.to_json() for g in self.groups],
            "recorded_mismatches": self.recorded_mismatches,
            **({"pairs": self.pairs.to_json(), "unpaired": self.unpaired} if self.pairs is not None else {}),
        }


def item_outcomes(rows: list[PredictionRow]) -> list[Outcome]:
    """The strict verdict of every item, in row order."""
    return [strict_outcome(r.scores, r.correct) for r in rows]


def strict_hits(outcomes: list[Outcome]) -> np.ndarray:
    return np.fromiter((o.correct for o in outcomes), dtype=bool, count=len(outcomes))


def top_k_hits(rows: list[PredictionRow], k: int) -> np.ndarray:
    """Strict top-k per row (:func:`snare.engine.scoring.in_strict_top_k`)."""
    return np.fromiter((in_strict_top_k(r.scores, r.correct, k) for r in rows), dtype=bool, count=len(rows))


def option_win_shares(rows: list[PredictionRow], outcomes: list[Outcome]) -> dict[str, float]:
    """The share of items where each option (by label) scores strictly highest, plus the share of top ties."""
    if not rows:
        return {}
    counts: dict[str, int] = dict.fromkeys(rows[0].option_labels, 0)
    counts[TIE] = 0
    for row, out in zip(rows, outcomes, strict=True):
        key = TIE if out.predicted is None else row.option_labels[out.predicted]
        counts[key] = counts.get(key, 0) + 1
    return {label: count / len(rows) for label, count in counts.items()}


def group_name(row: PredictionRow, group_field: str) -> str | None:
    """The subgroup an item belongs to (``"red_blue"`` for an attribute pair), or None without metadata."""
    value = row.meta.get(group_field)
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return "_".join(str(v) for v in value)
    return str(value)


def group_breakdown(
    rows: list[PredictionRow],
    hits: np.ndarray,
    group_field: str,
    *,
    min_group: int = MIN_GROUP,
    seed: int = 0,
    n_boot: int = 2000,
    alpha: float = 0.05,
    clusters: np.ndarray | None = None,
) -> list[GroupMetrics]:
    """Strict accuracy per subgroup of at least ``min_group`` items, sorted by group name; intervals resample
    ``clusters`` (None: each row's image cluster)."""
    members: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        name = group_name(row, group_field)
        if name is not None:
            members.setdefault(name, []).append(i)
    clusters = np.array([r.cluster for r in rows]) if clusters is None else clusters
    return [
        GroupMetrics(group_field, name, proportion(hits[idx], clusters[idx], seed=seed, n_boot=n_boot, alpha=alpha))
        for name, idx in sorted(members.items())
        if len(idx) >= min_group
    ]


def pair_proportion(
    rows: list[PredictionRow], clusters: np.ndarray, *, seed: int, n_boot: int, alpha: float
) -> tuple[Proportion, int]:
    """Pair accuracy (every twin strictly right) with intervals over ``clusters`` (the rows' pair clusters), and
    the number of rows outside any complete pair."""
    pairs = pairs_of(rows)
    hits = pair_hits(rows, pairs)
    names = list(pairs)
    per_pair = np.fromiter((hits[p] for p in names), dtype=bool, count=len(names))
    pair_cluster = np.array([clusters[pairs[p][0]] for p in names])
    unpaired = len(rows) - sum(len(idx) for idx in pairs.values())
    return proportion(per_pair, pair_cluster, seed=seed, n_boot=n_boot, alpha=alpha), unpaired


def proportion(
    hits: np.ndarray, clusters: np.ndarray | list[str], *, seed: int, n_boot: int, alpha: float
) -> Proportion:
    """The share of true ``hits`` with its cluster-bootstrap (over ``clusters``) and Wilson intervals."""
    k, n = int(np.sum(hits)), len(hits)
    return Proportion(
        k=k,
        n=n,
        bootstrap=cluster_bootstrap_interval(hits.astype(float), clusters, n_boot=n_boot, seed=seed, alpha=alpha),
        wilson=wilson_interval(k, n, alpha=alpha),
    )


def compute_task_metrics(
    rows: list[PredictionRow],
    *,
    task: str | None = None,
    seed: int = 0,
    n_boot: int = 2000,
    alpha: float = 0.05,
    min_group: int | None = None,
) -> TaskMetrics:
    """Recompute every metric of one task from its per-item rows (all of one task, same number of options).

    ``min_group``: the smallest group its breakdown shows (None: the task's declared ``min_group``)."""
    if not rows:
        raise ValueError("no rows to compute metrics from")
    task = task or rows[0].task
    outcomes = item_outcomes(rows)
    hits = strict_hits(outcomes)
    paired = has_pairs(rows)  # a contrast set: twins and the images they share resample together
    clusters = np.array(pair_clusters(rows) if paired else [r.cluster for r in rows])
    n_options = len(rows[0].scores)
    mismatches = sum(
        (r.is_correct is not None and r.is_correct != o.correct) or (r.tie is not None and r.tie != o.tie)
        for r, o in zip(rows, outcomes, strict=True)
    )
    top2 = None
    if n_options > 2:
        top2 = proportion(top_k_hits(rows, 2), clusters, seed=seed, n_boot=n_boot, alpha=alpha)
    groups: list[GroupMetrics] = []
    if task in GROUP_FIELD:
        groups = group_breakdown(
            rows,
            hits,
            GROUP_FIELD[task],
            min_group=TASKS[task].min_group if min_group is None else min_group,
            seed=seed,
            n_boot=n_boot,
            alpha=alpha,
            clusters=clusters,
        )
    pairs, unpaired = pair_proportion(rows, clusters, seed=seed, n_boot=n_boot, alpha=alpha) if paired else (None, 0)
    return TaskMetrics(
        task=task,
        n_options=n_options,
        accuracy=proportion(hits, clusters, seed=seed, n_boot=n_boot, alpha=alpha),
        n_ties=sum(o.tie for o in outcomes),
        tie_summary=summarize_ties(rows),
        p_chance=binomial_p_above(int(hits.sum()), len(hits), 1.0 / n_options),
        option_wins=option_win_shares(rows, outcomes),
        top2=top2,
        groups=groups,
        recorded_mismatches=int(mismatches),
        pairs=pairs,
        unpaired=unpaired,
    )
