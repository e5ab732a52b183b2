"""2x2 outcomes counted in the engine: which rows count, incomplete groups, and the task field annotate adds."""

from __future__ import annotations

import pytest

from snare.engine.annotate import task_fields
from snare.engine.coverage import Coverage
from snare.engine.groups import group_counts, is_group_row
from snare.engine.rows import PredictionRow


def _row(group: str, image: int, scores: tuple[float, float]) -> PredictionRow:
    meta = {"group": group, "image": image}
    return PredictionRow(id=f"{group}/{image}", task="t", cluster=group, scores=scores, correct=image, meta=meta)


def test_counts_complete_examples_and_sets_aside_cut_ones():
    rows = [_row("a", 0, (0.9, 0.1)), _row("a", 1, (0.2, 0.8)), _row("b", 0, (0.9, 0.1))]
    assert group_counts(rows) == {"n": 1, "text": 1, "image": 1, "group": 1, "incomplete": 1}


def test_only_rows_of_2x2_examples_get_the_group_field():
    rows = [_row("a", 0, (0.5, 0.5)), _row("a", 1, (0.5, 0.5))]
    fields = task_fields(rows, Coverage(total=2, scored=2), "snare")
    assert fields["group_scores"] == {"n": 1, "text": 0, "image": 0, "group": 0, "incomplete": 0}  # ties: wrong
    plain = PredictionRow(id="x", task="t", cluster="c", scores=(0.1, 0.2), correct=1)
    assert not is_group_row(plain) and "group_scores" not in task_fields([plain], Coverage(total=1, scored=1), "snare")
    with pytest.raises(ValueError, match="not an item of a 2x2 example"):
        group_counts([plain])
