"""``snare data check`` end to end: exit 1 with a summary when anything is off, 0 when all is well."""

import json

from PIL import Image

from tests.helpers import run_snare


def test_missing_image_and_duplicate_caption_exit_1_with_a_summary(tmp_path):
    Image.new("RGB", (8, 8)).save(tmp_path / "a.jpg")
    records = [{"image": "a.jpg", "caption": ["a man rides", "A man rides"]}, {"image": "b.jpg", "caption": ["x"]}]
    (tmp_path / "flickr30k_test.json").write_text(json.dumps(records))
    proc = run_snare("data", "check", str(tmp_path))
    assert proc.returncode == 1, proc.stderr
    summary = proc.stderr.strip().splitlines()[-1]
    assert summary.startswith("data check failed: flickr30k_test.json:")
    assert "1 missing images" in summary and "1 duplicate captions" in summary and "1 count mismatches" in summary
    assert "missing image: b.jpg" in proc.stdout
    report = json.loads(run_snare("data", "check", str(tmp_path), "--json").stdout)
    assert report[0]["missing_images"] == ["b.jpg"] and len(report[0]["sha256"]) == 64


def test_clean_source_exits_0_and_bad_path_exits_2(tmp_path):
    Image.new("RGB", (8, 8)).save(tmp_path / "a.jpg")
    (tmp_path / "coco_karpathy_val.json").write_text(json.dumps([{"image": "a.jpg", "caption": ["a dog"]}]))
    proc = run_snare("data", "check", str(tmp_path / "coco_karpathy_val.json"))
    assert proc.returncode == 0 and "data check passed" in proc.stderr
    proc = run_snare("data", "check", str(tmp_path / "nope"))
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and len(proc.stderr.strip().splitlines()) == 1
