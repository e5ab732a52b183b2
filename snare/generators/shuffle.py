"""Word-order shuffles: SNARE's semantic-structure perturbations and ARO's order perturbations.

Every function takes a :class:`ParsedCaption` and an :class:`ItemRng` and returns the perturbed caption, or
``None`` when no permutation can differ from the caption (e.g. one noun, or only identical words to shuffle).
Unlike the original, a draw equal to the caption is re-drawn: such an option makes the item unanswerable.
POS classes are the Penn-tag classes of the original (nouns NN*, verbs VB*, adjectives JJ*), each shuffled among
its own positions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from snare.generators.rng import ItemRng
from snare.generators.tokens import ParsedCaption

Shuffle = Callable[[ParsedCaption, ItemRng], "str | None"]

_MAX_DRAWS = 64


def _permute_within(parsed: ParsedCaption, groups: Sequence[Sequence[int]], rng: ItemRng) -> str | None:
    """Shuffle the tokens of each group among that group's own positions; re-draw until the text changes."""
    words = parsed.words()
    movable = [list(g) for g in groups if len({words[i] for i in g}) > 1]
    if not movable:
        return None
    original = parsed.render(range(len(words)))
    for _ in range(_MAX_DRAWS):
        order = list(range(len(words)))
        for group in groups:
            perm = list(group)
            rng.shuffle(perm)
            for slot, src in zip(group, perm, strict=True):
                order[slot] = src
        text = parsed.render(order)
        if text != original:
            return text
    # Vanishingly unlikely; fall back to the one deterministic change that is guaranteed to differ.
    group = movable[0]
    i = group[0]
    j = next(k for k in group if words[k] != words[i])
    order = list(range(len(words)))
    order[i], order[j] = j, i
    return parsed.render(order)


def _positions(parsed: ParsedCaption, keep: Callable[[int], bool]) -> list[int]:
    return [i for i in range(len(parsed)) if keep(i)]


def shuffle_nouns_verbs_adjs(parsed: ParsedCaption, rng: ItemRng) -> str | None:
    """SNARE: nouns among nouns, verbs among verbs, adjectives among adjectives."""
    toks = parsed.tokens
    groups = [
        _positions(parsed, lambda i: toks[i].is_noun),
        _positions(parsed, lambda i: toks[i].is_verb),
        _positions(parsed, lambda i: toks[i].is_adj),
    ]
    return _permute_within(parsed, groups, rng)


def shuffle_allbut_nouns_verbs_adjs(parsed: ParsedCaption, rng: ItemRng) -> str | None:
    """SNARE: every token that is not a noun, verb or adjective, among those positions."""
    toks = parsed.tokens
    rest = _positions(parsed, lambda i: not (toks[i].is_noun or toks[i].is_verb or toks[i].is_adj))
    return _permute_within(parsed, [rest], rng)


def shuffle_all_words(parsed: ParsedCaption, rng: ItemRng) -> str | None:
    """SNARE and ARO: all tokens among all positions."""
    return _permute_within(parsed, [list(range(len(parsed)))], rng)


def shuffle_nouns_and_adjs(parsed: ParsedCaption, rng: ItemRng) -> str | None:
    """ARO: nouns among nouns and adjectives among adjectives."""
    toks = parsed.tokens
    groups = [_positions(parsed, lambda i: toks[i].is_noun), _positions(parsed, lambda i: toks[i].is_adj)]
    return _permute_within(parsed, groups, rng)


def shuffle_allbut_nouns_and_adjs(parsed: ParsedCaption, rng: ItemRng) -> str | None:
    """ARO: every token that is neither noun nor adjective, among those positions."""
    toks = parsed.tokens
    rest = _positions(parsed, lambda i: not (toks[i].is_noun or toks[i].is_adj))
    return _permute_within(parsed, [rest], rng)


def _trigrams(n: int) -> list[list[int]]:
    return [list(range(i, min(i + 3, n))) for i in range(0, n, 3)]


def shuffle_within_trigrams(parsed: ParsedCaption, rng: ItemRng) -> str | None:
    """ARO: tokens shuffled inside each consecutive trigram."""
    return _permute_within(parsed, _trigrams(len(parsed)), rng)


def shuffle_trigrams(parsed: ParsedCaption, rng: ItemRng) -> str | None:
    """ARO: the order of the consecutive trigrams shuffled, each trigram kept intact."""
    chunks = _trigrams(len(parsed))
    words = parsed.words()
    if len({tuple(words[i] for i in c) for c in chunks}) < 2:
        return None
    original = parsed.render(range(len(words)))
    for _ in range(_MAX_DRAWS):
        perm = list(range(len(chunks)))
        rng.shuffle(perm)
        order = [i for p in perm for i in chunks[p]]
        text = parsed.render(order)
        if text != original:
            return text
    first, second = chunks[0], next(c for c in chunks if [words[i] for i in c] != [words[i] for i in chunks[0]])
    perm_chunks = [second if c is first else first if c is second else c for c in chunks]
    return parsed.render([i for c in perm_chunks for i in c])


SNARE_SHUFFLES: tuple[tuple[str, Shuffle], ...] = (
    ("shuffle_nouns_verbs_adjs", shuffle_nouns_verbs_adjs),
    ("shuffle_allbut_nouns_verbs_adjs", shuffle_allbut_nouns_verbs_adjs),
    ("shuffle_all_words", shuffle_all_words),
)

ARO_ORDER_SHUFFLES: tuple[tuple[str, Shuffle], ...] = (
    ("shuffle_nouns_and_adjs", shuffle_nouns_and_adjs),
    ("shuffle_allbut_nouns_and_adjs", shuffle_allbut_nouns_and_adjs),
    ("shuffle_within_trigrams", shuffle_within_trigrams),
    ("shuffle_trigrams", shuffle_trigrams),
)
