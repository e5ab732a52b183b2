import numpy as np
import pytest
from scipy.stats import binomtest

from snare.engine.rows import PredictionRow
from snare.engine.scoring import strict_outcome
from snare.reports.metrics import compute_task_metrics, item_outcomes, top_k_hits

LABELS = ["correct", "exchange", "separate"]
# (scores, expected strict hit, tie costs the item, strict top-2 hit); the intended option is 0
HAND = [
    ([2, 1, 0], True, False, True),
    ([1, 1, 0], False, True, True),  # tied at the top with a rival: wrong (the original counted it right)
    ([0, 2, 1], False, False, False),
    ([0, 1, 3], False, False, False),
    ([3, 3, 3], False, True, False),
    ([5, 1, 1], True, False, True),  # rivals tied below the intended option do not matter
    ([1, 2, 2], False, False, False),  # a top tie that excludes the intended option is a plain miss
]


def _rows(table=HAND, task="attribute_ownership", **extra):
    return [
        {
            "id": f"i{k}",
            "task": task,
            "cluster": f"c{k // 2}",
            "scores": scores,
            "correct": 0,
            "labels": LABELS,
            **extra,
        }
        for k, (scores, *_rest) in enumerate(table)
    ]


def _typed(rows):
    return [PredictionRow.model_validate(r) for r in rows]


def test_recomputation_matches_a_hand_computed_example_with_ties():
    m = compute_task_metrics(_typed(_rows()), n_boot=200)
    assert (m.accuracy.k, m.n, m.n_ties, m.n_options) == (2, 7, 2, 3)
    assert m.accuracy.estimate == pytest.approx(2 / 7)
    assert m.chance == pytest.approx(1 / 3)
    assert m.option_wins == pytest.approx({"correct": 2 / 7, "exchange": 1 / 7, "separate": 1 / 7, "tie": 3 / 7})
    assert sum(m.option_wins.values()) == pytest.approx(1.0)
    assert m.top2 is not None and m.top2.k == 3
    assert m.accuracy.bootstrap.low <= m.accuracy.estimate <= m.accuracy.bootstrap.high
    assert m.accuracy.wilson.low < m.accuracy.estimate < m.accuracy.wilson.high
    rows = _typed(_rows())
    assert [(o.correct, o.tie) for o in item_outcomes(rows)] == [(hit, tie) for _, hit, tie, _ in HAND]
    assert [bool(h) for h in top_k_hits(rows, 2)] == [top2 for *_, top2 in HAND]


def test_strict_top_k_agrees_with_the_engine_rule_at_k1():
    rng = np.random.default_rng(0)
    rows = [
        PredictionRow(id=f"r{i}", task="t", cluster="c", scores=tuple(rng.integers(0, 3, 4)), correct=int(i % 4))
        for i in range(300)
    ]
    top1 = top_k_hits(rows, 1)
    assert [bool(h) for h in top1] == [strict_outcome(r.scores, r.correct).correct for r in rows]
    assert np.all(top_k_hits(rows, 2) >= top1) and np.all(top_k_hits(rows, 4))


def test_rows_whose_recorded_verdict_disagrees_are_counted():
    rows = _rows()
    rows[1]["is_correct"] = True  # what array-order tie-breaking would have said
    rows[0]["is_correct"] = True
    assert compute_task_metrics(_typed(rows), n_boot=100).recorded_mismatches == 1


def test_breakdown_shows_only_groups_of_at_least_min_group_items():
    table = [([1, 0, 0], True, False, True)] * 30 + [([0, 1, 0], False, False, False)] * 10
    rows = _rows(table, task="relationship_composition")
    for k, row in enumerate(rows):
        row["meta"] = {"relation": "on" if k < 30 else "below"}
    m = compute_task_metrics(_typed(rows), n_boot=100)
    assert [(g.field, g.name, g.accuracy.n, g.accuracy.k) for g in m.groups] == [("relation", "on", 30, 30)]
    m = compute_task_metrics(_typed(rows), n_boot=100, min_group=10)
    assert [g.name for g in m.groups] == ["below", "on"]


def test_attribute_breakdown_groups_by_the_ordered_pair():
    rows = _rows([([1, 0, 0], True, False, True)] * 4)
    for k, row in enumerate(rows):
        row["meta"] = {"attributes": ["red", "blue"] if k % 2 else ["blue", "red"]}
    groups = compute_task_metrics(_typed(rows), n_boot=100, min_group=2).groups
    assert [g.name for g in groups] == ["blue_red", "red_blue"]


def test_json_is_strict_and_carries_every_number():
    import json

    data = compute_task_metrics(_typed(_rows()), n_boot=100).to_json()
    text = json.dumps(data, allow_nan=False)
    loaded = json.loads(text)
    assert loaded["accuracy"]["k"] == 2 and loaded["ties"] == 2 and len(loaded["accuracy"]["ci_bootstrap"]) == 2
    assert loaded["p_chance"] == pytest.approx(binomtest(2, 7, 1 / 3, alternative="greater").pvalue)
    assert loaded["top2"]["k"] == 3


def test_contrast_rows_get_pair_accuracy_with_intervals_over_pairs():
    # four pairs of twins on eight images; the model gets pairs p0 and p1 both right, p2 one twin, p3 none
    table = [((2, 1), 0), ((1, 2), 1), ((2, 1), 0), ((1, 2), 1), ((2, 1), 0), ((2, 1), 1), ((1, 2), 0), ((2, 1), 1)]
    rows = [
        {"id": f"i{k}", "task": "negation_logic", "cluster": f"img{k}", "scores": s, "correct": c,
         "labels": ["a", "b"], "meta": {"pair": f"p{k // 2}"}}
        for k, (s, c) in enumerate(table)
    ]  # fmt: skip
    m = compute_task_metrics(_typed(rows), n_boot=200)
    assert (m.accuracy.k, m.accuracy.n) == (5, 8)
    assert (m.pairs.k, m.pairs.n, m.unpaired) == (2, 4, 0)
    assert m.pairs.bootstrap.low <= 0.5 <= m.pairs.bootstrap.high
    data = m.to_json()
    assert data["pairs"]["estimate"] == 0.5 and data["unpaired"] == 0
    # without pair ids nothing changes: no pair block, image clusters
    plain = compute_task_metrics(_typed([{k: v for k, v in r.items() if k != "meta"} for r in rows]), n_boot=200)
    assert plain.pairs is None and "pairs" not in plain.to_json()
