"""``snare eval``'s researcher habits: lm-eval spellings, --log-samples, --device auto, one note."""

import json
import re
from pathlib import Path

import pytest

from snare.cli import eval as eval_cli
from snare.cli.main import expand_aliases, main
from snare.errors import SnareError


def _snare(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main([*args])
    captured = capsys.readouterr()
    return int(info.value.code or 0), captured.out, captured.err


def test_lm_eval_spellings_are_rewritten_only_for_eval_and_only_before_a_double_dash():
    argv = ["eval", "--tasks", "a,b", "--output_path=runs/x", "--batch_size", "8", "--model_args", "k=v", "--"]
    assert expand_aliases([*argv, "--tasks"]) == [
        "eval", "--task", "a,b", "--output=runs/x", "--batch-size", "8", "--model-option", "k=v", "--", "--tasks",
    ]  # fmt: skip
    assert expand_aliases(["report", "--tasks", "x"]) == ["report", "--tasks", "x"]
    assert expand_aliases([]) == []


def test_comma_lists_and_model_args_pairs():
    assert eval_cli.split_commas(["negation_logic,spatial_relations", "negation_logic", " coco_order "]) == [
        "negation_logic",
        "spatial_relations",
        "coco_order",
    ]
    assert eval_cli.parse_options(["arch=ViT-B-32,pretrained=openai", "classes=a,b"]) == {
        "arch": "ViT-B-32",
        "pretrained": "openai",
        "classes": "a,b",  # a comma inside a value stays when what follows is not KEY=VALUE
    }
    with pytest.raises(SnareError, match="KEY=VALUE"):
        eval_cli.parse_options(["novalue"])


def test_device_auto_prefers_cuda_then_mps_then_cpu(monkeypatch: pytest.MonkeyPatch):
    import torch

    monkeypatch.setattr(eval_cli, "may_have_accelerator", lambda: False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert eval_cli.resolve_device("auto") == "cpu", "no driver: the CPU, without asking torch"
    monkeypatch.setattr(eval_cli, "may_have_accelerator", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert eval_cli.resolve_device("auto") == "cpu"
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert eval_cli.resolve_device("auto") == "mps"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert eval_cli.resolve_device("auto") == "cuda"
    assert eval_cli.resolve_device("cpu") == "cpu"
    with pytest.raises(SnareError, match="use auto, cpu"):
        eval_cli.resolve_device("tpu")


def test_aliases_end_to_end_with_log_samples(tmp_path: Path, capsys):
    out = tmp_path / "run"
    args = ["eval", "--model", "constant", "--tasks", "negation_logic,spatial_relations", "--limit", "3"]
    code, _, err = _snare(capsys, *args, "--output_path", str(out), "--batch_size", "2", "--log_samples", "-q")
    assert code == 0, err
    results = json.loads((out / "results.json").read_text())
    assert sorted(results["tasks"]) == ["negation_logic", "spatial_relations"] and results["batch_size"] == 2
    row = json.loads((out / "predictions" / "spatial_relations.jsonl").read_text().splitlines()[0])
    assert len(row["options"]) == len(row["scores"]) == 4 and row["image"]["scene"].startswith("synthetic-v1|")
    assert row["correct_text"] == row["options"][row["correct"]]
    assert row["predicted"] is None and row["predicted_text"] is None  # the constant model ties every option


def test_log_samples_needs_output_and_fails_before_work(capsys):
    code, out, err = _snare(capsys, "eval", "--model", "constant", "--log-samples")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "error: --log-samples writes into predictions/ of --output; pass --output DIR too"
    ]


def test_default_model_note_is_printed_once(capsys):
    code, out, err = _snare(capsys, "eval", "--limit", "1", "--task", "negation_logic")
    assert code == 0, err
    assert (out + err).count("no --model given") == 1 and "no --model given" in err


def test_flags_show_no_value_placeholder_in_help(capsys):
    code, out, _ = _snare(capsys, "eval", "--help")
    assert code == 0
    assert "--overwrite" in out and "--log-samples" in out and "--batch-size" in out
    assert "<bool>" not in out, "a flag takes no value"
    assert "<int" in out, "options that take a value keep their type"
    code, out, _ = _snare(capsys, "train-reference", "--help")
    assert code == 0 and "``" not in out and "<bool>" not in out


def test_contrast_protocol_shows_pairs_and_a_blind_model_gets_none(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = tmp_path / "run"
    args = ["eval", "--model", "blind-ngram", "--protocol", "snare-contrast", "--limit", "40", "--output", str(out)]
    code, stdout, err = _snare(capsys, *args)
    assert code == 0, err
    assert "pairs" in stdout and all(len(line) <= 80 for line in stdout.splitlines())
    results = json.loads((out / "results.json").read_text())
    assert sorted(results["tasks"]) == [
        "attribute_ownership", "negation_logic", "relationship_composition", "semantic_structure", "spatial_relations"
    ]  # fmt: skip
    assert results["protocol"]["contrast_twins"] is True
    for name, task in results["tasks"].items():
        if name == "semantic_structure":  # a word-order task: the default construction's items, no twins
            assert task.get("pairs") is None and task["n"] == 40
            continue
        assert task["pairs"] == 20 and task["pairs_correct"] == 0 and task["pair_accuracy"] == 0.0
        assert task["accuracy"] <= 0.5


def test_the_builtin_scenes_are_scored_as_contrast_twins_unless_a_protocol_is_named(tmp_path: Path, capsys):
    runs = {}
    for name, extra in (("default", []), ("snare", ["--protocol", "snare"])):
        args = ["eval", "--model", "constant", "-t", "negation_logic", "-q", "--no-cache", "--json", *extra]
        code, stdout, err = _snare(capsys, *args)
        assert code == 0, err
        runs[name] = json.loads(stdout)
    assert runs["default"]["protocol"]["name"] == "snare-contrast"
    assert runs["default"]["tasks"]["negation_logic"]["pairs"] == 300
    assert runs["snare"]["protocol"]["name"] == "snare" and "pairs" not in runs["snare"]["tasks"]["negation_logic"]
    code, _, err = _snare(capsys, "eval", "--model", "constant", "-t", "coco_order")
    assert code != 0 and "coco_order" in err and len(err.strip().splitlines()) == 1


def test_loading_is_logged_with_device_dtype_and_seconds_and_half_on_cpu_is_noted(capsys):
    code, _, err = _snare(capsys, "eval", "--model", "reference", "--limit", "1", "--no-cache", "--dtype", "bfloat16")
    assert code == 0, err
    lines = err.splitlines()
    start = lines.index("snare: loading reference (shipped) on cpu, bfloat16")
    ready = next(i for i, line in enumerate(lines) if line.startswith("snare: reference (shipped) ready on cpu"))
    assert start < ready and re.search(r"ready on cpu, bfloat16, in \d+\.\ds$", lines[ready])
    assert sum("--dtype bfloat16 on the CPU runs much slower than float32" in line for line in lines) == 1
    assert eval_cli.half_on_cpu("float32", "cpu") == [] and eval_cli.half_on_cpu("float16", "cuda") == []


_REFUSAL = """
import sys
from snare.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    heavy = [m for m in ("torch", "transformers", "open_clip") if m in sys.modules]
    print(exc.code, heavy)
"""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "blip"], "weights Salesforce/blip-itm-base-coco could not be loaded"),
        (["--model", "clip", "--weights", "./missing.pt"], "--weights ./missing.pt: no such file or folder"),
        (["--weights", "weights/none.safetensors"], "no such file or folder"),
    ],
)
def test_offline_refusals_come_before_any_heavy_import(args: list[str], message: str, tmp_path: Path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"), "HF_HUB_CACHE": ""}
    proc = subprocess.run(
        [sys.executable, "-c", _REFUSAL, "eval", *args, "--limit", "1", "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.stdout.strip() == "2 []", (proc.stdout, proc.stderr)
    assert len(proc.stderr.strip().splitlines()) == 1 and message in proc.stderr, proc.stderr


def test_a_cached_or_reachable_hub_id_and_a_tag_pass_the_weights_check(tmp_path: Path, monkeypatch):
    from snare.adapters.hub import check_weights

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    (tmp_path / "models--org--tiny" / "snapshots" / ("0" * 40)).mkdir(parents=True)
    for weights in ("org/tiny", "hf-hub:org/tiny", "openai", "random", "shipped", str(tmp_path)):
        check_weights(weights)  # no error
    with pytest.raises(SnareError, match="weights org/other could not be loaded"):
        check_weights("hf-hub:org/other")


def test_model_args_pretrained_is_weights(capsys):
    assert eval_cli.take_pretrained({"pretrained": "org/x", "score": "itm"}, None) == "org/x"
    options = {"pretrained": "org/x"}
    assert eval_cli.take_pretrained(options, "org/x") == "org/x" and options == {}
    with pytest.raises(SnareError, match="name different weights"):
        eval_cli.take_pretrained({"pretrained": "org/x"}, "org/y")
    args = ["eval", "--model", "reference", "--model_args", "pretrained=shipped", "--limit", "1", "--json", "-q"]
    code, out, err = _snare(capsys, *args, "--no-cache")
    assert code == 0, err
    assert json.loads(out)["model"]["weights"] == "shipped"


def test_a_model_that_reads_no_hub_ids_keeps_its_own_message(tmp_path: Path, monkeypatch):
    from snare.adapters.hub import check_weights

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    check_weights("Salesforce/blip-itm-base-coco", hub_ids=False)  # xvlm's: left to the adapter's own message
    with pytest.raises(SnareError, match="could not be loaded"):
        check_weights("hf-hub:org/x", hub_ids=False)  # an explicit hub id is one, whatever the model


def test_a_folder_is_scored_under_the_protocol_it_was_built_under_unless_one_is_named(tmp_path: Path, capsys):
    folder = tmp_path / "contrast"
    code, _, err = _snare(capsys, "probes", "build", "negation_logic", "-s", "synthetic", "--out", str(folder), "-q")
    assert code == 0, err  # the built-in scenes: a contrast set unless --protocol says otherwise
    runs = {}
    for name, extra in (("as-built", []), ("named", ["--protocol", "snare"])):
        code, stdout, err = _snare(capsys, "eval", "--model", "constant", "--probes", str(folder), "--json", *extra)
        assert code == 0, err
        runs[name] = json.loads(stdout)
    assert runs["as-built"]["protocol"]["name"] == "snare-contrast"
    assert runs["named"]["protocol"]["name"] == "snare"
    (folder / "manifest.json").write_text("{not json")
    code, _, err = _snare(capsys, "eval", "--model", "constant", "--probes", str(folder))
    assert code != 0 and len(err.strip().splitlines()) == 1 and "manifest.json" in err  # the load's one line
