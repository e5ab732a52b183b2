"""Candidate (intended, negative) option pairs per task: true-vs-false pairs a blind balancer can choose among.

Each pair is a true statement about the image and a false one built from the same words where the task allows:

* shuffle tasks (semantic structure, COCO/Flickr30k-Order): grammatical swaps instead of ungrammatical shuffles:
  two nouns of the same tag, or two adjectives, exchanged in the caption's own token slots, so both options are
  fluent (SugarCrepe's swap negatives, ARO's VG-Relation). The original's shuffles are not candidates.
* negation logic, **polarity-balanced**: the plain statement against its negation, and a *negated* true
  statement against its plain false counterpart (``the circle is not blue and the square is not red`` when the
  circle is red and the square blue; from a caption: the negated noun swap, ``a horse is not riding a man``,
  against the swap itself). Which polarity an item gets is left to the balancer.
* attribute ownership: the caption or its ``respectively`` form against the adjectives exchanged in either form
  (SNARE's ``respectively`` option is true, so it is never a negative).
* relationship composition: the caption, or its ``and`` form, against subject and object exchanged (the ``and``
  option is true, so it is never a negative); from a caption, also the caption against its other noun swaps
  (the object of one relation exchanged with a noun of another, ``a girl holding a fence next to a kitten``):
  the same binding of nouns to relations is at stake, and most captions offer only one exchange.
* every other task: the intended option against each other option.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from snare.generators.negation import negate
from snare.generators.no_perturbation import NoPerturbation
from snare.generators.relations import CAPTION_SYMMETRIC, SYMMETRIC_RELATIONS, find_triple
from snare.generators.syntax import indefinite_article
from snare.generators.tokens import ADJ_TAGS, ParsedCaption
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
_RESPECTIVELY = re.compile(r"^the (.+) and the (.+) are (\S+) and (\S+) respectively$")


@dataclass(frozen=True)
class Pair:
    """One candidate: ``intended`` is true of the image, ``negative`` false; ``labels`` name the two options."""

    intended: str
    negative: str
    labels: tuple[str, str]
    polarity: str = "plain"  # negation logic: "negated" when the intended option is the negated statement


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
        if any(t.text == "," or t.tag == "CC" for t in between) and all(
            t.text == "," or t.tag in _LIST_TAGS for t in between
        ):
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
    """Whether exchanging nouns ``i < j`` would leave the caption true, read from what stands between them
    (modifiers of the second noun's phrase set aside):

    * a symmetric relation between a subject and the next noun (``two sinks next to two mirrors``, ``a woman
      standing beside a fridge``; not ``a girl holding a kitten next to a fence``, where the kitten is held);
    * the same preposition before both (``riding on the back of a horse on a gravel road``): two adjuncts of one
      verb, reordered."""
    end = _phrase_start(parsed, j, floor=i + 1)  # the second noun's own phrase: "a gravel" in "on a gravel road"
    rest = [t for t in parsed.tokens[i + 1 : end] if t.tag not in _MODIFIER_TAGS]
    if not rest or any(t.is_noun for t in rest):
        return False
    governor = _governor(parsed, i)
    if len(rest) == 1 and rest[0].tag in _PREPOSITION_TAGS and rest[0].text.lower() == governor:
        return True
    text = " ".join(t.text.lower() for t in rest)
    for relation in _SYMMETRIC:
        if text == relation or text.endswith(" " + relation):
            before = rest[: len(rest) - len(relation.split())]
            return governor is None and all(t.is_verb or t.tag.startswith("RB") for t in before)
    return False


def swaps(parsed: ParsedCaption) -> list[tuple[str, ParsedCaption]]:
    """Fluent reorderings: two same-tag nouns, or two adjectives of different nouns, with different words,
    exchanged. Two conjuncts of one list (``an orange, apple and onion``) are never exchanged: the reordered
    list says the same thing, so the "negative" would be true; nor two nouns a symmetric relation or a repeated
    preposition joins (:func:`_same_meaning`)."""
    toks = parsed.tokens
    lists = _lists(parsed)
    found: list[tuple[str, ParsedCaption]] = []
    for kind, ok, noun_between in (
        ("swap_nouns", lambda a, b: a.is_noun and a.tag == b.tag, False),
        ("swap_adjs", lambda a, b: a.tag in ADJ_TAGS and b.tag in ADJ_TAGS, True),
    ):
        pairs = [
            (i, j)
            for i in range(len(toks))
            for j in range(i + 1, len(toks))
            if ok(toks[i], toks[j])
            and toks[i].text != toks[j].text
            and _apart(parsed, i, j, noun_between)
            and not (kind == "swap_nouns" and (lists[i] == lists[j] or _same_meaning(parsed, i, j)))
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


def _negation(item: ProbeItem, parsed: ParsedCaption | None) -> list[Pair]:
    pairs = _defaults(item)
    plain = item.options[item.correct]
    m = _TEMPLATE.match(plain)
    if m and m[2] != m[4]:
        o1, a1, o2, a2 = m.groups()
        crossed = f"the {o1} is {a2} and the {o2} is {a1}"
        pairs.append(Pair(f"the {o1} is not {a2} and the {o2} is not {a1}", crossed, ("negated", "plain"), "negated"))
    elif parsed is not None and sum(t.is_verb and t.text.lower() not in _AUXILIARIES for t in parsed.tokens) <= 1:
        # One predicate only: negation reaches the main verb, so with a second clause (``a woman holding a man
        # while standing in a living room``) a noun swapped into it would stay asserted, and false, outside the
        # negation's scope (``a woman is not holding a room while standing in a living man``). Forms of "be",
        # "have" and "do" are not counted: ``a man is riding a horse`` has one predicate.
        for _, swapped in swaps(parsed):
            try:
                negated = negate(swapped)
            except NoPerturbation:
                continue
            pairs.append(Pair(negated, _rendered(swapped), ("negated", "plain"), "negated"))
    return pairs


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
    "negation": _negation,
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
