"""Word-order shuffles: SNARE's semantic-structure perturbations and ARO's order perturbations.

Every function takes a :class:`ParsedCaption` and an :class:`ItemRng` and returns the perturbed caption, or
``None`` when no permutation can differ from the caption (e.g. one noun, or only identical words to shuffle).
Unlike the original, a draw equal to the caption is re-drawn: such an option makes the item unanswerable.
POS classes are the Penn-tag classes of the original (nouns NN*, verbs VB*, adjectives JJ*), each shuffled among
its own positions.

The ``paper_*`` functions at the end reproduce the originals' construction instead (no re-drawing, tokens joined
by single spaces, applied to the raw caption); ``--protocol snare-paper`` / ``aro-paper`` builds with them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from snare.generators.rng import ItemRng
from snare.generators.shuffle_guards import bound_tokens, keeps_meaning, moves_a_phrase
from snare.generators.tokens import ParsedCaption, Token

Shuffle = Callable[[ParsedCaption, ItemRng], "str | None"]
PaperShuffle = Callable[[ParsedCaption, ItemRng], str]

_MAX_DRAWS = 64


def _permute_within(parsed: ParsedCaption, groups: Sequence[Sequence[int]], rng: ItemRng) -> str | None:
    """Shuffle the tokens of each group among that group's own positions; re-draw until the text changes and
    the draw is not a mere reordering of listed phrases (:func:`keeps_meaning`). Bound tokens stay put."""
    words = parsed.words()
    fixed = bound_tokens(parsed)
    toks = parsed.tokens
    # A possessive's owner may move only among nouns: "the hat's man", never "the while's".
    owners = {i - 1 for i in range(1, len(toks)) if toks[i].tag == "POS" and toks[i - 1].ws == ""}
    groups = [
        [i for i in g if i not in fixed and not (i in owners and not all(toks[k].is_noun for k in g))] for g in groups
    ]
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
        if text != original and not keeps_meaning(parsed, order):
            return text
    # Rare; fall back to the first single exchange that changes the meaning, if there is one.
    for group in movable:
        for i in group:
            for j in group:
                order = list(range(len(words)))
                order[i], order[j] = j, i
                if words[i] != words[j] and not keeps_meaning(parsed, order):
                    return parsed.render(order)
    return None


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


def _word_units(parsed: ParsedCaption) -> list[list[int]]:
    """Token positions grouped into words as written (:func:`_space_words`), a free-standing punctuation mark
    ("stove , sink") joined to the word before it."""
    units: list[list[int]] = []
    for word in _space_words(parsed):
        if units and not parsed.tokens[word[0]].text[:1].isalnum():
            units[-1].extend(word)
        else:
            units.append(word)
    return units


def shuffle_within_trigrams(parsed: ParsedCaption, rng: ItemRng) -> str | None:
    """ARO: tokens shuffled inside each consecutive trigram."""
    return _permute_within(parsed, _trigrams(len(parsed)), rng)


def shuffle_trigrams(parsed: ParsedCaption, rng: ItemRng) -> str | None:
    """ARO: the order of the consecutive trigrams shuffled, each trigram kept intact; an order that only moves a
    prepositional or participial phrase (:func:`moves_a_phrase`) is re-drawn. A trigram is three words, each with the
    punctuation and clitics written against it ("bed," "it's" "snow-packed"), so that no chunk starts with
    punctuation or half a word."""
    units = _word_units(parsed)
    chunks = [[i for u in units[k : k + 3] for i in u] for k in range(0, len(units), 3)]
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
        if text != original and not moves_a_phrase(parsed, order):
            return text
    for k in changing:  # rare: the first exchange of neighbouring trigrams that says something else
        swapped = [i for c in [*chunks[:k], chunks[k + 1], chunks[k], *chunks[k + 2 :]] for i in c]
        if not moves_a_phrase(parsed, swapped):
            return parsed.render(swapped)
    return None


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


# -- The originals' construction (``--protocol snare-paper`` / ``aro-paper``) --------------------------------------
# SNARE's ``data_des.Text_Des`` and ARO's ``perturbations.TextShuffler`` apply each shuffle to the *raw* caption,
# join the moved tokens with single spaces, never re-draw, and the dataset applies ``pre_caption`` to the result.
# These functions return exactly that pre-``pre_caption`` string (the caller applies it), and never None: a draw
# equal to the caption is kept, as the original kept it. Only the random draws differ (``ItemRng``, not np.random).


def _paper_permute(parsed: ParsedCaption, groups: Sequence[Sequence[int]], rng: ItemRng) -> str:
    """Permute each group's tokens among its own positions once; join every token with one space."""
    words = parsed.words()
    out = list(words)
    for group in groups:
        perm = list(group)
        rng.shuffle(perm)
        for slot, src in zip(group, perm, strict=True):
            out[slot] = words[src]
    return " ".join(out)


def paper_shuffle_nouns_verbs_adjs(parsed: ParsedCaption, rng: ItemRng) -> str:
    """SNARE's ``shuffle_nouns_and_verb_adj``: nouns, verbs, adjectives each among their own spaCy tokens."""
    groups = [
        _positions(parsed, lambda t: t.is_noun),
        _positions(parsed, lambda t: t.is_verb),
        _positions(parsed, lambda t: t.is_adj),
    ]
    return _paper_permute(parsed, groups, rng)


def paper_shuffle_allbut_nouns_verbs_adjs(parsed: ParsedCaption, rng: ItemRng) -> str:
    """SNARE's ``shuffle_allbut_nouns_verb_adj``: every other spaCy token (punctuation included) among those slots."""
    return _paper_permute(parsed, [_positions(parsed, lambda t: not (t.is_noun or t.is_verb or t.is_adj))], rng)


def paper_shuffle_all_words(parsed: ParsedCaption, rng: ItemRng) -> str:
    """SNARE's and ARO's ``shuffle_all_words``: the raw caption split on single spaces, permuted, re-joined."""
    words = parsed.text.split(" ")
    rng.shuffle(words)
    return " ".join(words)


def paper_shuffle_nouns_and_adjs(parsed: ParsedCaption, rng: ItemRng) -> str:
    """ARO's ``shuffle_nouns_and_adj``: nouns among nouns, adjectives among adjectives (spaCy tokens)."""
    groups = [_positions(parsed, lambda t: t.is_noun), _positions(parsed, lambda t: t.is_adj)]
    return _paper_permute(parsed, groups, rng)


def paper_shuffle_allbut_nouns_and_adjs(parsed: ParsedCaption, rng: ItemRng) -> str:
    """ARO's ``shuffle_allbut_nouns_and_adj``: every token that is neither noun nor adjective, among those slots."""
    return _paper_permute(parsed, [_positions(parsed, lambda t: not (t.is_noun or t.is_adj))], rng)


def nltk_words(text: str) -> list[str]:
    """The original trigram shuffles' tokens: ``nltk.word_tokenize`` (Treebank rules) of the raw caption.

    The original lets punkt split sentences first; punkt's model is a separate download, so the caption is
    tokenized as one line (``preserve_line=True``). The two differ only where a period ends a sentence inside the
    caption (5 of 2,400 COCO captions): such a period stays attached to its word instead of being a token.
    """
    from nltk.tokenize import word_tokenize

    return word_tokenize(text, preserve_line=True)


def paper_shuffle_within_trigrams(parsed: ParsedCaption, rng: ItemRng) -> str:
    """ARO's ``shuffle_within_trigrams``: NLTK tokens shuffled inside each consecutive trigram."""
    tokens = nltk_words(parsed.text)
    chunks = [tokens[i : i + 3] for i in range(0, len(tokens), 3)]
    for chunk in chunks:
        rng.shuffle(chunk)
    return " ".join(w for chunk in chunks for w in chunk)


def paper_shuffle_trigrams(parsed: ParsedCaption, rng: ItemRng) -> str:
    """ARO's ``shuffle_trigrams``: the consecutive trigrams of NLTK tokens in a random order."""
    tokens = nltk_words(parsed.text)
    chunks = [tokens[i : i + 3] for i in range(0, len(tokens), 3)]
    rng.shuffle(chunks)
    return " ".join(w for chunk in chunks for w in chunk)


# Same labels, same order as the tables above: an item's options line up whichever construction built it.
PAPER_SNARE_SHUFFLES: tuple[tuple[str, PaperShuffle], ...] = (
    ("shuffle_nouns_verbs_adjs", paper_shuffle_nouns_verbs_adjs),
    ("shuffle_allbut_nouns_verbs_adjs", paper_shuffle_allbut_nouns_verbs_adjs),
    ("shuffle_all_words", paper_shuffle_all_words),
)

PAPER_ARO_ORDER_SHUFFLES: tuple[tuple[str, PaperShuffle], ...] = (
    ("shuffle_nouns_and_adjs", paper_shuffle_nouns_and_adjs),
    ("shuffle_allbut_nouns_and_adjs", paper_shuffle_allbut_nouns_and_adjs),
    ("shuffle_within_trigrams", paper_shuffle_within_trigrams),
    ("shuffle_trigrams", paper_shuffle_trigrams),
)
