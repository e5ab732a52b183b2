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
    """Return a ' Did you mean ...?' hint for a misspelt ``name``, or ''."""
    import difflib

    close = difflib.get_close_matches(name, list(choices), n=3, cutoff=0.5)
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"


MAX_SEED = 2**63 - 1  # torch.manual_seed and numpy take 64-bit seeds; negative ones numpy refuses


def check_seed(seed: int, flag: str = "--seed") -> int:
    """``seed`` if every consumer accepts it (0 to 2**63-1), else a one-line :class:`SnareError`."""
    if not 0 <= seed <= MAX_SEED:
        raise SnareError(f"{flag} {seed} is out of range; use an integer from 0 to {MAX_SEED}")
    return seed
