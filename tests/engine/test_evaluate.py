"""``snare eval`` through the engine: cached re-runs, --no-cache, and one-line errors for bad device/dtype."""

from __future__ import annotations

import json

import pytest

from tests.helpers import run_snare


def _engine(proc) -> dict:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["engine"]


def test_rerun_is_served_from_the_cache_and_no_cache_turns_it_off(tmp_path):
    env = {"SNARE_CACHE": str(tmp_path / "cache")}
    args = ("eval", "--model", "constant", "--limit", "3", "-q", "--json", "--batch-size", "4", "--workers", "0")
    first = _engine(run_snare(*args, env=env))
    assert first["computed"]["pairs"] > 0 and first["cache"].startswith(str(tmp_path / "cache"))
    second = _engine(run_snare(*args, env=env))
    assert second["computed"] == {} and second["cached"]["pairs"] == first["computed"]["pairs"]
    uncached = _engine(run_snare(*args, "--no-cache", env=env))
    assert uncached["cache"] is None and uncached["computed"] == first["computed"]
    other_value = _engine(run_snare(*args, "-o", "value=1.5", env=env))  # options are part of the cache key
    assert other_value["computed"] == first["computed"]


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--dtype", "float64"), "unknown --dtype 'float64'"),
        (("--device", "tpu"), "unknown --device 'tpu'"),
        (("--batch-size", "0"), "--batch-size"),
    ],
)
def test_bad_engine_options_are_one_line_exit_2(flags, message):
    proc = run_snare("eval", "--model", "constant", "--limit", "1", *flags)
    assert proc.returncode == 2 and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_cuda_request_without_cuda_is_one_line_exit_2():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    proc = run_snare("eval", "--model", "constant", "--device", "cuda")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: --device cuda requested but CUDA is not available here; use --device cpu"
    ]
