"""2x2 minimal-change rows (BiVLC): two images, two captions; each row two linked records, a bad row one line."""

from __future__ import annotations

import pytest

from snare.probes.sources.base import SourceError
from snare.probes.sources.hub import HubDataset
from snare.probes.sources.minimal_pairs import load_minimal_pairs
from tests.probes.sources.local_hub import png

DATASET = HubDataset(
    name="bivlc",
    repo="owner/bivlc",
    revision="0" * 40,
    split="test",
    files="data/test-*.parquet",
    kind="minimal_pairs",
    columns={"image_0": "image_0", "image_1": "image_1", "caption_0": "caption_0", "caption_1": "caption_1"},
)


def _row(**fields) -> dict:
    row = {"image_0": {"bytes": png(10)}, "image_1": {"bytes": png(90)}, "caption_0": "a cat", "caption_1": "a dog"}
    return {**row, **fields}


def test_a_row_gives_two_records_with_their_own_caption_intended(tmp_path):
    src = load_minimal_pairs(DATASET, [_row()], tmp_path, skip_bad=False)
    assert [(r.options, r.correct, r.meta["group"]) for r in src.records] == [
        (("a cat", "a dog"), 0, "bivlc/00000"),
        (("a cat", "a dog"), 1, "bivlc/00000"),
    ]


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ({"caption_0": 5}, "row 1: 'caption_0' is not text (a number)"),
        ({"caption_1": None}, "row 1: no 'caption_1'"),
        ({"caption_1": ""}, "row 1: 'caption_1' is empty"),
        ({"caption_1": "a cat"}, "row 1: the two captions are the same text"),
    ],
)
def test_a_bad_row_names_its_caption_or_is_counted(tmp_path, fields, needle):
    rows = [_row(), _row(**fields)]
    with pytest.raises(SourceError) as info:
        load_minimal_pairs(DATASET, rows, tmp_path, skip_bad=False)
    assert needle in str(info.value) and "\n" not in str(info.value)
    src = load_minimal_pairs(DATASET, rows, tmp_path, skip_bad=True)
    assert len(src.records) == 2 and dict(src.skipped) == {"bad captions": 1}
