"""Relationship composition and spatial relations.

From a caption with a subject-relation-object triple (a verb with its object, a verb or noun with a
prepositional object), the options are the caption, the caption with subject and object noun phrases exchanged,
and the caption with the relation replaced by "and". From an ARO VG-Relation entry, SNARE's exact three options
(true caption, ARO's exchanged caption, ``is <relation>`` replaced by ``and``), and for the four spatial relations
the caption with its relation replaced by each of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from snare.generators.errors import NoPerturbation
from snare.generators.phrases import SUBJECT_DEPS, children, is_plural, noun_phrase
from snare.generators.tokens import ParsedCaption

SPATIAL_RELATIONS = ("to the left of", "to the right of", "on", "below")
# SNARE leaves these out of relationship composition: exchanging their arguments keeps the caption true.
SYMMETRIC_RELATIONS = frozenset(
    {"near", "next to", "beside", "on the side of", "surrounding", "close to", "standing beside", "with", "by"}
)
_RELATION_POS = frozenset({"VERB", "AUX", "ADP", "ADV", "PART"})
_RELATION_TAGS = frozenset({"IN", "RB", "RP", "TO", "VBZ", "VBP", "VBD", "VBG", "VBN", "VB", "MD"})
_MAX_RELATION_TOKENS = 5


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
        if toks[c].dep in ("dobj", "attr") and _noun(parsed, c):
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
        if not subjects and tok.dep == "acl" and tok.head < v and _noun(parsed, tok.head):
            subjects = [tok.head]
        pairs.extend((subjects[-1], o) for o in _objects(parsed, v)[:1] if subjects)
    for n in range(len(toks)):
        if _noun(parsed, n):
            objs = [o for o in _objects(parsed, n) if toks[toks[o].head].text != "of"]
            pairs.extend((n, o) for o in objs[:1])
    return pairs


def find_triple(parsed: ParsedCaption) -> Triple:
    """The first subject-relation-object triple whose relation is a short run of verbs, particles, adverbs and
    prepositions between the two noun phrases."""
    toks = parsed.tokens
    for subj, obj in _candidates(parsed):
        s, o = noun_phrase(parsed, subj), noun_phrase(parsed, obj)
        rel = (s[1], o[0])
        between = range(*rel)
        if not 0 < len(between) <= _MAX_RELATION_TOKENS:
            continue
        if any(toks[i].tag not in _RELATION_TAGS and toks[i].pos not in _RELATION_POS for i in between):
            continue
        if parsed.render_span(range(*s)) == parsed.render_span(range(*o)):
            raise NoPerturbation("subject and object are the same phrase")
        if any(toks[i].tag in ("VBZ", "VBP") for i in between) and is_plural(parsed, subj) != is_plural(parsed, obj):
            # "two dogs are on a couch" -> "a couch are on two dogs": the agreement error would give it away.
            raise NoPerturbation("subject and object differ in number")
        return Triple(subject=s, relation=rel, object=o)
    raise NoPerturbation("no subject-relation-object triple")


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
