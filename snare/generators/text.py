"""Caption preprocessing, matching BLIP's ``pre_caption`` as the SNARE code uses it."""

from __future__ import annotations

import re

_STRIPPED = re.compile(r"([.!\"()*#:;~])")
_SPACES = re.compile(r"\s{2,}")
# control characters other than white space (ESC, NUL, DEL, C1): never part of a caption, and ESC sequences
# would otherwise survive into probe sets and terminals
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def pre_caption(caption: str, max_words: int = 30) -> str:
    """Lower-case, replace ``.!"()*#:;~`` by spaces, collapse runs of white space, keep at most ``max_words``.

    Control characters other than white space are dropped first (BLIP keeps them; no real caption has one).

    Same rule as BLIP's ``pre_caption`` (which SNARE applies to COCO/Flickr captions); commas and apostrophes stay.
    """
    caption = _STRIPPED.sub(" ", _CONTROL.sub("", caption).lower())
    caption = _SPACES.sub(" ", caption).strip()
    words = caption.split(" ")
    if len(words) > max_words:
        caption = " ".join(words[:max_words])
    return caption
