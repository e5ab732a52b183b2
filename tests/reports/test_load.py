import json
from pathlib import Path

import pytest

from snare.engine.record import RunRecord
from snare.reports.load import ReportInputError, RunData, assign_labels, load_run
from tests.reports.builders import simulated_run


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return simulated_run(tmp_path / "run", "negation_logic", [True, False, True, True])


def _edit_rows(folder: Path, task: str, edit) -> Path:
    file = folder / "predictions" / f"{task}.jsonl"
    rows = [json.loads(line) for line in file.read_text().splitlines()]
    rows = edit(rows)
    file.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return file


def _error(path: Path) -> str:
    with pytest.raises(ReportInputError) as info:
        load_run(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_a_valid_run_loads_every_row(run_dir: Path):
    run = load_run(run_dir)
    assert [r.id for r in run.rows["negation_logic"]] == [f"negation_logic/{i:04d}" for i in range(4)]
    assert run.fingerprint == "sha256:" + "a" * 64 and run.default_label() == "fake/w0"


def test_a_baseline_run_is_labelled_as_one(run_dir: Path):
    run = load_run(run_dir)
    run.record.model = run.model.model_copy(update={"family": "baseline"})
    assert run.default_label() == "fake/w0 (baseline)"


def test_not_a_results_directory(tmp_path: Path):
    assert "not found" in _error(tmp_path / "nope")
    (tmp_path / "file").write_text("x")
    assert "not a results directory" in _error(tmp_path / "file")
    (tmp_path / "empty").mkdir()
    message = _error(tmp_path / "empty")
    assert "results.json is missing" in message and str(tmp_path / "empty") in message


def test_broken_results_json(run_dir: Path):
    (run_dir / "results.json").write_text("{not json")
    assert "results.json: not valid JSON" in _error(run_dir)
    (run_dir / "results.json").write_text("[]")
    assert "no 'tasks' table" in _error(run_dir)


def test_missing_and_extra_prediction_files(run_dir: Path):
    file = run_dir / "predictions" / "negation_logic.jsonl"
    extra = run_dir / "predictions" / "spatial_relations.jsonl"
    extra.write_text(file.read_text())
    assert _error(run_dir).startswith(f"{extra}: extra predictions file")
    extra.unlink()
    file.unlink()
    assert _error(run_dir).startswith(f"{file}: missing")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda rows: rows[:-1], "3 items but results.json says n=4 for negation_logic (missing items)"),
        (lambda rows: [*rows, {**rows[0], "id": "new"}], "(extra items)"),
        (lambda rows: [*rows[:-1], rows[0]], "duplicate item id"),
        (lambda rows: [{**rows[0], "scores": [float("nan"), 1.0]}, *rows[1:]], "NaN or infinity"),
        (lambda rows: [*rows[:-1], {**rows[-1], "task": "spatial_relations"}], "(mixed tasks)"),
        (
            lambda rows: [*rows[:-1], {**rows[-1], "scores": [1.0, 2.0, 3.0], "labels": None}],
            "earlier negation_logic items have 2",
        ),
        (lambda rows: [{**rows[0], "correct": 5}, *rows[1:]], "correct=5 but only 2 scores"),
        (lambda rows: [{k: v for k, v in rows[0].items() if k != "cluster"}, *rows[1:]], "cluster: Field required"),
    ],
)
def test_bad_rows_name_the_file_and_line(run_dir: Path, edit, expected):
    file = _edit_rows(run_dir, "negation_logic", edit)
    message = _error(run_dir)
    assert message.startswith(str(file)) and expected in message


def test_unparsable_line_names_its_number(run_dir: Path):
    file = run_dir / "predictions" / "negation_logic.jsonl"
    file.write_text(file.read_text() + "{oops\n")
    assert _error(run_dir).startswith(f"{file}:5: not valid JSON")


def test_items_missing_from_the_probe_set_total(run_dir: Path):
    results = json.loads((run_dir / "results.json").read_text())
    results["probeset"]["n_items"] = 6
    (run_dir / "results.json").write_text(json.dumps(results))
    assert "4 items in all but the probe set has 6 (missing items)" in _error(run_dir)


def test_labels_are_unique(tmp_path: Path):
    clip = {"name": "clip", "weights": "random"}
    runs = [
        RunData(tmp_path / name, RunRecord.model_validate({"model": clip, "seed": s}))
        for name, s in (("a", 0), ("b", 1), ("c", 1))
    ]
    assign_labels(runs)
    assert [r.label for r in runs] == ["clip/random seed=0 [a]", "clip/random seed=1 [b]", "clip/random seed=1 [c]"]


def test_a_partial_run_may_hold_fewer_items_than_its_probe_set(run_dir: Path):
    results = json.loads((run_dir / "results.json").read_text())
    results["probeset"]["n_items"] = 6
    results["partial"] = True
    (run_dir / "results.json").write_text(json.dumps(results))
    assert len(load_run(run_dir).rows["negation_logic"]) == 4
