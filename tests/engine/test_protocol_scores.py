"""The three protocols on a fixture where they disagree: ties, excluded relations, option subsets, macro averages."""

import pytest

from snare.engine.protocol_scores import item_correct, score_run, score_task
from snare.protocols import get_protocol
from tests.helpers import make_row

REL_LABELS = ["correct", "exchange", "and"]


def rel_row(i, scores, relation, correct=0):
    return make_row(
        id=f"r{i}",
        task="relationship_composition",
        scores=scores,
        correct=correct,
        labels=REL_LABELS,
        meta={"relation": relation},
    )


# Four relationship items:
#   r0 "on": all three options tie            -> snare: wrong; snare-paper: option 0 wins (right); aro: tie of
#                                                 [exchange, correct] goes to exchange (wrong)
#   r1 "near": right                          -> excluded by snare-paper; kept by aro ("near" is symmetric there too)
#   r2 "holding": "and" wins, correct > exchange -> wrong for snare/snare-paper, right for aro (only 2 options)
#   r3 "holding": exchange wins                -> wrong everywhere
ROWS = [
    rel_row(0, [0.5, 0.5, 0.5], "on"),
    rel_row(1, [0.9, 0.1, 0.2], "near"),
    rel_row(2, [0.6, 0.2, 0.8], "holding"),
    rel_row(3, [0.1, 0.7, 0.0], "holding"),
]


def test_snare_protocol_is_strict_micro_accuracy():
    s = score_task(get_protocol("snare"), "relationship_composition", ROWS)
    assert (s.accuracy, s.n_used, s.n_excluded, s.aggregate) == (0.25, 4, 0, "micro")


def test_snare_paper_gives_ties_to_the_first_option_and_drops_its_relations():
    s = score_task(get_protocol("snare-paper"), "relationship_composition", ROWS)
    assert (s.n_used, s.n_excluded) == (3, 1)  # "near" left out
    assert s.accuracy == pytest.approx(1 / 3)  # r0 by the tie, r2 and r3 wrong


def test_aro_paper_scores_two_options_ties_to_the_false_caption_macro_over_relations():
    s = score_task(get_protocol("aro-paper"), "relationship_composition", ROWS)
    # "near" is symmetric in ARO's list; groups: on -> 0/1 (tie goes to exchange), holding -> 1/2
    assert s.groups == {"holding": (1, 2), "on": (0, 1)}
    assert s.accuracy == pytest.approx((0.0 + 0.5) / 2)
    assert s.aggregate == "macro" and s.name == "VG-Relation"


def test_aro_paper_drops_attribute_pairs_under_25_and_skips_tasks_it_does_not_have():
    rows = [
        make_row(
            id=f"a{i}",
            task="attribute_ownership",
            scores=[1.0, 0.0, 5.0],  # "separate" wins, ignored by ARO's two options
            correct=0,
            labels=["correct", "exchange", "separate"],
            meta={"attributes": ["red", "blue"] if i < 25 else ["big", "small"]},
        )
        for i in range(30)
    ]
    aro = score_run(get_protocol("aro-paper"), {"attribute_ownership": rows, "negation_logic": rows[:2]})
    assert aro["attribute_ownership"].groups == {"red_blue": (25, 25)}
    assert aro["attribute_ownership"].dropped_groups == 1 and aro["attribute_ownership"].accuracy == 1.0
    assert aro["negation_logic"].accuracy is None and aro["negation_logic"].aggregate == "n/a"
    assert score_task(get_protocol("snare"), "attribute_ownership", rows).accuracy == 0.0


def test_item_correct_spatial_tie_goes_to_the_first_listed_relation_under_snare_paper():
    fields = {"id": "s", "task": "spatial_relations", "scores": [1.0, 1.0, 0.0, 0.0]}
    row, first = make_row(**fields, correct=1), make_row(**fields, correct=0)
    assert item_correct(get_protocol("snare-paper"), "spatial_relations", row) is False
    assert item_correct(get_protocol("snare-paper"), "spatial_relations", first) is True
    assert item_correct(get_protocol("snare"), "spatial_relations", first) is False


def test_aro_paper_scores_aros_own_sets_as_its_code_does():
    # VG-Relation as ARO lists it ([false, true]): a tie goes to the false caption; symmetric relations left out
    rel = [
        make_row(id=f"v{i}", task="vg_relation", scores=s, correct=1, labels=["exchange", "correct"],
                 meta={"relation": r})
        for i, (s, r) in enumerate([([0.5, 0.5], "on"), ([0.1, 0.9], "near"), ([0.2, 0.8], "holding")])
    ]  # fmt: skip
    s = score_task(get_protocol("aro-paper"), "vg_relation", rel)
    assert s.groups == {"holding": (1, 1), "on": (0, 1)} and s.accuracy == pytest.approx(0.5)
    assert s.name == "VG-Relation" and s.n_excluded == 1
    # COCO-Order: argmax over the caption and its shuffles, the caption first, so a tie goes to the caption
    order = [make_row(id="o", task="coco_order", scores=[0.3, 0.3, 0.1, 0.0, 0.2], correct=0,
                      labels=["correct", "a", "b", "c", "d"])]  # fmt: skip
    assert score_task(get_protocol("aro-paper"), "coco_order", order).accuracy == 1.0
    assert score_task(get_protocol("snare"), "coco_order", order).accuracy == 0.0
