import math

from snare.engine.pairs import has_pairs, pair_clusters, pairs_of, summarize_pairs
from snare.engine.rows import PredictionRow


def _row(i, cluster, scores, correct, pair=None):
    meta = {"pair": pair} if pair is not None else {}
    return PredictionRow(id=f"i{i}", task="t", cluster=cluster, scores=scores, correct=correct, meta=meta)


def test_a_pair_counts_only_when_every_twin_is_strictly_right():
    rows = [
        _row(0, "a", (2.0, 1.0), 0, "p1"),
        _row(1, "b", (1.0, 2.0), 1, "p1"),  # p1: both right
        _row(2, "c", (2.0, 1.0), 0, "p2"),
        _row(3, "d", (2.0, 1.0), 1, "p2"),  # p2: the same scores on both twins: one right
        _row(4, "e", (1.0, 1.0), 0, "p3"),
        _row(5, "f", (1.0, 1.0), 1, "p3"),  # p3: a tie loses both
        _row(6, "g", (2.0, 1.0), 0, "p4"),  # p4: its twin is not in the run
        _row(7, "h", (2.0, 1.0), 0),  # no pair at all
    ]
    summary = summarize_pairs(rows)
    assert (summary.n_pairs, summary.pairs_correct, summary.unpaired) == (3, 1, 2)
    assert math.isclose(summary.pair_accuracy, 1 / 3)
    assert summary.to_json() == {"pair_accuracy": 1 / 3, "pairs": 3, "pairs_correct": 1, "unpaired": 2}
    assert list(pairs_of(rows)) == ["p1", "p2", "p3"]


def test_clusters_join_twins_and_the_images_they_share():
    rows = [
        _row(0, "img1", (1.0, 0.0), 0, "p1"),
        _row(1, "img2", (1.0, 0.0), 0, "p1"),
        _row(2, "img2", (1.0, 0.0), 0, "p2"),  # img2 also serves p2: p1 and p2 are one cluster
        _row(3, "img3", (1.0, 0.0), 0, "p2"),
        _row(4, "img4", (1.0, 0.0), 0, "p3"),
        _row(5, "img5", (1.0, 0.0), 0, "p3"),
        _row(6, "img6", (1.0, 0.0), 0),
    ]
    clusters = pair_clusters(rows)
    assert clusters[:4] == ["img1"] * 4
    assert clusters[4:6] == ["img4", "img4"] and clusters[6] == "img6"


def test_sets_without_pairs():
    rows = [_row(0, "a", (1.0, 0.0), 0)]
    assert not has_pairs(rows) and pair_clusters(rows) == ["a"]
    summary = summarize_pairs(rows)
    assert summary.n_pairs == 0 and summary.to_json()["pair_accuracy"] is None
