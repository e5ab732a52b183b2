"""The cross-validated bag-of-words option classifier: finds word artifacts, ties on permutations."""

from snare.probes.item import ImageRef, ProbeItem
from snare.textmodels.text_classifier import fold_of
from snare.validity.classifier import cross_validated_outcomes

IMAGE = ImageRef(scene="synthetic-v1|circle,red,small,60,100|square,blue,large,160,100")


def _item(i: int, options: list[str], correct: int) -> ProbeItem:
    return ProbeItem(
        id=f"t/{i:04d}",
        task="negation_logic",
        image=IMAGE,
        cluster=f"img{i // 2}",
        options=tuple(options),
        labels=tuple(f"o{k}" for k in range(len(options))),
        correct=correct,
    )


def test_validity_folds_are_stable_and_group_items_by_cluster():
    assert fold_of("img7", 5) == fold_of("img7", 5)
    assert len({fold_of(f"img{i}", 5) for i in range(100)}) == 5


def test_validity_classifier_learns_a_word_artifact_wherever_the_intended_option_sits():
    items = []
    for i in range(120):
        nouns = ["dog", "cat", "horse", "bird"][i % 4], ["park", "road", "field"][i % 3]
        good, bad = f"a {nouns[0]} in the {nouns[1]}", f"a {nouns[0]} not in the {nouns[1]}"
        correct = i % 2
        items.append(_item(i, [good, bad] if correct == 0 else [bad, good], correct))
    outcomes = cross_validated_outcomes(items)
    assert sum(c for c, _ in outcomes) / len(items) > 0.95


def test_validity_classifier_ties_on_permutations_and_is_near_chance_without_artifact():
    permuted = [_item(i, [f"the red circle {i}", f"circle the red {i}"], 0) for i in range(60)]
    outcomes = cross_validated_outcomes(permuted)
    assert all(tie and not correct for correct, tie in outcomes)
    colours = ["red", "blue", "green", "yellow", "purple", "orange"]
    balanced = [
        _item(i, [f"a {colours[i % 6]} circle", f"a {colours[(i * 5 + 1) % 6]} circle"], (i // 3) % 2)
        for i in range(240)
    ]
    accuracy = sum(c for c, _ in cross_validated_outcomes(balanced)) / len(balanced)
    assert 0.3 < accuracy < 0.7


def test_validity_classifier_weights_sit_on_the_grid_at_the_optimum_whatever_the_item_order():
    import numpy as np

    from snare.textmodels.text_classifier import GRID, L2, OptionScorer, _features, _gradient

    rng = np.random.default_rng(0)
    words = ["dog", "cat", "red", "blue", "runs", "sits", "park", "not", "big", "small"]
    items = [[" ".join(rng.choice(words, 5)) for _ in range(2 + i % 2)] for i in range(200)]
    correct = [int(rng.integers(len(options))) for options in items]
    scorer = OptionScorer(items, correct, order=2)
    assert np.all(scorer.weights == np.round(scorer.weights / GRID) * GRID) and np.any(scorer.weights)
    for scores in scorer.scores(items):  # a sum of weights times counts: exact multiples of the grid
        assert np.all(scores / GRID == np.round(scores / GRID))
    # Another order of the items sums every loss and gradient in another order: the same rounded optimum.
    order = rng.permutation(len(items))
    again = OptionScorer([items[n] for n in order], [correct[n] for n in order], order=2)
    assert np.array_equal(again.weights, scorer.weights)
    x, mask = _features(items, scorer.vocab, 2)  # within half a grid step of the optimum: the gradient is ~0
    _, gradient = _gradient(x, x.T.tocsr(), mask, np.asarray(correct), L2, scorer.weights)
    assert np.abs(gradient).max() < GRID * 50
    # the fit multiplies by x.T stored row-wise: the same terms added in the same order as x.T column-wise
    for scale in (1e-8, 1.0, 1e3):
        v = rng.standard_normal(x.shape[0]) * scale
        assert np.array_equal(x.T.tocsr() @ v, x.T @ v)
