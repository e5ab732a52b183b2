"""Records whose options come with the data: the intended option read from the data, items as given."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest

from snare.probes.sources import hub
from snare.probes.sources.base import SourceError
from snare.probes.sources.choices import ChoiceRecord, choice_item, class_names, intended_index, load_choices
from snare.probes.suites import dataset_table
from tests.probes.sources.local_hub import SUGARCREPE, choice_shard, png


def test_intended_index_reads_a_class_label_by_its_name_or_an_index():
    names = ["b caption", "a caption", "neg"]
    assert intended_index(("a caption", "neg"), 1, names) == 0
    assert intended_index(("neg", "a caption"), 1, names) == 1  # the data, not the position, decides
    assert intended_index(("x", "y"), 1, None) == 1
    for bad in (True, "1", 2.0):
        with pytest.raises(ValueError, match="not an integer"):
            intended_index(("x", "y"), bad, None)
    with pytest.raises(ValueError, match="out of range"):
        intended_index(("x", "y"), 2, None)
    with pytest.raises(ValueError, match="not exactly one of the options"):
        intended_index(("x", "y"), 0, names)
    with pytest.raises(ValueError, match="has no name"):
        intended_index(("x", "y"), 3, names)


def test_choice_item_keeps_the_data_order_and_labels_the_intended_option():
    record = ChoiceRecord("sc/00001", "img/ab", "ab.png", ("neg", "pos"), 1, "sugarcrepe_swap_att", {"row": 1})
    item = choice_item(record, "sugarcrepe_swap_att", "sugarcrepe_swap_att")
    assert item.options == ("neg", "pos") and item.correct == 1 and item.labels == ("negative", "correct")
    assert item.id == "sc/00001/sugarcrepe_swap_att" and item.meta["subset"] == "sugarcrepe_swap_att"
    three = choice_item(replace(record, options=("a", "b", "c"), correct=0), "t", "s")
    assert three.labels == ("correct", "negative_1", "negative_2")


def _shard(tmp_path, **kwargs):
    path = tmp_path / "data" / "test-00000-of-00001-0123456789abcdef.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(choice_shard(SUGARCREPE, 0, **kwargs))
    return [path]


def test_a_mirror_shard_gives_records_with_the_labelled_caption_intended(tmp_path):
    ds = dataset_table()["sugarcrepe_swap_att"]
    paths = _shard(tmp_path, swap_last=True)
    names = class_names(paths, "true_label")
    assert names is not None and set(names) == {c for pair in SUGARCREPE for c in pair}
    src = load_choices(ds, hub.read_rows(paths, ds), tmp_path / "img", skip_bad=False, names=names, subset=ds.name)
    assert [r.correct for r in src.records] == [0, 0, 0, 1]
    assert src.records[3].options == SUGARCREPE[3][::-1]
    assert src.records[0].cluster == src.records[3].cluster != src.records[1].cluster  # the same image
    assert src.info["repo"] == ds.repo and src.info["n_rows"] == 4 and src.info["intended_from"] == "class names"
    assert len(list((tmp_path / "img").iterdir())) == 3


def test_a_label_column_without_class_names_is_refused_not_read_as_an_index(tmp_path):
    ds = dataset_table()["sugarcrepe_swap_att"]
    paths = _shard(tmp_path, labelled=False)
    assert class_names(paths, "true_label") is None
    with pytest.raises(SourceError, match="not a ClassLabel with names"):
        load_choices(ds, hub.read_rows(paths, ds), tmp_path / "img", skip_bad=False, names=None, subset=ds.name)


def test_a_missing_column_is_one_line_naming_it(tmp_path):
    import pyarrow.parquet as pq

    ds = dataset_table()["sugarcrepe_swap_att"]
    paths = _shard(tmp_path)
    table = pq.read_table(paths[0]).drop_columns(["tested_labels"])
    buf = io.BytesIO()
    pq.write_table(table, buf)
    paths[0].write_bytes(buf.getvalue())
    with pytest.raises(SourceError, match="has no column 'tested_labels'"):
        list(hub.read_rows(paths, ds))


def test_bad_rows_stop_the_build_or_are_counted_with_skip_bad(tmp_path):
    ds = dataset_table()["sugarcrepe_swap_att"]
    image = {"bytes": png(40), "path": None}
    rows = [
        {"image": image, "options": ["a", "b"], "intended_label": 0},
        {"image": {"bytes": b"not an image"}, "options": ["a", "b"], "intended_label": 0},
        {"image": image, "options": ["a", "a"], "intended_label": 0},
        {"image": image, "options": ["a", "b"], "intended_label": 2},
    ]
    with pytest.raises(SourceError, match=r"row 1: image cannot be read"):
        load_choices(ds, rows, tmp_path / "img", skip_bad=False, names=["a", "b", "c"], subset=ds.name)
    src = load_choices(ds, rows, tmp_path / "img", skip_bad=True, names=["a", "b", "c"], subset=ds.name)
    assert [r.options for r in src.records] == [("a", "b")]
    assert dict(src.skipped) == {"corrupt image": 1, "bad options": 2}
