"""Surface rules: blind "models" that answer an item from the shape of its options alone.

Each rule scores every option and is scored strictly (a tie is wrong), so "pick the shortest option" is right
only where the intended option is the *uniquely* shortest. The rules: shortest and longest option (words), the
option with the most or the fewest negations (*not*, *no*...), and the first or the last option. A rule above
chance is an artifact a model can exploit without the image.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from snare.engine.scoring import split_credit, strict_outcome
from snare.generators.negation import NEGATORS
from snare.probes.item import ProbeItem
from snare.textmodels.caption_words import words


def _negations(option: str) -> float:
    return float(sum(w in NEGATORS for w in words(option)))


# name -> option scores of one item (higher is picked)
RULES: dict[str, Callable[[Sequence[str]], list[float]]] = {
    "shortest option": lambda opts: [-float(len(words(o))) for o in opts],
    "longest option": lambda opts: [float(len(words(o))) for o in opts],
    "prefer 'not'": lambda opts: [_negations(o) for o in opts],
    "avoid 'not'": lambda opts: [-_negations(o) for o in opts],
    "first option": lambda opts: [-float(k) for k in range(len(opts))],
    "last option": lambda opts: [float(k) for k in range(len(opts))],
}


def outcome(scores: Sequence[float], correct: int) -> tuple[bool, bool, float]:
    """``(is_correct, tie, credit)``: strict, as everywhere, plus split credit (1/k when the intended option ties
    with k-1 others at the top). A model with many ties sits below chance strictly, yet learns nothing from the
    text there; split credit is the accuracy of breaking its ties at random, the measure of a tell."""
    result = strict_outcome(scores, correct)
    return result.correct, result.tie, split_credit(scores, correct)


def rule_outcomes(items: Sequence[ProbeItem]) -> dict[str, list[tuple[bool, bool, float]]]:
    """``(is_correct, tie, credit)`` per item under every rule, by rule name."""
    return {name: [outcome(rule(it.options), it.correct) for it in items] for name, rule in RULES.items()}
