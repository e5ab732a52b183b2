"""Caption preprocessing, matching BLIP's ``pre_caption`` as the SNARE code uses it."""

from __future__ import annotations

import re

_STRIPPED = re.compile(r"([.!\"()*#:;~])")
_SPACES = re.compile(r"\s{2,}")


def pre_caption(caption: str, max_words: int = 30) -> str:
    """Lower-case, replace ``.!"()*#:;~`` by spaces, collapse runs of white space, keep at most ``max_words``.

    Same rule as BLIP's ``pre_caption`` (which SNARE applies to COCO/Flickr captions); commas and apostrophes stay.
    """
    caption = _STRIPPED.sub(" ", caption.lower())
    caption = _SPACES.sub(" ", caption).strip()
    words = caption.split(" ")
    if len(words) > max_words:
        caption = " ".join(words[:max_words])
    return caption
