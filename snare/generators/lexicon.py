"""Word lists the generators consult to keep items right when read: what an exchange of two words means.

Each list answers one question a reader asks of a swapped caption (docs/item-review.md has the items read):

* :data:`ATTRIBUTE_DIMENSIONS`: may two adjectives be exchanged? Only within one dimension (colour for colour,
  size for size) and never between synonyms: "a messy desk in a cluttered room" exchanged says the same, and
  "a giant church with a white tower" -> "a white church with a giant tower" trades a size for a colour, which
  a reader cannot judge as one claim.
* :data:`PERSON_NOUNS`, :data:`SKIN_WORDS`: swapping a colour word onto or off a person ("a shirt in a black
  male") creates a racial reading; such swaps are never made.
* :data:`VIEWPOINT_RELATIONS`: "in front of", "behind", "facing" depend on where the camera stands; on a photo,
  the exchanged statement is often as true ("a sink in front of a man").
* :data:`NON_REFERENTIAL_NOUNS`: nouns that name an amount, a part or a place in a phrase rather than a thing
  ("a large number of motorcycles", "side by side", "each other"): moving them breaks the phrase.
* :func:`mirrored_relation`: which relation holds in the mirrored picture? Only a purely horizontal one ("to the
  left of", "left of", "on the right side of") has an answer: "left" and "right" exchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Each dimension: groups of synonyms. Two adjectives may be exchanged when some dimension has both in different
# groups. A word may sit in several dimensions ("short": height and length; "old": age and wear).
ATTRIBUTE_DIMENSIONS: dict[str, tuple[frozenset[str], ...]] = {
    name: tuple(frozenset(group.split()) for group in groups)
    for name, groups in {
        "colour": ("red", "blue", "green", "yellow", "orange", "purple violet", "pink", "brown", "black", "white",
                   "gray grey", "silver", "gold golden", "tan beige"),
        "size": ("small little tiny mini miniature", "large big huge giant enormous massive"),
        "height": ("tall high", "short low"),
        "length": ("long", "short"),
        "age": ("young", "old elderly"),
        "wear": ("new modern", "old antique vintage"),
        "material": ("wooden wood", "metal metallic steel iron", "plastic", "glass", "stone", "brick", "leather",
                     "ceramic"),
        "cleanliness": ("clean", "dirty messy cluttered"),
        "fullness": ("empty", "full"),
        "openness": ("open", "closed"),
        "wetness": ("wet", "dry"),
        "temperature": ("hot warm", "cold cool"),
        "brightness": ("bright light", "dark dim"),
    }.items()
}  # fmt: skip

PERSON_NOUNS = frozenset(
    {
        "man", "men", "woman", "women", "person", "people", "boy", "boys", "girl", "girls", "child", "children",
        "kid", "kids", "baby", "babies", "guy", "guys", "lady", "ladies", "male", "males", "female", "females",
        "gentleman", "gentlemen", "player", "players", "skier", "skiers", "surfer", "surfers", "skateboarder",
        "skateboarders", "snowboarder", "snowboarders", "rider", "riders", "adult", "adults", "teenager", "teenagers",
        "toddler", "toddlers", "mother", "father", "son", "daughter", "family", "crowd", "couple", "friends",
        "student", "students", "worker", "workers", "chef", "cook",
    }
)  # fmt: skip
# Colour words that, said of a person, describe skin.
SKIN_WORDS = frozenset({"black", "white", "brown", "dark", "light", "tan", "yellow", "red"})

VIEWPOINT_RELATIONS = frozenset({"in front of", "behind", "facing", "in back of", "ahead of", "opposite"})

NON_REFERENTIAL_NOUNS = frozenset(
    {
        "number", "lot", "lots", "group", "groups", "couple", "bunch", "pair", "pairs", "variety", "kind", "kinds",
        "type", "types", "sort", "set", "row", "rows", "line", "lines", "side", "sides", "top", "front", "back",
        "bottom", "middle", "edge", "end", "center", "centre", "corner", "inside", "outside", "rest", "part", "parts",
        "piece", "pieces", "something", "anything", "nothing", "everything", "someone", "somebody", "anyone", "each",
        "other", "one", "ones", "way", "view", "shot", "picture", "photo", "image", "close", "closeup",
    }
)  # fmt: skip


def _groups(word: str) -> list[tuple[str, int]]:
    return [(dim, k) for dim, groups in ATTRIBUTE_DIMENSIONS.items() for k, g in enumerate(groups) if word in g]


def exchangeable_attributes(a: str, b: str) -> bool:
    """Whether adjectives ``a`` and ``b`` lie in one dimension, in different synonym groups (``red``/``blue``,
    ``small``/``large``; not ``messy``/``cluttered``, not ``giant``/``white``, not an unknown word)."""
    a, b = a.lower(), b.lower()
    mine = _groups(a)
    return any(dim == d and k != j for dim, k in mine for d, j in _groups(b))


def describes_skin(adjectives: Iterable[str], noun: str) -> bool:
    """Whether a colour word among ``adjectives`` would describe a person's skin on ``noun``."""
    return noun.lower() in PERSON_NOUNS and any(a.lower() in SKIN_WORDS for a in adjectives)


# A relation that says only "left" or "right" of its object: where "to the left of" holds, its mirror image holds
# "to the right of". Anything more ("holding in the left hand", "in front of and left of") is never mirrored.
_HORIZONTAL = re.compile(r"((?:(?:to|on|at) )?(?:the )?)(left|right)((?: hand)?(?: side)? of)")


def mirrored_relation(relation: str) -> str | None:
    """The relation that holds in the left-right mirror image of a picture where ``relation`` holds: "left" and
    "right" exchanged for a purely horizontal relation ("to the left of" -> "to the right of", "on the left side
    of" -> "on the right side of"), None for every other relation."""
    match = _HORIZONTAL.fullmatch(" ".join(relation.lower().split()))
    if match is None:
        return None
    before, side, after = match.groups()
    return f"{before}{'right' if side == 'left' else 'left'}{after}"
