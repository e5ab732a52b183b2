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
