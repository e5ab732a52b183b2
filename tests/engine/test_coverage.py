"""No silent failures: items whose image is missing or unreadable fail with a reason; partial runs are marked."""

import json

import pytest
from PIL import Image

from snare.adapters.constant import Constant
from snare.engine.coverage import Coverage, FailedItem, PartialCoverageError, headline
from snare.engine.evaluate import evaluate
from snare.probes.probeset import ProbeSet
from tests.helpers import make_item, run_snare


@pytest.fixture
def probes_dir(tmp_path):
    """A saved probe set of four items over four image files; then one file goes missing and one gets corrupted."""
    images = tmp_path / "images"
    images.mkdir()
    for i in range(4):
        Image.new("RGB", (16, 16), (40 * i, 0, 0)).save(images / f"{i}.png")
    items = [make_item(i, path=f"{i}.png") for i in range(4)]
    folder = tmp_path / "probes"
    ProbeSet(items, name="files", image_root=images).save(folder)
    (images / "1.png").unlink()
    (images / "2.png").write_bytes(b"not a png")
    return folder


def test_partial_coverage_blocks_the_run_without_allow_partial(probes_dir):
    with pytest.raises(
        PartialCoverageError, match=r"2 of 4 items cannot be scored .*image missing: 1\.png.*--allow-partial"
    ):
        evaluate(Constant(), ProbeSet.load(probes_dir), seed=0)


def test_allow_partial_scores_the_rest_and_marks_everything_partial(probes_dir, tmp_path):
    result = evaluate(Constant(value=1.0), ProbeSet.load(probes_dir), seed=0, allow_partial=True)
    summary = result.to_json()
    task = summary["tasks"]["negation_logic"]
    assert summary["partial"] is True and task["partial"] is True and task["n"] == 2
    assert task["coverage"]["scored"] == 2 and task["coverage"]["total"] == 4
    assert task["coverage"]["failed_by_reason"] == {"image missing": 1, "image unreadable": 1}
    assert {f["id"] for f in task["coverage"]["failed"]} == {"t/negation_logic/0001", "t/negation_logic/0002"}
    assert summary["probeset"]["fingerprint_verified"] is False
    from snare.reports.load import load_run

    result.write(tmp_path / "run")
    assert len(load_run(tmp_path / "run").rows["negation_logic"]) == 2  # the report accepts a partial run


def test_cli_partial_run_is_exit_2_without_flag_and_marked_with_it(probes_dir, tmp_path):
    proc = run_snare("eval", "--model", "constant", "--probes", str(probes_dir), "-q", "--no-cache")
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "cannot be scored" in proc.stderr and "--allow-partial" in proc.stderr
    out = tmp_path / "run"
    proc = run_snare(
        "eval",
        "--model",
        "constant",
        "--probes",
        str(probes_dir),
        "-q",
        "--no-cache",
        "--allow-partial",
        "--output",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    assert "PARTIAL" in proc.stdout and "2/4" in proc.stdout
    assert json.loads((out / "results.json").read_text())["partial"] is True


def test_headline_is_withheld_below_full_coverage_unless_allowed():
    failed = (FailedItem(id="x", reason="image missing: a.jpg"),)
    partial = Coverage(total=3, scored=2, failed=failed)
    assert headline(0.5, partial, allow_partial=False) == {"accuracy": None, "partial": True, "coverage": "2/3 (66.7%)"}
    assert headline(0.5, partial, allow_partial=True)["accuracy"] == 0.5
    assert headline(0.5, Coverage(total=3, scored=3), allow_partial=False)["partial"] is False
