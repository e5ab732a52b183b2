"""Plain text: finding invisible characters, comparing labels as readers see them, and terminal-safe echoes.

Text from files snare did not write (captions, item ids, model names, file names) reaches two places where it
can deceive: the leaderboard, where a zero-width space makes two rows that look identical, or a right-to-left
override reverses what follows; and the terminal, where an escape sequence can recolour, retitle or rewrite
earlier lines. Submissions refuse such characters outright (:func:`invisible`), labels are compared by what a
reader sees (:func:`label_key`), and anything echoed is neutralised first (:func:`terminal_safe`).
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width characters and joiners, the bidi embeddings/overrides/isolates and marks, the line and paragraph
# separators, the word joiner family, the BOM, and the Mongolian vowel separator: all render as nothing (or
# change the order of what follows) yet make two strings differ.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
# C0/C1 control characters (ESC starts terminal escape sequences; CR and BS overwrite earlier text)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def invisible(text: str) -> str | None:
    """The first invisible or direction-changing character of ``text`` as ``U+XXXX``, or None when there is none."""
    found = _INVISIBLE.search(text)
    if found is None:
        found = next((c for c in text if unicodedata.category(c) == "Cf"), None)  # other format characters
        return f"U+{ord(found):04X}" if found else None
    return f"U+{ord(found.group()):04X}"


def label_key(text: str) -> str:
    """What a reader sees of a label: NFKC-normalised, invisible characters removed, case and spaces folded.

    Two labels with the same key cannot be told apart on a rendered board (``Ｃｌｉｐ`` and ``clip``, or ``clip``
    with a zero-width space), so boards compare keys, never raw strings.
    """
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf" and not _INVISIBLE.match(c))
    return " ".join(text.casefold().split())


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """``text`` with control, escape and invisible characters shown as ``\\xNN``/``\\uNNNN``; safe to print.

    Newlines and tabs are escaped too: one item's caption must not look like two lines of output.
    """
    return _INVISIBLE.sub(_escape, _CONTROL.sub(_escape, text))


def console_safe(text: str) -> str:
    """:func:`terminal_safe`, and rich markup escaped: for text printed through a rich console."""
    from rich.markup import escape

    return escape(terminal_safe(text))
