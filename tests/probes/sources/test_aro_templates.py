"""Recovering ARO's fields from its caption templates: one fitting cut, or a counted drop."""

from __future__ import annotations

import pytest

from snare.probes.sources.aro_templates import (
    AMBIGUOUS,
    NOT_TEMPLATE,
    TemplateMismatch,
    recover_attribution,
    recover_relation,
)


@pytest.mark.parametrize(
    ("obj1", "rel", "obj2"),
    [("horse", "eating", "grass"), ("cup", "to the left of", "plate"), ("tennis player", "sitting on", "wooden bench")],
)
def test_relation_fields_are_recovered_with_and_without_the_relation_column(obj1, rel, obj2):
    true, false = f"the {obj1} is {rel} the {obj2}", f"the {obj2} is {rel} the {obj1}"
    want = {"obj1_name": obj1, "obj2_name": obj2, "relation_name": rel}
    assert recover_relation(true, false, rel) == want
    assert recover_relation(true, false) == want


def test_relation_cut_must_agree_with_the_false_caption_and_the_column():
    with pytest.raises(TemplateMismatch) as why:
        recover_relation("the horse is eating the grass", "the grass is eating the horse", "on")
    assert why.value.reason == NOT_TEMPLATE
    with pytest.raises(TemplateMismatch, match=NOT_TEMPLATE):
        recover_relation("a horse eats grass", "grass eats a horse")
    # "is" and "the" inside the object names: two cuts fit without the relation, one with it
    true, false = "the man is on the phone is near the door", "the door is near the man is on the phone"
    assert recover_relation(true, false, "near")["obj1_name"] == "man is on the phone"
    with pytest.raises(TemplateMismatch) as why:
        recover_relation("the a is b the a is b the a", "the a is b the a is b the a")
    assert why.value.reason == AMBIGUOUS


def test_attribution_fields_are_recovered_and_ambiguous_cuts_are_dropped():
    got = recover_attribution("the white plate and the brown table", "the brown plate and the white table")
    assert got == {"obj1_name": "plate", "obj2_name": "table", "attributes": ["white", "brown"]}
    true, false = "the white plate and the brown dining table", "the brown plate and the white dining table"
    multi = recover_attribution(true, false)
    assert multi["obj2_name"] == "dining table"
    true, false = "the light blue shirt and the dark blue pants", "the dark blue shirt and the light blue pants"
    with pytest.raises(TemplateMismatch) as why:  # "blue" may belong to the attribute or to the object
        recover_attribution(true, false)
    assert why.value.reason == AMBIGUOUS
    assert recover_attribution(true, false, ["light blue", "dark blue"])["obj1_name"] == "shirt"
    with pytest.raises(TemplateMismatch, match=NOT_TEMPLATE):
        recover_attribution("the white plate and the brown table", "the white plate and the brown table", ["red", "x"])


def test_object_names_the_mirror_keeps_must_agree_with_the_cut():
    true, false = "the light blue shirt and the dark blue pants", "the dark blue shirt and the light blue pants"
    got = recover_attribution(true, false, objects=("blue shirt", None))
    assert got["attributes"] == ["light", "dark"]
    with pytest.raises(TemplateMismatch, match=NOT_TEMPLATE):
        recover_relation("the horse is eating the grass", "the grass is eating the horse", objects=("cow", "grass"))
