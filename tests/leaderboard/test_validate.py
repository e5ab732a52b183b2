"""Every rejection rule fires on a crafted file, with one line that names the file and the reason."""

from __future__ import annotations

import copy
import json

import pytest

from snare.leaderboard.probesets import ProbeSetResolver
from snare.leaderboard.reading import SubmissionRejected
from snare.leaderboard.validate import verify_submission


def _rejected(path) -> str:
    with pytest.raises(SubmissionRejected) as info:
        verify_submission(path, ProbeSetResolver(), n_boot=10)
    message = str(info.value)
    assert len(message.splitlines()) == 1 and message.startswith(str(path))
    return message


def test_the_untampered_submission_passes(good_submission, write_sub, run_dir):
    entry = verify_submission(write_sub(good_submission), ProbeSetResolver(), n_boot=10)
    recorded = json.loads((run_dir / "results.json").read_text())["tasks"]
    assert {t: m.accuracy.estimate for t, m in entry.metrics.items()} == {t: s["accuracy"] for t, s in recorded.items()}


def test_inflated_accuracy_is_rejected(good_submission, write_sub):
    sub = copy.deepcopy(good_submission)
    claim = sub["claims"]["negation_logic"]
    claim["correct"] = claim["n"]
    claim["accuracy"] = 1.0
    assert "claimed accuracy 1.0000 for negation_logic but its scores give" in _rejected(write_sub(sub))


def test_claimed_counts_must_match_too(good_submission, write_sub):
    sub = copy.deepcopy(good_submission)
    sub["claims"]["spatial_relations"]["ties"] += 1
    assert "claimed ties=" in _rejected(write_sub(sub))


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_nan_or_infinite_score_is_rejected(good_submission, write_sub, value):
    sub = copy.deepcopy(good_submission)
    item = sub["items"]["attribute_ownership"][3]
    item["scores"][1] = value
    message = _rejected(write_sub(sub, raw=True))
    assert f"item {item['id']!r} of attribute_ownership has a" in message
    assert ("NaN" if value != value else "infinite") in message


def test_missing_item_is_rejected(good_submission, write_sub):
    sub = copy.deepcopy(good_submission)
    gone = sub["items"]["semantic_structure"].pop(2)
    assert f"1 item(s) of semantic_structure are missing, e.g. {gone['id']!r}" in _rejected(write_sub(sub))


def test_extra_item_is_rejected(good_submission, write_sub):
    sub = copy.deepcopy(good_submission)
    sub["items"]["negation_logic"].append({"id": "synthetic/s0/scene99999/negation_logic", "scores": [1.0, 0.0]})
    assert "not in the probe set (extra items)" in _rejected(write_sub(sub))


def test_duplicated_item_is_rejected(good_submission, write_sub):
    sub = copy.deepcopy(good_submission)
    rows = sub["items"]["negation_logic"]
    rows[1] = copy.deepcopy(rows[0])
    assert "appears 2 times (duplicated id)" in _rejected(write_sub(sub))


def test_wrong_number_of_scores_is_rejected(good_submission, write_sub):
    sub = copy.deepcopy(good_submission)
    sub["items"]["spatial_relations"][0]["scores"].append(0.5)
    assert "has 5 scores but 4 options" in _rejected(write_sub(sub))


def test_unknown_fingerprint_is_rejected(good_submission, write_sub):
    sub = copy.deepcopy(good_submission)
    sub["probeset"]["fingerprint"] = "sha256:" + "0" * 64
    assert "is not known" in _rejected(write_sub(sub))


def test_a_different_seed_or_limit_does_not_match_the_fingerprint(good_submission, write_sub):
    for key, value in (("limit", 9), ("seed", 1)):
        sub = copy.deepcopy(good_submission)
        if key == "seed":
            sub["probeset"]["source"]["seed"] = value
        else:
            sub["probeset"][key] = value
        assert "is not known" in _rejected(write_sub(sub))


@pytest.mark.parametrize(
    "name",
    ['<script>alert("x")</script>', "<img src=x onerror=alert(1)>", "model&amp;co", "a\nb"],
)
def test_script_injection_in_a_model_name_is_rejected(good_submission, write_sub, name):
    sub = copy.deepcopy(good_submission)
    sub["model"]["display_name"] = name
    assert "model.display_name: contains markup or control characters" in _rejected(write_sub(sub))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>x</b>", 'https://x.org/"onmouseover=1'])
def test_links_must_be_plain_http(good_submission, write_sub, url):
    sub = copy.deepcopy(good_submission)
    sub["model"]["url"] = url
    assert "model.url" in _rejected(write_sub(sub))


def test_schema_is_strict(good_submission, write_sub):
    sub = copy.deepcopy(good_submission)
    sub["claims"]["negation_logic"]["n"] = str(sub["claims"]["negation_logic"]["n"])
    assert "claims.negation_logic.n: Input should be a valid integer" in _rejected(write_sub(sub))
    sub = copy.deepcopy(good_submission)
    sub["model"]["exec"] = "import os"
    assert "model.exec: Extra inputs are not permitted" in _rejected(write_sub(sub))
    assert "not a snare submission" in _rejected(write_sub({"format": "something-else"}, raw=True))


def test_tasks_must_agree(good_submission, write_sub):
    sub = copy.deepcopy(good_submission)
    del sub["claims"]["negation_logic"]
    assert "tasks disagree" in _rejected(write_sub(sub))


def test_a_whole_missing_task_is_rejected(good_submission, write_sub):
    sub = copy.deepcopy(good_submission)
    for part in ("claims", "items", "coverage"):
        del sub[part]["negation_logic"]
    sub["probeset"]["tasks"].remove("negation_logic")
    # the five-task fingerprint still names the whole set: the dropped task is called missing, not the set unknown
    assert "task negation_logic is missing" in _rejected(write_sub(sub))
