"""A tampered score cache never blocks a run: a FIFO in place of a shard, a load memo linked to /dev/zero."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.helpers import REPO

EVAL = ("eval", "--model", "reference", "--limit", "2", "-q", "--json")


def _eval(cache) -> subprocess.CompletedProcess:
    env = {**os.environ, "SNARE_CACHE": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "snare", *EVAL],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,  # a blocked read fails the test here instead of hanging the suite
    )


def test_a_fifo_shard_and_a_memo_linked_to_dev_zero_are_refused_without_blocking(tmp_path):
    cache = tmp_path / "cache"
    first = _eval(cache)
    assert first.returncode == 0, first.stderr
    shards = sorted(cache.glob("v1/*/images/*.safetensors"))
    memos = sorted(cache.glob("v1/loads/*.json"))
    assert shards and memos
    shards[0].unlink()
    os.mkfifo(shards[0])  # no writer: opening it for reading would wait forever
    for memo in memos:
        memo.unlink()
        memo.symlink_to("/dev/zero")  # endless bytes: reading it whole would never finish
    second = _eval(cache)
    assert second.returncode == 0, second.stderr
    accuracy = [{t: v["accuracy"] for t, v in json.loads(p.stdout)["tasks"].items()} for p in (first, second)]
    assert accuracy[0] == accuracy[1]  # the refused shard's rows were recomputed
    assert shards[0].is_file()  # the FIFO was discarded, not read, and the shard written anew
