import json

import pytest

from snare.probes.sources import SourceError, open_source
from tests.probes.sources.fixtures import CAPTIONS, write_karpathy


def test_coco_folder_gives_one_record_per_image(tmp_path):
    write_karpathy(tmp_path, n_images=2)
    src = open_source(str(tmp_path), "captions")
    assert src.name == "coco" and src.root == tmp_path.resolve()
    assert [r.image for r in src.records] == ["val2014/img0.jpg", "val2014/img1.jpg"]
    assert src.records[0].captions == tuple(CAPTIONS)
    assert src.records[0].cluster == "coco/val2014/img0.jpg"


def test_flickr_file_and_split(tmp_path):
    write_karpathy(tmp_path, n_images=1, dataset="flickr30k", split="val")
    src = open_source(str(tmp_path), "captions", split="val")
    assert src.name == "flickr30k" and src.records[0].image == "flickr30k-images/img0.jpg"
    with pytest.raises(SourceError, match="no caption file for split 'test'"):
        open_source(str(tmp_path), "captions")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"image": "x"}), "expected a JSON list"),
        (json.dumps([{"image": "val2014/img0.jpg"}]), "record 0: missing key"),
        (json.dumps([{"image": "val2014/img0.jpg", "caption": []}]), "record 0: empty caption list"),
    ],
)
def test_bad_files_are_one_line_errors_naming_the_file(tmp_path, content, message):
    (tmp_path / "coco_karpathy_test.json").write_text(content)
    with pytest.raises(SourceError, match=message) as info:
        open_source(str(tmp_path), "captions")
    assert "coco_karpathy_test.json" in str(info.value) and "\n" not in str(info.value)


def test_skip_bad_counts_bad_records(tmp_path):
    write_karpathy(tmp_path, n_images=1)
    path = tmp_path / "coco_karpathy_test.json"
    data = [*json.loads(path.read_text()), {"image": "val2014/x.jpg"}, {"image": "val2014/y.jpg", "caption": [""]}]
    path.write_text(json.dumps(data))
    src = open_source(str(path), "captions", skip_bad=True)
    assert len(src.records) == 1
    assert dict(src.skipped) == {"missing keys": 1, "empty captions": 1}
