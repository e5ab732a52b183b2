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


def _hub_env() -> dict[str, str]:
    import os

    return {k: os.environ[k] for k in ("HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_HOME")}


def test_data_fetch_then_check_suite_against_the_pinned_counts_and_checksums(local_hub, monkeypatch):
    from dataclasses import replace

    from typer.testing import CliRunner

    from snare.cli.data import app
    from snare.probes import suites

    proc = run_snare("data", "check", "--suite", "aro", env=_hub_env())
    assert proc.returncode == 1 and "not fetched (run: snare data fetch --suite aro)" in proc.stderr
    proc = run_snare("data", "fetch", "--suite", "aro", env=_hub_env())
    assert proc.returncode == 0, proc.stderr
    assert "data fetch done: 4 dataset(s) of suite aro" in proc.stderr
    proc = run_snare("data", "check", "--suite", "aro", env=_hub_env())
    # the local hub's repositories are small: the counts differ from the real mirrors', the checksums match
    assert proc.returncode == 1 and "7 rows, the mirror has 23,937" in proc.stderr, proc.stderr
    assert "checksums ok" in proc.stdout and "checksums BAD" not in proc.stdout
    report = json.loads(run_snare("data", "check", "--suite", "aro", "--json", env=_hub_env()).stdout)
    rows = {r["repo"]: r["rows"] for r in report}
    assert rows["gowitheflow/ARO-COCO-order"] == 15 and all(r["checksum_problems"] == [] for r in report)
    sizes = {"vg_relation": 7, "vg_attribution": 5, "coco": 15, "flickr30k": 10}
    table = {n: replace(ds, rows=sizes.get(n, ds.rows)) for n, ds in suites.dataset_table().items()}
    monkeypatch.setattr(suites, "dataset_table", lambda: table)
    result = CliRunner().invoke(app, ["check", "--suite", "aro"])
    assert result.exit_code == 0, result.output
    assert "data check passed: 4 dataset(s) of suite aro complete and verified" in result.output
    blob = next(iter(local_hub_blobs()))
    blob.write_bytes(b"not the file" + blob.read_bytes()[12:])
    result = CliRunner().invoke(app, ["check", "--suite", "aro"])
    assert result.exit_code == 1 and "the hub's is" in result.output


def local_hub_blobs():
    import os
    from pathlib import Path

    return sorted(Path(os.environ["HF_HOME"], "hub").glob("datasets--*/blobs/*"))


def test_data_check_needs_a_source_or_a_suite():
    proc = run_snare("data", "check")
    assert proc.returncode == 2 and "pass a SOURCE folder or file, or --suite NAME" in proc.stderr
    proc = run_snare("data", "fetch", "--suite", "nope")
    assert proc.returncode == 2 and "unknown suite 'nope'" in proc.stderr
