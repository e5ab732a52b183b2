"""Replaying a fully cached run without loading the model, and every change that must force a real load."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from snare.engine.evaluate import evaluate
from snare.probes.synthetic import synthetic_probeset
from tests.engine.tiny_models import TinyDual, TinyPair
from tests.helpers import run_snare


class Counted:
    """Counts calls of ``load`` across instances (a replayed run must never call it)."""

    loads = 0
    replay_safe = True

    def load(self) -> None:
        type(self).loads += 1
        super().load()  # type: ignore[misc]


class ReplayDual(Counted, TinyDual):
    loads = 0


class ReplayPair(Counted, TinyPair):
    loads = 0


class UnsafeDual(Counted, TinyDual):
    """A plug-in that did not declare ``replay_safe``: snare cannot tell what its load reads."""

    loads = 0
    replay_safe = False


@pytest.fixture(scope="module")
def probes():
    return synthetic_probeset(n_scenes=4)


def _run(cls, probes, root: Path, weights: str = "random", **kwargs):
    adapter = cls(weights, seed=kwargs.pop("seed", 0))
    before = cls.loads
    result = evaluate(adapter, probes, batch_size=8, cache=root, **kwargs)
    return result, cls.loads - before


@pytest.mark.parametrize("cls", [ReplayDual, ReplayPair])
def test_a_fully_cached_rerun_builds_no_model_and_reports_the_same_results(probes, tmp_path, cls):
    first, loads = _run(cls, probes, tmp_path)
    assert loads == 1 and first.record.engine["model_loaded"] is True
    second, loads = _run(cls, probes, tmp_path)
    assert loads == 0 and second.record.engine["model_loaded"] is False
    assert second.record.engine["computed"] == {} and second.record.engine["cache"] == first.record.engine["cache"]
    assert second.record.model == first.record.model and second.record.checks == first.record.checks
    assert second.to_json()["tasks"] == first.to_json()["tasks"]
    assert second.rows == first.rows  # every item's scores and prediction, bit for bit
    assert sum(len(rows) for rows in first.rows.values()) == len(probes)


def test_missing_rows_fall_back_to_loading_the_model(probes, tmp_path):
    _run(ReplayDual, probes.subset(limit=2), tmp_path)
    result, loads = _run(ReplayDual, probes, tmp_path)  # more items than the cache holds
    assert loads == 1 and result.record.engine["model_loaded"] is True
    assert result.record.engine["computed"]  # only the new rows
    _, loads = _run(ReplayDual, probes, tmp_path)
    assert loads == 0


def test_seed_of_random_weights_dtype_and_options_are_part_of_the_key(probes, tmp_path):
    _run(ReplayDual, probes, tmp_path)
    assert _run(ReplayDual, probes, tmp_path, seed=1)[1] == 1
    adapter = ReplayDual("random", seed=0, width="x")  # an option the first run did not have
    before = ReplayDual.loads
    evaluate(adapter, probes, batch_size=8, cache=tmp_path)
    assert ReplayDual.loads == before + 1


def test_no_replay_without_cache_or_for_an_adapter_that_does_not_declare_it_safe(probes, tmp_path):
    _run(ReplayDual, probes, tmp_path)
    adapter = ReplayDual("random", seed=0)
    before = ReplayDual.loads
    evaluate(adapter, probes, batch_size=8, cache=False)
    assert ReplayDual.loads == before + 1
    _run(UnsafeDual, probes, tmp_path)
    assert _run(UnsafeDual, probes, tmp_path)[1] == 1
    memos = [p.read_text() for p in (tmp_path / "v1" / "loads").glob("*.json")]
    assert len(memos) == 1 and "ReplayDual" in memos[0]


def test_a_changed_local_weights_file_forces_a_load(probes, tmp_path):
    weights = tmp_path / "w.safetensors"
    model = ReplayDual("random", seed=0)
    model.load()
    model.save(str(weights))
    _run(ReplayDual, probes, tmp_path / "cache", str(weights))
    assert _run(ReplayDual, probes, tmp_path / "cache", str(weights))[1] == 0
    other = ReplayDual("random", seed=5)
    other.load()
    other.save(str(weights))  # same path, new content
    stat = weights.stat()
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    result, loads = _run(ReplayDual, probes, tmp_path / "cache", str(weights))
    assert loads == 1 and result.record.engine["computed"]  # a new revision: new cache entries


class HubDual(Counted, TinyDual):
    """Fetches its weights from the hub cache as the built-in adapters do (cache first)."""

    loads = 0
    repo = "org/tiny"

    def load(self) -> None:
        from snare.adapters.hub import fetch_file

        if self.weights == self.repo:
            self.weights = str(fetch_file(self.repo, ["model.safetensors"]))
        super().load()


def test_a_moved_hub_ref_forces_a_load(probes, tmp_path, monkeypatch):
    from huggingface_hub import constants

    hub = tmp_path / "hub"
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(hub))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    repo = hub / "models--org--tiny"
    commits = ["a" * 40, "b" * 40]
    for seed, commit in enumerate(commits):
        (repo / "snapshots" / commit).mkdir(parents=True)
        model = ReplayDual("random", seed=seed)
        model.load()
        model.save(str(repo / "snapshots" / commit / "model.safetensors"))
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commits[0])
    first, loads = _run(HubDual, probes, tmp_path / "cache", "org/tiny")
    assert loads == 1 and commits[0] in first.record.model.weights
    assert _run(HubDual, probes, tmp_path / "cache", "org/tiny")[1] == 0
    (repo / "refs" / "main").write_text(commits[1])  # the cached ref now resolves to another commit
    result, loads = _run(HubDual, probes, tmp_path / "cache", "org/tiny")
    assert loads == 1 and commits[1] in result.record.model.weights


def test_snare_eval_rerun_of_the_default_model_imports_no_torch(tmp_path):
    env = {"SNARE_CACHE": str(tmp_path / "cache")}
    assert run_snare("eval", "-q", "--limit", "5", env=env).returncode == 0
    code = (
        "import sys; from typer.main import get_command; from snare.cli.main import app\n"
        "try:\n    get_command(app)(['eval', '-q', '--limit', '5', '--json'], standalone_mode=False)\n"
        "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print('torch' in sys.modules, file=sys.stderr)\n"
    )
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **env}, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "False"
    assert '"model_loaded": false' in proc.stdout


def test_an_unreadable_memo_or_a_cleared_cache_loads_as_usual(probes, tmp_path):
    import shutil

    _run(ReplayDual, probes, tmp_path)
    (memo,) = (tmp_path / "v1" / "loads").glob("*.json")
    memo.write_text("{not json")
    assert _run(ReplayDual, probes, tmp_path)[1] == 1  # and the load writes a good memo again
    assert _run(ReplayDual, probes, tmp_path)[1] == 0
    for folder in (tmp_path / "v1").iterdir():
        if folder.name != "loads":
            shutil.rmtree(folder)  # the scores are gone, the memo is not
    result, loads = _run(ReplayDual, probes, tmp_path)
    assert loads == 1 and result.record.engine["computed"]


def test_an_adapter_loaded_before_evaluate_neither_replays_nor_leaves_a_memo(probes, tmp_path):
    adapter = ReplayDual("random", seed=0)
    adapter.ensure_loaded()  # its options may already be the loaded ones: no pre-load key can be taken
    result = evaluate(adapter, probes, batch_size=8, cache=tmp_path)
    assert result.record.engine["model_loaded"] is True
    assert not (tmp_path / "v1" / "loads").exists()
