"""Close-match hints: only real near names, a word prefix first."""

import pytest

from snare.errors import suggest
from snare.probes.tasks import TASKS


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("negation", " Did you mean 'negation_logic'?"),  # the original offered 'vg_relation' for this
        ("spatial", " Did you mean 'spatial_relations'?"),
        ("semantic_structur", " Did you mean 'semantic_structure'?"),
        ("vg_relaton", " Did you mean 'vg_relation'?"),
        ("order", " Did you mean 'coco_order' or 'flickr30k_order'?"),
        ("zebra", ""),
    ],
)
def test_suggest_offers_only_near_task_names(typed, hint):
    assert suggest(typed, list(TASKS)) == hint


def test_suggest_drops_matches_far_behind_the_best():
    # 'clip' is one letter off; 'blip' and 'blip2' are two and three: offering them too only adds noise
    assert suggest("clipp", ["clip", "blip", "blip2", "flava"]) == " Did you mean 'clip'?"
    assert suggest("", ["clip"]) == ""


def test_first_line_keeps_a_long_message_whole_up_to_a_sentence_or_clause():
    from snare.errors import first_line

    long = "The tokenizer class you load is not the one of this checkpoint. " * 3 + "word " * 80
    text = first_line(ValueError(long + "\nsecond line"))
    assert len(text) <= 302 and text.endswith(" …") and "second line" not in text
    assert text.removesuffix(" …").endswith("checkpoint.")  # cut after a sentence, not mid-word
    assert first_line(ValueError("\n  short one  \nmore")) == "short one"
    assert first_line(KeyError()) == "KeyError"
    assert first_line(ValueError("x" * 400)).endswith("…")  # no boundary at all: cut, and marked as cut
