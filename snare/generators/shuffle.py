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
from snare.generators.tokens import ParsedCaption, Token

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


def _positions(parsed: ParsedCaption, keep: Callable[[Token], bool]) -> list[int]:
    return [i for i, tok in enumerate(parsed.tokens) if keep(tok)]


def shuffle_nouns_verbs_adjs(parsed: ParsedCaption, rng: ItemRng) -> str | None:
    """SNARE: nouns among nouns, verbs among verbs, adjectives among adjectives."""
    groups = [
        _positions(parsed, lambda t: t.is_noun),
        _positions(parsed, lambda t: t.is_verb),
        _positions(parsed, lambda t: t.is_adj),
    ]
    return _permute_within(parsed, groups, rng)


def shuffle_allbut_nouns_verbs_adjs(parsed: ParsedCaption, rng: ItemRng) -> str | None:
    """SNARE: every token that is not a noun, verb or adjective, among those positions."""
    rest = _positions(parsed, lambda t: not (t.is_noun or t.is_verb or t.is_adj))
    return _permute_within(parsed, [rest], rng)


def _space_words(parsed: ParsedCaption) -> list[list[int]]:
    """Token positions grouped into white-space-delimited words (``man,`` and ``horse's`` stay one word)."""
    words: list[list[int]] = [[]]
    for i, tok in enumerate(parsed.tokens):
        words[-1].append(i)
        if tok.ws and i < len(parsed) - 1:
            words.append([])
    return [w for w in words if w]


def shuffle_all_words(parsed: ParsedCaption, rng: ItemRng) -> str | None:
    """SNARE: all words among all positions, where a word is what lies between spaces (the original splits the
    caption on spaces, so punctuation and clitics travel with their word). Words are re-joined by single spaces,
    which is how a ``pre_caption``-ed caption is spaced, so the option's spacing matches the caption's."""
    words = [parsed.render_span(w) for w in _space_words(parsed)]
    if len(set(words)) < 2:
        return None
    original = " ".join(words)
    for _ in range(_MAX_DRAWS):
        perm = list(range(len(words)))
        rng.shuffle(perm)
        text = " ".join(words[p] for p in perm)
        if text != original:
            return text
    i = 0
    j = next(k for k in range(len(words)) if words[k] != words[0])
    swapped = list(words)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    return " ".join(swapped)


def shuffle_nouns_and_adjs(parsed: ParsedCaption, rng: ItemRng) -> str | None:
    """ARO: nouns among nouns and adjectives among adjectives."""
    groups = [_positions(parsed, lambda t: t.is_noun), _positions(parsed, lambda t: t.is_adj)]
    return _permute_within(parsed, groups, rng)


def shuffle_allbut_nouns_and_adjs(parsed: ParsedCaption, rng: ItemRng) -> str | None:
    """ARO: every token that is neither noun nor adjective, among those positions."""
    rest = _positions(parsed, lambda t: not (t.is_noun or t.is_adj))
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

    def seq(c: list[int]) -> list[str]:
        return [words[i] for i in c]

    # Adjacent swaps generate every permutation: if none changes the word sequence, no permutation does
    # (e.g. "a a a a": the chunks "a a a" and "a" differ, yet every order reads the same).
    changing = [
        k for k in range(len(chunks) - 1) if seq(chunks[k]) + seq(chunks[k + 1]) != seq(chunks[k + 1]) + seq(chunks[k])
    ]
    if not changing:
        return None
    original = parsed.render(range(len(words)))
    for _ in range(_MAX_DRAWS):
        perm = list(range(len(chunks)))
        rng.shuffle(perm)
        order = [i for p in perm for i in chunks[p]]
        text = parsed.render(order)
        if text != original:
            return text
    k = changing[0]
    swapped = [*chunks[:k], chunks[k + 1], chunks[k], *chunks[k + 2 :]]
    return parsed.render([i for c in swapped for i in c])


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
