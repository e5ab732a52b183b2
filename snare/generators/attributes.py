"""Attribute ownership: which object an attribute belongs to.

From a caption with two adjective-noun pairs (spaCy ``amod``), the options are the caption, the caption with the
two adjectives exchanged (rendered in the caption's own slots, so only the words move), and SNARE's
"respectively" form. From an ARO VG-Attribution entry, SNARE's exact three options.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from snare.generators.errors import NoPerturbation
from snare.generators.tokens import ParsedCaption


def adjective_noun_pairs(parsed: ParsedCaption) -> list[tuple[int, int]]:
    """``(adjective, noun)`` positions for every adjective that modifies a noun (``amod``), in caption order."""
    toks = parsed.tokens
    return [
        (i, t.head)
        for i, t in enumerate(toks)
        if t.dep == "amod" and t.is_adj and 0 <= t.head < len(toks) and toks[t.head].is_noun
    ]


def _noun_words(parsed: ParsedCaption, noun: int) -> str:
    """The noun with its compound modifiers: "fire hydrant", not just "hydrant"."""
    toks = parsed.tokens
    start = noun
    while start > 0 and toks[start - 1].dep == "compound" and toks[start - 1].head == noun:
        start -= 1
    return " ".join(t.text for t in toks[start : noun + 1])


def respectively(obj1: str, obj2: str, att1: str, att2: str) -> str:
    """SNARE's separated form: the objects first, then their attributes in the same order."""
    return f"the {obj1} and the {obj2} are {att1} and {att2} respectively"


def attribute_options(parsed: ParsedCaption) -> list[str]:
    """``[caption, adjectives exchanged, respectively]`` from the first two pairs with distinct words."""
    pairs = adjective_noun_pairs(parsed)
    if len(pairs) < 2:
        raise NoPerturbation("fewer than two adjective-noun pairs")
    words = parsed.words()
    first = pairs[0]
    distinct = [p for p in pairs[1:] if p[1] != first[1] and words[p[0]] != words[first[0]]]
    second = next((p for p in distinct if words[p[1]] != words[first[1]]), None)
    if second is None:
        raise NoPerturbation("the adjective-noun pairs share a word")
    order = list(range(len(parsed)))
    order[first[0]], order[second[0]] = second[0], first[0]
    return [
        parsed.render(range(len(parsed))),
        parsed.render(order),
        respectively(_noun_words(parsed, first[1]), _noun_words(parsed, second[1]), words[first[0]], words[second[0]]),
    ]


def vg_attribution_options(entry: Mapping[str, Any]) -> list[str]:
    """SNARE's options for a VG-Attribution entry: true caption, ARO's exchanged caption, respectively form."""
    att1, att2 = entry["attributes"][0], entry["attributes"][1]
    return [
        entry["true_caption"],
        entry["false_caption"],
        respectively(entry["obj1_name"], entry["obj2_name"], att1, att2),
    ]
