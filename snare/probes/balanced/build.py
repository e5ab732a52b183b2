"""Build a ``snare-balanced`` probe set from a probe set built by the default construction.

For each task: every item's candidate pairs (:mod:`.candidates`), the blind models' gaps on them
(:mod:`.blind`), the balanced selection (:mod:`.select`), in rounds that re-fit the blind models on the items
kept so far, keeping the round whose set is most balanced under models fitted on it. Each kept item becomes a
two-option item, the intended option first in half of them (drawn from seed and item ids), so neither position
nor any blind model gives it away. The manifest's ``build`` block counts, per task, the default construction's
items and what survived; ``balance`` records, per task and blind model, how the kept pairs split (intended
preferred / negative preferred / tie), and ``refinement`` the rounds run, the round kept and each round's worst
imbalance in standard errors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from snare.generators.tokens import ParsedCaption
from snare.probes.balanced.blind import MODELS, BlindLMs, FoldLMs, all_gaps
from snare.probes.balanced.candidates import Pair, candidate_pairs, foreign_negations
from snare.probes.balanced.select import select, visit_order
from snare.probes.item import ProbeItem
from snare.probes.probeset import ProbeSet

ROUNDS = 8
SETTLED = 1.0  # standard errors: every learned blind model within one of chance on every task
AUDITED = tuple(MODELS.index(m) for m in ("n-gram LM", "bag-of-words", "bag-of-bigrams"))  # as snare audit fits them


def _item(base: ProbeItem, pair: Pair, first: bool) -> ProbeItem:
    """The balanced item: the pair, its intended option first or second."""
    options = (pair.intended, pair.negative) if first else (pair.negative, pair.intended)
    labels = pair.labels if first else pair.labels[::-1]
    meta = {**base.meta, "polarity": pair.polarity} if base.task == "negation_logic" else dict(base.meta)
    return base.model_copy(update={"options": options, "labels": labels, "correct": 0 if first else 1, "meta": meta})


def _split(gaps: np.ndarray) -> dict[str, dict[str, int]]:
    return {
        model: {"intended": int((g > 0).sum()), "negative": int((g < 0).sum()), "tie": int((g == 0).sum())}
        for model, g in zip(MODELS, gaps.T, strict=True)
    }


class _Task:
    """One task's candidate pool and its selection so far."""

    def __init__(self, items: Sequence[ProbeItem], pairs: Sequence[Sequence[Pair]]) -> None:
        """``pairs``: each item's candidate pairs (:func:`_candidates`)."""
        self.items = list(items)
        self.rows: list[tuple[str, Pair]] = []
        self.candidates: list[list[int]] = []
        for it, mine in zip(self.items, pairs, strict=True):
            self.candidates.append(list(range(len(self.rows), len(self.rows) + len(mine))))
            self.rows.extend((it.cluster, p) for p in mine)
        self.gaps: np.ndarray | None = None
        self.chosen = [-1] * len(self.items)

    def refit(self, lms: BlindLMs, default_lms: FoldLMs, learn_from_kept: bool) -> None:
        """The blind gaps of every candidate pair; with ``learn_from_kept`` the classifiers learn from the pairs
        kept so far, as ``snare audit`` will (else from every candidate pair)."""
        train = None
        if learn_from_kept:
            train = np.zeros(len(self.rows), dtype=bool)
            train[self.picked] = True
        self.gaps = all_gaps(self.rows, lms, default_lms, self.gaps, train)

    def choose(self, seed: int, sticky: bool) -> int:
        """Balance against the current gaps; ``sticky`` keeps the choice so far where it still fits. Returns how
        many items changed their choice."""
        assert self.gaps is not None
        before = self.chosen
        self.chosen = select(self.candidates, self.gaps, [it.id for it in self.items], seed, before if sticky else None)
        return sum(a != b for a, b in zip(before, self.chosen, strict=True))

    def imbalance(self) -> float:
        """How far the blind models ``snare audit`` fits (the LM, both classifiers), judged by the current gaps,
        are from chance on the kept pairs, in standard errors: ``|right - wrong| / sqrt(kept)`` (a tie, broken by
        a coin, counts half each way), the worst of them. After :meth:`refit` on the kept pairs it is what
        ``snare audit`` will find."""
        picked = self.picked
        if self.gaps is None or not picked:
            return 0.0
        gaps = self.gaps[picked][:, list(AUDITED)]
        return float(np.abs(np.sign(gaps).sum(axis=0)).max() / np.sqrt(len(picked)))

    @property
    def picked(self) -> list[int]:
        return [c for c in self.chosen if c >= 0]

    def kept(self, seed: int) -> list[ProbeItem]:
        """The kept items, the intended option first in exactly half of them (one more at most): the kept items
        in an order drawn from (seed, item id) take turns. A coin per item would leave position a tell by chance
        (57% first on 226 items is outside the interval)."""
        kept = [(it, self.rows[c][1]) for it, c in zip(self.items, self.chosen, strict=True) if c >= 0]
        order = visit_order([it.id for it, _ in kept], seed, "position")
        first = {n: rank % 2 == 0 for rank, n in enumerate(order)}
        return [_item(it, pair, first[n]) for n, (it, pair) in enumerate(kept)]

    def report(self) -> dict[str, Any]:
        picked = self.picked
        return {
            "default_items": len(self.items),
            "with_candidates": sum(bool(c) for c in self.candidates),
            "candidate_pairs": len(self.rows),
            "items": len(picked),
            "yield": len(picked) / len(self.items) if self.items else 0.0,
            "blind_split": _split(self.gaps[picked]) if self.gaps is not None and picked else {},
        }


def _candidates(
    by_task: Mapping[str, Sequence[ProbeItem]], parses: Mapping[str, ParsedCaption], seed: int
) -> dict[str, list[list[Pair]]]:
    """Every item's candidate pairs, by task. A pair two tasks offer (semantic structure and COCO-Order swap the
    same nouns of the same captions) is given to one of them, drawn from the seed and the pair itself, so no two
    tasks measure the same thing and each keeps its share."""
    out: dict[str, list[list[Pair]]] = {}
    for task, items in by_task.items():
        foreign = foreign_negations(items, parses, seed) if task == "negation_logic" else {}
        out[task] = [candidate_pairs(it, parses) + foreign.get(it.id, []) for it in items]
    offered: dict[tuple[str, str], set[str]] = {}
    for task, per_item in out.items():
        for mine in per_item:
            for p in mine:
                offered.setdefault(p.key, set()).add(task)
    owner = {}
    for key, tasks in offered.items():
        if len(tasks) > 1:
            digest = hashlib.sha256(f"{seed}\x1fowner\x1f{key[0]}\x1f{key[1]}".encode()).hexdigest()
            owner[key] = sorted(tasks)[int(digest[:12], 16) % len(tasks)]
    mine_only = {task: [[p for p in mine if owner.get(p.key, task) == task] for mine in per_item]
                 for task, per_item in out.items()}  # fmt: skip
    return mine_only


def _select_all(tasks: dict[str, _Task], corpus: list[tuple[str, str]], seed: int) -> dict[str, Any]:
    """Adversarial refinement, iterated: a first selection, then up to :data:`ROUNDS` rounds that each re-fit
    the blind models on what was kept, since that is what ``snare audit`` fits them on (the LM on the kept
    intended options of every task, the classifiers on the kept pairs, cross-fitted by the same folds), measure
    the kept set's :meth:`_Task.imbalance` under them, and re-balance against them, keeping the previous choice
    where it still fits (sticky). The kept set is the round's set with the smallest worst imbalance (measured
    under models fitted on that set itself); rounds stop early once it is within :data:`SETTLED` standard
    errors on every task. Balanced only against the all-pairs classifiers (one round), the audit's re-fitted
    bag-of-bigrams landed 5-9 points *below* chance (fitted on a set selected against its kind, it
    anti-generalises); re-balanced without stickiness, it overshoots above chance round after round; and the
    rounds' sets differ by sampling noise, so the last round is not the best. Returns what the rounds did."""
    first = BlindLMs(corpus)
    default_lms = first.audited
    for task in tasks.values():
        task.refit(first, default_lms, learn_from_kept=False)
        task.choose(seed, sticky=False)
    best: tuple[float, int, dict[str, tuple[list[int], np.ndarray | None]]] | None = None
    measured = []
    for round_ in range(ROUNDS + 1):
        lms = BlindLMs([(t.rows[c][0], t.rows[c][1].intended) for t in tasks.values() for c in t.picked])
        for task in tasks.values():
            task.refit(lms, default_lms, learn_from_kept=True)
        worst = max((task.imbalance() for task in tasks.values()), default=0.0)
        measured.append(round(worst, 3))
        if best is None or worst < best[0]:
            best = (worst, round_, {name: (list(t.chosen), t.gaps) for name, t in tasks.items()})
        if worst <= SETTLED or round_ == ROUNDS:
            break
        if not sum(task.choose(seed, sticky=True) for task in tasks.values()):
            break
    assert best is not None
    for name, task in tasks.items():
        task.chosen, task.gaps = best[2][name]
    return {"rounds": len(measured) - 1, "kept_round": best[1], "imbalance": measured}


def balance_probeset(base: ProbeSet, parses: Mapping[str, ParsedCaption], seed: int) -> ProbeSet:
    """The ``snare-balanced`` probe set made from ``base`` (built by the default construction with ``seed``).

    ``parses`` maps parsed texts to their parses (any keys: they are matched by the rendered caption). The
    protocol it was built under is recorded by :func:`snare.probes.assemble.assemble`, which calls this."""
    by_render = {p.render(range(len(p))): p for p in parses.values()}
    by_task = base.by_task()
    pairs = _candidates(by_task, by_render, seed)
    tasks = {task: _Task(by_task[task], pairs[task]) for task in sorted(by_task)}
    refinement = _select_all(tasks, [(it.cluster, it.options[it.correct]) for it in base], seed)
    items: list[ProbeItem] = []
    balance: dict[str, Any] = {}
    build = dict(base.info.get("build") or {})
    for name, task in tasks.items():
        kept, balance[name] = task.kept(seed), task.report()
        items.extend(kept)
        before = build.get(name, {"candidates": len(task.items), "skipped": {}})
        dropped = {
            "no candidate negative": len(task.items) - balance[name]["with_candidates"],
            "dropped by balancing": balance[name]["with_candidates"] - len(kept),
        }
        build[name] = {
            **before,
            "items": len(kept),
            "default_items": len(task.items),
            "skipped": dict(sorted({**before.get("skipped", {}), **{k: v for k, v in dropped.items() if v}}.items())),
        }
    info = {
        **base.info,
        "build": build,
        "balance": balance,
        "refinement": refinement,
    }
    return ProbeSet(items, name=base.name, image_root=base.image_root, info=info)
