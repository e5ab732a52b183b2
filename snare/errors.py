"""Errors that the CLI turns into one line on stderr and exit code 2.

Anything raised as a :class:`SnareError` is a problem with the user's input or environment that the message
itself explains how to fix; everything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class SnareError(Exception):
    """A user-facing error: the message is one line that says what is wrong and how to fix it."""

    exit_code = 2


class ProbeFormatError(SnareError):
    """A probe-set file is missing, malformed or inconsistent."""


class UnknownNameError(SnareError):
    """A model, task or source name that no registry knows."""


class WeightsUnavailableError(SnareError):
    """Model weights could not be loaded (offline, wrong path, wrong family)."""


class AdapterError(SnareError):
    """An adapter misbehaved: wrong shapes, NaN scores, failed conformance checks."""


def suggest(name: str, choices: list[str] | tuple[str, ...]) -> str:
    """Return a ' Did you mean ...?' hint for a misspelt ``name``, or ''.

    A name one of whose ``_``/``-`` separated words starts with ``name`` wins outright (``negation`` ->
    ``negation_logic``); otherwise difflib's close matches, keeping only those about as close as the best one, so a
    name that merely shares a suffix (``negation`` ~ ``vg_relation``) is not offered beside a real near name.
    """
    import difflib
    import re

    query = name.lower().strip()
    # c itself and each of its words: a prefix of any is a near name
    words = {c: [c.lower(), *re.split(r"[_\-./:]", c.lower())] for c in choices}
    close = [c for c in choices if query and any(w.startswith(query) for w in words[c])]
    if not close:
        scored = sorted(((difflib.SequenceMatcher(None, query, c.lower()).ratio(), c) for c in choices), reverse=True)
        best = scored[0][0] if scored else 0.0
        close = [c for ratio, c in scored if ratio >= 0.6 and ratio >= best - 0.1]
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close[:3]) + "?"


def first_line(exc: BaseException, limit: int = 300) -> str:
    """A library exception's message for a one-line error: its first non-empty line, shortened past ``limit``
    characters at the last sentence or clause boundary (then ``…``), never mid-word; the class name if empty."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    if len(text) <= limit:
        return text
    head = text[:limit]
    for mark in (". ", "; ", ": ", ", ", " "):
        cut = head.rfind(mark)
        if cut > limit // 3:
            return head[: cut + (1 if mark == ". " else 0)].rstrip(" ,;:") + " …"
    return head + "…"


MAX_SEED = 2**63 - 1  # torch.manual_seed and numpy take 64-bit seeds; negative ones numpy refuses


def check_seed(seed: int, flag: str = "--seed") -> int:
    """``seed`` if every consumer accepts it (0 to 2**63-1), else a one-line :class:`SnareError`."""
    if not 0 <= seed <= MAX_SEED:
        raise SnareError(f"{flag} {seed} is out of range; use an integer from 0 to {MAX_SEED}")
    return seed
