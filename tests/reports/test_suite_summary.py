"""A suite's tasks side by side with micro (pooled) and macro (mean of tasks) accuracy, strict, with intervals."""

from __future__ import annotations

import pytest

from snare.engine.rows import PredictionRow
from snare.reports.suite_summary import suite_lines, suite_summary


def _rows(task: str, outcomes: list[str]) -> list[PredictionRow]:
    scores = {"right": (0.9, 0.1), "wrong": (0.1, 0.9), "tie": (0.5, 0.5)}
    return [
        PredictionRow(id=f"{task}/{k}", task=task, cluster=f"img{k % 5}", scores=scores[o], correct=0)
        for k, o in enumerate(outcomes)
    ]


def test_micro_pools_items_macro_averages_tasks_and_ties_are_wrong():
    rows = {
        "sugarcrepe_swap_obj": _rows("sugarcrepe_swap_obj", ["right"] * 9 + ["tie"]),  # 0.9
        "sugarcrepe_add_att": _rows("sugarcrepe_add_att", ["right"] * 10 + ["wrong"] * 30),  # 0.25
    }
    s = suite_summary("sugarcrepe", ["sugarcrepe_swap_obj", "sugarcrepe_add_att"], rows, n_boot=200)
    assert s.tasks == (("sugarcrepe_swap_obj", 10, 9), ("sugarcrepe_add_att", 40, 10))
    assert s.micro == pytest.approx(19 / 50) and s.macro == pytest.approx((0.9 + 0.25) / 2)
    assert s.micro_interval.low <= s.micro <= s.micro_interval.high
    assert s.macro_interval.low <= s.macro <= s.macro_interval.high
    lines = suite_lines(s)
    assert all(len(line) <= 80 for line in lines) and lines[-2].split()[:4] == ["micro", "(all", "items)", "50"]
    with pytest.raises(ValueError, match="no rows for task 'sugarcrepe_swap_att'"):
        suite_summary("sugarcrepe", ["sugarcrepe_swap_att"], rows)
