"""Known-groups validity on the shipped reference models, and the record that says how they were made.

The order-aware (GRU) and bag-of-words models share image encoder, data and training; the benchmark must show
the difference where word order matters. Everything is measured here from the shipped weights; nothing is
hard-coded except the thresholds the issue sets.
"""

import hashlib
import json

import pytest

from snare.adapters.reference import WEIGHTS_DIR
from snare.engine.record import RunRecord
from snare.engine.results import RunResult
from snare.validity.known_groups import ALPHA, ORDER_TASKS, compare
from snare.validity.shipping import ADAPTERS, FILES, RECORD, score
from tests.helpers import make_row

CHANCE = {
    "semantic_structure": 1 / 4,
    "negation_logic": 1 / 2,
    "attribute_ownership": 1 / 3,
    "relationship_composition": 1 / 3,
    "spatial_relations": 1 / 4,
}


@pytest.fixture(scope="module")
def record():
    return json.loads((WEIGHTS_DIR / RECORD).read_text())


@pytest.fixture(scope="module")
def results():
    return {encoder: score(WEIGHTS_DIR / FILES[encoder], encoder) for encoder in FILES}


def test_known_groups_shipped_files_are_the_recorded_ones(record):
    assert record["command"].startswith("snare train-reference")
    assert isinstance(record["seed"], int) and record["settings"]["train_seed"] != 0
    for name, info in record["files"].items():
        data = (WEIGHTS_DIR / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == info["sha256"], name
        assert len(data) < 4_000_000


def test_known_groups_shipped_weights_reproduce_the_recorded_accuracies(record, results):
    for encoder, result in results.items():
        recorded = record["accuracy"][ADAPTERS[encoder]]
        assert result.record.probeset.fingerprint == record["probe_set"]["fingerprint"]
        for task, summary in result.tasks.items():
            # Exact counts on the machine that trained them; a different CPU may move a near-tie or two.
            assert abs(summary.n_correct - recorded[task]["correct"]) <= 2, (encoder, task)
            assert summary.n_ties == recorded[task]["ties"], (encoder, task)


def test_known_groups_order_aware_beats_bag_of_words_where_order_matters(results):
    comparison = compare(results["gru"], results["bow"])
    for task in ORDER_TASKS:
        c = comparison[task]
        assert c.a_correct > c.b_correct and c.p_holm < ALPHA, (task, c)


def test_known_groups_reference_model_is_far_above_chance_on_every_task(results):
    for task, summary in results["gru"].tasks.items():
        assert summary.accuracy > CHANCE[task] + 0.25, (task, summary.accuracy)
        assert summary.n_ties == 0


def test_known_groups_bag_of_words_cannot_tell_word_order_shuffles_apart(results):
    structure = results["bow"].tasks["semantic_structure"]
    # Every shuffle is a permutation of the caption: an exact tie, counted as wrong.
    assert structure.n_ties == structure.n and structure.accuracy <= CHANCE["semantic_structure"]
    for task in ("attribute_ownership", "relationship_composition"):
        # The exchanged option is a permutation of the intended one: a tie, wrong.
        assert results["bow"].tasks[task].n_ties >= 0.9 * results["bow"].tasks[task].n


def test_known_groups_negation_is_reported_for_both_models(record, results):
    for encoder in FILES:
        assert "negation_logic" in record["accuracy"][ADAPTERS[encoder]]
        assert 0.0 <= results[encoder].tasks["negation_logic"].accuracy <= 1.0


def _result(task: str, outcomes_a: list[bool]) -> RunResult:
    result = RunResult(record=RunRecord())
    result.rows[task] = [
        make_row(id=f"i{k}", task=task, scores=[1.0, 0.0], correct=0, is_correct=ok) for k, ok in enumerate(outcomes_a)
    ]
    return result


def test_known_groups_mcnemar_is_the_exact_binomial_test_on_discordant_items():
    from scipy.stats import binomtest

    a = _result("semantic_structure", [True] * 30 + [False] * 10 + [True] * 5)
    b = _result("semantic_structure", [False] * 30 + [False] * 10 + [True] * 5)
    (c,) = compare(a, b, tasks=("semantic_structure",)).values()
    assert (c.only_a, c.only_b, c.n) == (30, 0, 45)
    assert c.p_value == pytest.approx(binomtest(0, 30, 0.5).pvalue)
    with pytest.raises(ValueError, match="no items of task"):
        compare(a, b, tasks=("negation_logic",))
