"""Winoground's text, image and group scores from the two items of each 2x2 example, on hand-computed cases."""

from __future__ import annotations

import pytest

from snare.engine.rows import PredictionRow
from snare.reports.groups import example_scores, group_scores, group_table


def _rows(key: str, s: tuple[tuple[float, float], tuple[float, float]]) -> list[PredictionRow]:
    return [
        PredictionRow(
            id=f"winoground/{key}/image_{i}",
            task="winoground",
            cluster=f"winoground/{key}",
            scores=s[i],
            correct=i,
            meta={"group": f"winoground/{key}", "image": i},
        )
        for i in (0, 1)
    ]


CASES = {  # s[i][c] = score(image i, caption c) -> (text, image, group)
    "all right": (((0.9, 0.1), (0.2, 0.8)), (True, True, True)),
    "text only": (((0.9, 0.1), (0.95, 0.96)), (True, False, False)),  # image 1 wins both captions
    "image only": (((0.5, 0.6), (0.1, 0.7)), (False, True, False)),  # caption 1 wins both images
    "all wrong": (((0.1, 0.9), (0.8, 0.2)), (False, False, False)),
    "all tied": (((0.5, 0.5), (0.5, 0.5)), (False, False, False)),
    "one tie": (((0.9, 0.1), (0.9, 0.95)), (True, False, False)),  # s00 == s10: a tie is wrong
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_example_scores_as_winoground_defines_it(name):
    s, expected = CASES[name]
    assert example_scores(*_rows("0", s)) == expected


def test_a_text_only_scorer_never_gets_an_image_or_group_point():
    # a scorer that reads only the caption gives both images the same score for it: s[0][c] == s[1][c]
    rows = []
    for k, (a, b) in enumerate([(0.9, 0.1), (0.1, 0.9), (0.3, 0.3), (-2.0, 5.0)]):
        rows += _rows(str(k), ((a, b), (a, b)))
    scores = group_scores("winoground", rows)
    assert scores.n == 4 and scores.image == 0 and scores.group == 0 and scores.text == 0


def test_counts_over_examples_with_incomplete_groups_left_out():
    rows = [r for name in CASES for r in _rows(name, CASES[name][0])]
    rows += _rows("cut", ((0.9, 0.1), (0.2, 0.8)))[:1]  # a --limit cut one of its items
    scores = group_scores("winoground", rows)
    assert (scores.n, scores.text, scores.image, scores.group, scores.incomplete) == (6, 3, 2, 1, 1)
    assert scores.rate("group") == pytest.approx(1 / 6)
    low, high = scores.interval("text").low, scores.interval("text").high
    assert 0 < low < 0.5 < high < 1
    lines = group_table([scores])
    assert lines[1].split()[:3] == ["winoground", "6", "50.0"] and all(len(line) <= 80 for line in lines)


def test_rows_that_are_not_a_2x2_example_are_refused():
    good = _rows("0", ((0.9, 0.1), (0.2, 0.8)))
    with pytest.raises(ValueError, match=r"meta\.group and meta\.image"):
        group_scores("t", [good[0].model_copy(update={"meta": {}})])
    with pytest.raises(ValueError, match="has image 0 twice"):
        group_scores("t", [good[0], good[0]])
    wrong = good[1].model_copy(update={"correct": 0})
    with pytest.raises(ValueError, match="not image 1 of a 2x2 example"):
        group_scores("t", [good[0], wrong])
