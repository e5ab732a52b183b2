"""Hand-written parses: ``"a/DT/det/1 man/NN/ROOT/1"`` -> ParsedCaption (word/tag/dep/head[/lemma])."""

from __future__ import annotations

from snare.generators.tokens import ParsedCaption, Token

_POS = {"NN": "NOUN", "NNS": "NOUN", "JJ": "ADJ", "DT": "DET", "IN": "ADP", "CD": "NUM", "EX": "PRON", "RB": "ADV"}


def parse(spec: str) -> ParsedCaption:
    tokens = []
    fields = [w.split("/") for w in spec.split()]
    for i, f in enumerate(fields):
        text, tag, dep, head = f[:4]
        lemma = f[4] if len(f) > 4 else text
        pos = "VERB" if tag.startswith("VB") else _POS.get(tag, "X")
        if lemma == "be":
            pos = "AUX"
        ws = " " if i < len(fields) - 1 else ""
        tokens.append(Token(text=text, tag=tag, ws=ws, dep=dep, head=int(head), lemma=lemma, pos=pos))
    return ParsedCaption(text=" ".join(f[0] for f in fields), tokens=tuple(tokens))
