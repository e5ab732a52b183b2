"""What is true of a synthetic scene, read from its spec: the colour of each shape and the spatial relations
between them, and whether a caption of the synthetic templates holds.

The contrast construction (:mod:`snare.probes.contrast`) checks every twin against these facts, and the tests
check every option of every item with them. Relations are decided on the shapes' boxes (centre plus the
half-extent of :data:`snare.probes.scenes.SIZES`), with the meanings the scenes are drawn with:

* ``to the left of``: entirely left (the boxes do not overlap horizontally), at overlapping heights;
* ``on``: resting on top: touching from above, overlapping horizontally;
* ``below``: entirely lower (touching or with a gap), overlapping horizontally.

A caption outside the templates is a ``ValueError``, never a guess.
"""

from __future__ import annotations

import re

from snare.probes.scenes import COLORS, SIZES, SPEC_VERSION, Shape

_COLOR = "|".join(COLORS)
_NOUN = r"[a-z]+"
_REL = "to the left of|to the right of|on|below"
_TEMPLATES = (
    ("pairs", re.compile(rf"the ({_COLOR}) ({_NOUN}) and the ({_COLOR}) ({_NOUN})")),
    ("copulas", re.compile(rf"the ({_NOUN}) is (not )?({_COLOR}) and the ({_NOUN}) is (not )?({_COLOR})")),
    ("respectively", re.compile(rf"the ({_NOUN}) and the ({_NOUN}) are ({_COLOR}) and ({_COLOR}) respectively")),
    ("relation", re.compile(rf"the ({_NOUN}) is ({_REL}) the ({_NOUN})")),
    ("conjunction", re.compile(rf"the ({_NOUN}) and the ({_NOUN})")),
)

_NOUNS = {"pairs": (1, 3), "copulas": (0, 3), "relation": (0, 2)}  # which groups name shapes (else 0 and 1)


def parse_spec(spec: str) -> dict[str, Shape]:
    """The shapes of a scene spec by shape name (a scene never repeats a shape)."""
    version, *objects = spec.split("|")
    if version != SPEC_VERSION:
        raise ValueError(f"unknown synthetic scene version {version!r}")
    shapes: dict[str, Shape] = {}
    for obj in objects:
        shape, color, size, x, y = obj.split(",")
        if shape in shapes:
            raise ValueError(f"scene {spec!r} has two {shape}s: captions could not tell them apart")
        shapes[shape] = Shape(shape, color, size, int(x), int(y))
    return shapes


def relation_holds(a: Shape, relation: str, b: Shape) -> bool:
    """Whether ``a`` is ``relation`` ``b`` (one of the four spatial relations) in the drawn scene."""
    ra, rb = SIZES[a.size], SIZES[b.size]
    beside = abs(a.y - b.y) < ra + rb  # heights overlap
    stacked = abs(a.x - b.x) < ra + rb  # columns overlap
    if relation == "to the left of":
        return beside and a.x + ra < b.x - rb
    if relation == "to the right of":
        return beside and a.x - ra > b.x + rb
    if relation == "on":
        return stacked and b.y - a.y == ra + rb
    if relation == "below":
        return stacked and a.y - ra >= b.y + rb
    raise ValueError(f"unknown spatial relation {relation!r}")


def holds(spec: str, caption: str) -> bool:
    """Whether ``caption`` (one of the synthetic templates) is true of the scene ``spec``."""
    shapes = parse_spec(spec)
    for kind, pattern in _TEMPLATES:
        match = pattern.fullmatch(caption)
        if match is None:
            continue
        g = match.groups()
        nouns = _NOUNS.get(kind, (0, 1))
        if any(g[n] not in shapes for n in nouns):
            return False  # a shape the scene does not have
        if kind == "pairs":
            return shapes[g[1]].color == g[0] and shapes[g[3]].color == g[2]
        if kind == "copulas":
            first = (shapes[g[0]].color == g[2]) != bool(g[1])
            return first and (shapes[g[3]].color == g[5]) != bool(g[4])
        if kind == "respectively":
            return shapes[g[0]].color == g[2] and shapes[g[1]].color == g[3]
        if kind == "relation":
            return relation_holds(shapes[g[0]], g[1], shapes[g[2]])
        return True  # "the X and the Y": both are there
    raise ValueError(f"not a synthetic-scene caption: {caption!r}")


def true_options(spec: str, options: tuple[str, ...] | list[str]) -> list[int]:
    """The indices of the options that are true of the scene."""
    return [k for k, option in enumerate(options) if holds(spec, option)]
