"""``--protocol snare-contrast`` from ARO's files: the mined twins as a probe set, through the CLI too."""

import json

import pytest

from snare.errors import SnareError
from snare.probes.contrast_sources import build_contrast
from snare.probes.probeset import ProbeSet
from tests.probes.test_mined_twins import _write


def test_aro_folder_gives_the_mined_pairs_with_loadable_images(tmp_path):
    _write(tmp_path / "aro")
    tasks = ["relationship_composition", "negation_logic"]
    probes = build_contrast(tasks, str(tmp_path / "aro"))
    assert probes.tasks == sorted(tasks) and probes.info["protocol"]["contrast_twins"] is True
    assert probes.info["build"]["negation_logic"] == {
        "candidates": 4, "items": 4, "skipped": {"no twin": 0}, "pairs": 2, "twin_yield": 1.0
    }  # fmt: skip
    assert probes.info["build"]["relationship_composition"] == {
        "candidates": 6, "items": 6, "skipped": {"no twin": 2}, "pairs": 3, "twin_yield": 4 / 6, "mirror_pairs": 2
    }  # fmt: skip
    assert sum(it.image.flip for it in probes) == 2  # the two lamps' mirrored images
    for it in probes:
        assert probes.load_image(it.image).size == (20, 10)  # cropped to the record's box (and mirrored)
    assert build_contrast(tasks, str(tmp_path / "aro")).fingerprint == probes.fingerprint
    probes.save(tmp_path / "set")
    again = ProbeSet.load(tmp_path / "set")
    assert again.fingerprint == probes.fingerprint and sum(it.image.flip for it in again) == 2


def test_a_source_without_twins_is_one_line(tmp_path):
    _write(tmp_path / "aro")
    (tmp_path / "aro" / "visual_genome_attribution.json").write_text(json.dumps([]))
    with pytest.raises(SnareError, match="no contrast twins found"):
        build_contrast(["attribute_ownership"], str(tmp_path / "aro"))


def test_probes_build_from_aro_files(tmp_path, capsys):
    from snare.cli.main import main

    _write(tmp_path / "aro")
    out = tmp_path / "set"
    with pytest.raises(SystemExit) as info:
        main(["probes", "build", "spatial_relations", "--source", str(tmp_path / "aro"), "--protocol",
              "snare-contrast", "--out", str(out)])  # fmt: skip
    assert (info.value.code or 0) == 0, capsys.readouterr().err
    probes = ProbeSet.load(out)
    assert len(probes) == 2 and {it.meta["twin"] for it in probes} == {0, 1}
