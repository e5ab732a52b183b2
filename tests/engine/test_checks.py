"""Load-time checks catch deliberately broken adapters: train mode, nondeterminism, a wrong activation variant."""

import json
from collections.abc import Sequence

import numpy as np
import pytest

from snare.adapters.base import AdapterMeta, DualEncoder, PairScorer
from snare.adapters.constant import Constant
from snare.engine.checks import (
    REFERENCE_CAPTIONS,
    check_known_reference,
    record_reference,
    reference_entry,
    reference_key,
    run_load_checks,
)
from snare.errors import AdapterError


class TrainModeDual(DualEncoder):
    """A tiny torch model whose author forgot .eval(): dropout stays on."""

    meta = AdapterMeta(name="broken-train", family="test", head="cos", default_weights="random", license="mit")

    def load(self) -> None:
        import torch

        torch.manual_seed(0)
        self.model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.Dropout(0.5))  # no .eval()

    def _run(self, n: int) -> np.ndarray:
        import torch

        with torch.no_grad():
            return self.model(torch.ones(n, 8)).numpy()

    def embed_images(self, images: Sequence) -> np.ndarray:
        return self._run(len(images))

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(len(texts)) + np.arange(len(texts))[:, None]


class RandomScores(PairScorer):
    """Returns different scores for the same input on every call."""

    meta = AdapterMeta(name="broken-random", family="test", head="itm", default_weights="none", license="mit")

    def load(self) -> None:
        self.rng = np.random.default_rng()

    def score_pairs(self, images: Sequence, texts: Sequence[str]) -> np.ndarray:
        return self.rng.random(len(texts))


def test_train_mode_adapter_is_caught_at_load():
    with pytest.raises(
        AdapterError, match=r"'broken-train' failed the eval-mode check: 3 modules .* \(e\.g\. model\.1 \(Dropout\)\)"
    ):
        run_load_checks(TrainModeDual())


def test_nondeterministic_adapter_is_caught_at_load():
    with pytest.raises(AdapterError, match="'broken-random' failed the determinism check"):
        run_load_checks(RandomScores())


def test_a_sound_adapter_records_dtype_device_variant_and_reference_scores():
    found = run_load_checks(Constant(value=0.5))
    assert found["eval_mode"] and found["deterministic"]
    assert (found["dtype"], found["device"]) == ("float32", "cpu")
    assert found["reference"]["scores"] == [0.5] * len(REFERENCE_CAPTIONS)
    assert found["known_reference"]["status"] == "no reference recorded"
    json.dumps(found)  # goes into results.json as it is


def test_a_recorded_reference_is_found_on_the_next_load(tmp_path):
    adapter = Constant(value=0.5)
    key = record_reference(adapter, tmp_path / "refs.json")
    table = json.loads((tmp_path / "refs.json").read_text())["references"]
    assert key == reference_key(adapter) and table[key]["scores"] == [0.5] * len(REFERENCE_CAPTIONS)
    assert run_load_checks(Constant(value=0.5), references=table)["known_reference"]["status"] == "matched"
    with pytest.raises(AdapterError, match="failed the reference check"):
        run_load_checks(Constant(value=0.25), references=table)


def test_known_reference_mismatch_names_the_key_and_a_cause():
    adapter = Constant(value=0.5)
    adapter.ensure_loaded()
    entry = {**reference_entry(adapter), "scores": [0.25] * len(REFERENCE_CAPTIONS)}
    refs = {reference_key(adapter): entry}
    with pytest.raises(AdapterError, match=r"reference check for constant\|none\|-.*differ .* by 0\.25"):
        check_known_reference(adapter, np.full(len(REFERENCE_CAPTIONS), 0.5), refs)
    ok = check_known_reference(adapter, np.full(len(REFERENCE_CAPTIONS), 0.25 + 1e-6), refs)
    assert ok["status"] == "matched"


@pytest.fixture(scope="module")
def tiny_clip_arch(tmp_path_factory):
    """A two-layer open_clip architecture registered under a test name (milliseconds per forward pass)."""
    import open_clip

    cfg = {
        "embed_dim": 32,
        "vision_cfg": {"image_size": 64, "layers": 1, "width": 64, "patch_size": 32, "head_width": 32},
        "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 64, "heads": 2, "layers": 1},
    }
    path = tmp_path_factory.mktemp("oc") / "snare-test-tiny.json"
    path.write_text(json.dumps(cfg))
    open_clip.add_model_config(path)
    return "snare-test-tiny"


def test_wrong_activation_is_caught_against_recorded_reference_scores(tiny_clip_arch):
    from snare.adapters.clip import OpenClip

    trusted = OpenClip("random", seed=0, arch=tiny_clip_arch, quick_gelu="true")
    trusted.ensure_loaded()
    refs = {reference_key(trusted): reference_entry(trusted)}
    assert refs[reference_key(trusted)]["variant"]["activation"] == "quick_gelu"

    same = OpenClip("random", seed=0, arch=tiny_clip_arch, quick_gelu="true")
    assert run_load_checks(same, references=refs)["known_reference"]["status"] == "matched"

    wrong = OpenClip("random", seed=0, arch=tiny_clip_arch)  # the architecture's default: plain GELU
    with pytest.raises(
        AdapterError, match=r"activation differs \(reference: quick_gelu, this run: gelu\); pass -o quick_gelu=true"
    ):
        run_load_checks(wrong, references=refs)


def test_cli_plugin_left_in_train_mode_is_one_line_exit_2(monkeypatch, capsys, tmp_path):
    from snare.adapters import registry
    from snare.cli.main import main

    monkeypatch.setitem(registry.BUILTIN, "broken-train", "tests.engine.test_checks:TrainModeDual")
    with pytest.raises(SystemExit) as exit_info:
        main(["eval", "--model", "broken-train", "--limit", "2", "-q", "--no-cache", "--output", str(tmp_path / "o")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: adapter 'broken-train' failed the eval-mode check")
    assert not (tmp_path / "o").exists()
