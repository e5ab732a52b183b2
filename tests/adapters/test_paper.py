"""--protocol snare-paper: each model's original score, weights and precision, applied where the user chose none."""

from __future__ import annotations

import json

from snare.adapters.paper import SETUPS, apply
from tests.adapters.hf_helpers import bert_vocab
from tests.helpers import run_snare


def test_snare_paper_fills_in_the_original_choices_and_records_each():
    setup = apply("blip", weights=None, dtype=None, device="cpu", options={}, protocol="snare-paper")
    assert (setup.weights, setup.dtype, setup.options) == ("14m", "float32", {"score": "snare"})
    assert setup.record["choices"] == {
        "-o score": {"paper": "snare", "used": "snare"},
        "weights": {"paper": "14m", "used": "14m"},
    }
    assert "model_base_14M.pth" in setup.record["source"]
    mine = apply(
        "blip", weights="x.pth", dtype=None, device="cpu", options={"score": "logodds"}, protocol="snare-paper"
    )
    assert (mine.weights, mine.options) == ("x.pth", {"score": "logodds"})  # the user's choices win, and say so
    assert mine.record["choices"]["-o score"] == {"paper": "snare", "used": "logodds", "why": "given by the user"}
    assert apply("flava", weights=None, dtype=None, device="cpu", options={}, protocol="snare-paper").options == {
        "score": "probability"
    }


def test_snare_paper_precision_is_float16_on_cuda_and_a_one_line_note_on_cpu():
    on_cuda = apply("clip", weights=None, dtype=None, device="cuda:1", options={}, protocol="snare-paper")
    assert on_cuda.dtype == "float16" and not on_cuda.notes
    on_cpu = apply("clip", weights=None, dtype=None, device="cpu", options={}, protocol="snare-paper")
    assert on_cpu.dtype == "float32" and len(on_cpu.notes) == 1 and "\n" not in on_cpu.notes[0]
    assert (
        on_cpu.record["choices"]["dtype"]["paper"] == "float16"
        and on_cpu.record["choices"]["dtype"]["used"] == "float32"
    )
    assert "on cpu the original ran float32" in on_cpu.record["choices"]["dtype"]["why"]
    given = apply("clip", weights=None, dtype="bfloat16", device="cuda", options={}, protocol="snare-paper")
    assert given.dtype == "bfloat16" and given.record["choices"]["dtype"]["why"] == "given by the user"


def test_other_protocols_and_unlisted_models_are_left_as_given():
    for protocol, model in (("snare", "blip"), ("aro-paper", "xvlm"), ("snare-paper", "constant")):
        setup = apply(model, weights=None, dtype=None, device="cpu", options={"a": "1"}, protocol=protocol)
        assert (setup.weights, setup.dtype, setup.options, setup.record) == (None, "float32", {"a": "1"}, None)
    assert set(SETUPS) <= {"clip", "blip", "xvlm", "flava", "blip2-yesno"}


def test_snare_paper_choices_are_visible_in_results_json(tmp_path):
    out = tmp_path / "run"
    args = ["--model", "blip", "--weights", "random", "-o", "config=tiny", "-o", f"tokenizer={bert_vocab()}"]
    proc = run_snare("eval", *args, "--limit", "3", "--protocol", "snare-paper", "--output", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    model = json.loads((out / "results.json").read_text())["model"]
    assert model["options"]["score"] == "snare" and model["preprocessing"]["score"] == "snare"
    assert model["setup"]["choices"]["-o score"] == {"paper": "snare", "used": "snare"}
    assert model["setup"]["choices"]["weights"] == {"paper": "14m", "used": "random", "why": "given by the user"}
    plain = tmp_path / "plain"
    proc = run_snare("eval", *args, "--limit", "3", "--output", str(plain), "-q")
    assert proc.returncode == 0, proc.stderr
    model = json.loads((plain / "results.json").read_text())["model"]
    assert "setup" not in model and model["preprocessing"]["score"] == "logodds"
