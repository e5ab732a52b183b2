"""Messages that named the wrong cause, or none: each careless input gets the line that says what it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.conftest import fails_cleanly, snare

EVAL = ("eval", "--model", "constant", "--limit", "2", "-q", "--no-cache")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    run = tmp_path_factory.mktemp("run") / "run"
    assert snare(*EVAL, "--output", str(run)).returncode == 0
    return run


@pytest.mark.parametrize(
    ("task", "needle"),
    [("nope", "unknown task 'nope'"), ("spatial_relations", "has no items for task 'spatial_relations'")],
)
def test_probes_show_of_an_unknown_or_absent_task_says_so(probe_dir, task, needle):
    proc = snare("probes", "show", str(probe_dir), "--task", task)
    fails_cleanly(proc, needle)  # was: the set's header and nothing else, exit 0
    assert proc.stdout == ""


@pytest.mark.parametrize(
    "args",
    [("leaderboard", "build", "{file}", "--out", "{tmp}/board"), (*EVAL, "--probes", "{file}")],
    ids=["leaderboard-build", "eval-probes"],
)
def test_a_file_where_a_folder_is_wanted_is_called_a_file(tmp_path, args):
    file = tmp_path / "a.json"
    file.write_text("{}")
    fails_cleanly(snare(*[a.format(file=file, tmp=tmp_path) for a in args]), "is a file")  # was: "not found"


@pytest.mark.parametrize(("probes", "needle"), [("/nonexistent", "not found"), ("{run}/results.json", "a file")])
def test_submit_probes_that_is_no_folder_is_an_error_not_ignored(run_dir, tmp_path, probes, needle):
    out = tmp_path / "s.json"
    args = ("submit", str(run_dir), "--out", str(out), "--name", "C A", "--probes", probes.format(run=run_dir))
    fails_cleanly(snare(*args), "--probes", needle)
    assert not out.exists()
