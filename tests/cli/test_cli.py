import json
import subprocess
import sys

from tests.helpers import REPO, run_snare


def _imported_modules(*args: str) -> set[str]:
    code = f"import sys; from snare.cli.main import main; main({list(args)!r})"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if "|" in line}


def test_help_and_models_list_import_no_heavy_library():
    for args in (["--help"], ["models", "list"], ["probes", "list"]):
        modules = _imported_modules(*args)
        assert "snare" in modules
        assert not modules & {"torch", "transformers", "spacy", "open_clip", "datasets"}, args


def test_unknown_model_suggests_close_names():
    proc = run_snare("eval", "--model", "clipp")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: unknown model 'clipp'. Did you mean 'clip'? See: snare models list"
    ]


def test_unknown_task_and_bad_limit_are_one_line_exit_2():
    proc = run_snare("eval", "--model", "constant", "--task", "negation")
    assert proc.returncode == 2 and "unknown task 'negation'. Did you mean 'negation_logic'?" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    proc = run_snare("eval", "--model", "constant", "--limit", "0")
    assert proc.returncode == 2 and "--limit" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_unwritable_output_fails_before_work(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = run_snare("eval", "--model", "constant", "--output", str(blocker))
    assert proc.returncode == 2 and "is not a folder" in proc.stderr


def test_constant_model_end_to_end_counts_every_item_as_a_tie(tmp_path):
    out = tmp_path / "run"
    proc = run_snare("eval", "--model", "constant", "--limit", "10", "--output", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    results = json.loads((out / "results.json").read_text())
    assert set(results["tasks"]) == {
        "semantic_structure",
        "negation_logic",
        "attribute_ownership",
        "relationship_composition",
        "spatial_relations",
    }
    for summary in results["tasks"].values():
        assert summary["accuracy"] == 0.0 and summary["ties"] == summary["n"] == 10
    rows = [json.loads(line) for line in (out / "predictions" / "negation_logic.jsonl").read_text().splitlines()]
    assert {"id", "task", "cluster", "scores", "correct", "predicted"} <= set(rows[0])
    assert results["probeset"]["fingerprint"].startswith("sha256:")
    assert results["snare_version"] and results["model"]["name"] == "constant"


def test_existing_output_is_not_overwritten_without_flag(tmp_path):
    out = tmp_path / "run"
    assert run_snare("eval", "--model", "constant", "--limit", "2", "--output", str(out), "-q").returncode == 0
    proc = run_snare("eval", "--model", "constant", "--limit", "2", "--output", str(out), "-q")
    assert proc.returncode == 2 and "--overwrite" in proc.stderr
