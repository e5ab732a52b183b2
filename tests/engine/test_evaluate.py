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


def _count_image_reads(monkeypatch, folder) -> dict[str, int]:
    """Opens of files under ``folder`` from here on, by file name (PIL and pathlib both go through io.open)."""
    import builtins
    import io
    import os
    from collections import Counter
    from pathlib import Path

    reads: Counter[str] = Counter()
    real = io.open

    def counting(file, *args, **kwargs):
        if isinstance(file, str | Path) and Path(file).parent == folder:
            reads[Path(file).name] += 1
        return real(file, *args, **kwargs)

    def counting_os_open(file, *args, **kwargs):  # snare.safe_io opens by descriptor (no blocking on a FIFO)
        if isinstance(file, str | Path) and Path(file).parent == folder:
            reads[Path(file).name] += 1
        return real_os_open(file, *args, **kwargs)

    real_os_open = os.open
    monkeypatch.setattr(io, "open", counting)
    monkeypatch.setattr(builtins, "open", counting)
    monkeypatch.setattr(os, "open", counting_os_open)
    return reads


def test_each_image_file_is_read_once_for_check_fingerprint_and_cache_key(tmp_path, monkeypatch):
    from PIL import Image

    from snare.adapters.constant import Constant
    from snare.engine.evaluate import evaluate
    from snare.probes.probeset import ProbeSet
    from tests.helpers import make_item

    images = tmp_path / "images"
    images.mkdir()
    for i in range(3):
        Image.new("RGB", (16, 16), (60 * i, 0, 0)).save(images / f"{i}.png")
    probes = ProbeSet([make_item(i, path=f"{i}.png") for i in range(3)], name="files", image_root=images)
    reads = _count_image_reads(monkeypatch, images)
    first = evaluate(Constant(value=0.5), probes, cache=tmp_path / "cache")
    # one read serves the image check, the fingerprint and the score cache's keys; one more decodes the image
    assert dict(reads) == {f"{i}.png": 2 for i in range(3)}
    reads.clear()
    again = ProbeSet([make_item(i, path=f"{i}.png") for i in range(3)], name="files", image_root=images)
    second = evaluate(Constant(value=0.5), again, cache=tmp_path / "cache")
    assert dict(reads) == {f"{i}.png": 1 for i in range(3)}  # every score cached: nothing is decoded
    assert first.record.probeset.fingerprint == second.record.probeset.fingerprint
