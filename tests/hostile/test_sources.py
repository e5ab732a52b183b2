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
