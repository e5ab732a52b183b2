"""Progress off a terminal: periodic plain log lines (a SLURM log shows the run is alive), none under --quiet."""

import pytest

from snare.cli.console import progress


def _lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("snare: ")]


def test_every_update_is_a_line_when_the_interval_is_zero(capsys, monkeypatch):
    monkeypatch.setenv("SNARE_PROGRESS_EVERY", "0")
    with progress({"images": 4}) as tick:
        tick("images", 1)
        tick("images", 3)
        tick("captions", 5, 10)
    lines = [line.split(",")[0] for line in _lines(capsys)]
    assert lines == ["snare: images 1/4 (25%)", "snare: images 4/4 (100%)", "snare: captions 5/10 (50%)"]


def test_a_long_interval_still_logs_each_completed_phase_once(capsys, monkeypatch):
    monkeypatch.setenv("SNARE_PROGRESS_EVERY", "3600")
    with progress({"pairs": 6}) as tick:
        for _ in range(6):
            tick("pairs", 1)
        tick("texts", 2)  # no total: only the interval would print it
    assert [line.split(",")[0] for line in _lines(capsys)] == ["snare: pairs 6/6 (100%)"]


def test_quiet_and_a_bad_interval(capsys, monkeypatch):
    with progress({"pairs": 1}, quiet=True) as tick:
        tick("pairs", 1)
    assert _lines(capsys) == []
    monkeypatch.setenv("SNARE_PROGRESS_EVERY", "soon")  # falls back to the default instead of failing the run
    with progress({"pairs": 1}) as tick:
        tick("pairs", 1)
    assert [line.split(",")[0] for line in _lines(capsys)] == ["snare: pairs 1/1 (100%)"]


def test_eval_logs_scoring_progress_when_piped(capsys, monkeypatch):
    from snare.cli.main import main

    monkeypatch.setenv("SNARE_PROGRESS_EVERY", "0")
    with pytest.raises(SystemExit) as info:
        main(["eval", "--model", "constant", "--limit", "2", "--task", "negation_logic", "--no-cache"])
    assert info.value.code == 0
    assert any(line.startswith("snare: ") and "/" in line for line in _lines(capsys))
