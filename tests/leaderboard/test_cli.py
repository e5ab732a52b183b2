"""The verbs as a user runs them: snare eval → snare submit → snare leaderboard check / build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run_snare


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "constant"
    proc = run_snare("eval", "--model", "constant", "--limit", "3", "--output", str(out), "-q", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    return out


def test_submit_check_build(cli_run: Path, tmp_path: Path):
    subs = tmp_path / "leaderboard" / "submissions"
    sub = subs / "constant.json.gz"
    proc = run_snare("submit", str(cli_run), "--out", str(sub), "--name", "Constant baseline")
    assert proc.returncode == 0, proc.stderr
    assert "wrote" in proc.stdout and sub.is_file()

    proc = run_snare("leaderboard", "check", str(sub))
    assert proc.returncode == 0, proc.stderr
    # no --protocol: the built-in scenes' contrast twins, 3 items of each of their 5 tasks
    assert proc.stdout.startswith(f"ok: {sub}: Constant baseline on probe set synthetic-contrast (15 items")

    tampered = json.loads(__import__("gzip").decompress(sub.read_bytes()))
    tampered["model"]["display_name"] = "Cheater"
    tampered["claims"]["negation_logic"].update(accuracy=1.0, correct=3, ties=0)
    (subs / "cheater.json").write_text(json.dumps(tampered))
    proc = run_snare("leaderboard", "check", str(subs / "cheater.json"))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"error: {subs / 'cheater.json'}: claimed accuracy 1.0000 for negation_logic but its scores give "
        "0.0000 (0 of 3, ties wrong)"
    ]

    board = tmp_path / "board"
    proc = run_snare("leaderboard", "build", str(subs), "--out", str(board))
    assert proc.returncode == 2 and "the board was not written" in proc.stderr
    assert not board.exists()
    proc = run_snare("leaderboard", "build", str(subs), "--out", str(board), "--skip-invalid")
    assert proc.returncode == 0, proc.stderr
    assert "skipped: " in proc.stderr and "cheater.json" in proc.stderr
    assert sorted(p.name for p in board.iterdir()) == ["leaderboard.html", "leaderboard.json", "leaderboard.md"]
    data = json.loads((board / "leaderboard.json").read_text())
    (entry,) = data["tables"][0]["entries"]
    assert entry["label"] == "Constant baseline" and entry["ties"] == 15 and entry["mean_accuracy"] == 0.0


def test_submit_refuses_a_bad_name_and_a_missing_run(cli_run: Path, tmp_path: Path):
    proc = run_snare("submit", str(cli_run), "--out", str(tmp_path / "x.json"), "--name", "<b>bold</b>")
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "model.display_name: contains markup" in proc.stderr and not (tmp_path / "x.json").exists()
    proc = run_snare("submit", str(tmp_path / "nope"), "--out", str(tmp_path / "y.json"))
    assert proc.returncode == 2 and "not found" in proc.stderr
    proc = run_snare("submit", str(cli_run), "--out", str(tmp_path / "y.txt"))
    assert proc.returncode == 2 and "*.json or *.json.gz" in proc.stderr


def test_a_partial_eval_goes_on_the_board_marked_partial(tmp_path: Path):
    from snare.probes.probeset import ProbeSet
    from tests.leaderboard.conftest import file_probeset

    folder = file_probeset(tmp_path)
    (tmp_path / "images" / "2.png").unlink()
    run, sub = tmp_path / "run", tmp_path / "submissions" / "partial.json"
    eval_args = ["eval", "--model", "constant", "--probes", str(folder), "-q", "--no-cache", "--output", str(run)]
    proc = run_snare(*eval_args)
    assert proc.returncode == 2 and "--allow-partial" in proc.stderr  # no headline without it
    assert run_snare(*eval_args, "--allow-partial").returncode == 0
    proc = run_snare("submit", str(run), "--out", str(sub), "--probes", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert "protocol snare" in proc.stdout and "(PARTIAL: 10 of 12 items scored)" in proc.stdout
    assert json.loads(sub.read_text())["partial"] is True and len(ProbeSet.load(folder)) == 12
    proc = run_snare("leaderboard", "check", str(sub))  # finds probesets/ beside the submissions folder
    assert proc.returncode == 0, proc.stderr
    assert "protocol snare;" in proc.stdout and "PARTIAL: 10 of 12 items scored, listed unranked" in proc.stdout
    proc = run_snare("leaderboard", "build", str(sub.parent), "--out", str(tmp_path / "board"))
    assert proc.returncode == 0, proc.stderr
    assert "1 submission(s) verified on 1 probe set(s) in 1 table(s), 1 partial (unranked)" in proc.stdout
    assert "**PARTIAL** constant (none)" in (tmp_path / "board" / "leaderboard.md").read_text()


def test_submit_check_and_board_name_the_model_alike_and_the_footer_shows_the_command(cli_run: Path, tmp_path: Path):
    subs = tmp_path / "my subs"
    sub = subs / "constant.json"
    proc = run_snare("submit", str(cli_run), "--out", str(sub))  # no --name: the board's default label
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"wrote {sub}: constant (none), protocol snare")
    proc = run_snare("leaderboard", "check", str(sub))
    assert proc.returncode == 0 and proc.stdout.startswith(f"ok: {sub}: constant (none) on probe set"), proc.stdout
    board = tmp_path / "board"
    assert run_snare("leaderboard", "build", str(subs), "--out", str(board)).returncode == 0
    data = json.loads((board / "leaderboard.json").read_text())
    assert data["tables"][0]["entries"][0]["label"] == "constant (none)"
    command = f"snare leaderboard build '{subs}' --out {board}"
    assert data["rebuild"] == command
    assert f"rebuild with `{command}`" in (board / "leaderboard.md").read_text()
    assert "leaderboard/submissions" not in (board / "leaderboard.html").read_text()
