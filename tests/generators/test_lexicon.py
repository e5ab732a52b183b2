"""The generators' word lists: here, which relation holds in a picture mirrored left to right."""

import pytest

from snare.generators.lexicon import mirrored_relation
from snare.generators.relations import SPATIAL_RELATIONS, SYMMETRIC_RELATIONS


@pytest.mark.parametrize(
    ("relation", "mirrored"),
    [
        ("to the left of", "to the right of"),
        ("to the right of", "to the left of"),
        ("left of", "right of"),
        ("right of", "left of"),
        ("on the left side of", "on the right side of"),
        ("on the right of", "on the left of"),
        ("at the left of", "at the right of"),
        ("on the left hand side of", "on the right hand side of"),
        ("To the  Left of", "to the right of"),  # VG's spelling varies: case and spaces are normalised
    ],
)
def test_a_purely_horizontal_relation_has_left_and_right_exchanged(relation, mirrored):
    assert mirrored_relation(relation) == mirrored
    assert mirrored_relation(mirrored) == " ".join(relation.lower().split())  # mirroring twice gives it back


NEVER_MIRRORED = [
    "on",
    "below",
    "in front of",
    "behind",
    "holding in left hand",
    "left",
    "to the left",
    "leftover of",
    "in front of and left of",
    "right next to",
    "on the left side of the table near",
]


@pytest.mark.parametrize("relation", NEVER_MIRRORED)
def test_every_other_relation_is_never_mirrored(relation):
    assert mirrored_relation(relation) is None


def test_the_spatial_relations_mirror_onto_each_other_and_symmetric_ones_not_at_all():
    assert {r: mirrored_relation(r) for r in SPATIAL_RELATIONS} == {
        "to the left of": "to the right of",
        "to the right of": "to the left of",
        "on": None,
        "below": None,
    }
    assert all(mirrored_relation(r) is None for r in SYMMETRIC_RELATIONS)
