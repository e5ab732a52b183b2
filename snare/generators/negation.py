"""Negation logic: a caption's negated form from its dependency parse, and SNARE's attribute-pair template.

:func:`negate` handles the shapes captions come in, with subject-verb agreement:

- an auxiliary or copula is negated in place: "a man is riding" -> "a man is not riding", "a dog is brown" ->
  "a dog is not brown";
- a finite lexical verb gets do-support: "a dog runs" -> "a dog does not run", "dogs run" -> "dogs do not run";
- existential captions take "no": "there is a dog" -> "there is no dog", "there are two dogs" -> "there are no dogs";
- a noun-phrase caption (most of COCO) gets a copula agreeing with its head noun before its predicate:
  "a man riding a horse" -> "a man is not riding a horse", "two dogs on a couch" -> "two dogs are not on a couch".

Captions that already contain a negation, or have no predicate to negate, raise :class:`NoPerturbation`.
"""

from __future__ import annotations

from snare.generators.errors import NoPerturbation
from snare.generators.phrases import SUBJECT_DEPS, children, is_plural, root
from snare.generators.tokens import ParsedCaption

NEGATORS = frozenset({"not", "n't", "no", "never", "none", "nothing", "nobody", "neither", "nor"})
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
        return _negate_noun_phrase(parsed, r)
    raise NoPerturbation("no verb, copula or predicate to negate")


def _negate_verb(parsed: ParsedCaption, r: int) -> str:
    toks = parsed.tokens
    auxes = [c for c in children(parsed, r) if toks[c].dep in ("aux", "auxpass") and c < r]
    if auxes:
        first = auxes[0]
        if toks[first].tag == "TO":
            raise NoPerturbation("no verb, copula or predicate to negate")
        return parsed.render_edits({first: [toks[first].text, "not"]})
    verb = toks[r]
    if verb.lemma == "be":
        return parsed.render_edits({r: [verb.text, "not"]})
    if verb.tag in _DO_SUPPORT:
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
    candidates = []
    for i, tok in enumerate(toks):
        if i <= r or tok.head not in heads:
            continue
        # The predicate must follow its noun directly; anything else is a parse we should not trust.
        if tok.dep == "acl" and tok.tag in ("VBG", "VBN") and _left_edge(parsed, i) == tok.head + 1:
            candidates.append(tok.head + 1)
        elif tok.head == r and i == r + 1 and tok.dep in ("prep", "advmod") and tok.text != "of":
            candidates.append(i)
    if not candidates:
        raise NoPerturbation("no verb, copula or predicate to negate")
    return _insert_copula(parsed, min(candidates), plural=is_plural(parsed, r))


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
