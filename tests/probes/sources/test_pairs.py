import pytest

from snare.probes.sources import SourceError, open_source
from tests.probes.sources.fixtures import CAPTIONS, write_pairs


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_rows_are_grouped_by_image_in_file_order(tmp_path, fmt):
    src = open_source(str(write_pairs(tmp_path, fmt)), "captions")
    assert [(r.image, r.captions) for r in src.records] == [
        ("a.png", (CAPTIONS[0], CAPTIONS[1])),
        ("b.png", (CAPTIONS[2],)),
    ]
    assert src.root == tmp_path.resolve()


def test_custom_columns_and_bad_rows(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"file": "a.png", "text": "a dog"}\n{oops\n{"file": "b.png", "text": ""}\n')
    with pytest.raises(SourceError, match="missing column 'image'"):
        open_source(str(path), "captions")
    with pytest.raises(SourceError, match=r"p.jsonl:2: not valid JSON"):
        open_source(str(path), "captions", image_column="file", caption_column="text")
    src = open_source(str(path), "captions", image_column="file", caption_column="text", skip_bad=True)
    assert [r.image for r in src.records] == ["a.png"]
    assert dict(src.skipped) == {"not JSON": 1, "empty captions": 1}


def test_missing_file_and_unknown_type(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        open_source(str(tmp_path / "nope.jsonl"), "captions")
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(SourceError, match="unknown file type"):
        open_source(str(tmp_path / "x.txt"), "captions")
