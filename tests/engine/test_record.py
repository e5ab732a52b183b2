"""The run record holds every field, and its score key moves exactly when a score-relevant field does."""

import copy
import json

import pytest

from snare.adapters.constant import Constant
from snare.engine.evaluate import evaluate
from snare.engine.record import RunRecord, build_record, library_versions
from snare.engine.record import score_key as record_score_key
from snare.probes.synthetic import synthetic_probeset
from snare.protocols import get_protocol


@pytest.fixture(scope="module")
def record():
    """The record's JSON form (what results.json holds)."""
    adapter = Constant(value=0.5)
    adapter.ensure_loaded()
    return build_record(
        adapter, synthetic_probeset(n_scenes=2), batch_size=16, seed=3, protocol=get_protocol("snare-paper")
    ).to_json()


def score_key(data: dict) -> dict:
    return record_score_key(RunRecord.from_json(data, "results.json"))


def test_record_holds_every_field(record):
    assert record["snare_version"] and record["created"] and "git" in record
    model = record["model"]
    assert model["id"] == "constant:none" and {"revision", "dtype", "device", "preprocessing"} <= set(model)
    libs = record["libraries"]
    for name in ("torch", "transformers", "open_clip_torch", "spacy", "python"):
        assert libs[name], name
    assert any(k.startswith("en_core_web_sm") for k in libs["spacy_models"])
    assert record["probeset"]["fingerprint"].startswith("sha256:") and record["probeset"]["n_items"] == 12
    assert record["protocol"]["name"] == "snare-paper" and record["seed"] == 3 and record["batch_size"] == 16
    json.dumps(record)


def test_library_versions_import_nothing_heavy():
    import subprocess
    import sys

    code = "import sys; from snare.engine import record; record.library_versions(); print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
    assert library_versions()["torch"]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("model", "dtype"), "float16"),
        (("model", "revision"), "abc123"),
        (("model", "weights"), "other"),
        (("model", "preprocessing"), {"value": 0.5, "activation": "quick_gelu"}),
        (("model", "device"), "cuda:0"),
        (("libraries", "torch"), "9.9.9"),
    ],
)
def test_score_relevant_fields_change_the_key(record, path, value):
    changed = copy.deepcopy(record)
    changed[path[0]][path[1]] = value
    assert score_key(changed) != score_key(record)


@pytest.mark.parametrize(
    ("key", "value"),
    [("batch_size", 1), ("world_size", 2), ("protocol", {"name": "aro-paper"}), ("probeset", {"fingerprint": "x"})],
)
def test_fields_that_cannot_change_a_score_leave_the_key(record, key, value):
    changed = {**copy.deepcopy(record), key: value}
    assert score_key(changed) == score_key(record)


def test_device_index_and_seed_of_trained_weights_leave_the_key(record):
    changed = copy.deepcopy(record)
    changed["model"]["device"] = "cpu:1"
    changed["seed"] = 99
    assert score_key(changed) == score_key(record)
    random = copy.deepcopy(record)
    random["model"]["weights"] = "random"
    assert score_key({**random, "seed": 1}) != score_key({**random, "seed": 2})  # the seed sets every weight


def test_evaluate_writes_the_full_record(tmp_path):
    result = evaluate(Constant(), synthetic_probeset(n_scenes=2), batch_size=4, protocol="aro-paper", seed=0)
    rec = result.to_json()
    assert rec["checks"]["eval_mode"] and rec["checks"]["reference"]["scores"]
    assert rec["protocol"]["name"] == "aro-paper" and rec["partial"] is False
    assert rec["libraries"]["torch"] and rec["batch_size"] == 4
    task = rec["tasks"]["relationship_composition"]
    assert task["protocol"] == "aro-paper" and task["coverage"]["scored"] == task["n"]
    assert task["split_credit_accuracy"] == pytest.approx(1 / 3) and task["exact_ties"] == task["n"]
    result.write(tmp_path / "run")
    assert json.loads((tmp_path / "run" / "results.json").read_text())["model"]["id"] == "constant:none"


def test_params_are_counted_from_the_loaded_model_else_declared():
    from snare.adapters.registry import create
    from snare.engine.record import count_params

    reference = create("reference", "shipped")
    reference.ensure_loaded()
    counted = sum(p.numel() for p in reference.model.parameters())
    assert counted > 0 and count_params(reference) == counted  # it declares no number: it used to show as "–"
    constant = Constant(value=0.5)
    constant.ensure_loaded()
    assert count_params(constant) == 0  # no torch model: the declared count


def test_results_json_reads_back_into_the_record_and_writes_the_same_bytes(tmp_path):
    from snare.atomic import dumps_json

    result = evaluate(Constant(), synthetic_probeset(n_scenes=2), batch_size=4, protocol="aro-paper", seed=0)
    result.write(tmp_path / "run")
    written = (tmp_path / "run" / "results.json").read_text()
    parsed = RunRecord.from_json(json.loads(written), "results.json")
    assert parsed.model.id == "constant:none" and parsed.protocol_name == "aro-paper"
    assert parsed.tasks["relationship_composition"].coverage.scored == parsed.tasks["relationship_composition"].n
    assert dumps_json(parsed.to_json()) == written


def test_an_old_record_still_reads_and_keeps_its_unknown_keys():
    # written before protocols, coverage and the engine block were recorded; 'notes' is no field of today's
    old = {
        "snare_version": "0.1.0",
        "model": {"name": "clip", "weights": "openai", "legacy_flag": True},
        "probeset": {"name": "synthetic", "fingerprint": "sha256:" + "0" * 64, "n_items": 2},
        "protocol": "aro-paper",
        "seed": 0,
        "notes": ["kept"],
        "tasks": {"negation_logic": {"accuracy": 1, "n": 2, "correct": 2, "ties": 0}},
    }
    parsed = RunRecord.from_json(copy.deepcopy(old), "results.json")
    assert parsed.protocol_name == "aro-paper" and parsed.partial is False and parsed.coverage == {}
    assert parsed.model.options == {} and parsed.tasks["negation_logic"].accuracy == 1
    assert parsed.to_json() == old  # nothing added, nothing dropped, 1 stays 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1, 2], "runs/x/results.json: not a JSON object; not a snare results file"),
        ({"seed": "3"}, "runs/x/results.json: seed: Input should be a valid integer (got '3'); re-run snare eval"),
        (
            {"tasks": {"t": {"n": 1.5}}},
            "runs/x/results.json: tasks.t.n: Input should be a valid integer (got 1.5); re-run snare eval",
        ),
    ],
)
def test_a_malformed_record_is_one_line(data, message):
    from snare.engine.record import RecordError

    with pytest.raises(RecordError) as err:
        RunRecord.from_json(data, "runs/x/results.json")
    assert str(err.value) == message and "\n" not in str(err.value)


def test_an_adapter_that_breaks_its_declared_types_is_one_line():
    from snare.engine.record import RecordError

    adapter = Constant(value=0.5)
    adapter.ensure_loaded()
    adapter.device = 3  # type: ignore[assignment]  # a device is a string
    with pytest.raises(RecordError, match=r"^the run record of adapter 'constant' is malformed: model.device: "):
        build_record(adapter, synthetic_probeset(n_scenes=2), batch_size=1, seed=0, protocol=get_protocol("snare"))
