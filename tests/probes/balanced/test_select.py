"""The balanced selection against a blind model whose preference is known."""

import numpy as np

from snare.probes.balanced.select import SLACK, select, slack, visit_order


def _pool(n_items: int, prefers: float, seed: int = 0) -> tuple[list[list[int]], np.ndarray]:
    """Items with three candidates each; the blind model prefers the intended option of a candidate with
    probability ``prefers``, by a gap of random size."""
    rng = np.random.default_rng(seed)
    size = rng.uniform(0.1, 3.0, n_items * 3)
    sign = np.where(rng.random(n_items * 3) < prefers, 1.0, -1.0)
    candidates = [[3 * n, 3 * n + 1, 3 * n + 2] for n in range(n_items)]
    return candidates, (size * sign)[:, None]


def test_select_balances_a_model_that_prefers_the_intended_option_and_keeps_what_it_gets_right():
    candidates, gaps = _pool(600, prefers=0.85)
    chosen = select(candidates, gaps, [f"i{n}" for n in range(600)], seed=0)
    kept = np.array([c for c in chosen if c >= 0])
    g = gaps[kept, 0]
    # At chance: as many kept pairs the model gets right as wrong, bin by bin, so no threshold beats chance either.
    # The slack allowed per bin (4 for 600 items) keeps the model within one standard error of chance.
    assert slack(600) == 4
    assert abs(int((g > 0).sum()) - int((g < 0).sum())) <= min(3 * slack(600), np.sqrt(len(g)))
    for lo, hi in ((0, 1), (1, 2), (2, 3)):
        band = g[(np.abs(g) >= lo) & (np.abs(g) < hi)]
        assert abs(int((band > 0).sum()) - int((band < 0).sum())) <= 3 * slack(600)
    # Not "drop what the model gets right": about half the kept pairs are ones it gets right.
    assert (g > 0).sum() > 0.4 * len(g)
    # With 85% preference, an item offers a dispreferred candidate with p = 1 - 0.85^3 ~ 0.39: the yield follows.
    assert 0.6 < len(kept) / 600 <= 0.8
    assert all(c == -1 or c in cands for c, cands in zip(chosen, candidates, strict=True))


def test_select_with_two_models_balances_both():
    rng = np.random.default_rng(1)
    candidates = [[4 * n + k for k in range(4)] for n in range(500)]
    lm = rng.normal(0.8, 1.0, 2000)  # prefers the intended option
    length = rng.choice([-2.0, -1.0, 0.0, 1.0], 2000, p=[0.5, 0.2, 0.2, 0.1])  # intended mostly shorter
    gaps = np.column_stack([lm, length])
    chosen = select(candidates, gaps, [f"i{n}" for n in range(500)], seed=3)
    kept = gaps[[c for c in chosen if c >= 0]]
    for column in kept.T:
        assert abs(int((column > 0).sum()) - int((column < 0).sum())) <= 3 * slack(500)
    assert len(kept) > 150


def test_slack_grows_with_the_square_root_of_the_task_and_is_never_below_the_floor():
    assert [slack(n) for n in (0, 10, 100, 143, 144, 1000, 3600)] == [SLACK, SLACK, SLACK, SLACK, 2, 5, 10]
    # Filled in all three bins it moves accuracy by 3 s / 2n: never a whole standard error (1 / (2 sqrt(n))).
    for n in (150, 600, 2000, 10000):
        assert 3 * slack(n) / (2 * n) < 0.5 / np.sqrt(n)


def test_select_is_independent_of_input_order():
    candidates, gaps = _pool(200, prefers=0.7, seed=2)
    keys = [f"i{n}" for n in range(200)]
    chosen = select(candidates, gaps, keys, seed=5)
    perm = np.random.default_rng(0).permutation(200)
    rows = np.concatenate([candidates[p] for p in perm])
    renumbered = [[3 * k + j for j in range(3)] for k in range(200)]
    again = select(renumbered, gaps[rows], [keys[p] for p in perm], seed=5)
    back = {keys[p]: (-1 if c < 0 else int(rows[c])) for p, c in zip(perm, again, strict=True)}
    assert back == {k: c for k, c in zip(keys, chosen, strict=True)}
    assert visit_order(keys, 5) != visit_order(keys, 6)


def _centroid_gaps(diffs: np.ndarray, folds: np.ndarray, train: np.ndarray) -> np.ndarray:
    """A learned blind model, cross-fitted: for each fold, weights = the mean feature difference (intended minus
    negative) of the training pairs of the other folds; a pair's gap is its difference times those weights."""
    gaps = np.zeros(len(diffs))
    for f in np.unique(folds):
        learn = train & (folds != f)
        weights = diffs[learn].mean(axis=0) if learn.any() else np.zeros(diffs.shape[1])
        gaps[folds == f] = diffs[folds == f] @ weights
    return np.where(np.abs(gaps) < 1e-12, 0.0, gaps)


def test_iterated_sticky_refinement_leaves_a_model_refitted_on_the_kept_pairs_at_chance():
    # 400 items, 4 candidates each; features 0-2 lean towards the intended option (a tell the model learns).
    rng = np.random.default_rng(4)
    n_items, k, n_features = 400, 4, 12
    diffs = rng.choice([-1.0, 0.0, 1.0], size=(n_items * k, n_features), p=[0.25, 0.5, 0.25])
    diffs[:, :3] = rng.choice([-1.0, 0.0, 1.0], size=(n_items * k, 3), p=[0.1, 0.3, 0.6])
    candidates = [[k * n + j for j in range(k)] for n in range(n_items)]
    folds = np.repeat(np.arange(n_items) % 5, k)
    keys = [f"i{n}" for n in range(n_items)]
    everything = np.ones(len(diffs), dtype=bool)
    assert (_centroid_gaps(diffs, folds, everything) > 0).mean() > 0.7  # the tell, before any balancing
    chosen = select(candidates, _centroid_gaps(diffs, folds, everything)[:, None], keys, seed=0)
    changes = []
    for _ in range(8):
        train = np.zeros(len(diffs), dtype=bool)
        train[[c for c in chosen if c >= 0]] = True
        again = select(candidates, _centroid_gaps(diffs, folds, train)[:, None], keys, seed=0, previous=chosen)
        changes.append(sum(a != b for a, b in zip(again, chosen, strict=True)))
        chosen = again
    kept = np.array([c for c in chosen if c >= 0])
    train = np.zeros(len(diffs), dtype=bool)
    train[kept] = True
    refitted = _centroid_gaps(diffs, folds, train)[kept]  # what an audit fitting on the kept pairs would see
    right, wrong = int((refitted > 0).sum()), int((refitted < 0).sum())
    assert abs(right - wrong) <= 0.1 * len(kept), (right, wrong)
    assert len(kept) > 0.3 * n_items
    assert changes[-1] <= changes[0] and changes[-1] < 0.25 * len(kept), changes  # sticky: it settles
