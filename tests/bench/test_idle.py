"""bench/idle.py: a ratio is shown plain only when the machine was idle, and busy other processes are seen."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import idle  # bench/ is not a package


def _seen(others, cpu):
    """A watched section in which the other processes used ``others`` cores (the load average shown is the same)."""
    return idle.Watch(others, {"name": "x", "pid": 1, "cpu_percent": cpu}, 1.0, others=others)


@pytest.mark.parametrize(
    ("load", "cpu", "valid", "mark"),
    [(0.2, 1.0, True, ""), (0.7, 1.0, False, "LOADED"), (0.2, 6.0, False, "LOADED"), (None, 0.0, False, "UNCHECKED")],
)
def test_a_ratio_is_valid_only_when_every_section_was_idle(load, cpu, valid, mark):
    out = idle.ratio(6.0, 2.0, _seen(0.1, 0.0), _seen(load, cpu) if load is not None else idle.Watch())
    assert out["value"] == 3.0 and out["valid"] is valid
    assert (mark in out["shown"]) if mark else ("LOADED" not in out["shown"] and "load 0.20" in out["shown"])


def test_a_busy_process_outside_this_one_is_seen():
    # a spinner that is not our child (its parent exits at once), so it counts as another process
    spin = "import os, time\nif os.fork() == 0:\n    end = time.time() + 3\n    while time.time() < end: pass\n"
    subprocess.run([sys.executable, "-c", spin], check=True)
    time.sleep(0.2)
    with idle.watch() as seen:
        end = time.time() + 1.2
        while time.time() < end:
            time.sleep(0.05)
    assert seen.checked and not seen.idle
    assert seen.busiest["cpu_percent"] > idle.MAX_OTHER_CPU


def test_the_load_this_process_makes_itself_does_not_mark_it_but_many_small_others_do():
    own = idle.Watch(0.9, {"name": "x", "pid": 1, "cpu_percent": 0.5}, 60.0, others=0.02)  # load1 counts us
    assert own.idle and "others 0.02 cores" in own.label()
    many = idle.Watch(0.9, {"name": "x", "pid": 1, "cpu_percent": 4.0}, 60.0, others=0.8)  # 20 at 4% each
    assert not many.idle
    assert idle.merge([own, many]).others == 0.8 and not idle.merge([own, many]).idle
