import math

import pytest

from snare.engine.outcomes import strict_outcome
from snare.engine.results import RunResult
from tests.helpers import make_item


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


def test_task_summary_counts_ties_as_wrong():
    import numpy as np

    items = [make_item(i) for i in range(4)]
    scores = {
        items[0].id: np.array([1.0, 0.0]),
        items[1].id: np.array([0.5, 0.5]),
        items[2].id: np.array([0.0, 1.0]),
        items[3].id: np.array([2.0, 1.0]),
    }
    result = RunResult.from_scores(items, scores, record={})
    summary = result.tasks["negation_logic"]
    assert (summary.n, summary.n_correct, summary.n_ties) == (4, 2, 1)
    assert summary.accuracy == 0.5
