"""Text on the board: invisible and direction-changing characters refused, look-alike labels caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.conftest import fails_cleanly, snare


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    run = tmp_path_factory.mktemp("hostile-run") / "run"
    proc = snare("eval", "--model", "constant", "--limit", "2", "-q", "--no-cache", "--output", str(run))
    assert proc.returncode == 0, proc.stderr
    return run


@pytest.mark.parametrize("char", ["\u200b", "\u202e", "\u2067", "\u2028", "\ufeff"])
def test_invisible_characters_in_a_name_are_refused_at_submit(run_dir, tmp_path, char):
    out = tmp_path / "sub.json"
    fails_cleanly(snare("submit", str(run_dir), "--out", str(out), "--name", f"Const{char}A"), f"U+{ord(char):04X}")
    assert not out.exists()


def test_a_hand_edited_submission_with_a_bidi_override_is_rejected(run_dir, tmp_path):
    out = tmp_path / "sub.json"
    assert snare("submit", str(run_dir), "--out", str(out), "--name", "Const A").returncode == 0
    data = json.loads(out.read_text())
    data["model"]["display_name"] = "Const \u202eA"
    out.write_text(json.dumps(data))
    fails_cleanly(snare("leaderboard", "check", str(out)), "U+202E")


def test_labels_that_look_the_same_are_one_board_row(run_dir, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for i, name in enumerate(["Const A", "ＣＯＮＳＴ  a"]):  # fullwidth letters and a double space: same to a reader
        assert snare("submit", str(run_dir), "--out", str(subs / f"{i}.json"), "--name", name).returncode == 0
    proc = snare("leaderboard", "build", str(subs), "--out", str(tmp_path / "board"))
    assert proc.returncode == 2, proc.stderr
    assert "same model label" in proc.stderr
    assert not (tmp_path / "board").exists()
