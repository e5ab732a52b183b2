"""Which word-order changes keep a caption's meaning or its words, for the shuffles to avoid.

A shuffled option is a negative only if it says something else: reordering the items of a list ("a man and
woman" -> "a woman and man") or moving a prepositional phrase ("on a couch two dogs sitting") does not. And it
must be made of the caption's words: moving a clitic or half of a hyphenated word fuses or splits words
("holdingn't", a dangling "-"). These checks read only the tags, as the shuffles do.
"""

from __future__ import annotations

from collections.abc import Sequence

from snare.generators.tokens import ParsedCaption, Token, attaches_left

_SEPARATORS = frozenset({",", "and", "or", "&"})
_ITEM_TAGS = frozenset(
    {"DT", "JJ", "JJR", "JJS", "CD", "PRP$", "NN", "NNS", "NNP", "NNPS", "HYPH", "POS", "VBG", "VBN"}
)
_LEADING = frozenset({"DT", "PRP$", "CD"})
_FINITE = frozenset({"VBZ", "VBP", "VBD", "MD"})


def bound_tokens(parsed: ParsedCaption) -> set[int]:
    """Tokens that never move: punctuation and clitics written against their left neighbour ("man,", "isn't",
    "snow-covered") with the word they lean on (a noun owning a possessive excepted), and any token that is not a
    word. Moving them would fuse or split words ("holdingn't", a dangling "-") or start an option with
    punctuation."""
    toks = parsed.tokens
    fixed = {i for i, t in enumerate(toks) if not t.text[:1].isalnum() and t.text.lower() != "n't"}
    for i in range(1, len(toks)):
        if toks[i - 1].ws == "" and attaches_left(toks[i].text):
            fixed.add(i)
            if not (toks[i].tag == "POS" and toks[i - 1].is_noun):
                fixed.add(i - 1)  # a noun's possessive may take a new noun owner ("the hat's man"); "isn't" stays
            if toks[i].ws == "" and i + 1 < len(toks) and not attaches_left(toks[i + 1].text):
                fixed.add(i + 1)  # "snow-covered": both halves of a hyphenated word
    return fixed


def _lists(parsed: ParsedCaption) -> list[list[tuple[int, int]]]:
    """Coordinated or listed phrases: runs of noun-phrase tokens joined by "and", "or" or commas."""
    toks = parsed.tokens
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(toks):
        if toks[i].tag in _ITEM_TAGS and toks[i].text not in _SEPARATORS:
            j = i
            while j < len(toks) and toks[j].tag in _ITEM_TAGS and toks[j].text not in _SEPARATORS:
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    lists: list[list[tuple[int, int]]] = []
    for run in runs:
        gap = range(lists[-1][-1][1], run[0]) if lists else range(0)
        if lists and len(gap) > 0 and all(toks[k].text in _SEPARATORS for k in gap):
            lists[-1].append(run)
        else:
            lists.append([run])
    return [runs for runs in lists if len(runs) > 1]


def _core(words: Sequence[str], span: tuple[int, int], lead: int, head: int) -> tuple[str, ...]:
    return tuple(words[span[0] + lead : span[1] - head])


def keeps_meaning(parsed: ParsedCaption, order: Sequence[int]) -> bool:
    """Whether the words in ``order`` only reorder coordinated or listed phrases ("a man and woman" -> "a woman
    and man", "a chair, a piano and a laptop" reordered): such an option says the same as the caption.

    Determiners and a shared head noun stay in their slots ("a brown and white dog" -> "a white and brown dog").
    Coordinated adjectives of one noun count too ("a blue yellow and white jet" -> "a white yellow and blue jet").
    """
    words = parsed.words()
    new = [words[k] for k in order]
    if new == words:
        return True
    diffs = [k for k in range(len(words)) if new[k] != words[k]]
    stretch = range(diffs[0], diffs[-1] + 1)
    if any(words[k] in _SEPARATORS for k in stretch) and all(
        parsed.tokens[k].is_adj or words[k] in _SEPARATORS for k in stretch
    ):
        return True  # coordinated adjectives of one noun: "a blue, yellow and white jet" in another order
    inside: set[int] = set()
    for items in _lists(parsed):
        start, end = items[0][0], items[-1][1]
        inside.update(range(start, end))
        if any((words[k] in _SEPARATORS) != (new[k] in _SEPARATORS) for k in range(start, end)):
            return False
        # a leading determiner of each item, and the last item's head noun when shared, keep their slots
        lead = [int(parsed.tokens[a].tag in _LEADING) for a, _ in items]
        head = int(new[end - 1] == words[end - 1] and items[-1][1] - items[-1][0] > 1)
        if any(new[a : a + n] != words[a : a + n] for (a, _), n in zip(items, lead, strict=True)):
            return False
        cut = [head if k == len(items) - 1 else 0 for k in range(len(items))]
        spans = list(zip(items, lead, cut, strict=True))
        old_cores = sorted(_core(words, it, n, h) for it, n, h in spans)
        new_cores = sorted(_core(new, it, n, h) for it, n, h in spans)
        if old_cores != new_cores:
            return False
    return all(new[k] == words[k] for k in range(len(words)) if k not in inside)


def moves_a_phrase(parsed: ParsedCaption, order: Sequence[int]) -> bool:
    """Whether ``order`` only exchanges two neighbouring stretches of the caption, one of them a prepositional or
    participial phrase ("two dogs sitting on a couch" -> "on a couch two dogs sitting", "several zebras stand in
    a field and graze" -> "several zebras stand and graze in a field"): a moved adverbial says the same thing."""
    n = len(order)
    first = next((i for i in range(n) if order[i] != i), None)
    if first is None:
        return False
    last = max(i for i in range(n) if order[i] != i) + 1
    split = order[first]  # the block that now comes first starts where it used to
    if not first < split < last or list(order[first:last]) != [*range(split, last), *range(first, split)]:
        return False
    return any(_adverbial(parsed.tokens[a:b]) for a, b in ((first, split), (split, last)))


def _adverbial(tokens: Sequence[Token]) -> bool:
    opens = tokens[0].tag in ("IN", "RP", "VBG", "VBN") and tokens[0].text != "of"
    return opens and not any(t.tag in _FINITE for t in tokens)
