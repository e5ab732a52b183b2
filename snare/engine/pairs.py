"""Pair accuracy on contrast sets: an item and its twin (same options, another intended one, another image) are
one pair, and a pair counts as right only when every one of its items is right under the strict rule.

An item's pair is ``meta["pair"]`` (:mod:`snare.probes.contrast`, mined Visual Genome twins). A text-only model
gives twins the same option scores, so it can be right on one of them at most: pair accuracy separates a model
that looks from one that guesses well from the words. Items without a pair id, or whose pair has only one item in
the run, are counted as unpaired and left out of pair accuracy (item accuracy still counts them).

Twins are not independent of each other, and an image may serve several pairs; :func:`pair_clusters` joins items
that share a pair or an image into one cluster, the unit every interval of a contrast set resamples.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from snare.engine.rows import PredictionRow
from snare.engine.scoring import strict_outcome

PAIR = "pair"  # the item metadata naming an item's pair


class Clustered(Protocol):
    """What pairing reads: an image cluster and the metadata (prediction rows and probe items both have them)."""

    @property
    def cluster(self) -> str: ...

    @property
    def meta(self) -> Mapping[str, Any]: ...


def has_pairs(rows: Sequence[Clustered]) -> bool:
    """Whether any row carries a pair id."""
    return any(r.meta.get(PAIR) is not None for r in rows)


def pairs_of(rows: Sequence[Clustered]) -> dict[str, list[int]]:
    """Row indices by pair id, for pairs with at least two items in ``rows`` (in first-seen order)."""
    members: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        pair = row.meta.get(PAIR)
        if pair is not None:
            members.setdefault(str(pair), []).append(i)
    return {pair: idx for pair, idx in members.items() if len(idx) >= 2}


def pair_clusters(rows: Sequence[Clustered]) -> list[str]:
    """Each row's cluster for resampling: the connected component of items linked by a shared pair or a shared
    image cluster, named by its smallest image cluster."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for row in rows:
        find("c:" + row.cluster)
        if row.meta.get(PAIR) is not None:
            union("c:" + row.cluster, "p:" + str(row.meta[PAIR]))
    return [find("c:" + r.cluster)[2:] for r in rows]


@dataclass(frozen=True)
class PairSummary:
    """One task's pairs: how many, how many have every twin right, and the items outside any pair."""

    n_pairs: int
    pairs_correct: int
    unpaired: int

    @property
    def pair_accuracy(self) -> float:
        return self.pairs_correct / self.n_pairs if self.n_pairs else float("nan")

    def to_json(self) -> dict[str, Any]:
        return {
            "pair_accuracy": self.pair_accuracy if self.n_pairs else None,
            "pairs": self.n_pairs,
            "pairs_correct": self.pairs_correct,
            "unpaired": self.unpaired,
        }


def pair_hits(rows: Sequence[PredictionRow], pairs: dict[str, list[int]] | None = None) -> dict[str, bool]:
    """Per pair id: whether every item of the pair is strictly right."""
    pairs = pairs_of(rows) if pairs is None else pairs
    right = [strict_outcome(r.scores, r.correct).correct for r in rows]
    return {pair: all(right[i] for i in idx) for pair, idx in pairs.items()}


def summarize_pairs(rows: Sequence[PredictionRow]) -> PairSummary:
    """Pair accuracy over ``rows`` (one task's): see the module docstring."""
    pairs = pairs_of(rows)
    hits = pair_hits(rows, pairs)
    paired = sum(len(idx) for idx in pairs.values())
    return PairSummary(n_pairs=len(pairs), pairs_correct=sum(hits.values()), unpaired=len(rows) - paired)
