import json

import pytest

from snare.probes.sources import SourceError, open_source
from tests.probes.sources.fixtures import vg_relation_entries, write_aro


def test_relation_and_attribution_files(tmp_path):
    write_aro(tmp_path)
    rel = open_source(str(tmp_path), "vg_relation")
    assert [r.key for r in rel.records][:2] == ["vg_relation/000000", "vg_relation/000001"]
    assert rel.records[0].image == "images/0.jpg" and rel.records[0].bbox == (2.0, 3.0, 20.0, 10.0)
    assert rel.records[0].cluster == "vg/0.jpg"
    att = open_source(str(tmp_path / "visual_genome_attribution.json"), "vg_attribution")
    assert len(att.records) == 2 and att.records[0].entry["attributes"] == ["white", "brown"]


def test_a_file_of_the_wrong_kind_is_refused(tmp_path):
    write_aro(tmp_path)
    with pytest.raises(SourceError, match="needs VG-Relation"):
        open_source(str(tmp_path / "visual_genome_attribution.json"), "vg_relation")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.pop("true_caption"), "missing key 'true_caption'"),
        (lambda e: e.update(bbox_w=0), "bbox"),
        (lambda e: e.update(bbox_x="3"), "bbox"),
        (lambda e: e.update(relation_name=7), "'relation_name' is not a string"),
    ],
)
def test_bad_entries_are_one_line_errors(tmp_path, change, message):
    entries = vg_relation_entries()
    change(entries[1])
    write_aro(tmp_path, relation=entries)
    with pytest.raises(SourceError, match=f"entry 1: {message}"):
        open_source(str(tmp_path), "vg_relation")
    src = open_source(str(tmp_path), "vg_relation", skip_bad=True)
    assert len(src.records) == len(entries) - 1 and sum(src.skipped.values()) == 1


def test_missing_annotation_file(tmp_path):
    (tmp_path / "visual_genome_relation.json").write_text(json.dumps([]))
    with pytest.raises(SourceError, match=r"no visual_genome_attribution\.json"):
        open_source(str(tmp_path), "vg_attribution")
