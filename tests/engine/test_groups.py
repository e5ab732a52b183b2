"""2x2 outcomes counted in the engine: which rows count, incomplete groups, and the task field annotate adds."""

from __future__ import annotations

import pytest

from snare.engine.annotate import task_fields
from snare.engine.coverage import Coverage
from snare.engine.groups import group_counts, group_counts_by, is_group_row
from snare.engine.rows import PredictionRow


def _row(group: str, image: int, scores: tuple[float, float], **extra: str) -> PredictionRow:
    meta = {"group": group, "image": image, **extra}
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


def test_counts_per_pattern_on_a_hand_computed_case():
    # Color, pair c1: s = [[.9,.1],[.2,.8]] -> text, image, group right.
    # Color, pair c2: s = [[.6,.4],[.7,.3]] -> text: s00>s01 but s11(.3)<s10(.7): wrong; image: s00(.6)<s10(.7): wrong.
    # State, pair s1: s = [[.4,.6],[.3,.7]] -> text wrong (s00<s01); image: s00>s10 (.4>.3), s11>s01 (.7>.6): right.
    rows = [
        _row("c1", 0, (0.9, 0.1), pattern="Color"),
        _row("c1", 1, (0.2, 0.8), pattern="Color"),
        _row("c2", 0, (0.6, 0.4), pattern="Color"),
        _row("c2", 1, (0.7, 0.3), pattern="Color"),
        _row("s1", 0, (0.4, 0.6), pattern="State"),
        _row("s1", 1, (0.3, 0.7), pattern="State"),
    ]
    assert group_counts_by(rows, "pattern") == {
        "Color": {"n": 2, "text": 1, "image": 1, "group": 1, "incomplete": 0},
        "State": {"n": 1, "text": 0, "image": 1, "group": 0, "incomplete": 0},
    }
    fields = task_fields(rows, Coverage(total=6, scored=6), "snare", group_field="pattern")
    assert fields["group_scores"] == {"n": 3, "text": 1, "image": 2, "group": 1, "incomplete": 0}
    assert fields["group_scores_by"]["field"] == "pattern" and set(fields["group_scores_by"]["subsets"]) == {
        "Color",
        "State",
    }
    assert "group_scores_by" not in task_fields(rows, Coverage(total=6, scored=6), "snare", group_field="type")
