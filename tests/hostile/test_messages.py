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


@pytest.fixture
def submission(probe_dir, tmp_path) -> Path:
    """A submission of the constant model on the file-based ``probe_dir`` set, checked as the board would."""
    run, out = tmp_path / "run", tmp_path / "s.json"
    assert snare(*EVAL, "--probes", str(probe_dir), "--output", str(run)).returncode == 0
    proc = snare("submit", str(run), "--out", str(out), "--name", "C A", "--probes", str(probe_dir))
    assert proc.returncode == 0, proc.stderr
    return out


def _edit(path: Path, edit) -> None:
    path.write_text(json.dumps(edit(json.loads(path.read_text()))))


def test_a_submission_on_a_file_based_set_whose_fingerprint_cannot_be_verified_is_rejected(probe_dir, submission):
    fake = "sha256:" + "0" * 64
    for image in (probe_dir / "images").iterdir():
        image.unlink()  # without its images, a file-based set's fingerprint is only what its manifest claims
    _edit(probe_dir / "manifest.json", lambda m: {**m, "fingerprint": fake})
    _edit(submission, lambda s: {**s, "probeset": {**s["probeset"], "fingerprint": fake}})
    proc = snare("leaderboard", "check", str(submission), "--probes", str(probe_dir))
    fails_cleanly(proc, "cannot be verified", "add its images")  # was: accepted


@pytest.mark.parametrize("score", [1e308, -1e308])
def test_leaderboard_check_refuses_scores_near_the_float_limit(submission, score):
    def edit(sub):
        for rows in sub["items"].values():
            for row in rows:
                row["scores"] = [score] + [-score] * (len(row["scores"]) - 1)
        return sub

    _edit(submission, edit)
    proc = snare("leaderboard", "check", str(submission))
    fails_cleanly(proc, "scores must lie within")  # was: an overflow RuntimeWarning, then a claims mismatch
    assert "Warning" not in proc.stderr


def test_a_task_dropped_from_a_submission_is_called_missing(tmp_path):
    run, out = tmp_path / "run", tmp_path / "s.json"
    assert snare(*EVAL, "--output", str(run)).returncode == 0
    assert snare("submit", str(run), "--out", str(out), "--name", "C A").returncode == 0

    def drop(sub):
        for part in ("items", "claims", "coverage"):
            del sub[part]["spatial_relations"]
        sub["probeset"]["tasks"].remove("spatial_relations")
        return sub

    _edit(out, drop)
    fails_cleanly(snare("leaderboard", "check", str(out)), "task spatial_relations is missing")  # was: not known


@pytest.mark.parametrize("also_outcome", [False, True], ids=["correct", "correct-and-is_correct"])
def test_report_refuses_predictions_whose_intended_option_was_edited(tmp_path, also_outcome):
    run = tmp_path / "run"
    args = ("eval", "--model", "blind-ngram", "--limit", "5", "-q", "--no-cache", "--task", "negation_logic")
    assert snare(*args, "--protocol", "snare", "--output", str(run)).returncode == 0  # one image per item
    path = run / "predictions" / "negation_logic.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert all(row["is_correct"] for row in rows)  # the blind LM solves these five: flipping makes them wrong
    for row in rows:
        row["correct"] = 1 - row["correct"]
        if also_outcome:
            row["is_correct"], row["tie"] = False, False
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    proc = snare("report", str(run))
    if also_outcome:  # a row edited whole is consistent in itself: results.json's count shows it, in a note
        assert proc.returncode == 0, proc.stderr
        shown = " ".join((proc.stdout + proc.stderr).split())
        assert "negation_logic records accuracy 1.0000" in shown and "uses the recomputation" in shown, shown
    else:
        fails_cleanly(proc, "records is_correct=true", "edited by hand")  # was: a report of the edited numbers


def test_a_set_with_no_fingerprint_and_a_missing_image_is_summarised_without_none(probe_dir):
    from tests.hostile.conftest import edit_manifest

    edit_manifest(probe_dir, lambda m: {k: v for k, v in m.items() if k != "fingerprint"})  # a set made by hand
    (probe_dir / "images" / "1.jpg").unlink()
    proc = snare("eval", "--model", "constant", "--probes", str(probe_dir), "--allow-partial", "--no-cache", "-q")
    assert proc.returncode == 0, proc.stderr
    assert "None" not in proc.stdout and "(no fingerprint: an image is missing)" in proc.stdout  # was: "hostile None…"
    shown = snare("probes", "show", str(probe_dir))
    assert "None" not in shown.stdout and "(no fingerprint: an image is missing)" in shown.stdout


def test_offline_submit_push_fails_before_writing(run_dir, tmp_path):
    out = tmp_path / "s.json"
    args = ("submit", str(run_dir), "--out", str(out), "--name", "C A", "--push", "me/board")
    fails_cleanly(snare(*args, env={"HF_HUB_OFFLINE": "1"}), "HF_HUB_OFFLINE=1", "--push")
    assert not out.exists()  # was: written, then the push failed


def test_a_broken_tokenizer_folder_says_why_in_full(tmp_path):
    folder = tmp_path / "tok"
    folder.mkdir()
    (folder / "tokenizer_config.json").write_text("{}")
    (folder / "tokenizer.json").write_text("{not json")
    args = ("eval", "--model", "blip", "--weights", "random", "-o", f"tokenizer={folder}", "--limit", "2")
    line = fails_cleanly(snare(*args, "-q", "--no-cache"), "could not be loaded", "Expecting property name")
    assert line.endswith(")")  # was: "(JSONDecodeError)" and nothing of why
