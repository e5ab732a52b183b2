"""``snare-balanced`` probe sets: polarity-balanced negation, blind models at chance, byte-identical rebuilds."""

import json
import os
import platform
import subprocess
import sys

import numpy as np
import pytest

from snare.engine.protocol_scores import item_correct
from snare.engine.rows import PredictionRow
from snare.probes.assemble import ProbeSpec, assemble
from snare.probes.balanced.build import balance_probeset
from snare.probes.build import build_probeset
from snare.probes.synthetic import synthetic_probeset
from snare.protocols import get_protocol
from snare.textmodels.caption_words import words
from snare.validity.audit import audit_probeset
from tests.helpers import REPO

TASKS = ("semantic_structure", "negation_logic", "attribute_ownership", "relationship_composition")
CAPTIONS = [
    f"{subject} {verb} {obj}."
    for subject in ("A man", "A brown dog", "The little girl", "A white cat")
    for verb in ("riding", "chasing", "holding", "looking at", "sitting on")
    for obj in ("a black horse", "a small boy", "a red bus")
] + [  # two images whose nouns no other image shares: their captions, negated, are true of every other image
    "A chef cooking a pizza.", "A pilot flying a plane.", "A farmer driving a tractor.",
    "A child eating a sandwich.", "A woman reading a book.", "A student kicking a football.",
]  # fmt: skip


@pytest.fixture(scope="module")
def balanced():
    return _scenes(TASKS, seed=0)


def _scenes(tasks, seed):
    return assemble(ProbeSpec(tuple(tasks), seed=seed, n_scenes=80), "snare-balanced")


def _accuracy(items, scorer) -> float:
    protocol = get_protocol("snare-balanced")
    rows = [
        PredictionRow(id=it.id, task=it.task, cluster=it.cluster, scores=[scorer(o) for o in it.options],
                      correct=it.correct, labels=it.labels)
        for it in items
    ]  # fmt: skip
    return float(np.mean([item_correct(protocol, it.task, row) for it, row in zip(items, rows, strict=True)]))


def _negations(option: str) -> float:
    return float(sum(w in ("not", "no") for w in words(option)))


def test_negation_is_polarity_balanced_so_prefer_and_avoid_not_are_both_at_chance(balanced):
    items = balanced.by_task()["negation_logic"]
    negated = [it for it in items if it.meta["polarity"] == "negated"]
    assert 0.4 < len(negated) / len(items) < 0.6
    assert all("not" in words(it.options[it.correct]) for it in negated)
    assert abs(_accuracy(items, _negations) - 0.5) <= 0.05
    assert abs(_accuracy(items, lambda o: -_negations(o)) - 0.5) <= 0.05
    # Under the default construction the same scorers are at 0% and 100%.
    default = synthetic_probeset(n_scenes=80, tasks=("negation_logic",)).items
    assert _accuracy(default, _negations) == 0.0 and _accuracy(default, lambda o: -_negations(o)) == 1.0


def test_every_balanced_item_is_a_true_false_pair_the_intended_option_first_in_half(balanced):
    for it in balanced:
        assert len(it.options) == 2 and it.options[0] != it.options[1]
    for items in balanced.by_task().values():  # exactly half first (one more at most), per task
        assert abs(2 * sum(it.correct == 0 for it in items) - len(items)) <= 1
    assert balanced.info["protocol"]["name"] == "snare-balanced"
    for task in TASKS:
        build = balanced.info["build"][task]
        assert build["items"] == len(balanced.by_task()[task]) and build["default_items"] >= build["items"]
        assert build["items"] >= 0.25 * build["default_items"]


def test_the_audit_finds_no_text_only_artifact_in_the_balanced_scenes(balanced):
    for audit in audit_probeset(balanced):
        # Learned models are re-fitted by the audit on the kept items: allow the noise of ~100-250 items.
        for name, acc in (("blind n-gram", audit.blind), ("bigrams", audit.bigrams)):
            assert acc.ci_low <= 0.5 <= acc.ci_high, (audit.task, name, acc)
        for name in ("shortest option", "longest option", "prefer 'not'", "avoid 'not'"):
            assert audit.rules[name].value <= 0.55, (audit.task, name)
        assert not audit.verdict.startswith("text-only solvable"), (audit.task, audit.verdict)


def test_the_kept_round_is_the_most_balanced_and_the_audit_measures_the_same_imbalance(balanced):
    refinement = balanced.info["refinement"]
    measured = refinement["imbalance"]
    assert len(measured) == refinement["rounds"] + 1 and measured[refinement["kept_round"]] == min(measured)
    # The build's measure of the kept set (models re-fitted on it) is what the audit finds: each of its learned
    # models' split credit s on n items is |2s - 1| sqrt(n) standard errors from chance.
    found = max(
        abs(2 * acc.split - 1) * np.sqrt(acc.n) if acc.split is not None else abs(2 * acc.value - 1) * np.sqrt(acc.n)
        for audit in audit_probeset(balanced)
        for acc in (audit.blind, audit.bow, audit.bigrams)
    )
    assert found == pytest.approx(min(measured), abs=0.01)


def test_balanced_probe_sets_are_byte_identical_across_builds_and_task_orders(tmp_path, balanced):
    again = _scenes(tuple(reversed(TASKS)), seed=0)
    assert again.fingerprint == balanced.fingerprint
    one, two = balanced.save(tmp_path / "one"), again.save(tmp_path / "two")
    for path in sorted(one.iterdir()):
        assert path.read_bytes() == (two / path.name).read_bytes(), path.name
    other = _scenes(TASKS, seed=1)
    assert other.fingerprint != balanced.fingerprint


def _caption_source(folder):
    """A JSONL source of :data:`CAPTIONS`, three to an image."""
    from PIL import Image

    rows = []
    for i, caption in enumerate(CAPTIONS):
        if i % 3 == 0:
            Image.new("RGB", (8, 8), (i, 100, 100)).save(folder / f"im{i // 3}.png")
        rows.append(json.dumps({"image": f"im{i // 3}.png", "caption": caption}))
    source = folder / "pairs.jsonl"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return source


def test_balanced_from_captions_is_deterministic_across_batch_sizes_and_keeps_both_polarities(tmp_path):
    source = _caption_source(tmp_path)
    tasks = ["negation_logic", "semantic_structure"]
    probes = assemble(ProbeSpec(tuple(tasks), source=str(source), batch_size=7), "snare-balanced")
    assert probes.fingerprint == assemble(ProbeSpec(tuple(tasks), source=str(source)), "snare-balanced").fingerprint
    assert probes.info["protocol"]["name"] == "snare-balanced"
    # built under the balanced protocol without its refinement, the set is the default construction's, recorded so
    unrefined = build_probeset(tasks, str(source), protocol="snare-balanced")
    assert unrefined.fingerprint == build_probeset(tasks, str(source)).fingerprint
    negation = probes.by_task()["negation_logic"]
    assert {it.meta["polarity"] for it in negation} == {"plain", "negated"}
    structure = probes.by_task()["semantic_structure"]
    assert structure and all(sorted(it.options[0].split()) == sorted(it.options[1].split()) for it in structure)
    assert probes.info["build"]["negation_logic"]["default_items"] == len(CAPTIONS)


_REBUILD = """
import json, sys
from snare.probes.assemble import ProbeSpec, assemble
synthetic = assemble(ProbeSpec(tuple(sys.argv[1].split(",")), seed=0, n_scenes=80), "snare-balanced")
captions = assemble(ProbeSpec(("negation_logic", "semantic_structure"), source=sys.argv[2]), "snare-balanced")
print(json.dumps([synthetic.fingerprint, captions.fingerprint]))
"""
BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _blas_settings() -> list[dict[str, str]]:
    """The kernel OpenBLAS picks for this CPU on one thread, and the oldest x86-64 kernel (Prescott: SSE3, no AVX)
    on two: other vector widths and other splits of the work round sums differently."""
    one = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    two = {"OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"}
    if platform.machine().lower() in ("x86_64", "amd64"):
        two["OPENBLAS_CORETYPE"] = "Prescott"
    return [one, two]


@pytest.mark.slow  # two balanced builds (synthetic and captions) in each of two subprocesses, side by side
def test_balanced_sets_are_byte_identical_under_other_blas_kernels_and_thread_counts(tmp_path, balanced):
    source = _caption_source(tmp_path)
    captions = assemble(ProbeSpec(("negation_logic", "semantic_structure"), source=str(source)), "snare-balanced")
    assert balanced.info["refinement"]["rounds"] >= 1 and captions.info["refinement"]["rounds"] >= 1
    base = {k: v for k, v in os.environ.items() if k not in BLAS_VARIABLES}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", _REBUILD, ",".join(TASKS), str(source)],
            env={**base, **setting}, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for setting in _blas_settings()
    ]  # fmt: skip
    for setting, run in zip(_blas_settings(), runs, strict=True):
        out, err = run.communicate(timeout=900)
        assert run.returncode == 0, err[-2000:]
        assert json.loads(out) == [balanced.fingerprint, captions.fingerprint], setting


def test_balance_probeset_without_parses_drops_shuffle_items_and_says_so():
    base = synthetic_probeset(n_scenes=30, tasks=("semantic_structure", "spatial_relations"))
    probes = balance_probeset(base, {}, seed=0)
    assert "semantic_structure" not in probes.tasks
    assert probes.info["build"]["semantic_structure"]["skipped"] == {"no candidate negative": 60}


def test_a_pair_two_tasks_offer_is_measured_by_one_of_them(tmp_path):
    # semantic structure and COCO-Order swap the same nouns of the same captions: 685 items of the two balanced
    # tasks had identical option pairs on the shared captions
    from PIL import Image

    rows = []
    for i, caption in enumerate(CAPTIONS):
        if i % 3 == 0:
            Image.new("RGB", (8, 8), (i, 100, 100)).save(tmp_path / f"im{i // 3}.png")
        rows.append(json.dumps({"image": f"im{i // 3}.png", "caption": caption}))
    source = tmp_path / "pairs.jsonl"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    probes = assemble(ProbeSpec(("semantic_structure", "coco_order"), source=str(source)), "snare-balanced")
    by_task = probes.by_task()
    keys = {t: {frozenset(it.options) for it in items} for t, items in by_task.items()}
    assert keys["semantic_structure"] and keys["coco_order"]  # both keep a share
    assert not keys["semantic_structure"] & keys["coco_order"]
