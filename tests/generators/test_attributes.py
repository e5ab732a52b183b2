import pytest

from snare.generators.attributes import adjective_noun_pairs, attribute_options, vg_attribution_options
from snare.generators.errors import NoPerturbation
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
