"""``snare eval --prior LM_RUN``: the language-prior table of the run just scored, with snare report's numbers; a
folder that is no LM run, or an LM run on other probes, is one line (exit 2) before the model loads."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from snare.cli.main import main
from tests.reports.conftest import write_scored_run
from tests.textmodels import tiny_lm

TASKS = ["--task", "semantic_structure,negation_logic", "--limit", "8", "-q", "--no-cache"]


def _snare(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main([*args])
    captured = capsys.readouterr()
    return int(info.value.code or 0), captured.out, captured.err


@pytest.fixture(scope="module")
def lm_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("eval-prior")
    weights = tiny_lm.save(base / "tiny")
    with pytest.raises(SystemExit) as info:
        main(["eval", "--model", "lm", "--weights", str(weights), *TASKS, "--output", str(base / "lm")])
    assert not info.value.code
    return base / "lm"


def test_eval_shows_the_numbers_snare_report_shows(tmp_path: Path, lm_run: Path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, stdout, err = _snare(capsys, "eval", "--model", "reference", *TASKS, "--prior", str(lm_run),
                               "--output", str(tmp_path / "ref"))  # fmt: skip
    assert code == 0, err
    assert "Language prior on word-order tasks" in stdout and all(len(line) <= 80 for line in stdout.splitlines())
    code, report, err = _snare(capsys, "report", str(tmp_path / "ref"), str(lm_run), "--format", "json")
    assert code == 0, err
    (share,) = json.loads(report)["language_prior"]["shares"]
    assert (share["task"], share["n"]) == ("semantic_structure", 8)
    for key in ("accuracy", "lm_accuracy", "accuracy_where_lm_wrong"):
        value = share[key]
        if value["estimate"] is not None:
            low, high = value["ci_bootstrap"]
            assert f"{value['estimate']:.3f}" in stdout and f"[{low:.3f}, {high:.3f}]" in stdout
    assert re.search(rf"LM wrong +{share['lm_wrong']}\b", stdout)  # 80 columns: one block of lines per row


def test_a_folder_that_is_no_lm_run_is_one_line(tmp_path: Path, capsys):
    other = write_scored_run(tmp_path / "other", seed=1, skill=1.0)
    code, stdout, err = _snare(capsys, "eval", "--model", "reference", *TASKS, "--prior", str(other))
    assert code == 2 and stdout == ""
    (line,) = err.strip().splitlines()
    assert "not a pretrained-LM run" in line and "snare eval --model smollm2" in line


def test_an_lm_run_on_other_probes_is_one_line_before_scoring(tmp_path: Path, lm_run: Path, capsys):
    other = ["--task", "semantic_structure", "--limit", "5", "-q", "--no-cache"]  # another selection: another set
    code, stdout, err = _snare(capsys, "eval", "--model", "reference", *other, "--prior", str(lm_run),
                               "--output", str(tmp_path / "out"))  # fmt: skip
    assert code == 2 and stdout == "" and not (tmp_path / "out").exists()
    (line,) = err.strip().splitlines()
    assert "not this one" in line and "same probes" in line
