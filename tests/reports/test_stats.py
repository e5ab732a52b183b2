import numpy as np
import pytest
from scipy.stats import binomtest
from statsmodels.stats.contingency_tables import mcnemar

from snare.reports.stats import (
    binomial_p_above,
    cluster_bootstrap_interval,
    cluster_bootstrap_samples,
    holm_adjust,
    mcnemar_exact,
    significance_marker,
    wilson_interval,
)


def test_mcnemar_exact_matches_the_binomial_formula_and_statsmodels():
    # 1 item right only for A, 9 only for B: p = 2 * P(X <= 1 | n=10, 1/2) = 2 * 11 / 1024
    a = np.array([1] * 5 + [1] + [0] * 9 + [0] * 5, dtype=bool)
    b = np.array([1] * 5 + [0] + [1] * 9 + [0] * 5, dtype=bool)
    result = mcnemar_exact(a, b)
    assert (result.both, result.a_only, result.b_only, result.neither) == (5, 1, 9, 5)
    assert result.p_value == pytest.approx(22 / 1024)
    assert result.p_value == pytest.approx(mcnemar([[5, 1], [9, 5]], exact=True).pvalue)


def test_mcnemar_without_discordant_items_is_one():
    same = np.array([True, False, True])
    assert mcnemar_exact(same, same).p_value == 1.0


def test_holm_matches_the_hand_computed_step_down():
    # sorted 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> monotone: 0.06
    assert holm_adjust([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm_adjust([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    adjusted = holm_adjust([0.01, float("nan"), 0.02])
    assert adjusted[0] == pytest.approx(0.02) and np.isnan(adjusted[1]) and adjusted[2] == pytest.approx(0.02)


def test_binomial_against_chance_is_one_sided_exact():
    assert binomial_p_above(8, 10, 0.5) == pytest.approx((45 + 10 + 1) / 1024)
    assert binomial_p_above(3, 30, 0.25) == pytest.approx(binomtest(3, 30, 0.25, alternative="greater").pvalue)
    assert binomial_p_above(0, 30, 0.25) == 1.0


def test_wilson_interval_known_value():
    z2 = 1.959963984540054**2
    interval = wilson_interval(0, 30)
    assert interval.low == pytest.approx(0.0, abs=1e-12)
    assert interval.high == pytest.approx(z2 / (30 + z2))


def test_wilson_interval_agrees_with_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    for k, n in ((0, 5), (3, 10), (10, 10), (37, 120)):
        low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
        interval = wilson_interval(k, n)
        assert (interval.low, interval.high) == pytest.approx((low, high), abs=1e-12)


def test_bootstrap_is_seeded_and_reproducible():
    values = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 1], dtype=float)
    clusters = np.array(["a", "a", "b", "b", "c", "c", "d", "d", "e", "e"])
    first = cluster_bootstrap_samples(values, clusters, n_boot=300, seed=3)
    assert np.array_equal(first, cluster_bootstrap_samples(values, clusters, n_boot=300, seed=3))
    assert not np.array_equal(first, cluster_bootstrap_samples(values, clusters, n_boot=300, seed=4))
    assert cluster_bootstrap_interval(values, clusters, n_boot=300, seed=3) == cluster_bootstrap_interval(
        values, clusters, n_boot=300, seed=3
    )


def test_bootstrap_resamples_whole_clusters():
    # two clusters, all-right and all-wrong: every replicate mean is a mixture of whole clusters
    values = np.array([1, 1, 1, 0, 0, 0], dtype=float)
    clusters = np.array(["x"] * 3 + ["y"] * 3)
    samples = cluster_bootstrap_samples(values, clusters, n_boot=200, seed=0)
    assert set(np.round(samples, 6)) <= {0.0, 0.5, 1.0}


def _mean_width_ratio(make, reps: int = 20) -> float:
    ratios = []
    for rep in range(reps):
        hits, clusters = make(np.random.default_rng(rep))
        boot = cluster_bootstrap_interval(hits.astype(float), clusters, n_boot=400, seed=rep)
        wilson = wilson_interval(int(hits.sum()), len(hits))
        ratios.append((boot.high - boot.low) / (wilson.high - wilson.low))
    return float(np.mean(ratios))


def test_cluster_bootstrap_is_wider_than_wilson_when_items_share_images():
    def shared(rng):  # 60 images x 5 captions; an image is mostly easy or mostly hard (ICC 0.5)
        p = rng.beta(0.5, 0.5, size=60)
        hits = rng.random((60, 5)) < p[:, None]
        return hits.ravel(), np.repeat(np.arange(60), 5).astype(str)

    assert _mean_width_ratio(shared) > 1.4


def test_cluster_bootstrap_matches_wilson_in_expectation_for_independent_items():
    def independent(rng):
        return rng.random(300) < 0.6, np.arange(300).astype(str)

    assert _mean_width_ratio(independent) == pytest.approx(1.0, abs=0.06)


def test_significance_markers():
    assert [significance_marker(p) for p in (0.0001, 0.005, 0.03, 0.2, None, float("nan"))] == [
        "***",
        "**",
        "*",
        "",
        "",
        "",
    ]


def test_mean_of_tasks_interval_is_seeded_brackets_the_mean_and_uses_one_draw_for_all_tasks():
    from snare.reports.stats import mean_of_tasks_interval

    rng = np.random.default_rng(3)
    clusters = np.repeat([f"img{i}" for i in range(40)], 2)
    a = rng.integers(0, 2, size=80).astype(float)
    b = rng.integers(0, 2, size=80).astype(float)
    tasks = [(a, clusters), (b, clusters)]
    interval = mean_of_tasks_interval(tasks, n_boot=500, seed=0)
    assert interval == mean_of_tasks_interval(tasks, n_boot=500, seed=0)
    assert interval.low < (a.mean() + b.mean()) / 2 < interval.high
    # two identical tasks: the mean of the two is the task itself, resample for resample
    same = mean_of_tasks_interval([(a, clusters), (a, clusters)], n_boot=500, seed=0)
    single = cluster_bootstrap_interval(a, clusters, n_boot=500, seed=0)
    assert (same.low, same.high) == pytest.approx((single.low, single.high))
    # a task and its complement on the same images: their mean is 0.5 on every resample (shared draws)
    flat = mean_of_tasks_interval([(a, clusters), (1 - a, clusters)], n_boot=500, seed=0)
    assert (flat.low, flat.high) == pytest.approx((0.5, 0.5))
    assert np.isnan(mean_of_tasks_interval([], n_boot=10).low)
