"""``snare audit``: can a probe set's tasks be solved from the text alone? One verdict line per task.

Per task:

* **pretrained LM** (when given, ``snare audit --lm smollm2``): a pretrained causal LM's scores of every option
  (:mod:`snare.textmodels.causal_lm`), the intended option picked by mean log-probability per token: a language
  prior no probe caption was fitted on, which knows what the world allows ("a laptop using a woman").
* **blind n-gram**: a Kneser-Ney language model (:mod:`snare.textmodels.ngram`) picks the most fluent option. It is
  cross-fitted: items are split into folds by cluster (image), and each fold is scored by a model fitted on the
  intended options of the *other* folds, so no caption is scored by a model that has seen it or its image.
* **length and word frequency**: is the intended option systematically longer/shorter, or made of more/less
  frequent words (frequencies from all options of the probe set, no labels), than the other options? Wilcoxon
  signed-rank test on the per-item differences, and the accuracy of the rule "pick the longest/shortest"
  (or most/least frequent-word) option in the direction of the observed difference.
* **bag-of-words classifier**: cross-validated by the same folds (:mod:`snare.textmodels.text_classifier`), on
  words, and on words plus word pairs (**bag of bigrams**, which tells a swap from its caption).
* **surface rules** (:mod:`snare.validity.rules`): shortest/longest option, most/fewest negations, first/last
  option, each scored strictly.
* **yield**: the items the build kept of its candidates (and, under ``snare-balanced``, of the default
  construction's items), from the manifest.

Accuracies are strict (ties are wrong) with 95% Wilson intervals, and carry the split credit too (ties shared among
the tied options) and the accuracy with **ties broken by a seeded coin**, with its own Wilson interval. A blind model
that ties has no information there, so strictly it sits below chance without knowing anything (bag-of-words ties on
every swap); the coin-broken model is a real text-only model whose expected accuracy is the split credit, and the
verdict judges it. The intervals treat items as independent, which items sharing an image are not, so they are
somewhat optimistic. A task is flagged "text-only solvable" when the lower bound of any text-only accuracy
(ties broken) exceeds chance, and "inverted tell" when the upper bound of one falls below it: a model reliably
wrong is as much a tell, read backwards. Too little text gives a note, never a number.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from snare.probes.item import ProbeItem
from snare.probes.probeset import ProbeSet
from snare.textmodels.caption_words import words
from snare.textmodels.ngram import KneserNey
from snare.textmodels.text_classifier import fold_of
from snare.validity.classifier import cross_validated_outcomes
from snare.validity.pairs import PairAudit, audit_pairs, fold_by_pairs
from snare.validity.rules import outcome, rule_outcomes

N_FOLDS = 5
MIN_ITEMS = 20  # per task, for any text-only estimate
MIN_CAPTIONS = 50  # intended options outside each fold, for the blind model
ALPHA = 0.05
BIAS_P = 0.01
POSITION_RULES = ("first option", "last option")
TIE_SEED = 0  # the coin that breaks a blind model's ties: fixed, so an audit is reproducible


@dataclass(frozen=True)
class Accuracy:
    n: int
    correct: int
    ties: int
    ci_low: float
    ci_high: float
    split: float | None = None  # split credit: ties shared among the tied options (when the outcomes carry it)
    broken: int | None = None  # correct with ties broken by a seeded coin (when the outcomes carry split credit)
    broken_ci_low: float | None = None
    broken_ci_high: float | None = None

    @property
    def value(self) -> float:
        return self.correct / self.n

    @property
    def broken_value(self) -> float | None:
        return None if self.broken is None else self.broken / self.n

    def judged(self) -> tuple[float, float, float]:
        """``(accuracy, ci_low, ci_high)`` the verdict reads: ties broken by the coin where known, else strict."""
        if self.broken is None or self.broken_ci_low is None or self.broken_ci_high is None:
            return self.value, self.ci_low, self.ci_high
        return self.broken / self.n, self.broken_ci_low, self.broken_ci_high

    @classmethod
    def of(cls, outcomes: Sequence[tuple[bool, bool] | tuple[bool, bool, float]], coin: str = "") -> Accuracy:
        """From ``(is_correct, tie)`` or ``(is_correct, tie, split credit)`` per item; ``coin`` (the model's
        name) seeds its own tie-breaking coin, so two models that tie on the same items do not share draws."""
        from snare.reports.stats import wilson_interval  # the one Wilson interval, shared with the reports

        n, correct = len(outcomes), sum(o[0] for o in outcomes)
        ci = wilson_interval(correct, n, alpha=ALPHA)
        ties = sum(o[1] for o in outcomes)
        if not all(len(o) == 3 for o in outcomes):
            return cls(n, correct, ties, ci.low, ci.high)
        credit = np.array([o[2] for o in outcomes], dtype=np.float64)
        rng = np.random.default_rng([TIE_SEED, zlib.crc32(coin.encode("utf-8"))])
        broken = int((rng.random(n) < credit).sum())  # credit 1: always right, 0: never
        broken_ci = wilson_interval(broken, n, alpha=ALPHA)
        return cls(n, correct, ties, ci.low, ci.high, float(credit.mean()), broken, broken_ci.low, broken_ci.high)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "accuracy": self.value, "broken_accuracy": self.broken_value}


@dataclass(frozen=True)
class Bias:
    """How the intended option differs from the mean of the others in one measure (length, word frequency)."""

    mean_difference: float
    p_value: float | None  # Wilcoxon signed-rank; None when every difference is zero
    rule: str | None  # the rule in the direction of the difference, e.g. "longest"
    rule_accuracy: Accuracy | None


@dataclass
class TaskAudit:
    task: str
    n_items: int
    chance: float
    blind: Accuracy | None = None
    lm: Accuracy | None = None  # the pretrained LM's, when the audit was given its scores
    length: Bias | None = None
    frequency: Bias | None = None
    bow: Accuracy | None = None
    bigrams: Accuracy | None = None
    rules: dict[str, Accuracy] = field(default_factory=dict)
    protocol: str | None = None  # the protocol the probe set was built under, when the manifest says
    build: dict[str, int] = field(default_factory=dict)  # candidates, items (and default_items) from the manifest
    pairs: PairAudit | None = None  # a contrast set: the pair proof (snare.validity.pairs)
    notes: list[str] = field(default_factory=list)
    verdict: str = ""

    @property
    def yield_share(self) -> float | None:
        """Items kept per candidate, as the build counted them (None when the manifest does not say)."""
        return self.build["items"] / self.build["candidates"] if self.build.get("candidates") else None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["rules"] = {name: acc.to_json() for name, acc in self.rules.items()}
        data["yield"] = self.yield_share
        if self.build.get("default_items"):
            data["yield_of_default"] = self.build["items"] / self.build["default_items"]
        for key in ("blind", "lm", "bow", "bigrams"):
            acc = getattr(self, key)
            data[key] = acc.to_json() if acc else None
        data["pairs"] = self.pairs.to_json() if self.pairs is not None else None
        for key in ("length", "frequency"):
            bias = getattr(self, key)
            if bias is not None and bias.rule_accuracy is not None:
                data[key]["rule_accuracy"] = bias.rule_accuracy.to_json()
        return data


def blind_outcomes(
    items: Sequence[ProbeItem], all_items: Sequence[ProbeItem], order: int = 3, n_folds: int = N_FOLDS
) -> list[tuple[bool, bool, float]] | str:
    """Cross-fitted n-gram outcomes (a Kneser-Ney LM of ``order`` per fold of ``n_folds``, fitted on the intended
    options of ``all_items`` outside it), or a note saying why there is not enough text."""
    models: dict[int, KneserNey] = {}
    for f in range(n_folds):
        corpus = [words(it.options[it.correct]) for it in all_items if fold_of(it.cluster, n_folds) != f]
        if len(corpus) < MIN_CAPTIONS:
            return (
                f"not enough text for the blind model: {len(corpus)} captions outside a fold (need >= {MIN_CAPTIONS})"
            )
        models[f] = KneserNey(order).fit(corpus)
    scores: dict[int, list[float]] = {}  # per fold, its items' options in one batch
    for f, lm in models.items():
        mine = [words(o) for it in items if fold_of(it.cluster, n_folds) == f for o in it.options]
        scores[f] = lm.scores(mine)[::-1]
    return [outcome([scores[fold_of(it.cluster, n_folds)].pop() for _ in it.options], it.correct) for it in items]


def _bias(items: Sequence[ProbeItem], measure: Any, names: tuple[str, str]) -> Bias:
    """Compare ``measure(option)`` of the intended option with the other options' mean, item by item."""
    from scipy.stats import wilcoxon

    values = [np.array([measure(o) for o in it.options], dtype=np.float64) for it in items]
    diffs = np.array([v[it.correct] - np.delete(v, it.correct).mean() for v, it in zip(values, items, strict=True)])
    diffs = np.where(np.abs(diffs) < 1e-9, 0.0, diffs)
    if not np.any(diffs):
        return Bias(0.0, None, None, None)
    p_value = float(wilcoxon(diffs, zero_method="zsplit").pvalue)
    sign = 1.0 if diffs.mean() > 0 else -1.0
    rule = names[0] if sign > 0 else names[1]
    outs = [outcome(list(sign * v), it.correct) for v, it in zip(values, items, strict=True)]
    return Bias(float(diffs.mean()), p_value, rule, Accuracy.of(outs, coin=f"{rule} option"))


def _text_only_accuracies(audit: TaskAudit) -> list[tuple[str, Accuracy | None]]:
    checks: list[tuple[str, Accuracy | None]] = [
        ("blind n-gram", audit.blind),
        ("pretrained LM", audit.lm),
        ("bag-of-words classifier", audit.bow),
        ("bag-of-bigrams classifier", audit.bigrams),
    ]
    if audit.frequency is not None and audit.frequency.rule is not None:
        checks.append((f"{audit.frequency.rule} option", audit.frequency.rule_accuracy))
    # The length bias's rule is among the rules (shortest/longest option). Position is left out: each option is
    # scored on its own, so only a model that reads all options at once can use it (a note says so instead).
    checks.extend((name, acc) for name, acc in audit.rules.items() if name not in POSITION_RULES)
    return checks


def _verdict(audit: TaskAudit) -> str:
    if audit.pairs is not None and not audit.pairs.holds:
        return "pair proof broken: " + pair_summary(audit.pairs)
    if audit.n_items < MIN_ITEMS:
        return f"not enough items for a verdict ({audit.n_items}; need >= {MIN_ITEMS})"
    above, below = [], []
    for label, acc in _text_only_accuracies(audit):
        if acc:
            value, low, high = acc.judged()
            if low > audit.chance:
                above.append((value, label))
            elif high < audit.chance:
                below.append((value, label))
    if above:
        value, label = max(above)
        return f"text-only solvable: {value:.2f} > chance {audit.chance:.2f} ({label})"
    if below:
        value, label = min(below)
        return f"inverted tell: {value:.2f} < chance {audit.chance:.2f} ({label}, ties broken by a coin)"
    if audit.blind is None:
        return "no artifact found by the text-only checks that ran (the blind model had too little text)"
    return "no artifact found"


def pair_summary(pairs: PairAudit) -> str:
    """One line: the pairs, whether their premise holds, and the blind models' best item and pair accuracy."""
    if pairs.broken_premise:
        return f"{len(pairs.broken_premise)} of {pairs.pairs} pairs differ in options or intend the same one"
    best_item = max(pairs.models.items(), key=lambda kv: (kv[1].item_accuracy, kv[0]))
    best_pair = max(pairs.models.items(), key=lambda kv: (kv[1].pair_accuracy, kv[0]))
    worst = (
        "0 for every one" if best_pair[1].pairs_correct == 0 else f"{best_pair[1].pair_accuracy:.3f} ({best_pair[0]})"
    )
    return (
        f"{pairs.pairs} pairs ({pairs.unpaired} unpaired items); {len(pairs.models)} blind models: pair accuracy "
        f"{worst}, strict item accuracy at most {best_item[1].item_accuracy:.3f} ({best_item[0]}; bound "
        f"{pairs.bound:.2f})"
    )


def lm_outcomes(items: Sequence[ProbeItem], scores: Mapping[str, Sequence[float]]) -> list[tuple[bool, bool, float]]:
    """Outcomes of a text-only model from its option scores (``scores[item id]``, one per option, higher wins)."""
    missing = [it.id for it in items if it.id not in scores or len(scores[it.id]) != len(it.options)]
    if missing:
        raise ValueError(f"no language-model scores for item {missing[0]!r} (score the whole probe set)")
    return [outcome([float(s) for s in scores[it.id]], it.correct) for it in items]


def audit_probeset(probes: ProbeSet, lm_scores: Mapping[str, Sequence[float]] | None = None) -> list[TaskAudit]:
    """Audit every task of ``probes``; see the module docstring for what each check means. On a contrast set the
    folds keep twins together, and each task gets the pair proof (:mod:`snare.validity.pairs`). ``lm_scores``: a
    pretrained LM's option scores by item id (e.g. from :func:`snare.engine.runner.score_items` with the
    ``smollm2`` adapter), audited beside the other text-only models (and in the pair proof)."""
    frequency = Counter(w for it in probes for o in it.options for w in words(o))
    total = sum(frequency.values())

    def mean_log_frequency(option: str) -> float:
        toks = words(option)
        return float(np.mean([math.log((frequency[w] + 1) / (total + len(frequency))) for w in toks])) if toks else 0.0

    audits = []
    protocol = (probes.info.get("protocol") or {}).get("name")
    builds = probes.info.get("build") or {}
    folded = fold_by_pairs(probes.items)
    by_task: dict[str, list[ProbeItem]] = {}
    for it in folded:
        by_task.setdefault(it.task, []).append(it)
    for task, items in by_task.items():
        audit = TaskAudit(task, len(items), float(np.mean([1 / len(it.options) for it in items])), protocol=protocol)
        build = builds.get(task) or {}
        audit.build = {k: int(build[k]) for k in ("candidates", "items", "default_items") if k in build}
        if len(items) < MIN_ITEMS:
            audit.notes.append(f"only {len(items)} items; text-only estimates need >= {MIN_ITEMS}")
            audit.pairs = audit_pairs(items, {})  # the proof needs no fit: the surface rules and the random scorer
        else:
            blind = blind_outcomes(items, folded)
            if isinstance(blind, str):
                audit.notes.append(blind)
            else:
                audit.blind = Accuracy.of(blind, coin="blind n-gram")
            lm = lm_outcomes(items, lm_scores) if lm_scores is not None else None
            audit.lm = Accuracy.of(lm, coin="pretrained LM") if lm is not None else None
            audit.length = _bias(items, lambda o: len(words(o)), ("longest", "shortest"))
            audit.frequency = _bias(items, mean_log_frequency, ("most frequent-word", "least frequent-word"))
            bow = cross_validated_outcomes(items, N_FOLDS, with_credit=True)
            audit.bow = Accuracy.of(bow, coin="bag-of-words")
            bigrams = cross_validated_outcomes(items, N_FOLDS, order=2, with_credit=True)
            audit.bigrams = Accuracy.of(bigrams, coin="bag-of-bigrams")
            audit.rules = {name: Accuracy.of(outs, coin=name) for name, outs in rule_outcomes(items).items()}
            fitted = {"blind n-gram": blind, "bag-of-words": bow, "bag-of-bigrams": bigrams}
            if lm is not None:  # pretrained, not cross-fitted: it scores each option alone all the same
                fitted["pretrained LM"] = lm
            audit.pairs = audit_pairs(items, {k: v for k, v in fitted.items() if not isinstance(v, str)})
            for name in POSITION_RULES:
                if audit.rules[name].ci_low > audit.chance:
                    audit.notes.append(
                        f"'{name}' scores {audit.rules[name].value:.2f}: a tell for a model that reads all options "
                        "at once (each option scored on its own cannot use it)"
                    )
        audit.verdict = _verdict(audit)
        audits.append(audit)
    return audits
