"""Careless source files for ``probes build --source``: each is one line naming the row and the fix, never a
traceback, a misleading reason or a silent change of the probe set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from tests.hostile.conftest import fails_cleanly, snare

CAPTION = "a brown dog is running on the green grass"


def _source(tmp_path: Path, rows: list[dict]) -> Path:
    Image.effect_noise((32, 32), 40).convert("RGB").save(tmp_path / "a.jpg")
    (tmp_path / "sub").mkdir()
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def _build(source: Path, out: Path, *extra: str):
    return snare("probes", "build", "negation_logic", "--source", str(source), "--out", str(out), *extra)


@pytest.mark.parametrize(
    ("rows", "needle"),
    [
        ([{"image": "a\0.jpg", "caption": CAPTION}], "image path with a NUL byte"),
        ([{"image": "a.jpg", "caption": 5}], "'caption' is not text"),
        ([{"image": "a.jpg", "caption": [1, 2]}], "'caption' is not text"),
        ([{"image": "sub", "caption": CAPTION}], "image path is a folder"),
        ([{"image": ".", "caption": CAPTION}], "image path is a folder"),
        ([{"image": "a.jpg", "caption": CAPTION}] * 2, "repeats line 1 (same image and caption)"),
    ],
)
def test_a_bad_row_is_named_for_what_it_is(tmp_path, rows, needle):
    out = tmp_path / "out"
    fails_cleanly(_build(_source(tmp_path, rows), out), needle, "--skip-bad")
    assert not out.exists()


def test_a_repeated_winoground_id_is_named_with_its_line_not_found_after_the_build(tmp_path):
    (tmp_path / "images").mkdir()
    for stem in "abcd":
        Image.effect_noise((32, 32), 40).convert("RGB").save(tmp_path / "images" / f"{stem}.png")
    examples = [
        {"id": 1, "caption_0": "a dog bites a man", "caption_1": "a man bites a dog", "image_0": "a", "image_1": "b"},
        {"id": 1, "caption_0": "a cat on a mat", "caption_1": "a mat on a cat", "image_0": "c", "image_1": "d"},
    ]
    (tmp_path / "examples.jsonl").write_text("".join(json.dumps(e) + "\n" for e in examples))
    out = tmp_path / "out"
    proc = snare("probes", "build", "winoground", "--source", str(tmp_path), "--out", str(out))
    fails_cleanly(proc, "line 2: repeats the id of line 1", "--skip-bad")  # was: 'duplicate item ids', no line
    assert not out.exists()


def test_skip_bad_drops_a_duplicated_row_and_counts_it(tmp_path):
    source = _source(tmp_path, [{"image": "a.jpg", "caption": CAPTION}] * 2)
    proc = _build(source, tmp_path / "out", "--skip-bad")
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["tasks"] == {"negation_logic": 1}
    assert manifest["skipped_records"]["captions"] == {"duplicate rows": 1}


def test_a_csv_saved_with_a_utf8_bom_is_read(tmp_path):
    Image.effect_noise((32, 32), 40).convert("RGB").save(tmp_path / "a.jpg")
    source = tmp_path / "pairs.csv"
    source.write_text(f"image,caption\na.jpg,{CAPTION}\n", encoding="utf-8-sig")  # what Excel writes
    proc = _build(source, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["tasks"] == {"negation_logic": 1}


def _dataset(tmp_path: Path, image: bytes) -> tuple[Path, Path]:
    """The same rows (one bad image, one good) as a ``save_to_disk`` folder and as a parquet data folder."""
    import io

    import datasets

    good = io.BytesIO()
    Image.effect_noise((32, 32), 40).convert("RGB").save(good, format="PNG")
    features = datasets.Features({"image": datasets.Image(), "caption": datasets.Value("string")})
    rows = {"image": [{"bytes": image, "path": None}, {"bytes": good.getvalue(), "path": None}]}
    ds = datasets.Dataset.from_dict({**rows, "caption": [CAPTION, CAPTION + " fast"]}, features=features)
    ds.save_to_disk(str(tmp_path / "saved"))
    (tmp_path / "parquet" / "data").mkdir(parents=True)
    ds.to_parquet(str(tmp_path / "parquet" / "data" / "test-00000.parquet"))
    return tmp_path / "saved", tmp_path / "parquet"


def _bomb() -> bytes:
    import io

    data = io.BytesIO()
    Image.new("1", (14000, 14000)).save(data, format="PNG")  # 196 Mpx in 24 kB: over Pillow's hard limit
    return data.getvalue()


@pytest.mark.parametrize(("image", "needle"), [(_bomb(), "decompression bomb"), (b"junk", "not an image file")])
@pytest.mark.parametrize("form", ["saved", "parquet"])
def test_a_bad_image_inside_a_dataset_is_one_line_or_skipped(tmp_path, image, needle, form):
    saved, parquet = _dataset(tmp_path / "data", image)
    source = str(saved) if form == "saved" else f"hf:{parquet}"
    env = {"SNARE_CACHE": str(tmp_path / "cache")}
    out = tmp_path / "out"
    args = ("probes", "build", "negation_logic", "--source", source, "--out", str(out), "-q")
    line = fails_cleanly(snare(*args, env=env), "row 0", needle, "--skip-bad")
    assert "<_io." not in line and not out.exists()
    proc = snare(*args, "--skip-bad", env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((out / "manifest.json").read_text())["tasks"] == {"negation_logic": 1}


def test_quiet_silences_the_progress_bars_of_datasets(tmp_path):
    import io

    png = io.BytesIO()
    Image.effect_noise((32, 32), 40).convert("RGB").save(png, format="PNG")
    _, parquet = _dataset(tmp_path / "data", png.getvalue())
    env = {"SNARE_CACHE": str(tmp_path / "cache")}
    proc = snare("eval", "--model", "constant", "--source", f"hf:{parquet}", "--task", "negation_logic", "-q", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # was: "Generating test split: 2 examples [...]" from datasets


def test_no_cache_with_a_suite_writes_nothing_into_the_score_cache(local_hub, tmp_path):
    import os

    env = {k: os.environ[k] for k in ("HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_HOME")}
    env["SNARE_CACHE"] = "/proc/snare-cache"  # unwritable even for root: any write into it fails the run
    args = ("eval", "--model", "constant", "--suite", "aro", "--task", "coco_order", "--no-cache", "-q", "--json")
    proc = snare(*args, env=env)
    assert proc.returncode == 0, proc.stderr  # was: cannot write /proc/snare-cache/hf-images
    assert json.loads(proc.stdout)["tasks"]["coco_order"]["n"] > 0


def test_data_check_reports_a_truncated_jpeg_in_a_karpathy_file(tmp_path):
    import io

    data = io.BytesIO()
    Image.effect_noise((64, 64), 40).convert("RGB").save(data, format="JPEG")
    (tmp_path / "val2014").mkdir()
    (tmp_path / "val2014" / "cut.jpg").write_bytes(data.getvalue()[: len(data.getvalue()) // 2])
    (tmp_path / "coco_karpathy_test.json").write_text(json.dumps([{"image": "val2014/cut.jpg", "caption": [CAPTION]}]))
    for source in (tmp_path, tmp_path / "coco_karpathy_test.json"):
        proc = snare("data", "check", str(source))
        assert proc.returncode == 1 and "unreadable image: val2014/cut.jpg" in proc.stdout.replace("\n", " ")
        assert "truncated" in proc.stdout
