"""The audit's pair proof on a contrast set: no text-only model can get both twins of a pair right.

Twins carry the same options in the same order and intend different ones (:mod:`snare.probes.contrast`). A model
that reads only the options gives both the same scores, so the one option it ranks strictly first is intended by
at most one of them: it is right on one twin at most, never on the pair, and a tie loses both. So on every
complete pair its pair accuracy is 0 and its strict item accuracy at most ``1/k`` for pairs of ``k`` twins.

:func:`audit_pairs` checks the premise on the probe set itself (identical options, distinct intended options;
each pair that breaks it is named) and shows the consequence on every blind model the audit fits: the
cross-fitted n-gram LM and bag-of-words classifiers (folded by pair, so twins are scored by the same fitted model),
the surface rules, and a seeded random text scorer. A blind model right on both twins of a pair would be a
defect of the set or of the model's blindness, and is reported as a broken proof.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from snare.engine.pairs import pair_clusters, pairs_of
from snare.probes.item import ProbeItem
from snare.validity.rules import outcome, rule_outcomes

RANDOM_SEED = 0


@dataclass(frozen=True)
class PairScore:
    """One blind model on one task's pairs: strict item accuracy over the paired items, and pairs right."""

    items: int
    items_correct: int
    pairs: int
    pairs_correct: int

    @property
    def item_accuracy(self) -> float:
        return self.items_correct / self.items if self.items else float("nan")

    @property
    def pair_accuracy(self) -> float:
        return self.pairs_correct / self.pairs if self.pairs else float("nan")

    def to_json(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "items_correct": self.items_correct,
            "item_accuracy": self.item_accuracy if self.items else None,
            "pairs": self.pairs,
            "pairs_correct": self.pairs_correct,
            "pair_accuracy": self.pair_accuracy if self.pairs else None,
        }


@dataclass
class PairAudit:
    """One task's pairs: their count, the pairs that break the premise, and each blind model's scores."""

    pairs: int
    unpaired: int
    bound: float  # the most strict item accuracy a text-only model can reach on the paired items
    broken_premise: list[str] = field(default_factory=list)  # pair ids whose twins differ in options or intent
    models: dict[str, PairScore] = field(default_factory=dict)

    @property
    def holds(self) -> bool:
        """Whether the proof holds: the premise on every pair, and no blind model right on both twins of one."""
        return not self.broken_premise and all(m.pairs_correct == 0 for m in self.models.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "unpaired": self.unpaired,
            "item_accuracy_bound": self.bound,
            "broken_premise": self.broken_premise,
            "models": {name: m.to_json() for name, m in self.models.items()},
            "holds": self.holds,
        }


def random_text_scores(options: Sequence[str], seed: int = RANDOM_SEED) -> list[float]:
    """A random text-only scorer: each option's score is drawn from its text and ``seed`` alone (sha256)."""
    return [int.from_bytes(hashlib.sha256(f"{seed}\x00{o}".encode()).digest()[:8], "big") / 2.0**64 for o in options]


def fold_by_pairs(items: Sequence[ProbeItem]) -> list[ProbeItem]:
    """``items`` with each cluster replaced by its pair cluster (twins and shared images together), so that a
    cross-fitted blind model scores both twins with one fitted model; unchanged when no item has a pair."""
    if not pairs_of(items):
        return list(items)
    return [it.model_copy(update={"cluster": c}) for it, c in zip(items, pair_clusters(items), strict=True)]


def _score(pairs: dict[str, list[int]], right: Sequence[bool]) -> PairScore:
    paired = [i for idx in pairs.values() for i in idx]
    return PairScore(
        items=len(paired),
        items_correct=sum(bool(right[i]) for i in paired),
        pairs=len(pairs),
        pairs_correct=sum(all(right[i] for i in idx) for idx in pairs.values()),
    )


def audit_pairs(items: Sequence[ProbeItem], fitted: Mapping[str, Sequence[Sequence[Any]]]) -> PairAudit | None:
    """The pair proof for one task's ``items``; None when the task has no pairs. ``fitted``: the outcomes
    (``is_correct`` first) of the blind models the audit cross-fitted on these items, folded by pair
    (:func:`fold_by_pairs`), by name; the surface rules and the random text scorer are added here."""
    pairs = pairs_of(items)
    if not pairs:
        return None
    broken = [
        pair
        for pair, idx in pairs.items()
        if len({items[i].options for i in idx}) != 1 or len({items[i].correct for i in idx}) != len(idx)
    ]
    paired = sum(len(idx) for idx in pairs.values())
    bound = len(pairs) / paired  # one twin right per pair, at most
    audit = PairAudit(pairs=len(pairs), unpaired=len(items) - paired, bound=bound, broken_premise=broken)
    outcomes: dict[str, Sequence[Sequence[Any]]] = {**fitted, **rule_outcomes(items)}
    outcomes["random text scorer"] = [outcome(random_text_scores(it.options), it.correct) for it in items]
    audit.models = {name: _score(pairs, [o[0] for o in outs]) for name, outs in outcomes.items()}
    return audit
