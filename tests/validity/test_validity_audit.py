"""``snare audit``: finds the text-only artifacts that are there, stays quiet where there are none, says so when
there is too little text."""

import json

import pytest

from snare.probes.item import ImageRef, ProbeItem
from snare.probes.probeset import ProbeSet
from snare.probes.synthetic import synthetic_probeset
from snare.validity.audit import MIN_CAPTIONS, audit_probeset
from tests.helpers import run_snare

IMAGE = ImageRef(scene="synthetic-v1|circle,red,small,60,100|square,blue,large,160,100")
ANIMALS = ["dog", "cat", "horse", "bird", "cow", "sheep", "goat"]
PLACES = ["park", "road", "field", "beach", "yard"]


def _item(i: int, options: list[str], correct: int, task: str = "negation_logic") -> ProbeItem:
    return ProbeItem(
        id=f"t/{task}/{i:04d}",
        task=task,
        image=IMAGE,
        cluster=f"img{i}",
        options=tuple(options),
        labels=tuple(f"o{k}" for k in range(len(options))),
        correct=correct,
    )


@pytest.fixture(scope="module")
def synthetic_audit():
    return {a.task: a for a in audit_probeset(synthetic_probeset(n_scenes=80))}


def test_validity_audit_flags_negation_and_shuffles_on_the_synthetic_set(synthetic_audit):
    negation = synthetic_audit["negation_logic"]
    # The negated option is always the false one and always longer: every text-only check finds it.
    assert negation.blind.value > 0.9 and negation.bow.value > 0.9
    assert negation.length.rule == "shortest" and negation.length.rule_accuracy.value == 1.0
    assert negation.verdict.startswith("text-only solvable: 1.00 > chance 0.50")
    structure = synthetic_audit["semantic_structure"]
    # Shuffles keep the words: length, frequency and bag of words cannot tell them apart (ties), fluency can.
    assert structure.length.p_value is None and structure.frequency.p_value is None
    assert structure.bow.correct == 0 and structure.bow.ties == structure.n_items
    # Fluency can: the n-gram LM, and the classifier on word pairs (which reads order a bag of words cannot).
    assert structure.blind.ci_low > 0.25 and structure.bigrams.ci_low > 0.25
    assert "(blind n-gram)" in structure.verdict or "(bag-of-bigrams classifier)" in structure.verdict
    # Every intended option is listed first: noted as a tell for models that read all options, not a verdict.
    assert structure.rules["first option"].value == 1.0 and any("'first option'" in n for n in structure.notes)


def test_validity_audit_finds_no_artifact_in_spatial_relations(synthetic_audit):
    spatial = synthetic_audit["spatial_relations"]
    assert spatial.verdict == "no artifact found"
    assert spatial.blind.ci_low <= 0.25 <= spatial.blind.ci_high + 0.05


def test_validity_audit_detects_an_injected_length_artifact():
    items = []
    for i in range(200):
        animal, place = ANIMALS[i % 7], PLACES[i % 5]
        short = [f"a {animal} in the {place}", f"the {place} with a {animal}"]
        long = f"a small {animal} standing in the {place}"
        correct = i % 3
        options = [*short[:correct], long, *short[correct:]]
        items.append(_item(i, options, correct))
    (audit,) = audit_probeset(ProbeSet(items, name="injected"))
    assert audit.length.rule == "longest" and audit.length.p_value < 1e-10
    assert audit.length.rule_accuracy.value == 1.0
    assert audit.verdict.startswith("text-only solvable: 1.00 > chance 0.33")


def test_validity_audit_with_too_little_text_says_so_instead_of_a_number():
    items = [_item(i, [f"a {ANIMALS[i % 7]} runs", f"a {ANIMALS[i % 7]} sleeps"], i % 2) for i in range(30)]
    (audit,) = audit_probeset(ProbeSet(items, name="tiny"))
    assert audit.blind is None
    assert any("not enough text for the blind model" in n and f">= {MIN_CAPTIONS}" in n for n in audit.notes)
    few = audit_probeset(ProbeSet(items[:5], name="five"))[0]
    assert few.blind is None and few.bow is None and few.verdict.startswith("not enough items for a verdict")


def test_validity_audit_cli_on_a_probe_set_folder_and_bad_sources(tmp_path):
    folder = synthetic_probeset(n_scenes=80).save(tmp_path / "probes")
    report_path = tmp_path / "audit.json"
    proc = run_snare("audit", str(folder), "--task", "negation_logic", "--output", str(report_path))
    assert proc.returncode == 0, proc.stderr
    assert "negation_logic: text-only solvable" in proc.stdout
    report = json.loads(report_path.read_text())
    assert set(report["tasks"]) == {"negation_logic"} and report["probeset"]["fingerprint"].startswith("sha256:")
    assert report["tasks"]["negation_logic"]["blind"]["accuracy"] > 0.9
    text_file = tmp_path / "captions.txt"
    text_file.write_text("a dog\n")
    for args in (["audit", str(text_file)], ["audit", str(tmp_path / "missing")]):
        proc = run_snare(*args)
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_validity_audit_reports_protocol_yield_and_surface_rules():
    items = []
    for i in range(60):
        good, bad = f"a {ANIMALS[i % 7]} in the {PLACES[i % 5]}", f"a {ANIMALS[i % 7]} not in the {PLACES[i % 5]}"
        correct = i % 2
        items.append(_item(i, [good, bad] if correct == 0 else [bad, good], correct))
    info = {
        "protocol": {"name": "snare-balanced"},
        "build": {"negation_logic": {"candidates": 80, "items": 60, "default_items": 75}},
    }
    (audit,) = audit_probeset(ProbeSet(items, name="yield", info=info))
    data = audit.to_json()
    assert data["protocol"] == "snare-balanced" and data["yield"] == 0.75 and data["yield_of_default"] == 0.8
    assert audit.rules["avoid 'not'"].value == 1.0 and audit.rules["prefer 'not'"].value == 0.0
    assert audit.rules["shortest option"].value == 1.0 and audit.rules["first option"].value == 0.5
    assert data["rules"]["avoid 'not'"]["accuracy"] == 1.0
    assert audit.verdict.startswith("text-only solvable: 1.00 > chance 0.50")


def test_audit_accuracy_uses_the_reports_wilson_interval():
    from snare.reports.stats import wilson_interval
    from snare.validity.audit import Accuracy

    acc = Accuracy.of([(True, False)] * 7 + [(False, True)] * 3)
    interval = wilson_interval(7, 10)
    assert (acc.n, acc.correct, acc.ties) == (10, 7, 3)
    assert (acc.ci_low, acc.ci_high) == (interval.low, interval.high)


def test_a_blind_model_that_always_ties_is_judged_with_its_ties_broken_by_a_coin_not_as_below_chance():
    from snare.validity.audit import Accuracy, TaskAudit, _verdict

    tied = Accuracy.of([(False, True, 0.5)] * 400)  # bag-of-words on swaps: the same words, every item a tie
    assert tied.value == 0.0 and tied.split == 0.5
    assert abs(tied.broken_value - 0.5) < 0.06 and tied.broken_ci_low <= 0.5 <= tied.broken_ci_high
    assert Accuracy.of([(False, True, 0.5)] * 400) == tied  # the coin is seeded: the same audit every time
    audit = TaskAudit("semantic_structure", 400, 0.5, blind=tied, bow=tied, bigrams=tied)
    assert _verdict(audit) == "no artifact found"


def test_a_blind_model_reliably_below_chance_is_an_inverted_tell():
    from snare.validity.audit import Accuracy, TaskAudit, _verdict

    chance_level = Accuracy.of([(True, False, 1.0), (False, False, 0.0)] * 150)
    wrong = Accuracy.of([(True, False, 1.0)] * 120 + [(False, False, 0.0)] * 180)  # 0.40: flip it and win 0.60
    audit = TaskAudit("semantic_structure", 300, 0.5, blind=chance_level, bow=chance_level, bigrams=wrong)
    assert _verdict(audit).startswith("inverted tell: 0.40 < chance 0.50 (bag-of-bigrams classifier")


def test_validity_audit_judges_a_pretrained_lm_beside_the_other_text_only_models():
    probes = synthetic_probeset(n_scenes=80).subset(tasks=["spatial_relations"])
    knows = {it.id: [float(k == it.correct) for k in range(len(it.options))] for it in probes}
    (audit,) = audit_probeset(probes, lm_scores=knows)
    assert audit.lm is not None and audit.lm.value == 1.0 and audit.to_json()["lm"]["accuracy"] == 1.0
    assert audit.verdict.startswith("text-only solvable") and "(pretrained LM)" in audit.verdict
    (plain,) = audit_probeset(probes)
    assert plain.lm is None and "pretrained LM" not in plain.verdict
    with pytest.raises(ValueError, match="no language-model scores"):
        audit_probeset(probes, lm_scores={})


def test_validity_audit_cli_scores_a_pretrained_lm_through_the_engine(tmp_path):
    from tests.textmodels import tiny_lm

    folder = synthetic_probeset(n_scenes=40).save(tmp_path / "probes")
    weights = tiny_lm.save(tmp_path / "lm")
    env = {"SNARE_CACHE": str(tmp_path / "cache")}
    args = ["audit", str(folder), "--task", "negation_logic", "--lm", "lm", "--lm-weights", str(weights)]
    proc = run_snare(*args, "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["lm"] == {"model": "lm", "weights": str(weights)}
    assert report["tasks"]["negation_logic"]["lm"]["n"] == 40
    assert any((tmp_path / "cache").rglob("*.safetensors"))  # scored through the score cache
    again = run_snare(
        "eval", "--model", "lm", "--weights", str(weights), "--probes", str(folder), *args[2:4], "--json", env=env
    )
    assert again.returncode == 0, again.stderr
    engine = json.loads(again.stdout)["engine"]  # eval finds the audit's scores: the same cache, no model loaded
    assert engine["computed"] == {} and engine["model_loaded"] is False
    table = run_snare(*args, env={**env, "COLUMNS": "200"})
    assert table.returncode == 0 and "pretrained LM" in table.stdout
    wrong = run_snare("audit", str(folder), "--lm", "blind-ngram", env=env)
    assert wrong.returncode == 2 and "not a text-only model" in wrong.stderr


def test_validity_audit_lm_weights_without_lm_is_a_one_line_error():
    proc = run_snare("audit", "--lm-weights", "some/model")
    assert proc.returncode == 2 and "pass --lm too" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
