"""Split credit, exact and near ties, and answers that flip between two runs, on hand-made scores."""

import pytest

from snare.engine.ties import (
    flip_comparable,
    flips_between,
    is_near_tie,
    split_credit,
    summarize_ties,
)

ROWS = [
    {"id": "a", "task": "t", "scores": [2.0, 1.0, 0.0], "correct": 0},  # strict right
    {"id": "b", "task": "t", "scores": [1.0, 1.0, 0.0], "correct": 0},  # 2-way tie with the intended: 1/2
    {"id": "c", "task": "t", "scores": [0.3, 0.3, 0.3, 0.3], "correct": 3},  # 4-way tie: 1/4
    {"id": "d", "task": "t", "scores": [0.0, 1.0, 1.0], "correct": 0},  # tie without the intended: 0
    {"id": "e", "task": "t", "scores": [0.5, 0.5 + 1e-8], "correct": 1},  # near tie, strict right
    {"id": "f", "task": "t", "scores": [1.0, 3.0], "correct": 0},  # wrong
]


def test_split_credit_is_one_over_k_when_the_intended_option_ties_at_the_top():
    assert [split_credit(r["scores"], r["correct"]) for r in ROWS] == [1.0, 0.5, 0.25, 0.0, 1.0, 0.0]


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


def test_flips_between_two_runs_are_listed_by_id():
    other = [dict(r) for r in ROWS]
    other[4] = {**other[4], "scores": [0.5 + 2e-8, 0.5]}  # the near tie flips
    other[1] = {**other[1], "scores": [1.0, 1.0, 0.0]}  # unchanged tie: no flip
    flips = flips_between(ROWS, [*other, {"id": "zz", "task": "t", "scores": [1, 0], "correct": 0}])
    assert [(f.id, f.predicted_a, f.predicted_b, f.correct_a, f.correct_b) for f in flips] == [("e", 1, 0, True, False)]


def test_flip_comparison_needs_same_model_and_probe_set():
    base = {"probeset": {"fingerprint": "sha256:x"}, "model": {"name": "m", "weights": "w", "dtype": "float32"}}
    other = {**base, "batch_size": 7, "model": {**base["model"], "dtype": "float16"}}
    assert flip_comparable({**base, "batch_size": 32}, other) == ["batch_size", "dtype"]
    with pytest.raises(ValueError, match="different probe sets"):
        flip_comparable(base, {**base, "probeset": {"fingerprint": "sha256:y"}})
    with pytest.raises(ValueError, match="different models"):
        flip_comparable(base, {**base, "model": {**base["model"], "weights": "v"}})
