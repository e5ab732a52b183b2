"""``snare train-reference`` end to end on a tiny budget: files, record, and the weights load back."""

import json

from tests.helpers import run_snare


def test_validity_train_reference_writes_loadable_weights_and_a_record(tmp_path):
    out = tmp_path / "weights"
    proc = run_snare("train-reference", "--steps", "2", "--scenes", "8", "--output", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    assert "McNemar" in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "reference-bow.safetensors",
        "reference.json",
        "reference.safetensors",
    ]
    record = json.loads((out / "reference.json").read_text())
    assert record["command"] == f"snare train-reference --steps 2 --scenes 8 --output {out} -q"
    assert record["settings"]["steps"] == 2 and record["settings"]["n_scenes"] == 8 and record["seed"] == 0
    assert set(record["accuracy"]) == {"reference", "reference-bow"}
    assert set(record["known_groups"]["tasks"]) == {
        "semantic_structure",
        "attribute_ownership",
        "relationship_composition",
        "spatial_relations",
    }
    proc = run_snare(
        "eval", "--model", "reference-bow", "--weights", str(out / "reference-bow.safetensors"), "--limit", "5", "-q"
    )
    assert proc.returncode == 0, proc.stderr
    again = run_snare("train-reference", "--steps", "1", "--scenes", "8", "--output", str(out), "-q")
    assert again.returncode == 2 and "--overwrite" in again.stderr
