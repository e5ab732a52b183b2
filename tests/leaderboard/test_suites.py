"""Suite probe sets on the board: built from the local hub, verified against the suite's pinned revisions, and
rendered with the suite and its data named."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

import pytest

from snare.leaderboard.probesets import ProbeSetResolver
from snare.leaderboard.reading import SubmissionRejected
from snare.leaderboard.submit import submission_bytes, submission_from_run
from snare.leaderboard.validate import verify_submission
from snare.probes.probeset import ProbeSet
from snare.probes.suites import dataset_table
from tests.helpers import error_lines, run_snare
from tests.leaderboard.conftest import make_run

PIN = dataset_table()["winoground"].revision  # b400e17…, served as such by the local hub
OTHER = "0123456789abcdef0123456789abcdef01234567"


def _hub_env(**extra: str) -> dict[str, str]:
    return {**{k: os.environ[k] for k in ("HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_HOME")}, **extra}


def _build(tmp_path: Path) -> Path:
    """``snare probes build --suite winoground`` on the local hub: 3 examples, 6 items, images in the folder."""
    out = tmp_path / "built" / "winoground"  # not ../probesets of the submissions: searched always
    proc = run_snare("probes", "build", "--suite", "winoground", "--out", str(out), env=_hub_env())
    assert proc.returncode == 0, proc.stderr
    return out


def _edit_source(folder: Path, **fields: object) -> None:
    """Rewrite the winoground dataset's record in the manifest (a field set to None is removed)."""
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    record = manifest["source"]["winoground"]
    record.update(fields)
    manifest["source"]["winoground"] = {k: v for k, v in record.items() if v is not None}
    path.write_text(json.dumps(manifest))


def _submission(tmp_path: Path, probes: ProbeSet, name: str = "sub.json") -> Path:
    """A submission file of the TextHashScorer's run on ``probes``."""
    sub = submission_from_run(make_run(tmp_path / f"run-{name}", probes=probes))
    path = tmp_path / "submissions" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(submission_bytes(sub, gzipped=False))
    return path


def _verify(path: Path, probes: Path):
    return verify_submission(path, ProbeSetResolver([probes]), n_boot=50)


def test_a_suite_set_goes_on_the_board_named_with_its_data_and_its_baselines_apart(local_hub, tmp_path):
    probes = _build(tmp_path)
    subs = tmp_path / "submissions"
    for model in ("reference", "constant", "blind-ngram"):
        run = tmp_path / "runs" / model
        args = ("eval", "--model", model, "--probes", str(probes), "--output", str(run), "-q", "--no-cache")
        assert (proc := run_snare(*args)).returncode == 0, proc.stderr
        args = ("submit", str(run), "--out", str(subs / f"{model}.json"), "--probes", str(probes))
        assert (proc := run_snare(*args)).returncode == 0, proc.stderr
    check = run_snare("leaderboard", "check", str(subs / "reference.json"), "--probes", str(probes))
    assert check.returncode == 0 and check.stdout.startswith("ok: "), check.stderr
    assert f"; suite winoground: winoground@{PIN[:7]}), protocol snare" in check.stdout
    unknown = run_snare("leaderboard", "check", str(subs / "constant.json"))  # the folder not given
    assert unknown.returncode == 2 and len(error_lines(unknown.stderr)) == 1
    assert "(suite winoground) is not known" in unknown.stderr
    assert "snare probes build --suite winoground --out DIR" in unknown.stderr

    board = tmp_path / "board"
    proc = run_snare("leaderboard", "build", str(subs), "--out", str(board), "--probes", str(probes))
    assert proc.returncode == 0, proc.stderr
    (table,) = json.loads((board / "leaderboard.json").read_text())["tables"]
    assert table["scope"] == f"suite winoground: winoground@{PIN[:7]}; all items"
    assert table["suite"]["datasets"] == [
        {"dataset": "winoground", "repo": "facebook/winoground", "revision": PIN, "commit": PIN, "local_copy": False}
    ]
    ranks = {e["model"]["name"]: (e["rank"], e["baseline"]) for e in table["entries"]}
    assert ranks == {"reference": (1, False), "constant": (None, True), "blind-ngram": (None, True)}
    md = (board / "leaderboard.md").read_text()
    assert f"## Probe set suite-winoground (suite winoground: winoground@{PIN[:7]}; all items)" in md
    assert f"winoground: facebook/winoground at {PIN}" in md and "### Baselines (not ranked): 2" in md
    assert md.index("### Baselines") < md.index("**BASELINE** constant")  # listed apart, after the ranked table
    html = (board / "leaderboard.html").read_text()
    assert f"suite winoground: winoground@{PIN[:7]}" in html and f"facebook/winoground at {PIN}" in html

    _edit_source(probes, revision=OTHER, commit=OTHER)  # the fingerprint covers items and images, not this record
    refused = run_snare("leaderboard", "check", str(subs / "reference.json"), "--probes", str(probes))
    assert refused.returncode == 2 and error_lines(refused.stderr) == [
        f"error: {subs / 'reference.json'}: dataset winoground of suite winoground was read at "
        f"facebook/winoground@{OTHER} but the suite pins facebook/winoground@{PIN}; "
        "rebuild it with: snare probes build --suite winoground --out DIR"
    ]


def test_a_set_built_before_the_pin_moved_is_refused_and_a_declared_mirror_is_accepted(
    local_hub, tmp_path, monkeypatch
):
    probes = _build(tmp_path)
    sub = _submission(tmp_path, ProbeSet.load(probes))
    assert _verify(sub, probes).suite.datasets[0].commit == PIN
    declared = dataset_table()["winoground"]
    monkeypatch.setitem(dataset_table(), "winoground", dataclasses.replace(declared, revision=OTHER))
    with pytest.raises(SubmissionRejected, match=f"read at facebook/winoground@{PIN} but the suite pins .*@{OTHER}"):
        _verify(sub, probes)
    # the same repository at the old pin, declared as a fallback mirror: what the build read is pinned again
    moved = dataclasses.replace(declared, revision=OTHER, fallbacks=(declared,))
    monkeypatch.setitem(dataset_table(), "winoground", moved)
    assert _verify(sub, probes).suite.datasets[0].revision == PIN
    # a repository the suite does not declare, at any revision
    _edit_source(probes, repo="someone/winoground-copy")
    with pytest.raises(SubmissionRejected, match="read from someone/winoground-copy, which the suite does not"):
        _verify(sub, probes)


def test_a_local_copy_keeps_its_recorded_revision_checked(local_hub, tmp_path):
    probes = _build(tmp_path)
    sub = _submission(tmp_path, ProbeSet.load(probes))
    _edit_source(probes, commit=None)  # as a --data-dir build records it: the pin it was read as, no commit
    suite = _verify(sub, probes).suite
    assert suite.scope() == f"suite winoground: winoground@{PIN[:7]} local copy"
    assert suite.to_json()["datasets"][0]["local_copy"] is True
    _edit_source(probes, revision=OTHER)
    with pytest.raises(SubmissionRejected, match=f"read at facebook/winoground@{OTHER} but the suite pins"):
        _verify(sub, probes)
    _edit_source(probes, revision=PIN, commit=OTHER)  # the pin recorded, but the cache held another commit
    with pytest.raises(SubmissionRejected, match=f"read at facebook/winoground@{OTHER}"):
        _verify(sub, probes)
    _edit_source(probes, revision=None, commit=None)
    with pytest.raises(SubmissionRejected, match="does not record the repository and revision dataset winoground"):
        _verify(sub, probes)


def test_an_undeclared_suite_is_refused(local_hub, tmp_path):
    probes = _build(tmp_path)
    sub = _submission(tmp_path, ProbeSet.load(probes))
    manifest = json.loads((probes / "manifest.json").read_text())
    manifest["source"]["suite"] = "<winoground-v0>"
    (probes / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SubmissionRejected, match="a suite this snare does not declare") as exc:
        _verify(sub, probes)
    assert "<" not in str(exc.value)  # a name read from a file is not printed


def test_a_suite_set_without_its_images_keeps_the_file_rule(local_hub, tmp_path):
    probes = _build(tmp_path)
    whole = _submission(tmp_path, ProbeSet.load(probes), "whole.json")
    part = _submission(tmp_path, ProbeSet.load(probes).subset(limit=2), "part.json")
    assert _verify(part, probes).n_items == 2
    assert _verify(whole, probes).suite.name == "winoground"
    shutil.rmtree(probes / "images")
    # without its images a file-based set's fingerprint is only its manifest's claim: it vouches for nothing
    with pytest.raises(SubmissionRejected, match="cannot be verified: an image is missing"):
        _verify(whole, probes)
    with pytest.raises(SubmissionRejected, match="is not known"):  # a subset's fingerprint needs the images
        _verify(part, probes)


def test_a_set_read_from_a_fallback_mirror_verifies_and_its_table_names_the_mirror(local_hub, tmp_path):
    from snare.probes.suites import build_suite

    flickr = dataset_table()["flickr30k"]
    mirror = flickr.fallbacks[0]  # mteb/ARO-Flickr-Order, the same files at its own pinned commit
    local_hub.repos[mirror.repo] = (mirror.revision, local_hub.repos.pop(flickr.repo)[1])
    built = build_suite("aro", image_dir=tmp_path / "images", tasks=["flickr30k_order"])
    folder = built.save(tmp_path / "built" / "aro-flickr")
    verified = _verify(_submission(tmp_path, ProbeSet.load(folder)), folder)
    (read,) = verified.suite.datasets
    assert (read.repo, read.revision, read.commit) == (mirror.repo, mirror.revision, mirror.revision)
    assert verified.suite.scope() == f"suite aro: flickr30k@{mirror.revision[:7]}"
