"""Resolving a fingerprint: the synthetic set rebuilt from its seed, or a probe-set folder's manifest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from snare.leaderboard.probesets import ProbeSetResolver
from snare.leaderboard.reading import SubmissionRejected
from snare.leaderboard.schema import Submission
from snare.leaderboard.submit import submission_from_run
from snare.leaderboard.validate import verify_submission
from snare.probes.probeset import ProbeSet
from tests.helpers import make_item
from tests.leaderboard.conftest import make_run


@pytest.fixture(scope="module")
def file_probeset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A probe set of real PNG files (drawn here), saved as a folder with manifest.json."""
    root = tmp_path_factory.mktemp("probesets")
    images = root / "images"
    images.mkdir()
    items = []
    for i in range(6):
        Image.new("RGB", (32, 24), (40 * i, 255 - 30 * i, 90)).save(images / f"img{i}.png")
        items.append(make_item(i, path=f"img{i}.png", cluster=f"img{i // 2}", correct=i % 2))
    folder = root / "tiny"
    ProbeSet(items, name="tiny", image_root=images, info={"source": {"kind": "files"}}).save(folder)
    return folder


def _submission(tmp_path: Path, probes: ProbeSet) -> Submission:
    return Submission.model_validate(submission_from_run(make_run(tmp_path / "run", probes=probes)))


def test_the_synthetic_set_is_rebuilt_from_seed_and_limit(good_submission):
    ref = Submission.model_validate(good_submission).probeset
    probes = ProbeSetResolver().resolve(ref, where="x")
    assert probes.fingerprint == ref.fingerprint and len(probes) == ref.n_items == 5 * 8


def test_a_manifest_in_a_search_folder_is_found(tmp_path, file_probeset):
    sub = _submission(tmp_path, ProbeSet.load(file_probeset))
    with pytest.raises(SubmissionRejected, match="is not known"):
        ProbeSetResolver().resolve(sub.probeset, where="x")
    for search in (file_probeset, file_probeset.parent):  # the folder itself, or a folder of probe sets
        probes = ProbeSetResolver([search]).resolve(sub.probeset, where="x")
        assert probes.fingerprint == sub.probeset.fingerprint and len(probes) == 6


def test_a_limited_run_matches_the_subset_of_a_known_folder(tmp_path, file_probeset):
    sub = _submission(tmp_path, ProbeSet.load(file_probeset).subset(limit=4))
    probes = ProbeSetResolver([file_probeset.parent]).resolve(sub.probeset, where="x")
    assert len(probes) == 4 and probes.fingerprint == sub.probeset.fingerprint


def test_the_whole_set_needs_only_the_manifest_but_a_subset_needs_the_images(tmp_path, file_probeset):
    whole = _submission(tmp_path / "a", ProbeSet.load(file_probeset))
    part = _submission(tmp_path / "b", ProbeSet.load(file_probeset).subset(limit=4))
    copy = tmp_path / "known" / "tiny"
    shutil.copytree(file_probeset, copy)
    manifest = copy / "manifest.json"
    manifest.write_text(manifest.read_text().replace(str(file_probeset.parent), "/gone"))  # images unreachable
    resolver = ProbeSetResolver([copy.parent])
    assert len(resolver.resolve(whole.probeset, where="x")) == 6
    with pytest.raises(SubmissionRejected, match="is not known"):
        resolver.resolve(part.probeset, where="x")


def test_a_file_probe_set_submission_verifies_end_to_end(tmp_path, file_probeset, write_sub):
    from snare.leaderboard.submit import submission_from_run

    run = make_run(tmp_path / "run", probes=ProbeSet.load(file_probeset))
    entry = verify_submission(write_sub(submission_from_run(run)), ProbeSetResolver([file_probeset]), n_boot=10)
    assert entry.probeset_name == "tiny" and entry.metrics["negation_logic"].n == 6


def test_the_contrast_set_is_rebuilt_and_its_submission_verifies(tmp_path: Path):
    """A run under snare-contrast on the synthetic twins: the board rebuilds the twins from the seed and recomputes
    every claim; the text-hash scorer never gets a pair."""
    from snare.probes.contrast import contrast_synthetic

    probes = contrast_synthetic(seed=0).subset(limit=6)
    run = make_run(tmp_path / "run", probes=probes, protocol="snare-contrast")
    path = tmp_path / "contrast.json"
    path.write_text(json.dumps(submission_from_run(run)))
    verified = verify_submission(path, ProbeSetResolver())
    assert verified.protocol == "snare-contrast" and verified.fingerprint == probes.fingerprint
    for task, metrics in verified.metrics.items():
        if task == "semantic_structure":  # a word-order task: no twins
            assert metrics.pairs is None
            continue
        assert metrics.pairs is not None and metrics.pairs.n == 3 and metrics.pairs.k == 0


@pytest.mark.parametrize("legacy", [False, True], ids=["default", "with-true-options"])
def test_the_synthetic_set_with_or_without_snares_true_options_is_rebuilt(tmp_path: Path, legacy: bool):
    """Submissions made on the set as built now (no 'respectively'/'and' option) and on the set as it was built
    before the default construction left them out both verify: the board rebuilds each from the seed."""
    from snare.probes.assemble import builtin_probeset
    from snare.probes.synthetic import synthetic_probeset

    probes = (synthetic_probeset(seed=0) if legacy else builtin_probeset("snare")).subset(
        tasks=["attribute_ownership"], limit=4
    )
    assert {len(it.options) for it in probes} == ({3} if legacy else {2})
    run = make_run(tmp_path / "run", probes=probes)
    path = tmp_path / "sub.json"
    path.write_text(json.dumps(submission_from_run(run)))
    verified = verify_submission(path, ProbeSetResolver())
    assert verified.fingerprint == probes.fingerprint and verified.metrics["attribute_ownership"].n == 4
