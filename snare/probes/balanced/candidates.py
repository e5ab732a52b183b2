"""Candidate (intended, negative) option pairs per task: true-vs-false pairs a blind balancer can choose among.

Each pair is a true statement about the image and a false one built from the same words where the task allows:

* shuffle tasks (semantic structure, COCO/Flickr30k-Order): grammatical swaps instead of ungrammatical shuffles:
  two nouns of the same tag, or two adjectives, exchanged in the caption's own token slots, so both options are
  fluent (SugarCrepe's swap negatives, ARO's VG-Relation). The original's shuffles are not candidates.
* negation logic, **polarity-balanced**: the plain statement against its negation, and a *negated* true
  statement against its plain false counterpart (``the circle is not blue and the square is not red`` when the
  circle is red and the square blue; from a caption: another image's caption that shares no noun with this
  image's captions, negated, against itself: :func:`foreign_negations`). Which polarity an item gets is left to
  the balancer.
* attribute ownership: the caption or its ``respectively`` form against the adjectives exchanged in either form
  (SNARE's ``respectively`` option is true, so it is never a negative).
* relationship composition: the caption, or its ``and`` form, against subject and object exchanged (the ``and``
  option is true, so it is never a negative); from a caption, also the caption against its other noun swaps
  (the object of one relation exchanged with a noun of another, ``a girl holding a fence next to a kitten``):
  the same binding of nouns to relations is at stake, and most captions offer only one exchange.
* every other task: the intended option against each other option.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from snare.generators.lexicon import NON_REFERENTIAL_NOUNS, VIEWPOINT_RELATIONS, describes_skin, exchangeable_attributes
from snare.generators.negation import NEGATORS
from snare.generators.no_perturbation import NoPerturbation
from snare.generators.relations import CAPTION_SYMMETRIC, SYMMETRIC_RELATIONS, find_triple
from snare.generators.syntax import indefinite_article
from snare.generators.tokens import ADJ_TAGS, ParsedCaption
from snare.probes.balanced.select import visit_order
from snare.probes.item import ProbeItem
from snare.probes.tasks import TASKS

MAX_SWAPS = 6  # per item and kind, so one long caption cannot flood the pool
_TEMPLATE = re.compile(r"^the (.+) is (\S+) and the (.+) is (\S+)$")
_LIST_TAGS = frozenset({"CC", "DT", "CD", "PRP$", *ADJ_TAGS})  # what may stand between two members of a list
_AUXILIARIES = frozenset({"is", "are", "was", "were", "be", "been", "being", "am", "'s", "'re", "has", "have", "had",
                          "having", "do", "does", "did"})  # fmt: skip
_MODIFIER_TAGS = frozenset({"DT", "CD", "PRP$", "PDT", *ADJ_TAGS})  # what stands inside a noun phrase, before nouns
_PREPOSITION_TAGS = frozenset({"IN", "TO"})
# Relations whose two sides can be exchanged with the caption still true ("two sinks next to two mirrors"); "with"
# is left out, as it mostly means "having" ("a man with a goatee").
_SYMMETRIC = (SYMMETRIC_RELATIONS | CAPTION_SYMMETRIC) - {"with"}
_SURFACE = frozenset({"on", "upon", "atop", "on top of"})  # "riding a wave on a surfboard"
_RESPECTIVELY = re.compile(r"^the (.+) and the (.+) are (\S+) and (\S+) respectively$")


@dataclass(frozen=True)
class Pair:
    """One candidate: ``intended`` is true of the image, ``negative`` false; ``labels`` name the two options."""

    intended: str
    negative: str
    labels: tuple[str, str]
    polarity: str = "plain"  # negation logic: "negated" when the intended option is the negated statement

    @property
    def key(self) -> tuple[str, str]:
        """The two options, as a set: the same pair measured by two tasks is one measurement."""
        return (min(self.intended, self.negative), max(self.intended, self.negative))


def swap(parsed: ParsedCaption, i: int, j: int) -> ParsedCaption:
    """The caption with the words in slots ``i`` and ``j`` exchanged (an article before either re-agreed); the
    parse structure stays in place."""
    toks = list(parsed.tokens)
    a, b = toks[i], toks[j]
    toks[i] = replace(a, text=b.text, tag=b.tag, lemma=b.lemma, pos=b.pos)
    toks[j] = replace(b, text=a.text, tag=a.tag, lemma=a.lemma, pos=a.pos)
    for k in (i, j):  # "a umbrella", "an green": the article before a moved word agrees with it again
        before = toks[k - 1] if k else None
        if before is not None and before.text.lower() in ("a", "an"):
            article = indefinite_article(toks[k].text)
            toks[k - 1] = replace(before, text=article.capitalize() if before.text[0].isupper() else article)
    out = tuple(toks)
    return ParsedCaption(text="".join(t.text + t.ws for t in out).strip(), tokens=out)


def _to_noun(parsed: ParsedCaption, i: int) -> int:
    """How many slots after ``i`` the next noun comes (the adjective's place in its phrase)."""
    return next((k - i for k in range(i + 1, len(parsed)) if parsed.tokens[k].is_noun), -1)


def _apart(parsed: ParsedCaption, i: int, j: int, adjectives: bool) -> bool:
    """Whether slots ``i < j`` can be exchanged fluently. Adjectives: a noun between them and the same place
    before their nouns (``small red circle`` / ``large blue square``: size for size, colour for colour), as two
    adjectives of one noun would come out in the wrong order. Nouns: anything but nouns between them (two nouns
    of one compound, ``fire hydrant``, are not exchanged)."""
    between = parsed.tokens[i + 1 : j]
    if adjectives:
        return any(t.is_noun for t in between) and _to_noun(parsed, i) == _to_noun(parsed, j)
    return any(not t.is_noun for t in between)


def _lists(parsed: ParsedCaption) -> dict[int, int]:
    """Each noun slot's list: nouns joined only by commas, conjunctions, determiners, numbers and adjectives
    (``an orange, apple and onion``, ``a man and a woman``) share their first member's slot. Read from the tags,
    so it is the same whether or not the build ran the dependency parser."""
    toks = parsed.tokens
    nouns = [k for k, t in enumerate(toks) if t.is_noun]
    first = {k: k for k in nouns}
    for a, b in itertools.pairwise(nouns):
        between = toks[a + 1 : b]
        joined = any(t.text == "," or t.tag == "CC" for t in between) or (between and between[0].tag in ("DT", "CD"))
        if not between or (joined and all(t.text == "," or t.tag in _LIST_TAGS for t in between)):
            # "an orange, apple and onion", a bare enumeration ("a light a few ceiling fans a bicycle"), and
            # the nouns of one compound
            first[b] = first[a]
    return first


def _phrase_start(parsed: ParsedCaption, i: int, floor: int = 0) -> int:
    """Where the noun phrase that ends at noun ``i`` begins (``a`` of ``a gravel road``), no earlier than
    ``floor``: its modifiers and compound nouns before it."""
    k = i
    while k > floor and (parsed.tokens[k - 1].tag in _MODIFIER_TAGS or parsed.tokens[k - 1].is_noun):
        k -= 1
    return k


def _governor(parsed: ParsedCaption, i: int) -> str | None:
    """What makes the noun phrase that ends at noun ``i`` an object: the preposition or verb right before it
    (``on`` for ``on the wooden bench``, ``holding`` for ``holding a kitten``), lower-cased; None for a subject
    (a form of "be", "have" or "do" before it governs nothing: ``there are two sinks``)."""
    k = _phrase_start(parsed, i) - 1
    if k < 0:
        return None
    before = parsed.tokens[k]
    if before.tag in _PREPOSITION_TAGS or (before.is_verb and before.text.lower() not in _AUXILIARIES):
        return before.text.lower()
    return None


def _same_meaning(parsed: ParsedCaption, i: int, j: int) -> bool:
    """Whether exchanging nouns ``i < j`` may leave the caption true, read from what stands between them
    (modifiers of the second noun's phrase set aside):

    * a symmetric relation between a subject and the next noun (``two sinks next to two mirrors``, ``a woman
      standing beside a fridge``; not ``a girl holding a kitten next to a fence``, where the kitten is held);
    * a viewpoint relation (``a sink in front of a man``): which is in front depends on where the camera stands;
    * the same preposition before both (``riding on the back of a horse on a gravel road``): two adjuncts of one
      verb, reordered;
    * a verb's object and what it is on (``riding a wave on a surfboard``, ``riding waves on top of boards``):
      ridden, carried or grinded on each other, the two often read as true either way."""
    end = _phrase_start(parsed, j, floor=i + 1)  # the second noun's own phrase: "a gravel" in "on a gravel road"
    rest = [t for t in parsed.tokens[i + 1 : end] if t.tag not in _MODIFIER_TAGS]
    text = " ".join(t.text.lower() for t in rest)
    start = _phrase_start(parsed, i)
    before = parsed.tokens[start - 1] if start else None
    if text in _SURFACE and before is not None and before.is_verb and before.text.lower() not in _AUXILIARIES:
        return True
    if not rest or any(t.is_noun for t in rest):
        return False
    governor = _governor(parsed, i)
    if len(rest) == 1 and rest[0].tag in _PREPOSITION_TAGS and rest[0].text.lower() == governor:
        return True
    if any(text == r or text.endswith(" " + r) for r in VIEWPOINT_RELATIONS):
        return True
    for relation in _SYMMETRIC:
        if text == relation or text.endswith(" " + relation):
            before = rest[: len(rest) - len(relation.split())]
            return governor is None and all(t.is_verb or t.tag.startswith("RB") for t in before)
    return False


def _swappable_noun(parsed: ParsedCaption, k: int) -> bool:
    """Whether noun ``k`` names a thing on its own: not one noun of a compound (``bus stop``, ``tennis ball``:
    moving one half leaves ``a bus bus``), nor a noun that names an amount, a part or a place in a phrase
    (``a large number of``, ``side by side``, ``on top of``)."""
    toks = parsed.tokens
    if toks[k].text.lower() in NON_REFERENTIAL_NOUNS:
        return False
    if k + 3 < len(toks) and toks[k + 1].tag == "CC" and toks[k + 2].is_noun and toks[k + 3].is_noun:
        return False  # "a stone and cement room": one of two modifiers of a compound
    return not ((k > 0 and toks[k - 1].is_noun) or (k + 1 < len(toks) and toks[k + 1].is_noun))


def _of_phrase(parsed: ParsedCaption, i: int, j: int) -> bool:
    """Whether noun ``j`` belongs to noun ``i`` by "of" or a possessive (``a game of basketball``, ``the ocean's
    shore``): exchanged, they read ``a basketball of game``, a phrase no reader takes as a claim."""
    between = [t for t in parsed.tokens[i + 1 : j] if t.tag not in _MODIFIER_TAGS]
    return len(between) == 1 and (between[0].text.lower() == "of" or between[0].tag == "POS")


def _viewpoint_slots(parsed: ParsedCaption) -> list[int]:
    """Where a viewpoint relation starts (``in front of``): two nouns on either side of one are never exchanged
    (``a sink is in the kitchen in front of a man`` -> ``a man is in the kitchen in front of a sink`` may be as
    true, seen from elsewhere)."""
    words = [t.text.lower() for t in parsed.tokens]
    return [k for k in range(len(words)) for r in VIEWPOINT_RELATIONS if words[k : k + len(r.split())] == r.split()]


def _adjectives(parsed: ParsedCaption, noun: int) -> list[str]:
    """The adjectives in the noun phrase that ends at ``noun``."""
    return [t.text for t in parsed.tokens[_phrase_start(parsed, noun) : noun] if t.tag in ADJ_TAGS]


def _skin(parsed: ParsedCaption, a: int, b: int) -> bool:
    """Whether exchanging around nouns ``a`` and ``b`` would move a colour word onto or off a person."""
    words = _adjectives(parsed, a) + _adjectives(parsed, b)
    return describes_skin(words, parsed.tokens[a].text) or describes_skin(words, parsed.tokens[b].text)


def swaps(parsed: ParsedCaption) -> list[tuple[str, ParsedCaption]]:
    """Fluent reorderings that make the caption false: two same-tag nouns, or two adjectives of different nouns,
    with different words, exchanged. Left out, as a reader would not call the result false (docs/balanced.md,
    "Items a reader agrees with"): two conjuncts of one list (``an orange, apple and onion``; the adjectives of
    ``a small dog and a large dog``); two nouns a symmetric or viewpoint relation, a repeated
    preposition or one verb's arguments join (:func:`_same_meaning`); one noun of a compound or a noun that is
    no thing (:func:`_swappable_noun`); adjectives of different dimensions or synonyms
    (:func:`snare.generators.lexicon.exchangeable_attributes`); any colour word moved onto or off a person; and
    every swap of a caption that is already negated (``a man is not holding an umbrella``)."""
    toks = parsed.tokens
    if any(t.text.lower() in NEGATORS for t in toks):
        return []
    lists = _lists(parsed)
    viewpoints = _viewpoint_slots(parsed)

    def nouns_ok(i: int, j: int) -> bool:
        return (
            not any(i < k < j for k in viewpoints)
            and _swappable_noun(parsed, i)
            and _swappable_noun(parsed, j)
            and lists[i] != lists[j]
            and not _of_phrase(parsed, i, j)
            and not _same_meaning(parsed, i, j)
            and not _skin(parsed, i, j)
        )

    def adjectives_ok(i: int, j: int) -> bool:
        ni, nj = i + _to_noun(parsed, i), j + _to_noun(parsed, j)
        return (
            exchangeable_attributes(toks[i].text, toks[j].text)
            and not (lists.get(ni, ni) == lists.get(nj, nj) and toks[ni].text == toks[nj].text)
            and not _skin(parsed, ni, nj)
        )

    found: list[tuple[str, ParsedCaption]] = []
    for kind, ok, noun_between, fits in (
        ("swap_nouns", lambda a, b: a.is_noun and a.tag == b.tag, False, nouns_ok),
        ("swap_adjs", lambda a, b: a.tag in ADJ_TAGS and b.tag in ADJ_TAGS, True, adjectives_ok),
    ):
        pairs = [
            (i, j)
            for i in range(len(toks))
            for j in range(i + 1, len(toks))
            if ok(toks[i], toks[j])
            and toks[i].text != toks[j].text
            and _apart(parsed, i, j, noun_between)
            and fits(i, j)
        ]
        found.extend((kind, swap(parsed, i, j)) for i, j in pairs[:MAX_SWAPS])
    return found


def _rendered(parsed: ParsedCaption) -> str:
    return parsed.render(range(len(parsed)))


def _defaults(item: ProbeItem) -> list[Pair]:
    c = item.correct
    return [
        Pair(item.options[c], o, (item.labels[c], item.labels[k]))
        for k, o in enumerate(item.options)
        if k != c and o != item.options[c]
    ]


def _negation(item: ProbeItem) -> list[Pair]:
    """The plain statement against its negation; from SNARE's template also the negated crossed statement
    against the crossed one (both plausible: colours of two shapes). Negated pairs from captions come from other
    images (:func:`foreign_negations`): a negated noun swap of the item's own caption (``a yellow television is
    not watching a cat``) is absurd, so true, and any reader picks it without the image."""
    pairs = _defaults(item)
    m = _TEMPLATE.match(item.options[item.correct])
    if m and m[2] != m[4]:
        o1, a1, o2, a2 = m.groups()
        crossed = f"the {o1} is {a2} and the {o2} is {a1}"
        pairs.append(Pair(f"the {o1} is not {a2} and the {o2} is not {a1}", crossed, ("negated", "plain"), "negated"))
    return pairs


def _nouns(parsed: ParsedCaption) -> set[str]:
    return {(t.lemma or t.text).lower() for t in parsed.tokens if t.is_noun}


def foreign_negations(
    items: Sequence[ProbeItem], parses: Mapping[str, ParsedCaption], seed: int, per_item: int = 2
) -> dict[str, list[Pair]]:
    """Negated-polarity pairs for caption-derived negation items: another image's caption, negated, is true of
    this image, and the caption itself false, when the two images share no noun in any of their captions
    (``a man is not riding a horse`` for a photo of a kitchen). Both options are real, fluent captions, so only
    the image tells which holds. Up to ``per_item`` donors per item, other clusters only, drawn in an order fixed
    by ``seed`` and the item ids. Returns pairs by item id."""
    donors = [
        it
        for it in items
        if tuple(it.labels[:2]) == ("correct", "negated") and it.correct == 0 and it.options[0] in parses
    ]
    if len(donors) < 2:
        return {}
    nouns: dict[str, set[str]] = {}
    for it in donors:
        nouns.setdefault(it.cluster, set()).update(_nouns(parses[it.options[0]]))
    ring = visit_order([it.id for it in donors], seed, "foreign-negation")
    out: dict[str, list[Pair]] = {}
    for it in donors:
        own = nouns[it.cluster]
        start = int(hashlib.sha256(f"{seed}/{it.id}".encode()).hexdigest()[:12], 16) % len(ring)
        found: list[Pair] = []
        for step in range(len(ring)):
            donor = donors[ring[(start + step) % len(ring)]]
            if donor.cluster != it.cluster and not (nouns[donor.cluster] & own):
                found.append(Pair(donor.options[1], donor.options[0], ("negated", "plain"), "negated"))
                if len(found) == per_item:
                    break
        if found:
            out[it.id] = found
    return out


def _attributes(item: ProbeItem) -> list[Pair]:
    caption, exchange, separate = item.options[:3]
    pairs = [Pair(caption, exchange, ("correct", "exchange"))]
    m = _RESPECTIVELY.match(separate)
    if m and m[3] != m[4]:
        o1, o2, a1, a2 = m.groups()
        separate_exchange = f"the {o1} and the {o2} are {a2} and {a1} respectively"
        pairs += [
            Pair(separate, separate_exchange, ("separate", "separate_exchange")),
            Pair(separate, exchange, ("separate", "exchange")),
            Pair(caption, separate_exchange, ("correct", "separate_exchange")),
        ]
    return pairs


def _adjuncts_exchanged(parsed: ParsedCaption) -> bool:
    """Whether the default construction's exchange only reorders two adjuncts of one verb: its relation is the
    preposition that also stands before its subject (``riding on the back of a horse on a gravel road`` ->
    ``riding on a gravel road on the back of a horse``, as true)."""
    try:
        triple = find_triple(parsed)
    except NoPerturbation:
        return False
    relation = [t.text.lower() for t in parsed.tokens[slice(*triple.relation)]]
    start = triple.subject[0]
    before = parsed.tokens[start - 1] if start else None
    return before is not None and before.tag in _PREPOSITION_TAGS and relation == [before.text.lower()]


def _relations(item: ProbeItem, parsed: ParsedCaption | None) -> list[Pair]:
    caption, exchange, conjunction = item.options[:3]
    if parsed is None or _rendered(parsed) != caption:
        parsed = None  # not the caption's parse: its exchange is kept, and there are no swaps of it
    pairs = []
    if parsed is None or not _adjuncts_exchanged(parsed):
        pairs = [Pair(caption, exchange, ("correct", "exchange")), Pair(conjunction, exchange, ("and", "exchange"))]
    if parsed is not None:
        pairs += [Pair(caption, _rendered(s), ("correct", kind)) for kind, s in swaps(parsed) if kind == "swap_nouns"]
    return pairs


def _swap_pairs(item: ProbeItem, parsed: ParsedCaption | None) -> list[Pair]:
    if parsed is None:
        return []
    return [Pair(_rendered(parsed), _rendered(s), ("correct", kind)) for kind, s in swaps(parsed)]


def _attribute_pairs(item: ProbeItem, parsed: ParsedCaption | None) -> list[Pair]:
    return _attributes(item) if item.labels[:3] == ("correct", "exchange", "separate") else _defaults(item)


def _relation_pairs(item: ProbeItem, parsed: ParsedCaption | None) -> list[Pair]:
    return _relations(item, parsed) if item.labels[:3] == ("correct", "exchange", "and") else _defaults(item)


# Each task declares its rule (ProbeTask.pair_rule); the exchanges apply to items with the task's own options.
PAIR_RULES: dict[str, Callable[[ProbeItem, ParsedCaption | None], list[Pair]]] = {
    "swaps": _swap_pairs,
    "negation": lambda item, parsed: _negation(item),
    "attributes": _attribute_pairs,
    "relations": _relation_pairs,
    "options": lambda item, parsed: _defaults(item),
}


def candidate_pairs(item: ProbeItem, parses: Mapping[str, ParsedCaption]) -> list[Pair]:
    """Every candidate pair of one item built by the default construction, by its task's ``pair_rule``;
    ``parses`` maps an intended caption (as rendered) to its parse, for the rules that rebuild options from it.
    Pairs with equal options are left out."""
    parsed = parses.get(item.options[item.correct])
    task = TASKS.get(item.task)
    pairs = PAIR_RULES[task.pair_rule if task is not None else "options"](item, parsed)
    unique: dict[tuple[str, str], Pair] = {}
    for p in pairs:
        if p.intended != p.negative:
            unique.setdefault((p.intended, p.negative), p)
    return list(unique.values())
