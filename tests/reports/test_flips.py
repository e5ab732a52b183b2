"""Answers that flip between two runs differing only in batch size or dtype: counted per task, listed by id."""

import csv
import io
import json
from pathlib import Path

import pytest

from snare.engine.record import RunRecord
from snare.reports.flips import find_flips, flip_comparable, flips_between
from snare.reports.load import load_run
from snare.reports.render import render
from snare.reports.report import build_report
from tests.helpers import make_row
from tests.reports.builders import HAND_TIES, hand_made_run, item, write_run

FLIPPED = "negation_logic/0002"  # the near tie [1, 1 + 1e-9]: its verdict is the one that noise can flip


def _swapped_run(folder: Path, **record_kw) -> Path:
    """The hand-made example with one item's two scores swapped (as a change of batch size might do to a near tie)."""
    items, scores = [], {}
    for task, table in HAND_TIES.items():
        for i, values in enumerate(table):
            it = item(task, i)
            items.append(it)
            scores[it.id] = values[::-1] if it.id == FLIPPED else values
    return write_run(folder, items, scores, **record_kw)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    base = tmp_path_factory.mktemp("flips")
    a = hand_made_run(base / "b8", batch_size=8, model={"dtype": "float32"})
    b = _swapped_run(base / "b32", batch_size=32, model={"dtype": "float32"})
    return [a, b]


def test_the_swapped_item_is_listed_with_the_settings_that_differ(pair: list[Path]):
    (flips,) = find_flips([load_run(p) for p in pair])
    assert flips.differs == {"batch_size": (8, 32)} and flips.describe_difference() == "batch_size 8 → 32"
    assert flips.total == 1 and set(flips.tasks) == {"negation_logic", "attribute_ownership"}
    negation = flips.tasks["negation_logic"]
    assert (negation.n, [f.id for f in negation.flips], negation.lost, negation.gained) == (4, [FLIPPED], 0, 1)
    assert not flips.tasks["attribute_ownership"].flips


def test_every_format_shows_the_flip_count_and_json_the_ids(pair: list[Path]):
    report = build_report(pair, n_boot=100)
    data = json.loads(render(report, "json"))
    (flips,) = data["flips"]
    assert flips["differs"] == {"batch_size": [8, 32]} and flips["flips"] == 1
    assert flips["tasks"]["negation_logic"]["ids"] == [FLIPPED]
    assert flips["tasks"]["negation_logic"]["items"][0]["predicted"] == [1, 0]
    assert flips["tasks"]["attribute_ownership"]["ids"] == []
    row = "| fake/w0 batch_size=8 | fake/w0 batch_size=32 | batch_size 8 → 32 | negation_logic | 4 | 1 | 0 | 1 |"
    assert "## Answers that flip between runs" in render(report, "md") and row in render(report, "md")
    assert "Answers that flip between runs" in render(report, "html") and "batch_size 8 → 32" in render(report, "table")
    assert "batch\\_size 8 → 32 & negation\\_logic & 4 & 1 & 0 & 1" in render(report, "latex")
    rows = [r for r in csv.DictReader(io.StringIO(render(report, "csv"))) if r["kind"] == "flips"]
    counts = {r["task"]: (r["n"], r["k"], r["differs"]) for r in rows}
    assert counts == {
        "attribute_ownership": ("5", "0", "batch_size 8 → 32"),
        "negation_logic": ("4", "1", "batch_size 8 → 32"),
    }


def test_a_dtype_change_is_named(tmp_path: Path):
    a = hand_made_run(tmp_path / "fp32", batch_size=8, model={"dtype": "float32"})
    b = _swapped_run(tmp_path / "fp16", batch_size=8, model={"dtype": "float16"})
    (flips,) = find_flips([load_run(a), load_run(b)])
    assert flips.differs == {"dtype": ("float32", "float16")}


def test_runs_of_other_models_or_identical_settings_are_not_compared(tmp_path: Path, pair: list[Path]):
    same = _swapped_run(tmp_path / "same", batch_size=8, model={"dtype": "float32"})
    other = _swapped_run(tmp_path / "other", name="other", batch_size=32, model={"dtype": "float32"})
    assert find_flips([load_run(pair[0]), load_run(same)]) == []  # nothing differs that should not matter
    assert find_flips([load_run(pair[0]), load_run(other)]) == []  # another model: differences are expected
    report = build_report([pair[0], other], n_boot=100)
    assert report.flips == [] and "Answers that flip" not in render(report, "md")


FLIP_ROWS = [
    {"id": "a", "task": "t", "scores": [2.0, 1.0, 0.0], "correct": 0},
    {"id": "b", "task": "t", "scores": [1.0, 1.0, 0.0], "correct": 0},  # a tie: no strict answer
    {"id": "c", "task": "t", "scores": [0.3, 0.3, 0.3, 0.3], "correct": 3},
    {"id": "d", "task": "t", "scores": [0.0, 1.0, 1.0], "correct": 0},
    {"id": "e", "task": "t", "scores": [0.5, 0.5 + 1e-8], "correct": 1},  # a near tie, strict right
    {"id": "f", "task": "t", "scores": [1.0, 3.0], "correct": 0},
]


def test_flips_between_two_runs_are_listed_by_id():
    rows = [make_row(**r) for r in FLIP_ROWS]
    other = list(rows)
    other[4] = make_row(**{**FLIP_ROWS[4], "scores": [0.5 + 2e-8, 0.5]})  # the near tie flips
    other[1] = make_row(**{**FLIP_ROWS[1], "scores": [1.0, 1.0, 0.0]})  # unchanged tie: no flip
    flips = flips_between(rows, [*other, make_row(id="zz", task="t", scores=[1, 0], correct=0)])
    assert [(f.id, f.predicted_a, f.predicted_b, f.correct_a, f.correct_b) for f in flips] == [("e", 1, 0, True, False)]


def test_flip_comparison_needs_same_model_and_probe_set():
    base = {"probeset": {"fingerprint": "sha256:x"}, "model": {"name": "m", "weights": "w", "dtype": "float32"}}
    other = {**base, "batch_size": 7, "model": {**base["model"], "dtype": "float16"}}
    assert flip_comparable(_record({**base, "batch_size": 32}), _record(other)) == ["batch_size", "dtype"]
    with pytest.raises(ValueError, match="different probe sets"):
        flip_comparable(_record(base), _record({**base, "probeset": {"fingerprint": "sha256:y"}}))
    with pytest.raises(ValueError, match="different models"):
        flip_comparable(_record(base), _record({**base, "model": {**base["model"], "weights": "v"}}))


def _record(data: dict) -> RunRecord:
    return RunRecord.model_validate(data)
