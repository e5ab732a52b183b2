"""The language prior's share of word-order tasks, on runs built by hand: which run is the LM (by its record, never
its name), the shares counted by hand (ties wrong), items matched by id, a missing LM run, another probe set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from snare.engine.record import ModelRecord
from snare.probes.tasks import TASKS
from snare.reports.lm_prior import WORD_ORDER_TASKS, is_language_prior
from snare.reports.report import build_report
from snare.reports.stats import cluster_bootstrap_interval, wilson_interval
from tests.reports.builders import LM_MODEL, item, partial_run, simulated_run, write_run

TASK = "semantic_structure"
# item:          0     1     2      3      4      5      6      7     8     9
MODEL_HITS = [True, True, True, True, False, False, True, False, True, True]  # 7/10
LM_HITS = [True, True, False, False, True, False, False, True, True, False]  # 5/10; wrong on 2, 3, 5, 6, 9
CLUSTERS = ["a", "a", "b", "b", "c", "c", "d", "d", "e", "e"]  # two captions per image


def _report(tmp_path: Path, *runs: Path, **kw):
    return build_report(list(runs), n_boot=200, **kw)


@pytest.fixture
def model_and_lm(tmp_path: Path) -> tuple[Path, Path]:
    model = simulated_run(tmp_path / "clip", TASK, MODEL_HITS, clusters=CLUSTERS, name="clip", weights="openai")
    lm = simulated_run(tmp_path / "lm", TASK, LM_HITS, clusters=CLUSTERS, name="lm", weights="tiny", model=LM_MODEL)
    return model, lm


def test_word_order_tasks_are_declared_once_on_the_tasks():
    assert {"semantic_structure", "coco_order", "flickr30k_order"} == WORD_ORDER_TASKS
    assert not TASKS["winoground"].word_order and not TASKS["negation_logic"].word_order


def test_the_lm_is_known_by_its_record_not_its_name():
    assert is_language_prior(ModelRecord(name="anything", **LM_MODEL))
    assert not is_language_prior(ModelRecord(name="smollm2", family="baseline", head="ngram"))  # another baseline
    assert not is_language_prior(ModelRecord(name="smollm2", head=LM_MODEL["head"]))  # not declared a baseline


def test_shares_counted_by_hand(tmp_path: Path, model_and_lm):
    report = _report(tmp_path, *model_and_lm)
    (share,) = report.prior.shares
    assert (share.task, share.run, share.lm) == (TASK, "clip/openai", "lm/tiny (baseline)")
    assert (share.n, share.unmatched, share.withheld) == (10, 0, False)
    assert (share.model.k, share.model.n) == (7, 10)
    assert (share.lm_accuracy.k, share.lm_accuracy.n) == (5, 10)
    assert (share.on_lm_wrong.k, share.on_lm_wrong.n) == (4, 5)  # right on 2, 3, 6, 9 of the LM's misses
    assert share.on_lm_wrong.estimate == pytest.approx(0.8)
    assert share.on_lm_wrong.wilson == wilson_interval(4, 5)
    wrong = [2, 3, 5, 6, 9]
    expected = cluster_bootstrap_interval(
        np.array([1.0, 1.0, 0.0, 1.0, 1.0]), [CLUSTERS[i] for i in wrong], n_boot=200, seed=0
    )
    assert share.on_lm_wrong.bootstrap == expected  # intervals resample the images of the LM's misses
    assert report.prior.lms == ["lm/tiny (baseline)"] and not report.prior.missing


def test_an_lm_that_gets_everything_right_leaves_no_items_to_explain(tmp_path: Path):
    model = simulated_run(tmp_path / "m", TASK, [True, False, True], name="m")
    lm = simulated_run(tmp_path / "lm", TASK, [True, True, True], name="lm", model=LM_MODEL)
    (share,) = _report(tmp_path, model, lm).prior.shares
    assert (share.on_lm_wrong.n, share.lm_accuracy.k) == (0, 3)
    assert share.to_json()["accuracy_where_lm_wrong"]["estimate"] is None  # 0 of 0: no number, not 0


def test_an_lm_tie_is_wrong_and_items_match_by_id(tmp_path: Path):
    items = [item(TASK, i) for i in range(4)]
    model = write_run(tmp_path / "m", items, {it.id: [1.0, 0.0, 0.0, 0.0] for it in items}, name="m")
    lm_scores = {
        items[0].id: [1.0, 0.0, 0.0, 0.0],  # right
        items[1].id: [1.0, 1.0, 0.0, 0.0],  # a tie at the top: wrong under the strict rule
        items[2].id: [0.0, 1.0, 0.0, 0.0],  # wrong
    }
    # the LM run holds three of the four items, in another order
    lm_items = [items[2], items[0], items[1]]
    lm = write_run(tmp_path / "lm", lm_items, lm_scores, name="lm", model=LM_MODEL)
    (share,) = _report(tmp_path, model, lm, compare=False).prior.shares
    assert (share.n, share.unmatched) == (3, 1)
    assert (share.lm_accuracy.k, share.on_lm_wrong.k, share.on_lm_wrong.n) == (1, 2, 2)


def test_only_word_order_tasks_and_never_the_lm_against_itself(tmp_path: Path):
    items = [item(TASK, i) for i in range(2)] + [item("negation_logic", i) for i in range(2)]
    scores = {it.id: [1.0] + [0.0] * (len(it.options) - 1) for it in items}
    model = write_run(tmp_path / "m", items, scores, name="m")
    lm = write_run(tmp_path / "lm", items, scores, name="lm", model=LM_MODEL)
    other_lm = write_run(tmp_path / "lm2", items, scores, name="lm2", model=LM_MODEL)
    report = _report(tmp_path, model, lm, other_lm)
    assert [(s.task, s.run, s.lm) for s in report.prior.shares] == [
        (TASK, "m/w0", "lm/w0 (baseline)"),
        (TASK, "m/w0", "lm2/w0 (baseline)"),
    ]


def test_without_an_lm_run_one_line_says_how_to_get_it(tmp_path: Path, model_and_lm):
    from snare.reports.render import header_lines, render

    report = _report(tmp_path, model_and_lm[0])
    assert report.prior.shares == [] and [m.tasks for m in report.prior.missing] == [(TASK,)]
    (line,) = [line for line in header_lines(report) if line.startswith("language prior:")]
    assert "snare eval --model smollm2 --probes" in line and TASK in line and "\n" not in line
    assert "Language prior on word-order tasks" not in render(report, "md")  # a line, not a table
    assert line in render(report, "md")
    assert report.to_json()["language_prior"]["missing"][0]["tasks"] == [TASK]


def test_no_hint_without_word_order_tasks(tmp_path: Path):
    run = simulated_run(tmp_path / "m", "negation_logic", [True, False], name="m")
    report = _report(tmp_path, run)
    assert report.prior.missing == [] and report.prior.shares == []


def test_an_lm_run_on_another_probe_set_is_not_used(tmp_path: Path, model_and_lm):
    model, _ = model_and_lm
    other = "sha256:" + "b" * 64
    lm = simulated_run(tmp_path / "lm_other", TASK, LM_HITS, name="lm", model=LM_MODEL, fingerprint=other)
    report = _report(tmp_path, model, lm, compare=False)
    assert report.prior.shares == [] and report.prior.lms == []
    (missing,) = report.prior.missing  # the model's set has no LM run; the LM's own set has no model
    assert missing.fingerprint == "sha256:" + "a" * 64


def test_an_lm_run_without_the_task_leaves_it_missing(tmp_path: Path, model_and_lm):
    lm = simulated_run(tmp_path / "lm_neg", "negation_logic", [True] * 10, name="lm", model=LM_MODEL)
    report = _report(tmp_path, model_and_lm[0], lm, compare=False)
    assert report.prior.shares == [] and [m.tasks for m in report.prior.missing] == [(TASK,)]


def test_an_incomplete_run_has_its_shares_withheld_and_a_partial_one_counts_what_it_scored(tmp_path: Path):
    lm = simulated_run(tmp_path / "lm", TASK, [True, False, False, True], name="lm", model=LM_MODEL)
    incomplete = partial_run(tmp_path / "inc", allow_partial=False, task=TASK, name="inc")
    partial = partial_run(tmp_path / "par", allow_partial=True, task=TASK, name="par")
    shares = _report(tmp_path, incomplete, partial, lm, compare=False).prior.shares
    hidden, counted = shares
    assert hidden.withheld and hidden.to_json()["accuracy"]["estimate"] is None
    # the partial run scored items 0-2 (right, right, wrong); the LM is wrong on 1 and 2
    assert not counted.withheld and (counted.n, counted.unmatched) == (3, 0)
    assert (counted.model.k, counted.lm_accuracy.k, counted.on_lm_wrong.k, counted.on_lm_wrong.n) == (2, 1, 1, 2)


def test_an_incomplete_lm_run_is_not_used(tmp_path: Path, model_and_lm):
    lm = partial_run(tmp_path / "lm_inc", allow_partial=False, task=TASK, name="lm", model=LM_MODEL)
    report = _report(tmp_path, model_and_lm[0], lm, compare=False)
    assert report.prior.shares == [] and [m.tasks for m in report.prior.missing] == [(TASK,)]
