"""``snare probes``: the protocols are listed, and ``--protocol snare-balanced`` builds what eval then accepts."""

import json
import re

from tests.helpers import run_snare


def test_probes_list_shows_every_protocol():
    proc = run_snare("probes", "list")
    assert proc.returncode == 0, proc.stderr
    for name in ("snare-balanced", "snare-paper", "aro-paper"):
        assert name in proc.stdout
    assert "[false, true]" in proc.stdout  # the ARO title is printed, not read as markup


def test_build_balanced_then_eval_only_under_its_protocol(tmp_path):
    balanced, default = tmp_path / "balanced", tmp_path / "default"
    proc = run_snare("probes", "build", "negation_logic", "-s", "synthetic", "--out", str(balanced), "--protocol",
                     "snare-balanced")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((balanced / "manifest.json").read_text())
    assert manifest["protocol"]["name"] == "snare-balanced"
    build = manifest["build"]["negation_logic"]
    assert f"negation_logic: {build['items']} items from {build['candidates']} candidates" in proc.stdout
    assert build["default_items"] == 300 and 0.25 * 300 <= build["items"] <= 300
    proc = run_snare("probes", "build", "negation_logic", "-s", "synthetic", "-o", str(default), "--protocol", "snare")
    assert proc.returncode == 0, proc.stderr
    proc = run_snare("eval", "--model", "constant", "--probes", str(default), "--protocol", "snare-balanced", "-q")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: --protocol snare-balanced scores probe sets built under it; this one was built under --protocol "
        "snare (rebuild it: snare probes build ... --protocol snare-balanced)"
    ]
    out = tmp_path / "run"
    proc = run_snare("eval", "--model", "constant", "--probes", str(balanced), "--protocol", "snare-balanced", "-q",
                     "--no-cache", "--output", str(out))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    results = json.loads((out / "results.json").read_text())
    assert results["tasks"]["negation_logic"]["n"] == build["items"]


def test_o_is_a_model_option_and_probes_build_keeps_its_old_o_with_a_note(tmp_path, capsys):
    from snare.cli.main import expand_aliases

    argv = ["probes", "build", "negation_logic", "-s", "synthetic", "-o", "D"]
    assert expand_aliases(argv) == [*argv[:-2], "--out", "D"]
    assert "--model-option in snare eval; write --out" in capsys.readouterr().err
    assert expand_aliases(["eval", "-o", "score=itm"]) == ["eval", "-o", "score=itm"]
    help_text = run_snare("probes", "build", "--help", env={"COLUMNS": "200"}).stdout
    assert "--out" in help_text and not re.search(r"(?<![\w-])-o\b", help_text)
