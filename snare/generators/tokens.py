"""A parsed caption: the tokens, their Penn tags and dependencies, and the white space after each one.

Options are rendered from the same token slots as the caption itself, so every option of an item has the same
spacing pattern and only the word order differs (the original joined shuffled tokens with single spaces while the
intended option kept its own spacing, which let spacing alone give the answer away).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

NOUN_TAGS = frozenset({"NN", "NNS", "NNP", "NNPS"})
VERB_TAGS = frozenset({"VB", "VBD", "VBG", "VBN", "VBP", "VBZ"})
ADJ_TAGS = frozenset({"JJ", "JJR", "JJS"})


@dataclass(frozen=True)
class Token:
    text: str
    tag: str
    ws: str = " "
    dep: str = ""
    head: int = -1
    lemma: str = ""
    pos: str = ""
    # The word classes ("adj", "noun", "verb", "adv") spaCy's lemmatizer lists the lemma under (its WordNet-derived
    # ``lemma_index``); None when not looked up (hand-written parses, a pipeline without the lemmatizer).
    lexicon: frozenset[str] | None = None

    @property
    def is_noun(self) -> bool:
        return self.tag in NOUN_TAGS

    @property
    def is_verb(self) -> bool:
        return self.tag in VERB_TAGS

    @property
    def is_adj(self) -> bool:
        return self.tag in ADJ_TAGS


def attaches_left(text: str) -> bool:
    """Punctuation and clitics (``,`` ``-`` ``'s`` ``n't``) lean on the word before them; words do not."""
    return not text[:1].isalnum() or text.lower() == "n't"


@dataclass(frozen=True)
class ParsedCaption:
    """A caption after preprocessing, with one :class:`Token` per word or punctuation mark."""

    text: str
    tokens: tuple[Token, ...]

    def __len__(self) -> int:
        return len(self.tokens)

    def words(self) -> list[str]:
        return [t.text for t in self.tokens]

    def render(self, order: Sequence[int]) -> str:
        """The tokens in ``order``, spaced so that only the word order differs from the caption.

        Two tokens that were neighbours in the caption keep the caption's own spacing; a punctuation mark or clitic
        written against its left neighbour in the caption (``,``, ``-``, ``'s``, ``n't``) stays attached to whatever
        now precedes it; every other pair is separated by one space. So the identity order gives the caption back,
        and a moved word never fuses with its new neighbour (``snow-covered`` shuffled cannot give ``cowscovered``).
        """
        if sorted(order) != list(range(len(self.tokens))):
            raise ValueError("order must be a permutation of the token positions")
        pieces: list[str] = []
        for k, src in enumerate(order):
            if k > 0:
                prev = order[k - 1]
                if src == prev + 1:
                    pieces.append(self.tokens[prev].ws)
                elif not (src > 0 and self.tokens[src - 1].ws == "" and attaches_left(self.tokens[src].text)):
                    pieces.append(" ")
            pieces.append(self.tokens[src].text)
        return "".join(pieces).strip()

    def render_span(self, positions: Sequence[int]) -> str:
        """The tokens at ``positions`` (consecutive), with the white space between them but none after."""
        return "".join(self.tokens[i].text + self.tokens[i].ws for i in positions).strip()

    def render_edits(self, edits: Mapping[int, Sequence[str]]) -> str:
        """Render the caption with token ``i`` replaced by the words ``edits[i]`` (empty: the token is dropped).

        The last replacement word keeps the token's own trailing white space and inserted words are followed by
        one space, so an edited option is spaced exactly like the caption apart from the words themselves.
        """
        pieces: list[str] = []
        for i, tok in enumerate(self.tokens):
            words = edits.get(i, (tok.text,))
            pieces.extend(w + (tok.ws if k == len(words) - 1 else " ") for k, w in enumerate(words))
        return "".join(pieces).strip()

    @classmethod
    def from_tagged(cls, pairs: Sequence[tuple[str, str]]) -> ParsedCaption:
        """Build from ``(word, tag)`` pairs separated by single spaces (used by the synthetic grammar)."""
        toks = tuple(Token(text=w, tag=t, ws=" " if i < len(pairs) - 1 else "") for i, (w, t) in enumerate(pairs))
        return cls(text=" ".join(w for w, _ in pairs), tokens=toks)
