"""Negation logic: a caption's negated form from its dependency parse, and SNARE's attribute-pair template.

:func:`negate` handles the shapes captions come in, with subject-verb agreement:

- an auxiliary or copula is negated in place: "a man is riding" -> "a man is not riding", "a dog is brown" ->
  "a dog is not brown";
- a finite lexical verb gets do-support: "a dog runs" -> "a dog does not run", "dogs run" -> "dogs do not run";
- existential captions take "no": "there is a dog" -> "there is no dog", "there are two dogs" -> "there are no dogs";
- a noun-phrase caption (most of COCO) gets a copula agreeing with its head noun before its predicate:
  "a man riding a horse" -> "a man is not riding a horse", "two dogs on a couch" -> "two dogs are not on a couch";
- a reduced passive keeps its voice: "a clock mounted on a wall" -> "a clock is not mounted on a wall".

A "with" or "of" phrase is never the predicate ("a girl with curly hair" is not "a girl is not with curly hair").
Captions that already contain a negation, have no predicate to negate, or whose parse leaves the predicate in
doubt raise :class:`NoPerturbation` with the reason.
"""

from __future__ import annotations

from snare.generators.no_perturbation import NoPerturbation
from snare.generators.syntax import SUBJECT_DEPS, children, is_plural, noun_phrase, root
from snare.generators.tokens import ParsedCaption

NEGATORS = frozenset({"not", "n't", "no", "never", "none", "nothing", "nobody", "neither", "nor", "without"})
# Prepositions that modify the noun they follow rather than predicate of it: "a girl with curly hair" is not
# "a girl is with curly hair"; the predicate, if any, comes after their phrase.
_NOUN_MODIFYING_PREPS = frozenset({"of", "with", "without"})
# Nouns that name a picture of the scene: a caption headed by one describes the picture, not a thing in it.
FRAME_NOUNS = frozenset(
    {
        "photo", "photos", "photograph", "photographs", "picture", "pictures", "image", "images", "shot", "shots",
        "view", "views", "collage", "collages", "closeup", "display", "painting", "drawing", "poster", "screenshot",
        "snapshot",
    }
)  # fmt: skip
_DO_SUPPORT = {"VBZ": "does", "VBP": "do", "VBD": "did"}
# "there are two dogs" -> "there are no dogs": the quantifier gives way to "no".
_QUANTIFIER_TAGS = frozenset({"DT", "CD"})


def negate(parsed: ParsedCaption) -> str:
    """The negated caption, rendered from the caption's own token slots (see module docstring)."""
    toks = parsed.tokens
    if any(t.text in NEGATORS or t.dep == "neg" for t in toks):
        raise NoPerturbation("already negated")
    r = root(parsed)
    existential = [i for i, t in enumerate(toks) if t.dep == "expl" and t.head == r and i < r]
    if existential and toks[r].lemma == "be":
        nxt = r + 1
        if nxt < len(toks) and toks[nxt].tag in _QUANTIFIER_TAGS and toks[nxt].dep in ("det", "nummod"):
            return parsed.render_edits({nxt: ["no"]})
        return parsed.render_edits({r: [toks[r].text, "no"]})
    if toks[r].is_verb or toks[r].pos in ("VERB", "AUX"):
        return _negate_verb(parsed, r)
    if toks[r].is_noun or toks[r].pos in ("NOUN", "PROPN", "PRON"):
        if toks[r].text == "close":  # "a close up of a plate of food": a view, with no predicate
            raise NoPerturbation("no verb, copula or predicate to negate")
        if toks[r].text.lower() in FRAME_NOUNS:
            # "a photo collage of a girl hitting a tennis ball": negated, it says the collage hits nothing,
            # which is true; the scene's own statement is what the item is about
            raise NoPerturbation("a picture of the scene: the negation would deny the picture, not the scene")
        before = toks[r - 1] if r > 0 else None
        nounish = before is not None and (
            before.is_noun or (before.lexicon is not None and "noun" in before.lexicon and "adj" not in before.lexicon)
        )
        if toks[r].tag == "NNS" and toks[r].lexicon and "verb" in toks[r].lexicon and nounish:
            # "a horse-drawn carriage moves past ...": a verb the tagger read as the plural of a compound noun
            raise NoPerturbation("the head noun may be a misread verb")
        return _negate_noun_phrase(parsed, r)
    raise NoPerturbation("no verb, copula or predicate to negate")


def _negate_verb(parsed: ParsedCaption, r: int) -> str:
    toks = parsed.tokens
    auxes = [c for c in children(parsed, r) if toks[c].dep in ("aux", "auxpass") and c < r]
    if auxes:
        first = auxes[0]
        if toks[first].tag == "TO":
            raise NoPerturbation("no verb, copula or predicate to negate")
        if toks[first].tag == "VBG":  # "two men being pulled" -> "two men are not being pulled"
            subject = [c for c in children(parsed, r) if toks[c].dep in SUBJECT_DEPS and c < first]
            if not subject:
                raise NoPerturbation("no subject to agree with")
            return _insert_copula(parsed, first, plural=is_plural(parsed, subject[0]))
        return parsed.render_edits({first: [toks[first].text, "not"]})
    verb = toks[r]
    if verb.lemma == "be":
        return parsed.render_edits({r: [verb.text, "not"]})
    subjects = [c for c in children(parsed, r) if toks[c].dep in SUBJECT_DEPS and c < r]
    # The verb must be the caption's own predicate: its subject opens the caption ("a woman with her head
    # lowered" has "head" as the subject of "lowered"; "she just bought" is a relative clause).
    if verb.tag in _DO_SUPPORT and (not subjects or noun_phrase(parsed, subjects[0])[0] != 0):
        raise NoPerturbation("the verb's subject does not open the caption")
    if verb.tag == "VBD" and r + 1 < len(toks) and toks[r + 1].tag in ("NN", "NNS", "JJ"):
        # "a row of wall mounted sinks", "leather bound books", "a bear shaped full jar": a participle
        # modifying the next noun, not a predicate
        raise NoPerturbation("participle modifying a noun, not a predicate")
    objects = [c for c in children(parsed, r) if toks[c].dep == "dobj" and (toks[c].is_noun or toks[c].tag == "PRP")]
    if verb.tag == "VBD" and verb.text.endswith("ed") and not objects:
        # With no object, "a clock mounted on a wall" is a reduced passive, not the past tense: negating it as
        # "did not mount" turns it active. "is not mounted" (or "is not stopped") is right either way.
        if not subjects:
            raise NoPerturbation("no subject to agree with")
        return _insert_copula(parsed, r, plural=is_plural(parsed, subjects[0]))
    if verb.tag in _DO_SUPPORT:
        if verb.lexicon is not None and "verb" not in verb.lexicon:
            raise NoPerturbation("the word the tagger read as the verb is not a verb")
        base = base_form(verb.text, verb.tag, verb.lemma)
        if not base:
            raise NoPerturbation("no lemma for the verb (parsed without the lemmatizer)")
        subject = [c for c in children(parsed, r) if toks[c].dep in SUBJECT_DEPS]
        do = _DO_SUPPORT[verb.tag]
        if verb.tag == "VBZ" and subject and is_plural(parsed, subject[0]):
            do = "do"  # the tagger read a plural subject with a singular verb; agree with the subject
        return parsed.render_edits({r: [do, "not", base]})
    if verb.tag in ("VBG", "VBN"):  # "a man riding a horse" parsed with the participle as root
        subject = [c for c in children(parsed, r) if toks[c].dep in SUBJECT_DEPS and c < r]
        if not subject:
            raise NoPerturbation("no subject to agree with")
        if any(toks[k].dep in ("acl", "relcl") for k in range(subject[0] + 1, r)):
            # "young kid playing tee ball with a young woman watching": which participle is the predicate?
            raise NoPerturbation("two participles could be the predicate")
        return _insert_copula(parsed, r, plural=is_plural(parsed, subject[0]))
    raise NoPerturbation("no verb, copula or predicate to negate")


def _negate_noun_phrase(parsed: ParsedCaption, r: int) -> str:
    """A caption that is a noun phrase: put "is not"/"are not" before its first predicate."""
    toks = parsed.tokens
    heads = {r}
    # "a group of people standing ...": the predicate may hang off the noun inside an "of" phrase.
    for c in children(parsed, r):
        if toks[c].dep == "prep" and toks[c].text == "of":
            heads.update(k for k in children(parsed, c) if toks[k].dep == "pobj")
    end = _modifiers_end(parsed, r)
    candidates = []
    for i, tok in enumerate(toks):
        if i <= r or tok.head not in heads:
            continue
        # The predicate must follow the noun phrase directly; anything else is a parse we should not trust.
        if tok.dep == "acl" and tok.tag in ("VBG", "VBN", "VBD") and _left_edge(parsed, i) in (tok.head + 1, end):
            candidates.append(_left_edge(parsed, i))
        elif tok.head == r and i == r + 1 and tok.dep in ("prep", "advmod") and tok.text not in _NOUN_MODIFYING_PREPS:
            # Only right after the noun: after "with a bed and appliances" a prepositional phrase may belong to
            # the last noun as well ("appliances in the back"). Not "a room is not in it": a pronoun object
            # points back into the noun phrase.
            candidates.extend([i] if not any(toks[k].tag == "PRP" for k in children(parsed, i)) else [])
    if not candidates:
        raise NoPerturbation("no verb, copula or predicate to negate")
    return _insert_copula(parsed, min(candidates), plural=is_plural(parsed, r))


def _modifiers_end(parsed: ParsedCaption, r: int) -> int:
    """Where the noun ``r`` and its "with"/"of" phrases end ("a girl with curly hair | sitting on a bench")."""
    end = r + 1
    for c in children(parsed, r):
        if c == end and parsed.tokens[c].text in _NOUN_MODIFYING_PREPS:
            end = _right_edge(parsed, c) + 1
    return end


def _right_edge(parsed: ParsedCaption, i: int) -> int:
    right = [c for c in children(parsed, i) if c > i]
    return max([i, *(_right_edge(parsed, c) for c in right)])


_IRREGULAR_3SG = {"has": "have", "does": "do", "goes": "go", "is": "be"}


def base_form(text: str, tag: str, lemma: str) -> str:
    """The bare infinitive for do-support. Third-person forms are reduced by spelling rules because the small
    model's lemmatizer is unreliable on lower-cased captions ("rides" -> "rid"); other forms use the lemma."""
    if tag == "VBP":
        return text
    if tag != "VBZ":
        return lemma
    if text in _IRREGULAR_3SG:
        return _IRREGULAR_3SG[text]
    if text.endswith("ies") and len(text) > 4:
        return text[:-3] + "y"
    if text.endswith(("ches", "shes", "sses", "xes", "zzes", "oes")):
        return text[:-2]
    return text[:-1] if text.endswith("s") else lemma or text


def _left_edge(parsed: ParsedCaption, i: int) -> int:
    """The first token of ``i``'s left dependents ("happily riding" starts at "happily")."""
    left = [c for c in children(parsed, i) if c < i]
    return min([i, *(_left_edge(parsed, c) for c in left)])


def _insert_copula(parsed: ParsedCaption, before: int, *, plural: bool) -> str:
    tok = parsed.tokens[before]
    return parsed.render_edits({before: ["are" if plural else "is", "not", tok.text]})


def negation_template(obj1: str, att1: str, obj2: str, att2: str) -> tuple[str, str]:
    """SNARE's negation-logic options for a VG-Attribution entry: the plain statement and its double negation."""
    return (
        f"the {obj1} is {att1} and the {obj2} is {att2}",
        f"the {obj1} is not {att1} and the {obj2} is not {att2}",
    )
