"""Sharding over processes: a 2-process CPU run (torchrun + accelerate's gloo group) equals a 1-process run."""

from __future__ import annotations

import functools
import json
import operator
import os
import subprocess
import sys

import numpy as np
import pytest

from snare.engine.distributed import Shards, launch_command, launched
from snare.engine.evaluate import evaluate
from snare.probes.synthetic import synthetic_probeset
from tests.engine.tiny_models import TinyDual, TinyPair
from tests.helpers import REPO, run_snare


def test_shares_are_disjoint_and_cover_everything():
    keys = [f"k{i}" for i in range(11)]
    parts = [Shards(rank=r, world=3).take(keys) for r in range(3)]
    assert sorted(functools.reduce(operator.iadd, parts, [])) == sorted(keys) and all(parts)
    assert Shards().take(keys) == keys and Shards().gather({"a": 1}) == {"a": 1}
    assert Shards(rank=0, world=2, local_rank=1).device_for("cuda") == "cuda:1"
    assert Shards().device_for("cuda") == "cuda" and not launched()


def test_launch_command_reruns_snare_under_torchrun():
    cmd = launch_command(["eval", "--model", "constant"], 3)
    assert cmd[1:4] == ["-m", "torch.distributed.run", "--nproc_per_node"] and cmd[4] == "3"
    assert cmd[-5:] == ["-m", "snare", "eval", "--model", "constant"]


@pytest.mark.slow
def test_two_cpu_processes_give_the_one_process_scores(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    cmd = [*launch_command([], 2)[:-2], str(REPO / "tests" / "engine" / "dist_worker.py")]
    cmd += [str(tmp_path / "out.json"), str(tmp_path / "cache")]
    proc = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads((tmp_path / "out.json").read_text())
    assert report["world"] == 2
    probes = synthetic_probeset(n_scenes=5)
    for cls in (TinyDual, TinyPair):
        single = evaluate(cls("random"), probes, batch_size=7, cache=tmp_path / "cache")
        assert single.record.engine["computed"] == {}  # the two processes cached every row between them
        alone = evaluate(cls("random"), probes, batch_size=7)
        rows = {row.id: list(row.scores) for rs in alone.rows.values() for row in rs}
        sharded = report[cls.meta.name]
        assert sharded["scores"].keys() == rows.keys()
        worst = max(float(np.max(np.abs(np.subtract(sharded["scores"][k], rows[k])))) for k in rows)
        assert worst <= 1e-5
        main_share = sum(sharded["computed"].values())
        assert 0 < main_share < sum(alone.record.engine["computed"].values())  # the work was really split


@pytest.mark.slow
def test_snare_eval_distributed_writes_once_and_matches_a_single_process_run(tmp_path):
    args = ["eval", "--model", "constant", "--limit", "4", "-q", "--no-cache"]
    assert run_snare(*args, "--output", str(tmp_path / "one")).returncode == 0
    proc = run_snare(*args, "--distributed", "--processes", "2", "--output", str(tmp_path / "two"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    one = json.loads((tmp_path / "one" / "results.json").read_text())
    two = json.loads((tmp_path / "two" / "results.json").read_text())
    assert one["tasks"] == two["tasks"] and two["engine"]["processes"] == 2
    for task in one["tasks"]:
        assert (tmp_path / "one" / "predictions" / f"{task}.jsonl").read_text() == (
            tmp_path / "two" / "predictions" / f"{task}.jsonl"
        ).read_text()
    assert sys.executable
