"""A suite's cached or copied datasets that are there but wrong: each is named for what it is, before it is read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from snare.probes.suites import get_suite
from tests.hostile.conftest import fails_cleanly, snare

EVAL = ("eval", "--model", "constant", "--suite", "aro", "--task", "coco_order", "--no-cache", "-q")


def _env(**extra: str) -> dict[str, str]:
    return {**{k: os.environ[k] for k in ("HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_HOME")}, **extra}


def _fetched_shard() -> Path:
    """Fetch coco_order's dataset into the test's hub cache; its one shard (a link into ``blobs/``)."""
    assert snare("data", "fetch", "--suite", "aro", env=_env()).returncode == 0
    (ds,) = get_suite("aro").only(["coco_order"]).datasets()
    snapshot = Path(os.environ["HF_HOME"], "hub", f"datasets--{ds.repo.replace('/', '--')}", "snapshots", ds.revision)
    (shard,) = snapshot.glob(ds.files)
    return shard


@pytest.mark.parametrize("kind", ["fifo", "missing"])
def test_an_unusable_cached_shard_is_not_called_missing_offline(local_hub, kind):
    shard = _fetched_shard()
    shard.unlink()
    if kind == "fifo":
        os.mkfifo(shard)
    proc = snare(*EVAL, env=_env(HF_HUB_OFFLINE="1"))
    needle = "incomplete or damaged"
    line = fails_cleanly(proc, needle)  # was: "not in the Hugging Face cache ... fetch them first"
    assert "not in the Hugging Face cache" not in line
    check = snare("data", "check", "--suite", "aro", env=_env(HF_HUB_OFFLINE="1"))
    assert check.returncode != 0 and needle in check.stderr and "COCO-order" in check.stderr


def test_a_cached_shard_whose_checksum_is_wrong_is_refused(local_hub):
    blob = _fetched_shard().resolve()
    blob.write_bytes(blob.read_bytes() + b"\0")  # still parquet-shaped up front, no longer the hub's file
    for offline in ("0", "1"):
        fails_cleanly(snare(*EVAL, env=_env(HF_HUB_OFFLINE=offline)), "the cached file is corrupt")  # was: used


def test_a_data_dir_copy_linked_to_the_root_is_not_walked(tmp_path):
    (ds,) = get_suite("aro").only(["coco_order"]).datasets()
    copy = tmp_path / "copy" / ds.repo
    copy.parent.mkdir(parents=True)
    copy.symlink_to("/", target_is_directory=True)
    proc = snare(*EVAL, "--data-dir", str(tmp_path / "copy"))  # was: a walk over the whole file system
    fails_cleanly(proc, "no files matching")
