"""The repository's own submissions pass every rule, and reports/leaderboard.* is their current board."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from snare.leaderboard.build import BOARD_FILES, BoardRejected, collect, write_board
from snare.leaderboard.probesets import ProbeSetResolver
from tests.helpers import REPO

SUBMISSIONS = REPO / "leaderboard" / "submissions"
REBUILD = "rebuild with: snare leaderboard build leaderboard/submissions --out reports --overwrite"
REGENERATE = "re-make them from real runs with: bash leaderboard/regenerate.sh"


def test_repository_board_is_built_from_its_submissions(tmp_path: Path):
    try:
        board = collect(SUBMISSIONS, ProbeSetResolver([REPO / "leaderboard" / "probesets"]))
    except BoardRejected as exc:  # e.g. the synthetic set changed, so the old fingerprints name nothing known
        pytest.fail(f"{exc}; {REGENERATE}")
    assert len(board.entries) >= 3
    write_board(board, tmp_path)
    for name in BOARD_FILES:
        current = (REPO / "reports" / name).read_text(encoding="utf-8")
        assert (tmp_path / name).read_text(encoding="utf-8") == current, f"reports/{name} is stale; {REBUILD}"


@pytest.mark.slow  # one full balanced build of the synthetic scenes
def test_the_committed_balanced_synthetic_set_rebuilds_to_its_recorded_fingerprint():
    from snare.probes.assemble import ProbeSpec, assemble
    from snare.probes.probeset import ProbeSet

    folder = REPO / "leaderboard" / "probesets" / "synthetic-balanced"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    committed = ProbeSet.load(folder)
    assert committed.fingerprint == manifest["fingerprint"], "the committed items are not the manifest's"
    rebuilt = assemble(ProbeSpec(tuple(committed.tasks), seed=manifest["seed"]), "snare-balanced")
    assert rebuilt.fingerprint == manifest["fingerprint"], f"the balanced construction changed; {REGENERATE}"
    assert json.loads(json.dumps(rebuilt.manifest())) == manifest  # the counts and the refinement too
