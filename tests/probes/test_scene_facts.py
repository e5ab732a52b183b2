import pytest

from snare.probes.scene_facts import holds, parse_spec, relation_holds, true_options
from snare.probes.scenes import Shape

# a small red circle left of a large blue square, at the same height
LEFT = "synthetic-v1|circle,red,small,60,100|square,blue,large,160,100"
# a small red circle resting on a large blue square (touching: 16 + 30 apart)
ON = "synthetic-v1|circle,red,small,100,54|square,blue,large,100,100"


def test_colours_and_pairs():
    assert holds(LEFT, "the red circle and the blue square")
    assert not holds(LEFT, "the blue circle and the red square")
    assert holds(LEFT, "the circle is red and the square is blue")
    assert not holds(LEFT, "the circle is not red and the square is not blue")
    assert holds(LEFT, "the circle is not green and the square is not red")
    assert not holds(LEFT, "the circle is not green and the square is not blue")  # one half false
    assert holds(LEFT, "the circle and the square are red and blue respectively")
    assert holds(LEFT, "the circle and the square")
    assert not holds(LEFT, "the red triangle and the blue square")  # no triangle in the scene


def test_relations_follow_the_geometry():
    assert true_options(LEFT, [f"the circle is {r} the square" for r in ("to the left of", "to the right of")]) == [0]
    assert holds(LEFT, "the square is to the right of the circle")
    assert holds(ON, "the circle is on the square")
    assert holds(ON, "the square is below the circle")
    assert not holds(ON, "the square is on the circle")
    assert not holds(ON, "the circle is below the square")
    gap = "synthetic-v1|circle,red,small,100,40|square,blue,large,100,100"  # above, not touching: not "on"
    assert not holds(gap, "the circle is on the square")
    assert holds(gap, "the square is below the circle")


def test_relation_holds_is_exclusive_on_the_scenes():
    a, b = Shape("circle", "red", "small", 100, 54), Shape("square", "blue", "large", 100, 100)
    rels = ("to the left of", "to the right of", "on", "below")
    assert [r for r in rels if relation_holds(a, r, b)] == ["on"]
    assert [r for r in rels if relation_holds(b, r, a)] == ["below"]


def test_unknown_captions_and_specs_are_errors():
    with pytest.raises(ValueError, match="not a synthetic-scene caption"):
        holds(LEFT, "a dog on a couch")
    with pytest.raises(ValueError, match="version"):
        parse_spec("synthetic-v0|circle,red,small,1,1")
    with pytest.raises(ValueError, match="two circles"):
        parse_spec("synthetic-v1|circle,red,small,1,1|circle,blue,small,9,9")
