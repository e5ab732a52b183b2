from pathlib import Path

import pytest

from snare.errors import ProbeFormatError
from snare.probes.manifest import check_counts, parse_manifest

GOOD = {"format": "snare-probeset/1", "name": "t", "tasks": {"negation_logic": 2}, "n_items": 2, "seed": 0}


def test_a_good_manifest_keeps_its_other_fields():
    manifest = parse_manifest({**GOOD, "build": {"x": 1}}, Path("m.json"))
    assert manifest.tasks == {"negation_logic": 2} and manifest.model_extra == {"build": {"x": 1}}
    check_counts(manifest, {"negation_logic": 2}, Path("m.json"))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tasks", {"../../etc/passwd": 1}),
        ("tasks", {"Negation": 1}),
        ("tasks", {"negation_logic": "2"}),
        ("n_items", 2.0),
        ("seed", -1),
        ("seed", 2**63),
        ("seed", "0"),
        ("image_root", "../../"),
        ("fingerprint", "sha256:xyz"),
        ("name", ""),
    ],
)
def test_each_wrong_field_is_one_line_naming_it(field, value):
    with pytest.raises(ProbeFormatError, match=rf"m\.json: field '{field}") as err:
        parse_manifest({**GOOD, field: value}, Path("m.json"))
    assert "\n" not in str(err.value)


def test_absolute_image_roots_are_allowed():
    assert parse_manifest({**GOOD, "image_root": "/data/coco"}, Path("m.json")).image_root == "/data/coco"


def test_counts_must_match_and_a_set_must_have_items():
    manifest = parse_manifest(GOOD, Path("m.json"))
    with pytest.raises(ProbeFormatError, match="lists 2 negation_logic items but its file holds 1"):
        check_counts(manifest, {"negation_logic": 1}, Path("m.json"))
    empty = parse_manifest({**GOOD, "tasks": {}, "n_items": 0}, Path("m.json"))
    with pytest.raises(ProbeFormatError, match="no items"):
        check_counts(empty, {}, Path("m.json"))
