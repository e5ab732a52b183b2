"""Attribute ownership: which object an attribute belongs to.

From a caption with two adjective-noun pairs whose adjectives are of one kind and not synonyms (colour for
colour, size for size: :func:`snare.generators.lexicon.exchangeable_attributes`), and neither a colour said of
a person, the options are the caption, the caption with the two adjectives exchanged (rendered in the caption's
own slots, so only the words move, with "a"/"an" re-agreed), and SNARE's
"respectively" form. From an ARO VG-Attribution entry, SNARE's exact three options.

An attribute is an adjective (Penn ``JJ``/``JJR``, known to spaCy's lexicon as an adjective) that is the
``amod`` nearest an entity noun heading its noun phrase, written right before it (or before its compound
modifiers; an adjective the parser hung on the first of those compounds describes the whole noun: "a red stop
sign").
Not attributes: quantifiers and determiner-like adjectives ("several", "other", "same"), superlatives,
adjectives with their own complements ("full of backpacks"), parts of fixed compounds ("hot dog", "french
fries"), nouns the tagger read as adjectives ("a propeller plane", "an ipod"), and the outer one of stacked
adjectives ("lush" in "a lush green field": exchanging it gives "an orange green field").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from snare.generators.lexicon import describes_skin, exchangeable_attributes
from snare.generators.no_perturbation import NoPerturbation
from snare.generators.syntax import children, indefinite_article, is_entity
from snare.generators.tokens import ParsedCaption

# Adjectives that quantify, point or rank rather than describe: exchanging them gives no visual claim.
QUANTIFIER_ADJECTIVES = frozenset(
    {
        "several", "many", "few", "other", "another", "different", "various", "same", "only", "entire", "whole",
        "own", "next", "last", "first", "second", "third", "main", "such", "certain", "numerous", "multiple",
        "single", "lone", "couple", "double", "extra", "individual", "separate", "particular", "similar", "total",
        "much", "more", "most", "less", "least", "top", "bottom", "front", "rear", "left", "right", "middle", "half",
    }
)  # fmt: skip
# Adjective-noun pairs that name one thing: "hot" is not an attribute of a hot dog.
FIXED_COMPOUNDS = frozenset(
    {
        ("hot", "dog"), ("hot", "dogs"), ("french", "fries"), ("french", "fry"), ("french", "toast"),
        ("smart", "phone"), ("smart", "phones"), ("high", "chair"), ("flat", "screen"), ("stuffed", "animal"),
        ("stuffed", "animals"), ("teddy", "bear"), ("teddy", "bears"), ("living", "room"), ("double", "decker"),
        ("little", "league"), ("big", "ben"), ("public", "transportation"), ("open", "air"), ("cell", "phone"),
        ("remote", "control"), ("remote", "controls"), ("red", "light"), ("green", "light"), ("polar", "bear"),
        ("white", "water"), ("deep", "dish"), ("big", "rig"), ("wild", "animals"), ("electric", "guitar"),
        ("grizzly", "bear"), ("stop", "light"), ("stainless", "steel"), ("tank", "top"),
    }
)  # fmt: skip


def _attribute_noun(parsed: ParsedCaption, adj: int) -> int:
    """The noun the adjective at ``adj`` describes: its head, or, when the parser hung it on the first of a
    noun's compound modifiers ("a red [stop] sign", "a black [guard] rail"), the noun that run of compounds
    names: the colour is the sign's, not the stop's."""
    toks = parsed.tokens
    noun = toks[adj].head
    if noun != adj + 1:
        return noun
    while 0 <= noun < len(toks) and toks[noun].dep == "compound" and toks[noun].head == noun + 1:
        noun += 1
    return noun


def _is_attribute(parsed: ParsedCaption, adj: int) -> bool:
    toks = parsed.tokens
    tok, noun = toks[adj], _attribute_noun(parsed, adj)
    if tok.dep != "amod" or tok.tag not in ("JJ", "JJR") or not 0 <= noun < len(toks) or noun <= adj:
        return False
    if tok.text in QUANTIFIER_ADJECTIVES or (tok.lexicon is not None and "adj" not in tok.lexicon):
        return False
    if not is_entity(parsed, noun) or toks[noun].dep == "compound":
        return False
    if (tok.text, toks[noun].text) in FIXED_COMPOUNDS or (tok.text, toks[adj + 1].text) in FIXED_COMPOUNDS:
        return False  # "hot dogs", and "deep dish pizza" with "dish" as a compound of "pizza"
    if children(parsed, adj):  # "full of backpacks", "very tall": a phrase, not a one-word attribute
        return False
    prev = toks[adj - 1] if adj > 0 else None
    half = prev is not None and prev.head == noun and (prev.dep == "amod" or prev.is_adj)
    if half and prev.lexicon is not None and "adj" not in prev.lexicon:
        return False  # "a multi colored cat": half of a compound adjective
    if toks[noun].lexicon is not None and "noun" not in toks[noun].lexicon:
        return False
    if noun + 1 < len(toks) and toks[noun + 1].is_noun:  # "a red fire hydrant" parsed with "red" on "fire"
        return False
    if noun + 2 < len(toks) and toks[noun + 1].tag in ("VBN", "VBD") and toks[noun + 2].is_noun:
        return False  # "antique leather bound books": the adjective belongs to "books"
    if any(toks[c].dep == "compound" and toks[c].lexicon and "adj" in toks[c].lexicon for c in children(parsed, noun)):
        return False  # "bright orange stripes": "orange" is a second attribute the tagger read as a noun
    # The adjective nearest the noun: in "a lush green field" it is "green" (exchanging "lush" would give
    # "an orange green field"); anything else between them is a parse we should not trust.
    return _compound_start(parsed, noun) == adj + 1


def adjective_noun_pairs(parsed: ParsedCaption) -> list[tuple[int, int]]:
    """``(adjective, noun)`` positions for every attribute (see the module docstring), in caption order."""
    return [(i, _attribute_noun(parsed, i)) for i in range(len(parsed)) if _is_attribute(parsed, i)]


def _compound_start(parsed: ParsedCaption, noun: int) -> int:
    toks = parsed.tokens
    start = noun
    while start > 0 and toks[start - 1].dep == "compound" and toks[start - 1].head == noun:
        start -= 1
    return start


def _noun_words(parsed: ParsedCaption, noun: int) -> str:
    """The noun with its compound modifiers: "fire hydrant", not just "hydrant"."""
    return " ".join(t.text for t in parsed.tokens[_compound_start(parsed, noun) : noun + 1])


def respectively(obj1: str, obj2: str, att1: str, att2: str) -> str:
    """SNARE's separated form: the objects first, then their attributes in the same order."""
    return f"the {obj1} and the {obj2} are {att1} and {att2} respectively"


def _exchanged(parsed: ParsedCaption, a1: int, a2: int) -> str:
    """The caption with the adjectives at ``a1`` and ``a2`` exchanged and an "a"/"an" before either re-agreed."""
    words = parsed.words()
    edits = {a1: [words[a2]], a2: [words[a1]]}
    for adj, new in ((a1, words[a2]), (a2, words[a1])):
        if adj > 0 and words[adj - 1] in ("a", "an"):
            edits[adj - 1] = [indefinite_article(new)]
    return parsed.render_edits(edits)


def _repeats(parsed: ParsedCaption, into: tuple[int, int], source: tuple[int, int]) -> bool:
    """Whether the adjective of ``source`` already modifies the noun of ``into`` ("two small white dogs" would
    become "two small small dogs")."""
    word = parsed.tokens[source[0]].text
    return any(parsed.tokens[c].text == word for c in children(parsed, into[1]) if c != into[0])


def attribute_options(parsed: ParsedCaption) -> list[str]:
    """``[caption, adjectives exchanged, respectively]`` from the first two pairs with distinct words."""
    pairs = adjective_noun_pairs(parsed)
    if len(pairs) < 2:
        raise NoPerturbation("fewer than two adjective-noun pairs")
    words = parsed.words()
    first = pairs[0]
    distinct = [
        p
        for p in pairs[1:]
        if p[1] != first[1]
        and words[p[0]] != words[first[0]]
        and not _repeats(parsed, first, p)
        and not _repeats(parsed, p, first)
    ]
    second = next((p for p in distinct if words[p[1]] != words[first[1]]), None)
    if second is None:
        raise NoPerturbation("the adjective-noun pairs share a word")
    adjectives = (words[first[0]], words[second[0]])
    if not exchangeable_attributes(*adjectives):
        # "a messy desk in a cluttered room" exchanged says the same; "a giant church with a white tower" trades
        # a size for a colour, which no reader takes as one claim
        raise NoPerturbation("the attributes are synonyms or of different kinds")
    if describes_skin(adjectives, words[first[1]]) or describes_skin(adjectives, words[second[1]]):
        raise NoPerturbation("a colour word would describe a person")
    return [
        parsed.render(range(len(parsed))),
        _exchanged(parsed, first[0], second[0]),
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
