"""The results a run writes: per-task summaries built from the strict rule."""

import numpy as np

from snare.engine.record import RunRecord
from snare.engine.results import RunResult
from tests.helpers import make_item


def test_task_summary_counts_ties_as_wrong():
    items = [make_item(i) for i in range(4)]
    scores = {
        items[0].id: np.array([1.0, 0.0]),
        items[1].id: np.array([0.5, 0.5]),
        items[2].id: np.array([0.0, 1.0]),
        items[3].id: np.array([2.0, 1.0]),
    }
    result = RunResult.from_scores(items, scores, record=RunRecord())
    summary = result.tasks["negation_logic"]
    assert (summary.n, summary.n_correct, summary.n_ties) == (4, 2, 1)
    assert summary.accuracy == 0.5
