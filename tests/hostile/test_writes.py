"""No data loss, one line before work: --overwrite, concurrent writers, files that exist, unwritable places, Ctrl-C."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.helpers import REPO
from tests.hostile.conftest import fails_cleanly, snare

EVAL = ("eval", "--model", "constant", "--limit", "2", "-q", "--no-cache")


def test_overwrite_refuses_a_folder_that_is_not_a_results_folder(tmp_path):
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("years of work")
    fails_cleanly(snare(*EVAL, "--output", str(precious), "--overwrite"), "not a snare output")
    assert (precious / "chapter1.tex").read_text() == "years of work"
    fails_cleanly(
        snare("probes", "build", "negation_logic", "--source", str(tmp_path), "--out", str(precious), "--overwrite"),
        "not a snare probe set",
    )
    assert sorted(p.name for p in precious.iterdir()) == ["chapter1.tex"]


def test_overwrite_replaces_a_results_folder_and_leaves_no_staging(tmp_path):
    run = tmp_path / "run"
    assert snare(*EVAL, "--output", str(run)).returncode == 0
    (run / "predictions" / "old_task.jsonl").write_text("{}\n")  # a task of an earlier run into this folder
    proc = snare(*EVAL, "--output", str(run), "--overwrite")
    assert proc.returncode == 0, proc.stderr
    assert (run / "results.json").is_file() and not (run / "predictions" / "old_task.jsonl").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_second_writer_to_the_same_output_gets_one_line(tmp_path):
    run = tmp_path / "run"
    with open(tmp_path / ".run.lock", "w") as fh:  # what a running snare eval --output run holds
        fcntl.flock(fh, fcntl.LOCK_EX)
        fails_cleanly(snare(*EVAL, "--output", str(run)), "being written by another snare process")
    assert not run.exists()


def test_staging_folders_of_dead_writers_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".run.{int(dead.stdout)}.abc123.partial"
    (stale / "predictions").mkdir(parents=True)
    assert snare(*EVAL, "--output", str(tmp_path / "run")).returncode == 0
    assert not stale.exists()


@pytest.mark.parametrize(
    "verb",
    [
        ("report", "{run}", "--out", "{target}"),
        ("report", "{run}", "--plot", "{target}"),
        ("audit", "--output", "{target}"),
    ],
)
def test_existing_files_need_overwrite(tmp_path, verb):
    run = tmp_path / "run"
    assert snare(*EVAL, "--output", str(run)).returncode == 0
    target = tmp_path / ("existing.png" if "--plot" in verb else "existing.json")
    target.write_text("keep me")
    args = [a.format(run=run, target=target) for a in verb]
    fails_cleanly(snare(*args), "already exists", "--overwrite")
    assert target.read_text() == "keep me"
    proc = snare(*args, "--overwrite")
    assert proc.returncode == 0, proc.stderr
    assert target.read_bytes() != b"keep me"


@pytest.mark.parametrize(
    "args",
    [
        (*EVAL, "--output", "/proc/snare-run"),
        ("probes", "build", "negation_logic", "--source", "/proc", "--out", "/proc/snare-probes"),
        ("audit", "--output", "/proc/audit.json"),
        ("report", "/proc", "--out", "/proc/report.md"),
        ("train-reference", "--output", "/proc/snare-reference", "--steps", "1", "--scenes", "8"),
    ],
)
def test_unwritable_destinations_fail_before_work(args):
    # /proc refuses new files even to root, for whom os.access says every folder is writable
    fails_cleanly(snare(*args), "cannot write", "pick another path")


def test_submit_and_leaderboard_build_check_their_destination_first(tmp_path):
    run, subs = tmp_path / "run", tmp_path / "subs"
    assert snare(*EVAL, "--output", str(run)).returncode == 0
    fails_cleanly(snare("submit", str(run), "--out", "/proc/sub.json", "--name", "C A"), "cannot write", "pick another")
    subs.mkdir()
    assert snare("submit", str(run), "--out", str(subs / "a.json"), "--name", "C A").returncode == 0
    fails_cleanly(snare("leaderboard", "build", str(subs), "--out", "/proc/board"), "cannot write", "pick another")


def test_an_unwritable_score_cache_is_named_with_the_fix(tmp_path):
    blocker = tmp_path / "cache-file"
    blocker.write_text("x")
    proc = snare("eval", "--model", "constant", "--limit", "2", "-q", env={"SNARE_CACHE": str(blocker)})
    fails_cleanly(proc, "score cache", "--no-cache")


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interruptible(argv: list[str]) -> subprocess.Popen[str]:
    """``argv`` started as from a terminal: a runner started in the background (``cmd &`` in a script, nohup)
    ignores SIGINT, and a child inherits that, so Ctrl-C would never reach the CLI under test."""
    return subprocess.Popen(argv, cwd=REPO, stderr=subprocess.PIPE, text=True, preexec_fn=_default_sigint)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_prints_one_line_and_leaves_nothing(tmp_path, sig):
    out = tmp_path / "run"
    # a run that cannot finish on its own (the engine is patched to sleep), signalled once it is inside the run
    code = (
        "import sys, time, snare.engine.evaluate as e\n"
        "def slow(*a, **k):\n"
        "    sys.stderr.write('started\\n'); sys.stderr.flush(); time.sleep(120)\n"
        "e.evaluate = slow\n"
        "from snare.cli.main import main\n"
        f"main(['eval', '--model', 'constant', '-q', '--no-cache', '--output', {str(out)!r}])\n"
    )
    proc = _interruptible([sys.executable, "-c", code])
    assert proc.stderr.readline() == "started\n"
    time.sleep(0.2)
    proc.send_signal(sig)
    rest = proc.stderr.read()
    assert proc.wait(60) == 130
    assert rest.strip().splitlines() == [
        "error: interrupted; no output was written (outputs are published only when complete)"
    ]
    assert not out.exists() and os.listdir(tmp_path) == []


def test_an_interrupted_probes_build_prints_one_line_and_leaves_nothing(tmp_path):
    out = tmp_path / "probes"
    code = (
        "import sys, time, snare.probes.assemble as b\n"
        "def slow(*a, **k):\n"
        "    sys.stderr.write('started\\n'); sys.stderr.flush(); time.sleep(120)\n"
        "b.assemble = slow\n"
        "from snare.cli.main import main\n"
        f"main(['probes', 'build', 'negation_logic', '--source', 'synthetic', '-q', '--out', {str(out)!r}])\n"
    )
    proc = _interruptible([sys.executable, "-c", code])
    assert proc.stderr.readline() == "started\n"  # inside the build, its staging folder created
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait(60) == 130
    assert rest.strip().splitlines() == [
        "error: interrupted; no output was written (outputs are published only when complete)"
    ]
    assert os.listdir(tmp_path) == []  # neither the set nor a staging folder beside it
