"""Relationship composition and spatial relations.

From a caption with a subject-relation-object triple (a verb with its object, a verb or noun with a
prepositional object), the options are the caption, the caption with subject and object noun phrases exchanged,
and the caption with the relation replaced by "and". From an ARO VG-Relation entry, SNARE's exact three options
(true caption, ARO's exchanged caption, ``is <relation>`` replaced by ``and``), and for the four spatial relations
the caption with its relation replaced by each of them.

Subject and object are whole entity phrases (a noun phrase with its "of" phrases, naming a thing rather than a
part, amount or view), and the relation is not one SNARE leaves out as symmetric; a caption with no such triple,
or one whose exchange would break agreement, raises :class:`NoPerturbation` with the reason. The rules, and how
they were checked by reading items built from COCO captions, are in docs/item-review.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from snare.generators.lexicon import VIEWPOINT_RELATIONS
from snare.generators.negation import NEGATORS
from snare.generators.no_perturbation import NoPerturbation
from snare.generators.syntax import SUBJECT_DEPS, children, is_entity, is_plural, noun_phrase
from snare.generators.tokens import ParsedCaption

SPATIAL_RELATIONS = ("to the left of", "to the right of", "on", "below")
# SNARE leaves these out of relationship composition: exchanging their arguments keeps the caption true.
SYMMETRIC_RELATIONS = frozenset(
    {"near", "next to", "beside", "on the side of", "surrounding", "close to", "standing beside", "with", "by"}
)
# Caption wordings of the same symmetric relations, left out of caption-derived items too ("a goat alongside a
# house" -> "a house alongside a goat" is as true).
CAPTION_SYMMETRIC = frozenset({"alongside", "along side", "nearby", "adjacent to", "together with", "across from"})
# Words that negate a caption; "without" is read as a relation (and left out) by find_triple itself.
_NEGATORS = NEGATORS - {"without"}
_RELATION_POS = frozenset({"VERB", "AUX", "ADP", "ADV", "PART"})
_RELATION_TAGS = frozenset({"IN", "RB", "RP", "TO", "VBZ", "VBP", "VBD", "VBG", "VBN", "VB", "MD"})
_MAX_RELATION_TOKENS = 5
# Nouns that are part of a complex preposition ("on top of", "in front of", "at the end of"): they belong to the
# relation, and the entity is the object of their "of".
PART_NOUNS = frozenset(
    {"top", "front", "side", "middle", "back", "bottom", "edge", "end", "center", "centre", "corner", "inside",
     "outside", "rest"}
)  # fmt: skip
_DETERMINERS = frozenset({"det", "poss", "nummod", "predet"})
# A phrase headed by one of these names a picture of the scene, not a thing in it ("a close shot of red flowers").
VIEW_NOUNS = frozenset(
    {"shot", "picture", "photo", "photograph", "image", "view", "close", "closeup", "display"}
    | {"shots", "pictures", "photos", "photographs", "images", "views"}
)


@dataclass(frozen=True)
class Triple:
    """Token spans ``[start, end)`` of the subject phrase, the relation and the object phrase."""

    subject: tuple[int, int]
    relation: tuple[int, int]
    object: tuple[int, int]


def _noun(parsed: ParsedCaption, i: int) -> bool:
    tok = parsed.tokens[i]
    return tok.is_noun or tok.pos in ("NOUN", "PROPN")


def _objects(parsed: ParsedCaption, head: int) -> list[int]:
    """Direct objects of ``head`` and objects of its prepositions, nearest first."""
    toks = parsed.tokens
    found = []
    for c in children(parsed, head):
        if c < head:
            continue
        if toks[c].dep == "dobj" and _noun(parsed, c):  # not "attr": "x is the y" reads the same both ways
            if toks[head].tag == "VBN":  # a past participle takes no object: "leather bound books" misparsed
                continue
            if toks[head].tag == "VBD" and c == head + 1 and head > 0 and toks[head - 1].is_noun:
                continue  # "a row of wall mounted sinks": a participle between two nouns modifies the second
            found.append(c)
        elif toks[c].dep in ("prep", "agent"):
            found.extend(p for p in children(parsed, c) if toks[p].dep == "pobj" and _noun(parsed, p))
    return sorted(found)


def _candidates(parsed: ParsedCaption) -> list[tuple[int, int]]:
    """``(subject noun, object noun)`` pairs in caption order: verb clauses first, then noun + preposition."""
    toks = parsed.tokens
    pairs: list[tuple[int, int]] = []
    for v, tok in enumerate(toks):
        if not tok.is_verb or tok.dep in ("aux", "auxpass", "amod"):
            continue
        subjects = [c for c in children(parsed, v) if toks[c].dep in SUBJECT_DEPS and _noun(parsed, c) and c < v]
        if (
            not subjects
            and tok.dep == "acl"
            and tok.head < v
            and _noun(parsed, tok.head)
            and _not_in_pp(parsed, tok.head)
        ):
            subjects = [tok.head]
        pairs.extend((subjects[-1], o) for o in _objects(parsed, v)[:1] if subjects)
    for n in range(len(toks)):
        if _noun(parsed, n):
            objs = [o for o in _objects(parsed, n) if toks[toks[o].head].text != "of"]
            pairs.extend((n, o) for o in objs[:1])
    return pairs


def _not_in_pp(parsed: ParsedCaption, noun: int) -> bool:
    """Whether ``noun`` is not the object of a preposition other than "of": a participle after "a group of men on
    a field" may hang off "men" or "field", and the parser often picks the wrong one."""
    tok = parsed.tokens[noun]
    return tok.dep != "pobj" or parsed.tokens[tok.head].text == "of"


def _of_child(parsed: ParsedCaption, noun: int) -> int | None:
    """The object of an "of" right after ``noun`` ("a body of water" -> "water"), if any."""
    toks = parsed.tokens
    if noun + 1 < len(toks) and toks[noun + 1].text == "of" and toks[noun + 1].head == noun:
        return next((p for p in children(parsed, noun + 1) if toks[p].dep == "pobj" and _noun(parsed, p)), None)
    return None


def entity_phrase(parsed: ParsedCaption, noun: int) -> tuple[int, int, int]:
    """``(start, end, entity)`` of the noun phrase around ``noun`` with its "of" phrases on either side
    ("a herd of animals", "a body of water"): exchanging a bare "animals" or "a body" would split them.
    ``entity`` is the innermost noun, the thing the phrase names."""
    toks = parsed.tokens
    top = noun
    while toks[top].dep == "pobj" and toks[toks[top].head].text == "of":
        up = toks[toks[top].head].head
        if not (0 <= up < top and _noun(parsed, up)) or toks[up].text in PART_NOUNS:  # "top of": the relation's
            break
        top = up
    inner = noun
    while (nxt := _of_child(parsed, inner)) is not None:
        inner = nxt
    return noun_phrase(parsed, top)[0], inner + 1, inner


def _determined(parsed: ParsedCaption, start: int, end: int) -> bool:
    """A phrase with a determiner, number or possessive, or a plural head: a bare singular ("girl", "living
    room") reads as a modifier once moved ("an umbrella holding girl")."""
    toks = parsed.tokens
    return any(toks[i].dep in _DETERMINERS for i in range(start, end)) or any(
        toks[i].tag in ("NNS", "NNPS") for i in range(start, end)
    )


_NP_TAGS = frozenset({"DT", "JJ", "JJR", "JJS", "CD", "PRP$", "POS", "NN", "NNS", "NNP", "NNPS"})


def _separable(parsed: ParsedCaption, start: int, end: int, entity: int) -> bool:
    """Whether the phrase can move as a whole: not cut out of a longer noun phrase ("a couple [different
    pastries]"), not one conjunct of a coordination ("a boy and [an older woman]", "[a green hill] and
    rocks"), whose exchange would leave the other conjunct behind, and not a view ("a close up of ...")."""
    toks = parsed.tokens
    if start > 0 and toks[start - 1].tag in (*_NP_TAGS, "CC"):
        return False
    if end < len(toks) and (toks[end].is_noun or toks[end].tag in ("POS", "CC")):
        return False
    if end < len(toks) and toks[end].is_adj:
        return False  # "a cart [full of bananas]": the adjective phrase would stay behind
    if end < len(toks) and toks[end].tag in ("RB", "VB", "VBP", "VBZ") and toks[end].lexicon == frozenset({"noun"}):
        return False  # "a window [sill]": a noun the tagger read as something else
    if "close up" in parsed.render_span(range(start, end)):
        return False  # "a close up of a napkin" is a view of the napkin, not a thing
    heads = {entity, *range(start, end)}
    return not any(t.dep == "conj" and (t.head in heads or k in heads) for k, t in enumerate(toks))


def _relation_token(parsed: ParsedCaption, i: int, rel: tuple[int, int]) -> bool:
    tok = parsed.tokens[i]
    if tok.tag == "RB" and tok.lexicon is not None and "adv" not in tok.lexicon:
        return False  # "a horse drawn trolly on a track": a noun the tagger read as an adverb
    if tok.tag in _RELATION_TAGS or tok.pos in _RELATION_POS:
        return True
    # "on top of", "in the middle of": a part noun (and its article) inside a relation ending in "of"
    return parsed.tokens[rel[1] - 1].text == "of" and (tok.text in PART_NOUNS or tok.tag == "DT")


def _object_phrase(parsed: ParsedCaption, obj: int) -> tuple[int, int, int]:
    """The object's phrase; for a part noun ("on top of a table") the phrase of the thing it is part of."""
    if parsed.tokens[obj].text in PART_NOUNS and (inner := _of_child(parsed, obj)) is not None:
        return entity_phrase(parsed, inner)
    return entity_phrase(parsed, obj)


def _phrase_head(parsed: ParsedCaption, start: int, end: int) -> int:
    """The token of ``[start, end)`` whose head lies outside it: "group" in "a group of men"."""
    return next(
        (k for k in range(start, end) if parsed.tokens[k].head == k or not start <= parsed.tokens[k].head < end),
        end - 1,
    )


def _is_symmetric(parsed: ParsedCaption, rel: tuple[int, int]) -> bool:
    return _has_relation(parsed, rel, SYMMETRIC_RELATIONS | CAPTION_SYMMETRIC)


def _has_relation(parsed: ParsedCaption, rel: tuple[int, int], relations: frozenset[str]) -> bool:
    """Whether the relation span ends with one of ``relations`` ("is standing beside" ends with "beside")."""
    text = " ".join(parsed.words()[rel[0] : rel[1]]).lower()
    return any(text == r or text.endswith(" " + r) for r in relations)


def find_triple(parsed: ParsedCaption) -> Triple:
    """The first subject-relation-object triple whose relation is a short run of verbs, particles, adverbs and
    prepositions between two entity phrases, and not one of SNARE's symmetric relations. Candidates that fail
    are passed over; the reason of the last one that failed is raised when none is left."""
    toks = parsed.tokens
    if any(t.text.lower() in _NEGATORS or t.dep == "neg" for t in toks):
        # "a man is not holding an umbrella": the exchange ("an umbrella is not holding a man") is as true
        raise NoPerturbation("already negated")
    reason = "no subject-relation-object triple"
    for subj, obj in _candidates(parsed):
        (s0, s1, s_ent), (o0, o1, o_ent) = entity_phrase(parsed, subj), _object_phrase(parsed, obj)
        s, o, rel = (s0, s1), (o0, o1), (s1, o0)
        between = range(*rel)
        if not 0 < len(between) <= _MAX_RELATION_TOKENS:
            continue
        if any(not _relation_token(parsed, i, rel) for i in between):
            continue
        if any(toks[i].tag == "IN" and toks[j].is_verb for i in between for j in between if j > i):
            continue  # "topped with [sliced up] oranges": a verb after the preposition modifies the object
        tops = (_phrase_head(parsed, *s), _phrase_head(parsed, *o))
        if not (is_entity(parsed, s_ent) and is_entity(parsed, o_ent)) or any(toks[t].text in VIEW_NOUNS for t in tops):
            reason = "subject or object is not an entity"
            continue
        if not (_separable(parsed, *s, s_ent) and _separable(parsed, *o, o_ent)):
            reason = "subject or object is part of a longer phrase"
            continue
        if "without" in parsed.words()[rel[0] : rel[1]]:
            reason = "negated relation"  # "a man without a shirt": SNARE's relations say what is there
            continue
        if _is_symmetric(parsed, rel):
            reason = "symmetric relation (left out, as in SNARE)"
            continue
        if _has_relation(parsed, rel, VIEWPOINT_RELATIONS):
            # "a sink in front of a man": which is in front depends on where the camera stands; the exchange is
            # often as true of the photo
            reason = "viewpoint relation"
            continue
        if not (_determined(parsed, *s) and _determined(parsed, *o)):
            reason = "bare singular noun phrase"
            continue
        if parsed.render_span(range(*s)) == parsed.render_span(range(*o)):
            raise NoPerturbation("subject and object are the same phrase")
        finite = [toks[i].tag for i in between if toks[i].tag in ("VBZ", "VBP")]
        if finite and (finite[0] == "VBP") != is_plural(parsed, _phrase_head(parsed, o0, o1)):
            # "two dogs are on a couch" -> "a couch are on two dogs": the agreement error would give it away;
            # the verb agrees with the object that takes the subject's place ("bowls sits on lots of fruit").
            raise NoPerturbation("subject and object differ in number")
        if s0 > 0 and toks[s0 - 1].tag in ("VBZ", "VBP") and is_plural(parsed, tops[0]) != is_plural(parsed, tops[1]):
            reason = "subject and object differ in number"  # "there is a group of birds" -> "there is the chairs"
            continue
        if o1 < len(toks) and toks[o1].tag in ("VBZ", "VBP"):
            # "a person holding a baby is looking at horses": "a person and a baby is looking" would not agree
            reason = "the exchanged phrases would not agree with the verb after them"
            continue
        return Triple(subject=s, relation=rel, object=o)
    raise NoPerturbation(reason)


def relation_options(parsed: ParsedCaption) -> list[str]:
    """``[caption, subject and object exchanged, relation replaced by "and"]``."""
    t = find_triple(parsed)
    n = len(parsed)
    subj, obj = list(range(*t.subject)), list(range(*t.object))
    order = [*range(t.subject[0]), *obj, *range(*t.relation), *subj, *range(t.object[1], n)]
    edits: dict[int, list[str]] = {i: [] for i in range(*t.relation)}
    edits[t.relation[0]] = ["and"]
    return [parsed.render(range(n)), parsed.render(order), parsed.render_edits(edits)]


def _replace_relation(caption: str, relation: str, replacement: str, *, with_is: bool) -> str:
    """Replace the relation where it follows "is", as a whole phrase. (The original used ``str.replace`` on the
    bare relation, which also rewrites words that contain it: "on" inside "lemon".)"""
    pattern = re.compile(r"\bis " + re.escape(relation) + r"(?=\s|$)")
    match = pattern.search(caption)
    if match is None:
        raise NoPerturbation("relation not found after 'is' in the caption")
    new = replacement if with_is else f"is {replacement}"
    return caption[: match.start()] + new + caption[match.end() :]


def vg_relation_options(entry: Mapping[str, Any]) -> list[str]:
    """SNARE's composition options: true caption, ARO's exchanged caption, ``is <relation>`` -> ``and``."""
    rel = entry["relation_name"]
    if rel in SYMMETRIC_RELATIONS:
        raise NoPerturbation("symmetric relation (left out, as in SNARE)")
    true = entry["true_caption"]
    return [true, entry["false_caption"], _replace_relation(true, rel, "and", with_is=True)]


def spatial_options(entry: Mapping[str, Any]) -> tuple[list[str], int]:
    """The true caption with its relation replaced by each of the four spatial relations, and the true index."""
    rel = entry["relation_name"]
    if rel not in SPATIAL_RELATIONS:
        raise NoPerturbation("not one of the four spatial relations")
    true = entry["true_caption"]
    options = [_replace_relation(true, rel, r, with_is=False) for r in SPATIAL_RELATIONS]
    return options, SPATIAL_RELATIONS.index(rel)
