"""snare leaderboard build: all or nothing unless --skip-invalid; a rejected file never changes the board."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from snare.leaderboard.build import BOARD_FILES, BoardRejected, collect, write_board
from snare.leaderboard.probesets import ProbeSetResolver
from snare.leaderboard.submit import submission_from_run, write_submission
from tests.leaderboard.conftest import make_run


@pytest.fixture(scope="module")
def two_models(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    root = tmp_path_factory.mktemp("two")
    return [submission_from_run(make_run(root / w, weights=w)) for w in ("salt0", "salt1")]


def _inflated(sub: dict) -> dict:
    bad = copy.deepcopy(sub)
    bad["model"]["display_name"] = "inflated"
    claim = bad["claims"]["negation_logic"]
    claim["correct"], claim["accuracy"] = claim["n"], 1.0
    return bad


def test_one_bad_file_fails_the_build_and_leaves_the_board_alone(two_models, tmp_path: Path):
    subs, board_dir = tmp_path / "submissions", tmp_path / "board"
    for i, sub in enumerate(two_models):
        write_submission(sub, subs / f"m{i}.json")
    write_board(collect(subs, ProbeSetResolver(), n_boot=20), board_dir)
    before = {name: (board_dir / name).read_bytes() for name in BOARD_FILES}
    write_submission(_inflated(two_models[0]), subs / "z-inflated.json")
    with pytest.raises(BoardRejected) as info:
        collect(subs, ProbeSetResolver(), n_boot=20)
    assert "z-inflated.json: claimed accuracy" in str(info.value) and "--skip-invalid" in str(info.value)
    assert len(str(info.value).splitlines()) == 1
    assert {name: (board_dir / name).read_bytes() for name in BOARD_FILES} == before


def test_skip_invalid_lists_what_it_skipped(two_models, tmp_path: Path):
    subs = tmp_path / "submissions"
    for i, sub in enumerate(two_models):
        write_submission(sub, subs / f"m{i}.json")
    write_submission(_inflated(two_models[0]), subs / "z-inflated.json")
    (subs / "notes.txt").write_text("not a submission: ignored")
    board = collect(subs, ProbeSetResolver(), skip_invalid=True, n_boot=20)
    assert [p.name for p, _ in board.skipped] == ["z-inflated.json"]
    write_board(board, tmp_path / "board")
    data = json.loads((tmp_path / "board" / "leaderboard.json").read_text())
    labels = [e["label"] for e in data["tables"][0]["entries"]]
    assert sorted(labels) == ["texthash (salt0)", "texthash (salt1)"]
    assert [e["rank"] for e in data["tables"][0]["entries"]] == [1, 2]


def test_the_same_model_twice_is_a_duplicate(two_models, tmp_path: Path):
    subs = tmp_path / "submissions"
    write_submission(two_models[0], subs / "a.json")
    write_submission(two_models[0], subs / "b.json.gz")
    with pytest.raises(BoardRejected, match=r"same model label 'texthash \(salt0\)' as a\.json"):
        collect(subs, ProbeSetResolver(), n_boot=20)


def test_submissions_on_different_probe_sets_get_separate_tables(two_models, tmp_path: Path):
    subs = tmp_path / "submissions"
    write_submission(two_models[0], subs / "a.json")
    write_submission(submission_from_run(make_run(tmp_path / "r", limit=3)), subs / "b.json")
    board = collect(subs, ProbeSetResolver(), n_boot=20)
    write_board(board, tmp_path / "board")
    data = json.loads((tmp_path / "board" / "leaderboard.json").read_text())
    assert [t["n_items"] for t in data["tables"]] == [40, 15]


def test_empty_or_missing_folder_is_one_line(tmp_path: Path):
    from snare.errors import SnareError

    with pytest.raises(SnareError, match="not found"):
        collect(tmp_path / "absent", ProbeSetResolver())
    (tmp_path / "empty").mkdir()
    with pytest.raises(SnareError, match="no submissions"):
        collect(tmp_path / "empty", ProbeSetResolver())
