"""``snare data check`` logic on files in the real formats, built by the test."""

import json

import pytest
from PIL import Image

from snare.probes.sources.check import DataCheckError, check_source, sha256_of


@pytest.fixture
def coco_dir(tmp_path):
    """A Karpathy-format file: one missing image, one duplicate caption (case/space-insensitive), one empty."""
    (tmp_path / "val2014").mkdir()
    for name in ("a.jpg", "b.jpg"):
        Image.new("RGB", (8, 8)).save(tmp_path / "val2014" / name)
    records = [
        {"image": "val2014/a.jpg", "caption": ["A dog runs.", "a dog  runs.", "a cat sleeps"]},
        {"image": "val2014/b.jpg", "caption": ["two birds", ""]},
        {"image": "val2014/gone.jpg", "caption": ["a red bus"]},
    ]
    (tmp_path / "coco_karpathy_test.json").write_text(json.dumps(records))
    return tmp_path


def test_karpathy_file_problems_are_all_found(coco_dir):
    (report,) = check_source(coco_dir)
    assert report.kind == "karpathy" and report.sha256 == sha256_of(coco_dir / "coco_karpathy_test.json")
    assert report.counts == {"images": 3, "records": 3, "captions": 6}
    assert report.count_mismatches == {"images": (3, 5000), "captions": (6, 25010)}
    assert report.missing_images == ["val2014/gone.jpg"]
    assert report.duplicate_captions == ["val2014/a.jpg: 'a dog runs.' ×2"]
    assert report.empty_captions == ["val2014/b.jpg (caption 1)"]
    assert not report.ok and report.problems()["missing images"] == 1


def test_aro_file_counts_duplicates_and_unreadable_images(tmp_path):
    (tmp_path / "images").mkdir()
    Image.new("RGB", (8, 8)).save(tmp_path / "images" / "1.jpg")
    (tmp_path / "images" / "2.jpg").write_bytes(b"\xff\xd8 truncated")
    entry = {
        "image_path": "1.jpg",
        "bbox_x": 0,
        "bbox_y": 0,
        "bbox_w": 4,
        "bbox_h": 4,
        "relation_name": "on",
        "true_caption": "the cup is on the table",
        "false_caption": "the table is on the cup",
    }
    entries = [entry, dict(entry), {**entry, "image_path": "2.jpg", "false_caption": " "}]
    (tmp_path / "visual_genome_relation.json").write_text(json.dumps(entries))
    (report,) = check_source(tmp_path)
    assert report.counts == {"items": 3, "images": 2} and report.expected == {"items": 23937}
    assert report.duplicate_captions == ["1.jpg [0, 0, 4, 4]: 'the cup is on the table' ×2"]
    assert report.empty_captions == ["record 2 (false_caption)"]
    assert [u.split(" ")[0] for u in report.unreadable_images] == ["2.jpg"]


def test_a_clean_file_without_reference_counts_passes(tmp_path):
    Image.new("RGB", (8, 8)).save(tmp_path / "x.jpg")
    (tmp_path / "coco_karpathy_val.json").write_text(json.dumps([{"image": "x.jpg", "caption": ["a", "b"]}]))
    (report,) = check_source(tmp_path)
    assert report.ok and report.expected == {}


def test_unusable_sources_are_one_line_errors(tmp_path):
    with pytest.raises(DataCheckError, match="no annotation file found"):
        check_source(tmp_path)
    (tmp_path / "coco_karpathy_test.json").write_text("{not json")
    with pytest.raises(DataCheckError, match="not readable JSON"):
        check_source(tmp_path)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_pairs_file_is_checked_like_the_papers_files(tmp_path, fmt):
    from tests.probes.sources.fixtures import write_pairs

    path = write_pairs(tmp_path, fmt)
    (report,) = check_source(path)
    assert report.kind == "pairs" and report.ok and report.counts == {"images": 2, "rows": 3, "captions": 3}
    assert report.sha256 == sha256_of(path)
    (tmp_path / "b.png").unlink()
    if fmt == "jsonl":
        with open(path, "a") as fh:
            fh.write('{"image": "a.png", "caption": "  "}\nnot json\n{"image": "a.png", "caption": "A dog."}\n')
    (report,) = check_source(path)
    assert report.missing_images == ["b.png"] and not report.ok
    if fmt == "jsonl":
        assert len(report.empty_captions) == 1 and report.malformed[0].endswith(":5: not valid JSON (Expecting value)")


def test_a_truncated_jpeg_and_a_device_are_unreadable_not_hung(tmp_path):
    import io
    import os

    buf = io.BytesIO()
    Image.effect_noise((48, 48), 50).convert("RGB").save(buf, "JPEG")
    (tmp_path / "cut.jpg").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])  # verify() passes this file
    os.symlink("/dev/zero", tmp_path / "zero.jpg")
    records = [{"image": name, "caption": ["a dog runs"]} for name in ("cut.jpg", "zero.jpg")]
    (tmp_path / "coco_karpathy_val.json").write_text(json.dumps(records))
    (report,) = check_source(tmp_path)
    reasons = dict(u.split(" ", 1) for u in report.unreadable_images)
    assert "truncated or corrupt" in reasons["cut.jpg"] and "a device" in reasons["zero.jpg"]


def test_a_file_of_a_form_no_source_declares_is_named_as_such_not_as_bad_json(tmp_path):
    (tmp_path / "rows.tsv").write_text("image\tcaption\nx.jpg\ta dog\n")
    with pytest.raises(DataCheckError, match="not a source file snare data check knows"):
        check_source(tmp_path / "rows.tsv")
