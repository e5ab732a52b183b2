import pytest

from snare.generators.attributes import adjective_noun_pairs, attribute_options, vg_attribution_options
from snare.generators.no_perturbation import NoPerturbation
from tests.generators.parses import parse

BROWN_DOG_WHITE_CAT = (
    "a/DT/det/2 brown/JJ/amod/2 dog/NN/nsubj/3 chases/VBZ/ROOT/3 a/DT/det/6 white/JJ/amod/6 cat/NN/dobj/3"
)


def test_pairs_are_amod_adjectives_on_nouns():
    assert adjective_noun_pairs(parse(BROWN_DOG_WHITE_CAT)) == [(1, 2), (5, 6)]


def test_exchange_and_respectively_options_are_exact():
    assert attribute_options(parse(BROWN_DOG_WHITE_CAT)) == [
        "a brown dog chases a white cat",
        "a white dog chases a brown cat",
        "the dog and the cat are brown and white respectively",
    ]


def test_compound_nouns_stay_whole_in_the_respectively_form():
    spec = (
        "a/DT/det/3 red/JJ/amod/3 fire/NN/compound/3 hydrant/NN/ROOT/3 near/IN/prep/3 "
        "a/DT/det/7 green/JJ/amod/7 bench/NN/pobj/4"
    )
    options = attribute_options(parse(spec))
    assert options[1] == "a green fire hydrant near a red bench"
    assert options[2] == "the fire hydrant and the bench are red and green respectively"


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("a/DT/det/2 brown/JJ/amod/2 dog/NN/ROOT/2", "fewer than two"),
        # the same adjective twice: exchanging changes nothing
        ("a/DT/det/2 red/JJ/amod/2 car/NN/ROOT/2 and/CC/cc/2 a/DT/det/6 red/JJ/amod/6 bus/NN/conj/2", "share a word"),
        # two adjectives on one noun are not two pairs (only the nearer one is an attribute)
        ("a/DT/det/3 big/JJ/amod/3 red/JJ/amod/3 bus/NN/ROOT/3", "fewer than two"),
    ],
)
def test_captions_without_two_distinct_pairs_are_skipped(spec, reason):
    with pytest.raises(NoPerturbation, match=reason):
        attribute_options(parse(spec))


def test_vg_attribution_options_follow_snare():
    entry = {
        "true_caption": "the white plate and the brown table",
        "false_caption": "the brown plate and the white table",
        "attributes": ["white", "brown"],
        "obj1_name": "plate",
        "obj2_name": "table",
    }
    assert vg_attribution_options(entry) == [
        "the white plate and the brown table",
        "the brown plate and the white table",
        "the plate and the table are white and brown respectively",
    ]


# One hand-written caption per fault class found by reading items built from COCO captions (docs/item-review.md).
@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        # the outer of two stacked adjectives is not exchanged ("an orange green field" before)
        (
            "a woman holding an orange frisbee on a lush green field",
            "a woman holding a green frisbee on a lush orange field",
        ),
        # "a"/"an" re-agreed after the exchange ("an red car" before)
        ("an old car next to a new truck", "a new car next to an old truck"),
        # a quantifier is not an attribute: "small" and "large" are exchanged, "several" stays
        ("several small dogs and a large cat", "several large dogs and a small cat"),
        # an adjective the parser hung on a compound modifier describes the whole noun (dropped before)
        (
            "a yellow bus is on a street near a black guard rail",
            "a black bus is on a street near a yellow guard rail",
        ),
    ],
)
def test_real_captions_exchange_attributes_only(real_parse, caption, expected):
    assert attribute_options(real_parse(caption))[1] == expected


@pytest.mark.parametrize(
    "caption",
    [
        "two hot dogs on a white plate",  # part of a fixed compound
        "a propeller plane over a green field",  # a noun the tagger read as an adjective
        "a red smart phone on a wooden table",  # "smart phone": one pair only
        "a woman in a black tank top holds a remote",  # "tank top": "black" is the top's, and a top is a part
        "a trunk full of backpacks and other bags",  # an adjective with a complement, and a quantifier
    ],
)
def test_real_captions_without_two_attributes_are_dropped(real_parse, caption):
    with pytest.raises(NoPerturbation, match="fewer than two"):
        attribute_options(real_parse(caption))


# Fault classes read in attribute items (issue #28): each caption used to give a wrong item.
@pytest.mark.parametrize(
    ("caption", "reason"),
    [
        ("a messy computer desk in a cluttered room", "synonyms or of different kinds"),  # synonyms
        ("a giant church with a white clock tower", "synonyms or of different kinds"),  # size against colour
        ("a black male in a white shirt", "would describe a person"),  # a racial reading
    ],
)
def test_attributes_are_exchanged_only_within_one_kind(real_parse, caption, reason):
    with pytest.raises(NoPerturbation, match=reason):
        attribute_options(real_parse(caption))


def test_colours_and_sizes_are_still_exchanged(real_parse):
    assert attribute_options(real_parse("a red car next to a blue truck"))[1] == "a blue car next to a red truck"
