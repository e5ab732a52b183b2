"""Dependency-parse helpers shared by the negation, attribute and relation generators."""

from __future__ import annotations

from snare.generators.tokens import ParsedCaption

# Left dependents that belong to a noun phrase ("the two big brown dogs", "a fire hydrant", "the man 's hat").
NP_DEPS = frozenset(
    {"det", "amod", "compound", "nummod", "poss", "case", "predet", "nmod", "quantmod", "advmod", "cc", "conj"}
)
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
PLURAL_PRONOUNS = frozenset({"they", "we", "you", "these", "those", "both"})
# Nouns that name a part, a position, an amount or a view of something rather than a thing in the image: an item
# that exchanges "the top" or "a group" says nothing about an object ("a herd of top on zebra").
NON_ENTITY_NOUNS = frozenset(
    {
        "top", "front", "side", "middle", "back", "bottom", "edge", "end", "center", "centre", "corner", "inside",
        "outside", "rest", "left", "right", "part", "half", "lot", "lots", "group", "groups", "couple", "pair",
        "bunch", "number", "herd", "flock", "kind", "kinds", "type", "types", "sort", "variety", "piece", "pieces",
        "view", "shot", "picture", "image", "photo", "photograph", "close", "background", "foreground", "distance",
        "way", "time", "day", "night", "air", "something", "someone", "thing", "things", "stuff", "each", "other",
        "look", "point", "scene", "shape", "color", "colors", "angle", "position", "closeup", "display",
    }
)  # fmt: skip


def children(parsed: ParsedCaption, i: int) -> list[int]:
    """Indices of the tokens whose head is ``i`` (in caption order)."""
    return [k for k, t in enumerate(parsed.tokens) if t.head == i and k != i]


def _reaches(parsed: ParsedCaption, j: int, head: int, lo: int) -> bool:
    """Whether ``j``'s chain of heads reaches ``head`` without leaving positions ``[lo, head]``."""
    k = j
    for _ in range(len(parsed)):
        if k == head:
            return True
        if not lo <= k <= head:
            return False
        k = parsed.tokens[k].head
    return False


def noun_phrase(parsed: ParsedCaption, noun: int) -> tuple[int, int]:
    """``(start, end)`` (end exclusive) of the noun phrase headed by ``noun``: its left modifiers and itself."""
    start = noun
    j = noun - 1
    while j >= 0 and parsed.tokens[j].dep in NP_DEPS and _reaches(parsed, j, noun, j):
        start = j
        j -= 1
    return start, noun + 1


def is_entity(parsed: ParsedCaption, i: int) -> bool:
    """A common or proper noun naming a thing (not a part, position, amount or view: :data:`NON_ENTITY_NOUNS`)."""
    tok = parsed.tokens[i]
    if not (tok.is_noun or tok.pos in ("NOUN", "PROPN")) or tok.text.lower() in NON_ENTITY_NOUNS:
        return False
    # "a man with a hat riding on ...", "a white cairn terrier pants in the sun": a participle or a verb the
    # tagger read as the head of a compound noun
    compound = any(
        t.head == i and (t.dep == "compound" or (t.dep == "amod" and t.lexicon is not None and "adj" not in t.lexicon))
        for t in parsed.tokens
    )  # "a toucan perches": "toucan", a noun, read as an adjective of "perches"
    verb_like = tok.tag == "NNS" and tok.lexicon is not None and "verb" in tok.lexicon
    return not (compound and (tok.text.endswith("ing") or verb_like))


def indefinite_article(word: str) -> str:
    """ "a" or "an" for the word that follows it, by its first sound (letters, with the common exceptions)."""
    w = word.lower()
    if w.startswith(("hour", "honest", "honor", "heir")):
        return "an"
    if w.startswith(("uni", "use", "usu", "uti", "ure", "one", "once", "eu", "ewe")):
        return "a"
    return "an" if w[:1] in "aeiou" else "a"


def is_plural(parsed: ParsedCaption, noun: int) -> bool:
    """Grammatical number of a subject: plural tags, plural pronouns, or coordinated nouns ("a man and a dog")."""
    tok = parsed.tokens[noun]
    if tok.tag in ("NNS", "NNPS") or tok.text in PLURAL_PRONOUNS:
        return True
    return any(
        (parsed.tokens[c].dep == "conj" and _coordinated(parsed, noun, c))
        or (
            parsed.tokens[c].dep == "nummod"
            and parsed.tokens[c].text not in ("one", "1", "a")
            and not any(parsed.tokens[k].is_noun for k in range(c + 1, noun))  # "a two layer cake" is one cake
        )
        for c in children(parsed, noun)
    )


_COORDINATION_TAGS = frozenset({"DT", "JJ", "JJR", "CD", "PRP$", "NN", "NNS", "NNP", "NNPS", "CC", ",", "HYPH"})


def _coordinated(parsed: ParsedCaption, noun: int, conj: int) -> bool:
    """Whether ``conj`` is coordinated with ``noun`` itself ("a man and a dog"), not a conjunct the parser hung
    on it from inside a later phrase ("a living room filled with furniture and a tv")."""
    return all(parsed.tokens[k].tag in _COORDINATION_TAGS for k in range(noun + 1, conj))


def root(parsed: ParsedCaption) -> int:
    """The index of the first sentence root; a caption parsed without the parser has none."""
    for i, tok in enumerate(parsed.tokens):
        if tok.dep == "ROOT":
            return i
    raise ValueError("the caption was parsed without the dependency parser")
