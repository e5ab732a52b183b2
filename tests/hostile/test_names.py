"""Destinations checked before any work: names that are no new entry or too long, and a full disk mid-write."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys

import pytest

from tests.helpers import REPO
from tests.hostile.conftest import fails_cleanly, snare

EVAL = ("eval", "--model", "constant", "--limit", "2", "-q", "--no-cache")
LONG = "x" * 300
DESTINATIONS = [
    (*EVAL, "--output", "{name}", "--overwrite"),
    ("probes", "build", "negation_logic", "--source", "synthetic", "--out", "{name}", "--overwrite"),
    ("train-reference", "--steps", "1", "--scenes", "8", "--output", "{name}", "--overwrite"),
    ("audit", "--output", "{name}", "--overwrite"),
]


@pytest.mark.parametrize("args", DESTINATIONS, ids=lambda a: a[0])
@pytest.mark.parametrize(
    ("name", "needle"),
    [
        (".", "names the current folder"),
        ("..", "names the current folder"),
        ("", "names the current folder"),
        (LONG, "300 bytes is too long"),
    ],
)
def test_a_destination_that_is_no_new_name_or_too_long_fails_first(tmp_path, args, name, needle):
    work = tmp_path / "work"
    work.mkdir()
    (work / "keep.txt").write_text("mine")
    fails_cleanly(snare(*[a.format(name=name) for a in args], cwd=work), needle)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
    assert sorted(p.name for p in work.iterdir()) == ["keep.txt"]


@pytest.mark.parametrize("verb", ["report", "submit"])
def test_a_file_destination_with_a_name_too_long_fails_first(tmp_path, verb):
    run = tmp_path / "run"
    assert snare(*EVAL, "--output", str(run)).returncode == 0
    extra = ("--name", "C A") if verb == "submit" else ()
    fails_cleanly(snare(verb, str(run), "--out", str(tmp_path / f"{LONG}.json"), *extra), "too long")


def _small_files(limit: int):
    """Run the child as on a nearly full disk: writes past ``limit`` bytes fail (EFBIG, like ENOSPC) instead of
    killing it (SIGXFSZ ignored)."""

    def limit_writes() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_writes


@pytest.mark.parametrize(
    "args",
    [
        ("probes", "build", "negation_logic", "--source", "synthetic", "--out", "{dest}"),
        (*EVAL, "--limit", "50", "--output", "{dest}"),
        ("eval", "--model", "constant", "--limit", "50", "-q"),  # the score cache
        ("train-reference", "-q", "--steps", "1", "--scenes", "8", "--output", "{dest}"),
        ("submit", "{run}", "--out", "{dest}.json", "--name", "C A"),
    ],
    ids=["probes-build", "eval-output", "cache", "train-reference", "submit"],
)
def test_a_full_disk_is_one_line_and_leaves_nothing_partial(tmp_path, args):
    run = tmp_path / "run"
    if "{run}" in args:
        assert snare(*EVAL, "--limit", "50", "--output", str(run)).returncode == 0
    out = tmp_path / "out"
    out.mkdir()
    argv = [a.format(dest=out / "dest", run=run) for a in args]
    env = {"SNARE_CACHE": str(out / "cache"), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "snare", *argv],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **env},
        preexec_fn=_small_files(1000),
        timeout=900,
    )
    fails_cleanly(proc, "cannot write", "File too large", "write elsewhere")
    left = [p for p in out.rglob("*") if p.is_file()]
    for path in left:  # only complete score-cache entries may stay: each is written whole or not at all
        assert "cache" in path.parts, left
        if path.suffix == ".json":
            json.loads(path.read_text())
