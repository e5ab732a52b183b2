"""Partial runs and protocols on the board: a partial run is accepted only as made with --allow-partial, marked
PARTIAL in every format and never ranked; inconsistent coverage and unknown protocols are refused."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from snare.adapters.constant import Constant
from snare.errors import SnareError
from snare.leaderboard.build import collect, write_board
from snare.leaderboard.probesets import ProbeSetResolver
from snare.leaderboard.reading import SubmissionRejected
from snare.leaderboard.submit import submission_from_run, write_submission
from snare.leaderboard.validate import verify_submission
from snare.probes.probeset import ProbeSet
from tests.leaderboard.conftest import file_probeset, make_run


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A complete constant run and a partial (image 2 missing, --allow-partial) text-hash run on one probe set."""
    root = tmp_path_factory.mktemp("partial")
    folder = file_probeset(root)
    complete = make_run(root / "runs" / "constant", probes=ProbeSet.load(folder), adapter=Constant())
    (root / "images" / "2.png").rename(root / "2.png")  # kept aside: a complete run is verified with every image
    partial = make_run(root / "runs" / "partial", probes=ProbeSet.load(folder), allow_partial=True)
    return {"root": root, "complete": complete, "partial": partial}


@pytest.fixture(scope="module")
def resolver(runs) -> ProbeSetResolver:
    return ProbeSetResolver([runs["root"] / "probesets"])


@pytest.fixture(scope="module")
def partial_sub(runs) -> dict:
    return submission_from_run(runs["partial"], display_name="Partial hash")


def _rejected(path: Path, resolver: ProbeSetResolver) -> str:
    with pytest.raises(SubmissionRejected) as info:
        verify_submission(path, resolver, n_boot=10)
    message = str(info.value)
    assert len(message.splitlines()) == 1 and message.startswith(str(path))
    return message


def test_a_partial_submission_carries_coverage_and_protocol(partial_sub: dict, runs):
    assert partial_sub["partial"] is True and partial_sub["protocol"]["name"] == "snare"
    cov = partial_sub["coverage"]["negation_logic"]
    assert (cov["total"], cov["scored"]) == (6, 5)
    assert cov["failed"] == [{"id": "t/negation_logic/0002", "reason": "image missing: 2.png"}]
    assert "t/negation_logic/0002" not in {row["id"] for row in partial_sub["items"]["negation_logic"]}
    complete = submission_from_run(runs["complete"])
    assert complete["partial"] is False and all(not c["failed"] for c in complete["coverage"].values())


def test_accepted_partial_is_marked_everywhere_and_never_ranked(partial_sub: dict, runs, resolver, tmp_path: Path):
    subs = tmp_path / "submissions"
    write_submission(partial_sub, subs / "partial.json")
    write_submission(submission_from_run(runs["complete"], display_name="Constant"), subs / "constant.json")
    image = runs["root"] / "images" / "2.png"
    (runs["root"] / "2.png").rename(image)  # the board's copy of the set is whole: both runs can be verified
    try:
        board = collect(subs, resolver, n_boot=20)
    finally:
        image.rename(runs["root"] / "2.png")
    write_board(board, tmp_path / "board")
    data = json.loads((tmp_path / "board" / "leaderboard.json").read_text())
    (table,) = data["tables"]
    complete, partial = table["entries"]
    assert partial["mean_accuracy"] > complete["mean_accuracy"] == 0.0  # better mean, still listed after
    # the constant model is a baseline: listed, never ranked (a partial run sits after it all the same)
    assert (complete["label"], complete["rank"], complete["partial"], complete["mark"]) == (
        "Constant",
        None,
        False,
        "BASELINE",
    )
    assert (partial["label"], partial["rank"], partial["partial"], partial["mark"]) == (
        "Partial hash",
        None,
        True,
        "PARTIAL",
    )
    assert partial["coverage"] == {"scored": 10, "total": 12, "fraction": 10 / 12}
    recorded = json.loads((runs["partial"] / "results.json").read_text())["tasks"]
    for task, summary in recorded.items():  # recomputed on the scored items only
        assert (partial["tasks"][task]["accuracy"], partial["tasks"][task]["n"]) == (summary["accuracy"], 5)
        failed = partial["tasks"][task]["coverage"]["failed"]
        assert failed == [{"id": f"t/{task}/0002", "reason": "image missing: 2.png"}]

    md = (tmp_path / "board" / "leaderboard.md").read_text()
    ranked, unranked = md.split("### Partial runs (not ranked): 1")
    assert "| – | **BASELINE** Constant |" in ranked and "Partial hash" not in ranked
    row = next(line for line in unranked.splitlines() if "Partial hash" in line)
    assert row.startswith("| – | **PARTIAL** Partial hash |") and row.endswith("| 10/12 (83.3%) |")
    assert "· 5/6 |" in row

    html = (tmp_path / "board" / "leaderboard.html").read_text()
    ranked, unranked = html.split("<h3>Partial runs (not ranked): 1</h3>")
    assert '<table class="board" id="baselines-1">' in ranked and '<span class="mark">PARTIAL</span>' not in ranked
    assert '<table class="board partial" id="partial-1">' in unranked
    assert '<span class="mark">PARTIAL</span>' in unranked and "10/12 (83.3%)" in unranked
    assert "5/6 scored" in unranked


def test_a_partial_run_without_allow_partial_is_refused(runs, partial_sub: dict, resolver, write_sub, tmp_path: Path):
    copy_dir = tmp_path / "withheld"
    shutil.copytree(runs["partial"], copy_dir)
    record = json.loads((copy_dir / "results.json").read_text())
    record["partial"] = False  # as if made without --allow-partial (snare eval itself would have stopped)
    (copy_dir / "results.json").write_text(json.dumps(record))
    with pytest.raises(SnareError, match="not made with --allow-partial"):
        submission_from_run(copy_dir)
    sub = copy.deepcopy(partial_sub)
    sub["partial"] = False
    message = _rejected(write_sub(sub), resolver)
    assert "2 item(s) failed (coverage below 100%) but the file is not marked partial" in message


def _drop_failed(sub: dict) -> None:
    sub["coverage"]["negation_logic"]["failed"] = []


def _score_the_failed(sub: dict) -> None:
    sub["items"]["negation_logic"].append({"id": "t/negation_logic/0002", "scores": [1.0, 0.0]})


def _unknown_failed(sub: dict) -> None:
    sub["coverage"]["negation_logic"]["failed"][0]["id"] = "t/negation_logic/0099"


def _twice_failed(sub: dict) -> None:
    failed = sub["coverage"]["negation_logic"]["failed"]
    failed.append(dict(failed[0]))


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (_drop_failed, "1 item(s) of negation_logic are missing, e.g. 't/negation_logic/0002'; an item that could not"),
        (_score_the_failed, "item 't/negation_logic/0002' of negation_logic is listed as failed but carries scores"),
        (_unknown_failed, "failed item 't/negation_logic/0099' of negation_logic is not in the probe set"),
        (_twice_failed, "failed item 't/negation_logic/0002' of negation_logic is listed 2 times"),
        (lambda s: s["coverage"]["spatial_relations"].update(total=7), "says total=7 but the probe set has 6"),
        (lambda s: s["coverage"]["spatial_relations"].update(scored=4), "says scored=4 but 5 items carry scores"),
        (lambda s: s["coverage"].pop("spatial_relations"), "coverage lists tasks ['negation_logic']"),
        (lambda s: s.pop("coverage"), "partial: true but no coverage block lists the failed items"),
    ],
)
def test_inconsistent_coverage_is_refused(partial_sub: dict, resolver, write_sub, tamper, message):
    sub = copy.deepcopy(partial_sub)
    tamper(sub)
    assert message in _rejected(write_sub(sub), resolver)


def test_a_complete_run_cannot_claim_partial(good_submission: dict, write_sub):
    sub = copy.deepcopy(good_submission)
    sub["partial"] = True
    assert "partial: true but every item is scored" in _rejected(write_sub(sub), ProbeSetResolver())
    sub = copy.deepcopy(good_submission)
    del sub["coverage"]
    sub["items"]["negation_logic"].pop()  # without coverage every item must carry scores
    assert "must be listed under coverage" in _rejected(write_sub(sub), ProbeSetResolver())


def test_unlisted_failures_are_found_from_the_probe_set(tmp_path: Path):
    """results.json lists 50 failed items per task; the submission must list all of them."""
    folder = file_probeset(tmp_path, 56, image_of=lambda i: "kept.png" if i == 0 else "gone.png")
    (tmp_path / "images" / "gone.png").unlink()
    run = make_run(tmp_path / "run", probes=ProbeSet.load(folder), allow_partial=True)
    assert len(json.loads((run / "results.json").read_text())["coverage"]["negation_logic"]["failed"]) == 50
    with pytest.raises(SnareError, match="lists 50 of the failed negation_logic items; pass --probes"):
        submission_from_run(run)
    resolver = ProbeSetResolver([tmp_path / "probesets"])
    sub = submission_from_run(run, resolver=resolver)
    failed = sub["coverage"]["negation_logic"]["failed"]
    assert len(failed) == 55 and len({f["id"] for f in failed}) == 55
    assert sum(f["reason"].startswith("not listed in results.json") for f in failed) == 5
    write_submission(sub, tmp_path / "subs" / "s.json")
    entry = verify_submission(tmp_path / "subs" / "s.json", resolver, n_boot=10)
    assert entry.partial and entry.coverage["negation_logic"].scored == 1


def test_failure_reasons_are_kept_plain(runs, tmp_path: Path):
    copy_dir = tmp_path / "odd"
    shutil.copytree(runs["partial"], copy_dir)
    record = json.loads((copy_dir / "results.json").read_text())
    record["coverage"]["negation_logic"]["failed"][0]["reason"] = "image missing: <dog's>.png"
    (copy_dir / "results.json").write_text(json.dumps(record))
    sub = submission_from_run(copy_dir)
    assert sub["coverage"]["negation_logic"]["failed"][0]["reason"] == "image missing: ?dog?s?.png"


# -- protocols -------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def paper_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("paper") / "paper", adapter=Constant(), protocol="snare-paper")


def test_each_protocol_gets_its_own_table(paper_run: Path, good_submission: dict, tmp_path: Path):
    subs = tmp_path / "submissions"
    write_submission(good_submission, subs / "a.json")
    paper = submission_from_run(paper_run, display_name="Constant, paper rules")
    assert paper["protocol"] == {
        "name": "snare-paper",
        "tie_break": "first",
        "redraw_shuffles": False,
        "consistent_spacing": False,
    }
    write_submission(paper, subs / "b.json")
    write_board(collect(subs, ProbeSetResolver(), n_boot=20), tmp_path / "board")
    data = json.loads((tmp_path / "board" / "leaderboard.json").read_text())
    assert [(t["protocol"]["name"], [e["rank"] for e in t["entries"]]) for t in data["tables"]] == [
        ("snare", [1]),
        ("snare-paper", [None]),  # the constant model is a baseline: its own table, never ranked
    ]
    assert data["tables"][0]["fingerprint"] == data["tables"][1]["fingerprint"]  # same items, not mixed
    (entry,) = data["tables"][1]["entries"]
    recorded = json.loads((paper_run / "results.json").read_text())["tasks"]
    for task, summary in recorded.items():  # the protocol's own accuracy, recomputed from the scores
        assert entry["tasks"][task]["protocol_accuracy"] == summary["protocol_accuracy"]["accuracy"]
        assert entry["tasks"][task]["accuracy"] == 0.0  # strict: every option ties
    assert entry["tasks"]["negation_logic"]["protocol_accuracy"] == 1.0
    md = (tmp_path / "board" / "leaderboard.md").read_text()
    assert "## Probe set synthetic (seed 0, 300 scenes; first 8 items per task), protocol snare-paper" in md
    assert "0.000 [0.00, 0.00] · snare-paper 1.000" in md
    html = (tmp_path / "board" / "leaderboard.html").read_text()
    assert "protocol <code>snare-paper</code>" in html and "snare-paper 1.000" in html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "lenient"}, "unknown protocol 'lenient'"),
        ({"tie_break": "first"}, "protocol 'snare' records tie_break='first' but that protocol has 'strict'"),
    ],
)
def test_a_protocol_must_be_known_and_as_recorded(good_submission: dict, write_sub, change, message):
    sub = copy.deepcopy(good_submission)
    sub["protocol"].update(change)
    assert message in _rejected(write_sub(sub), ProbeSetResolver())


def test_a_file_from_before_protocols_and_coverage_reads_as_complete_snare(good_submission: dict, write_sub):
    sub = copy.deepcopy(good_submission)
    for key in ("protocol", "coverage", "partial"):
        del sub[key]
    entry = verify_submission(write_sub(sub), ProbeSetResolver(), n_boot=10)
    assert entry.protocol == "snare" and not entry.partial
    assert all(c.complete for c in entry.coverage.values())
