"""The one tie rule on hand-made scores: strict verdicts, the first-listed rule, split credit, exact and near ties."""

import math

import pytest

from snare.engine.scoring import in_strict_top_k, is_correct, is_near_tie, split_credit, strict_outcome, summarize_ties
from tests.helpers import make_row

RAW = [
    {"id": "a", "task": "t", "scores": [2.0, 1.0, 0.0], "correct": 0},  # strict right
    {"id": "b", "task": "t", "scores": [1.0, 1.0, 0.0], "correct": 0},  # 2-way tie with the intended: 1/2
    {"id": "c", "task": "t", "scores": [0.3, 0.3, 0.3, 0.3], "correct": 3},  # 4-way tie: 1/4
    {"id": "d", "task": "t", "scores": [0.0, 1.0, 1.0], "correct": 0},  # tie without the intended: 0
    {"id": "e", "task": "t", "scores": [0.5, 0.5 + 1e-8], "correct": 1},  # near tie, strict right
    {"id": "f", "task": "t", "scores": [1.0, 3.0], "correct": 0},  # wrong
]
ROWS = [make_row(**r) for r in RAW]


def test_split_credit_is_one_over_k_when_the_intended_option_ties_at_the_top():
    assert [split_credit(r.scores, r.correct) for r in ROWS] == [1.0, 0.5, 0.25, 0.0, 1.0, 0.0]


def test_summary_counts_strict_split_credit_and_ties():
    s = summarize_ties(ROWS)
    assert (s.n, s.strict_correct, s.exact_ties, s.exact_ties_with_correct, s.near_ties) == (6, 2, 3, 2, 1)
    assert s.strict_accuracy == pytest.approx(2 / 6)
    assert s.split_credit_accuracy == pytest.approx((1 + 0.5 + 0.25 + 1) / 6)
    assert s.to_json()["near_tie_rtol"] == 1e-6


def test_near_tie_is_relative_and_excludes_exact_ties():
    assert is_near_tie([1000.0, 1000.0005])  # 5e-7 relative
    assert not is_near_tie([1.0, 1.0005])
    assert not is_near_tie([2.0, 2.0])
    assert is_near_tie([1e-9, 1e-9 * (1 + 1e-7), -5.0])  # relative to the scores, not an absolute epsilon


@pytest.mark.parametrize(
    ("scores", "correct", "expected"),
    [
        ([0.9, 0.1], 0, (True, False, 0)),
        ([0.1, 0.9], 0, (False, False, 1)),
        ([0.5, 0.5], 0, (False, True, None)),  # the original's argmax would have called this right
        ([0.5, 0.5, 0.7], 0, (False, False, 2)),
        ([0.2, 0.7, 0.7], 0, (False, False, None)),  # a tie at the top that excludes the intended option
        ([0.3, 0.3, 0.1, 0.3], 3, (False, True, None)),
    ],
)
def test_strict_rule(scores, correct, expected):
    out = strict_outcome(scores, correct)
    assert (out.correct, out.tie, out.predicted) == expected


def test_non_finite_scores_are_refused():
    with pytest.raises(ValueError):
        strict_outcome([math.nan, 0.1], 0)


def test_strict_top_k_counts_a_tie_across_the_kth_place_as_wrong():
    assert in_strict_top_k([3, 2, 1], 1, 2) and not in_strict_top_k([3, 2, 2], 1, 2)
    assert in_strict_top_k([1, 1], 0, 2) and not in_strict_top_k([1, 1], 0, 1)


def test_first_listed_rule_gives_a_tie_to_the_earliest_option_of_the_order():
    assert is_correct([0.5, 0.5], 0, "first") and not is_correct([0.5, 0.5], 1, "first")
    assert not is_correct([0.5, 0.5], 0, "strict")
    assert is_correct([0.5, 0.5, 0.9], 1, "first", order=[1, 0])  # option 2 is not among those scored
    assert is_correct([0.1, 0.9], 1, "strict") == strict_outcome([0.1, 0.9], 1).correct
