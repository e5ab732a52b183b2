"""Strict probe-set validation through the CLI: each malformed field is one line naming the file and the field."""

from __future__ import annotations

import json
import math

import pytest

from tests.hostile.conftest import edit_items, edit_manifest, fails_cleanly, rebuild_items, snare


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda it: {**it, "correct": "0"}, "correct"),
        (lambda it: {**it, "correct": 0.0}, "correct"),
        (lambda it: {**it, "correct": True}, "correct"),
        (lambda it: {**it, "image": {**it["image"], "bbox": [0, 0, math.nan, 4]}}, "finite"),
        (lambda it: {**it, "image": {**it["image"], "bbox": [0, 0, math.inf, 4]}}, "finite"),
        (lambda it: {**it, "image": {**it["image"], "bbox": [0, 0, -4, 4]}}, "positive"),
        (lambda it: {**it, "options": ["a dog runs", "a dog runs"]}, "two identical options"),
    ],
)
def test_malformed_items_are_one_line(probe_dir, edit, needle):
    edit_items(probe_dir, edit)
    line = fails_cleanly(snare("probes", "show", str(probe_dir)), needle)
    assert "negation_logic.jsonl" in line or "manifest.json" in line


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda m: {**m, "n_items": "4"}, "n_items"),
        (lambda m: {**m, "n_items": 5}, "n_items is 5"),
        (lambda m: {**m, "tasks": {"negation_logic": 3}}, "lists 3"),
        (lambda m: {**m, "tasks": ["negation_logic"]}, "tasks"),
        (lambda m: {**m, "name": 7}, "name"),
        (lambda m: {**m, "seed": -1}, "seed"),
        (lambda m: {**m, "seed": 2**64}, "seed"),
        (lambda m: {**m, "fingerprint": "md5:abc"}, "fingerprint"),
    ],
)
def test_malformed_manifests_are_one_line(probe_dir, edit, needle):
    edit_manifest(probe_dir, edit)
    fails_cleanly(snare("probes", "show", str(probe_dir)), needle)


def test_an_edited_file_based_set_fails_its_fingerprint(probe_dir):
    edit_items(probe_dir, lambda it: {**it, "correct": 1})  # flip every answer, keep the recorded fingerprint
    fails_cleanly(snare("eval", "--model", "constant", "--probes", str(probe_dir), "-q"), "fingerprint does not match")


def test_a_swapped_image_fails_the_fingerprint(probe_dir):
    images = probe_dir / "images"
    a, b = (images / "0.jpg").read_bytes(), (images / "1.jpg").read_bytes()
    (images / "0.jpg").write_bytes(b)
    (images / "1.jpg").write_bytes(a)
    fails_cleanly(snare("probes", "show", str(probe_dir)), "fingerprint does not match")


def test_a_crop_box_outside_the_image_is_one_line(probe_dir):
    rebuild_items(probe_dir, lambda it: {**it, "image": {**it["image"], "bbox": [500, 500, 10, 10]}})
    fails_cleanly(
        snare("eval", "--model", "constant", "--probes", str(probe_dir), "-q", "--no-cache"), "outside the 32x32 image"
    )


def test_an_empty_probe_set_is_an_error(probe_dir):
    (probe_dir / "negation_logic.jsonl").write_text("")
    edit_manifest(probe_dir, lambda m: {**m, "tasks": {"negation_logic": 0}, "n_items": 0, "fingerprint": None})
    fails_cleanly(snare("eval", "--model", "constant", "--probes", str(probe_dir), "-q"), "no items")


def test_building_zero_items_is_an_error(tmp_path):
    pairs = tmp_path / "pairs.jsonl"
    from PIL import Image

    Image.new("RGB", (8, 8)).save(tmp_path / "a.jpg")
    pairs.write_text(json.dumps({"image": "a.jpg", "caption": "grass"}) + "\n")  # no negatable verb
    out = tmp_path / "probes"
    fails_cleanly(
        snare("probes", "build", "negation_logic", "--source", str(pairs), "--out", str(out)),
        "no negation_logic item could be built",
    )
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["a.jpg", "pairs.jsonl"]


def test_a_source_image_outside_its_folder_is_refused(tmp_path):
    from PIL import Image

    data = tmp_path / "data"
    data.mkdir()
    Image.new("RGB", (8, 8)).save(tmp_path / "private.jpg")
    (data / "pairs.jsonl").write_text(json.dumps({"image": "../private.jpg", "caption": "a dog runs"}) + "\n")
    out = tmp_path / "probes"
    fails_cleanly(
        snare("probes", "build", "negation_logic", "--source", str(data / "pairs.jsonl"), "--out", str(out)),
        "outside the source folder",
    )
    assert not out.exists()


def test_a_source_image_linked_to_a_file_outside_its_folder_is_refused(tmp_path):
    from PIL import Image

    data = tmp_path / "data"
    data.mkdir()
    Image.new("RGB", (8, 8)).save(tmp_path / "private.jpg")
    (data / "a.jpg").symlink_to(tmp_path / "private.jpg")  # no "..": only resolving the link shows it leaves
    (data / "pairs.jsonl").write_text(json.dumps({"image": "a.jpg", "caption": "a dog runs"}) + "\n")
    out = tmp_path / "probes"
    fails_cleanly(
        snare("probes", "build", "negation_logic", "--source", str(data / "pairs.jsonl"), "--out", str(out)),
        "outside the source folder",
    )
    assert not out.exists()


def test_follow_links_accepts_an_images_folder_linked_to_a_dataset_elsewhere(tmp_path):
    from PIL import Image

    dataset = tmp_path / "dataset"
    dataset.mkdir()
    Image.new("RGB", (8, 8), "red").save(dataset / "a.jpg")
    data = tmp_path / "data"
    data.mkdir()
    (data / "images").symlink_to(dataset, target_is_directory=True)  # the usual layout for a big dataset
    caption = "a brown dog is running on the green grass"
    (data / "pairs.jsonl").write_text(json.dumps({"image": "images/a.jpg", "caption": caption}) + "\n")
    out = tmp_path / "probes"
    build = ("probes", "build", "semantic_structure", "--source", str(data / "pairs.jsonl"), "--out", str(out))
    fails_cleanly(snare(*build), "--follow-links")
    assert not out.exists()
    result = snare(*build, "--follow-links")
    assert result.returncode == 0, result.stderr
    copied = out / "images" / "images" / "a.jpg"
    assert copied.is_file() and not copied.is_symlink()  # the target is copied in: the set stays self-contained
    assert copied.read_bytes() == (dataset / "a.jpg").read_bytes()
