"""snare submit: a results directory becomes one submission file; the board reproduces the run's accuracies."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from snare.errors import SnareError
from snare.leaderboard.build import collect, write_board
from snare.leaderboard.probesets import ProbeSetResolver
from snare.leaderboard.submit import hub_link, submission_bytes, submission_from_run, write_submission


def test_submission_carries_scores_and_claims_but_no_answers(run_dir: Path, good_submission: dict):
    record = json.loads((run_dir / "results.json").read_text())
    assert good_submission["probeset"]["fingerprint"] == record["probeset"]["fingerprint"]
    assert good_submission["model"]["name"] == "texthash" and good_submission["model"]["params"] == 7
    assert set(good_submission["items"]) == set(record["tasks"]) == set(good_submission["probeset"]["tasks"])
    row = good_submission["items"]["spatial_relations"][0]
    assert set(row) == {"id", "scores"}  # intended option, cluster, labels come from the probe set, not from here
    for task, summary in record["tasks"].items():
        assert good_submission["claims"][task]["accuracy"] == summary["accuracy"]


def test_round_trip_reproduces_the_run_accuracies(run_dir: Path, good_submission: dict, tmp_path: Path):
    subs = tmp_path / "submissions"
    write_submission(good_submission, subs / "texthash.json.gz")
    board = collect(subs, ProbeSetResolver(), n_boot=50)
    write_board(board, tmp_path / "board")
    data = json.loads((tmp_path / "board" / "leaderboard.json").read_text())
    (entry,) = data["tables"][0]["entries"]
    recorded = json.loads((run_dir / "results.json").read_text())["tasks"]
    for task, summary in recorded.items():
        got = entry["tasks"][task]
        assert (got["accuracy"], got["n"], got["correct"], got["ties"]) == (
            summary["accuracy"],
            summary["n"],
            summary["correct"],
            summary["ties"],
        )
        low, high = got["ci"]
        assert low <= got["accuracy"] <= high


def test_gzip_output_is_deterministic_and_equal_to_plain(good_submission: dict, tmp_path: Path):
    plain = write_submission(good_submission, tmp_path / "a.json")
    packed = write_submission(good_submission, tmp_path / "a.json.gz")
    assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()
    assert submission_bytes(good_submission, gzipped=True) == packed.read_bytes()
    assert json.loads(plain.read_text()) == good_submission
    # one item per line, so a pull request diff shows items, not one giant line
    assert len(plain.read_text().splitlines()) > sum(len(v) for v in good_submission["items"].values())


def test_existing_file_needs_overwrite(good_submission: dict, tmp_path: Path):
    out = write_submission(good_submission, tmp_path / "a.json")
    with pytest.raises(SnareError, match="--overwrite"):
        write_submission(good_submission, out)
    write_submission(good_submission, out, overwrite=True)


def test_display_name_and_link(run_dir: Path):
    sub = submission_from_run(run_dir, display_name="Hash baseline", url="https://example.org/hash")
    assert sub["model"]["display_name"] == "Hash baseline" and sub["model"]["url"] == "https://example.org/hash"
    with pytest.raises(SnareError, match=r"model\.url: must be an http"):
        submission_from_run(run_dir, url="javascript:alert(1)")


@pytest.mark.parametrize(
    ("weights", "link"),
    [
        (
            "hf-hub:laion/CLIP-ViT-B-32-laion2B-s34B-b79K",
            "https://huggingface.co/laion/CLIP-ViT-B-32-laion2B-s34B-b79K",
        ),
        ("Salesforce/blip-itm-base-coco", "https://huggingface.co/Salesforce/blip-itm-base-coco"),
        ("openai", None),
        ("random", None),
        ("./negclip.pt", None),
        ("ckpts/negclip.pt", None),
    ],
)
def test_hub_weights_get_a_link(weights: str, link: str | None):
    assert hub_link(weights) == link


def test_not_a_results_folder_is_one_line(tmp_path: Path):
    with pytest.raises(SnareError, match=r"results\.json is missing"):
        submission_from_run(tmp_path)
