"""Winoground's original files as --source: examples.jsonl + images/, each example two linked items."""

from __future__ import annotations

import json

import pytest

from snare.engine.rows import PredictionRow
from snare.errors import SnareError
from snare.probes.build import build_probeset
from snare.probes.sources import open_source
from snare.probes.sources.base import SourceError
from snare.reports.groups import group_scores
from tests.helpers import run_snare
from tests.probes.sources.local_hub import png

EXAMPLES = [
    ("an old person kisses a young person", "a young person kisses an old person"),
    ("the dog bites the man", "the man bites the dog"),
    ("there is a mug in some grass", "there is some grass in a mug"),
]


def _folder(tmp_path, extra_lines=()):
    (tmp_path / "images").mkdir(parents=True)
    lines = []
    for i, (a, b) in enumerate(EXAMPLES):
        for j in (0, 1):
            (tmp_path / "images" / f"ex_{i}_img_{j}.png").write_bytes(png(40 * i + 100 * j))
        ex = {"id": i, "caption_0": a, "caption_1": b, "image_0": f"ex_{i}_img_0", "image_1": f"ex_{i}_img_1"}
        lines.append(json.dumps({**ex, "tag": "Object", "secondary_tag": "", "num_main_preds": 1}))
    (tmp_path / "examples.jsonl").write_text("\n".join([*lines, *extra_lines]) + "\n")
    return tmp_path


def test_each_example_is_two_items_with_the_captions_in_order_and_its_own_caption_intended(tmp_path):
    probes = build_probeset(["winoground"], str(_folder(tmp_path)))
    items = sorted(probes, key=lambda it: it.id)
    assert [it.id for it in items[:2]] == ["winoground/0/image_0/winoground", "winoground/0/image_1/winoground"]
    assert items[0].options == items[1].options == EXAMPLES[0]
    assert [it.correct for it in items[:2]] == [0, 1] and items[0].cluster == items[1].cluster == "winoground/0"
    assert items[1].image.path == "images/ex_0_img_1.png"
    assert items[1].meta == {
        "source": "winoground",
        "subset": "winoground",
        "group": "winoground/0",
        "image": 1,
        "tag": "Object",
        "secondary_tag": "",
        "num_main_preds": 1,
    }
    assert build_probeset(["winoground"], str(tmp_path / "examples.jsonl")).fingerprint == probes.fingerprint


def test_bad_examples_are_one_line_or_counted_and_stems_never_leave_images(tmp_path):
    bad = [
        json.dumps({"id": 7, "caption_0": "a", "caption_1": "b", "image_0": "../x", "image_1": "y"}),
        json.dumps({"id": 8, "caption_0": "", "caption_1": "b", "image_0": "x", "image_1": "y"}),
        "{not json",
    ]
    spec = str(_folder(tmp_path, bad))
    with pytest.raises(SourceError, match=r"line 4: image_0 / image_1 must be two file stems"):
        open_source(spec, "choice")
    src = open_source(spec, "choice", skip_bad=True)
    assert len(src.records) == 6 and dict(src.skipped) == {"malformed example": 2, "empty captions": 1}
    with pytest.raises(SnareError, match="it builds the task winoground, not negation_logic"):
        build_probeset(["negation_logic"], spec)


def test_a_text_only_model_scores_no_group_point_end_to_end(tmp_path):
    spec = str(_folder(tmp_path / "wg"))
    out = tmp_path / "p"
    assert run_snare("probes", "build", "winoground", "--source", spec, "--out", str(out)).returncode == 0
    for model in ("blind-ngram", "reference"):
        run = tmp_path / f"r-{model}"
        proc = run_snare("eval", "--model", model, "--probes", str(out), "--output", str(run), "-q")
        assert proc.returncode == 0, proc.stderr
        lines = (run / "predictions" / "winoground.jsonl").read_text().splitlines()
        scores = group_scores("winoground", [PredictionRow(**json.loads(line)) for line in lines])
        assert scores.n == 3 and scores.incomplete == 0
        if model == "blind-ngram":  # reads the caption only: both images get the same score for it
            assert scores.image == 0 and scores.group == 0
