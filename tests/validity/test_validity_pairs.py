"""The pair proof: on a contrast set no text-only model is right on both twins of a pair."""

import pytest

from snare.probes.contrast import TASKS, contrast_synthetic
from snare.probes.item import ImageRef, ProbeItem
from snare.validity.audit import audit_probeset
from snare.validity.pairs import audit_pairs, fold_by_pairs, random_text_scores
from snare.validity.rules import outcome


@pytest.fixture(scope="module")
def contrast():
    return contrast_synthetic(seed=0, n_scenes=60, tasks=TASKS)  # the grounding tasks: each item has a twin


def test_a_word_order_task_in_a_contrast_set_has_no_pairs_to_prove():
    audits = {a.task: a for a in audit_probeset(contrast_synthetic(seed=0, n_scenes=20))}
    assert audits["semantic_structure"].pairs is None
    assert all(audits[task].pairs is not None and audits[task].pairs.holds for task in TASKS)


@pytest.mark.parametrize("seed", range(5))
def test_a_random_text_scorer_never_gets_a_pair(contrast, seed):
    for task, items in contrast.by_task().items():
        pairs = {}
        for it in items:
            pairs.setdefault(it.meta["pair"], []).append(outcome(random_text_scores(it.options, seed), it.correct)[0])
        assert all(len(v) == 2 for v in pairs.values())
        assert not any(all(v) for v in pairs.values()), task  # pair accuracy 0
        item_accuracy = sum(sum(v) for v in pairs.values()) / len(items)
        assert item_accuracy <= 0.5, task
        if task != "spatial_relations":  # two options: the scorer picks one, which one twin intends
            assert item_accuracy == 0.5


def test_the_audit_shows_the_proof_on_every_task_of_the_contrast_set(contrast):
    audits = {a.task: a for a in audit_probeset(contrast)}
    assert set(audits) == set(contrast.tasks)
    for task, audit in audits.items():
        pairs = audit.pairs
        assert pairs is not None and pairs.holds and pairs.pairs == 60 and pairs.unpaired == 0
        assert {"blind n-gram", "bag-of-words", "bag-of-bigrams", "random text scorer", "first option"} <= set(
            pairs.models
        )
        for name, score in pairs.models.items():
            assert score.pairs_correct == 0, (task, name)
            assert score.item_accuracy <= 0.5, (task, name)
        assert audit.to_json()["pairs"]["holds"] is True


def _item(i, options, correct, pair, cluster):
    return ProbeItem(
        id=f"x{i}",
        task="negation_logic",
        image=ImageRef(path=f"{cluster}.png"),
        cluster=cluster,
        options=options,
        labels=("a", "b"),
        correct=correct,
        meta={"pair": pair},
    )


def test_a_pair_that_breaks_the_premise_is_named_and_a_leak_breaks_the_proof():
    items = [
        _item(0, ("x y", "y x"), 0, "good", "c0"),
        _item(1, ("x y", "y x"), 1, "good", "c1"),
        _item(2, ("x y", "y z"), 0, "other options", "c2"),
        _item(3, ("x y", "y x"), 0, "other options", "c3"),
        _item(4, ("p q", "q p"), 1, "same intent", "c4"),
        _item(5, ("p q", "q p"), 1, "same intent", "c5"),
    ]
    audit = audit_pairs(fold_by_pairs(items), {})
    assert audit is not None and audit.broken_premise == ["other options", "same intent"]
    assert not audit.holds
    # a "blind" model whose outcomes get both twins right: the proof reports it
    leak = audit_pairs(fold_by_pairs(items[:2]), {"leaky": [(True, False), (True, False)]})
    assert leak is not None and leak.models["leaky"].pairs_correct == 1 and not leak.holds


def test_folding_by_pairs_puts_twins_in_one_cluster(contrast):
    folded = fold_by_pairs(contrast.items)
    by_pair = {}
    for it in folded:
        by_pair.setdefault(it.meta["pair"], set()).add(it.cluster)
    assert all(len(c) == 1 for c in by_pair.values())
    assert audit_pairs([it.model_copy(update={"meta": {}}) for it in contrast.items[:4]], {}) is None


def test_snare_audit_prints_the_pair_line(capsys):
    from snare.cli.main import main

    with pytest.raises(SystemExit) as info:
        main(["audit", "--protocol", "snare-contrast", "--task", "relationship_composition"])
    out = capsys.readouterr().out
    assert (info.value.code or 0) == 0
    assert "pairs: 300 pairs (0 unpaired items)" in " ".join(
        out.split()
    ) and "pair accuracy 0 for every one" in " ".join(out.split())


def test_a_pretrained_lms_scores_join_the_pair_proof(contrast):
    # Any text-only scores (here each option's seeded random score) stand for the LM's: it sees twins' identical
    # options, so it picks the same one for both and is never right on a pair.
    scores = {it.id: list(random_text_scores(it.options, 1)) for it in contrast}
    for audit in audit_probeset(contrast, lm_scores=scores):
        lm = audit.pairs.models["pretrained LM"]
        assert lm.pairs_correct == 0 and lm.item_accuracy <= 0.5 and audit.pairs.holds, audit.task
        assert audit.lm is not None and audit.lm.n == audit.n_items


def test_mirror_twins_keep_the_pair_proof():
    """Twins on one image and its mirror (mined from left/right relations) share their options and intend
    different ones, so every blind model the audit fits is right on one twin of a pair at most."""
    from snare.probes.mined_twins import mine_vg, scene_records
    from snare.probes.probeset import ProbeSet

    mined = mine_vg(scene_records(0, 120)[0])
    mirrors = {t: r["mirror_pairs"] for t, r in mined.report.items()}
    assert mirrors["relationship_composition"] > 0 and mirrors["spatial_relations"] > 0
    audits = {a.task: a for a in audit_probeset(ProbeSet(mined.items, name="mined"))}
    assert set(audits) == {"relationship_composition", "spatial_relations"}
    for task, audit in audits.items():
        pairs = audit.pairs
        assert pairs is not None and pairs.holds and pairs.pairs == mined.report[task]["pairs"], task
        assert pairs.unpaired == 0 and pairs.broken_premise == []
        assert {"blind n-gram", "bag-of-words", "random text scorer"} <= set(pairs.models)
        assert all(score.pairs_correct == 0 and score.item_accuracy <= 0.5 for score in pairs.models.values()), task
