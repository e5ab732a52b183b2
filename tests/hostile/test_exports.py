"""A hand-edited ``--format hf`` export: every malformed row or manifest field is one line naming it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.hostile.conftest import fails_cleanly, snare


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    """A 2-item negation export of the synthetic set (its images are scenes: no files)."""
    from snare.probes.build import build_probeset
    from snare.probes.hf_export import EXPORT_MANIFEST, export_hf

    folder = tmp_path_factory.mktemp("export") / "good"
    probes = build_probeset(["negation_logic"], "synthetic").subset(limit=2)
    export_hf(probes, folder / "dataset")
    (folder / EXPORT_MANIFEST).write_text(json.dumps({**probes.manifest(), "exported_as": "hf"}))
    return folder


def _tampered(export: Path, tmp_path: Path, column: str | None, value, manifest: dict | None = None) -> Path:
    import datasets

    out = tmp_path / "tampered"
    splits = datasets.load_from_disk(str(export / "dataset"))
    if column is not None:
        splits = datasets.DatasetDict({k: v.map(lambda _: {column: value}) for k, v in splits.items()})
    splits.save_to_disk(str(out / "dataset"))
    shutil.copy(export / "snare_manifest.json", out / "snare_manifest.json")
    data = json.loads((out / "snare_manifest.json").read_text())
    (out / "snare_manifest.json").write_text(json.dumps({**data, **(manifest or {})}))
    return out


@pytest.mark.parametrize(
    ("column", "value", "needle"),
    [
        ("meta", "not json", "split 'negation_logic' row 0 is malformed ('meta' is not JSON"),
        ("meta", "[1]", "split 'negation_logic' row 0 is malformed ('meta': Input should be a valid dictionary"),
        ("image_ref", "garbage", "split 'negation_logic' row 0 is malformed ('image_ref': Invalid JSON"),
        ("image_ref", '{"path": 5}', "'image_ref.path': Input should be a valid string"),
        ("image_ref", '{"bogus": 1}', "'image_ref.bogus': Extra inputs are not permitted"),
        ("correct", 99, "correct=99 but only 2 options"),
        ("correct", -1, "'correct': Input should be greater than or equal to 0"),
    ],
)
def test_a_malformed_export_row_is_one_line(export, tmp_path, column, value, needle):
    fails_cleanly(snare("probes", "show", str(_tampered(export, tmp_path, column, value))), needle, "re-export")


@pytest.mark.parametrize("name", [5, ["x"], ""])
def test_an_export_name_that_is_no_string_is_blamed_on_the_manifest(export, tmp_path, name):
    folder = _tampered(export, tmp_path, None, None, {"name": name})
    proc = snare("eval", "--model", "constant", "--probes", str(folder), "-q", "--no-cache")
    fails_cleanly(proc, "field 'name'")  # was: a RecordError about the adapter's run record
