"""Word tokens of a caption, shared by the reference model, the blind n-gram model and the audit.

Captions go through BLIP's ``pre_caption`` (as the probes do), then split into words and single punctuation
marks; commas and apostrophes survive ``pre_caption`` and become tokens of their own.
"""

from __future__ import annotations

import re
from functools import lru_cache

from snare.generators.text import pre_caption

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9]")


def words(text: str) -> list[str]:
    """The tokens of ``text`` after ``pre_caption``: lower-case words (with contractions) and punctuation."""
    return list(_tokens(text))


@lru_cache(maxsize=1 << 16)  # a balanced build tokenises each option again for every blind model and round
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(pre_caption(text)))
