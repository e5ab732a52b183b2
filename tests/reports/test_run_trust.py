"""Coverage, the headline rule and the protocol of each run, as the report reads them from a results directory."""

import csv
import io
import json
from pathlib import Path

import pytest

from snare.engine.record import RunRecord
from snare.reports.layout import report_tables
from snare.reports.load import ReportInputError, load_run
from snare.reports.render import render
from snare.reports.report import build_report
from snare.reports.run_trust import protocol_name, run_trust
from tests.reports.builders import hand_made_run, partial_run


def test_a_partial_run_without_allow_partial_shows_no_accuracy_anywhere(tmp_path: Path):
    report = build_report([partial_run(tmp_path / "run", allow_partial=False)], n_boot=100)
    (run,) = report.runs
    assert run.label == "fake/w0 [INCOMPLETE]" and run.trust.withheld("negation_logic")
    assert str(run.trust.coverage["negation_logic"].describe()) == "3/4 (75.0%)"
    assert any("accuracies are withheld" in note and "--allow-partial" in note for note in report.notes)
    # the scored items hold 2 of 3 right (0.667): that number must not appear as an accuracy in any format
    for fmt in ("md", "latex", "html", "table"):
        text = render(report, fmt).replace("\\%", "%")  # LaTeX escapes the percent sign
        assert "INCOMPLETE" in text and "withheld" in text and "3/4 (75.0%)" in text, fmt
        assert "0.667" not in text, fmt
    data = json.loads(render(report, "json"))
    task = data["runs"][0]["tasks"]["negation_logic"]
    assert task["headline_accuracy"] is None and task["accuracy"]["estimate"] is None
    assert task["split_credit_accuracy"] is None and task["headline_withheld"] is True
    assert (task["coverage"]["scored"], task["coverage"]["total"], task["partial"]) == (3, 4, True)
    assert task["coverage"]["failed"] == [{"id": "negation_logic/0003", "reason": "image missing: img3.png"}]
    assert data["runs"][0]["mark"] == "INCOMPLETE" and data["partial"] is True
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert rows and all(r["headline_withheld"] == "true" and r["partial"] == "true" for r in rows)
    accuracy = next(r for r in rows if r["kind"] == "accuracy")
    assert accuracy["estimate"] == accuracy["split_credit"] == "" and (accuracy["scored"], accuracy["total"]) == (
        "3",
        "4",
    )


def test_a_partial_run_with_allow_partial_is_shown_and_marked_partial_everywhere(tmp_path: Path):
    report = build_report([partial_run(tmp_path / "run", allow_partial=True)], n_boot=100)
    (run,) = report.runs
    assert run.label == "fake/w0 [PARTIAL]" and not run.trust.withheld("negation_logic")
    for fmt in ("md", "latex", "html", "table"):
        text = render(report, fmt).replace("\\%", "%")
        assert "SNARE report — PARTIAL: fake/w0 [PARTIAL]" in text, fmt
        assert "0.667" in text and "3/4 (75.0%)" in text, fmt
    assert "withheld" not in {cell for table in report_tables(report) for row in table.rows for cell in row}
    data = json.loads(render(report, "json"))
    task = data["runs"][0]["tasks"]["negation_logic"]
    assert task["headline_accuracy"] == pytest.approx(2 / 3) and task["partial"] is True
    assert (data["runs"][0]["mark"], data["runs"][0]["allow_partial"], data["partial"]) == ("PARTIAL", True, True)
    accuracy = next(r for r in csv.DictReader(io.StringIO(render(report, "csv"))) if r["kind"] == "accuracy")
    assert float(accuracy["estimate"]) == pytest.approx(2 / 3)
    assert (accuracy["partial"], accuracy["headline_withheld"], accuracy["scored"]) == ("true", "false", "3")


def test_a_complete_run_is_not_marked(tmp_path: Path):
    report = build_report([hand_made_run(tmp_path / "run")], n_boot=100)
    assert report.runs[0].trust.mark is None and report.runs[0].label == "fake/w0"
    text = render(report, "md")
    assert text.startswith("# SNARE report\n") and "PARTIAL" not in text and "INCOMPLETE" not in text


def test_the_recorded_protocol_is_recomputed_from_the_scores(tmp_path: Path):
    run = load_run(partial_run(tmp_path / "run", allow_partial=True, protocol="snare-paper"))
    trust = run_trust(run)
    # scored items: [1, 0], [1, 0], [0, 1]; no ties, so snare-paper agrees with strict
    assert trust.protocol == "snare-paper" and trust.protocol_scores["negation_logic"].accuracy == pytest.approx(2 / 3)
    assert protocol_name(RunRecord()) == "snare" and protocol_name(RunRecord(protocol="aro-paper")) == "aro-paper"


def test_results_json_that_disagrees_on_split_credit_or_protocol_accuracy_gets_a_note(tmp_path: Path):
    folder = partial_run(tmp_path / "run", allow_partial=True, protocol="snare-paper")
    results = json.loads((folder / "results.json").read_text())
    results["tasks"]["negation_logic"]["split_credit_accuracy"] = 0.9
    results["tasks"]["negation_logic"]["protocol_accuracy"]["accuracy"] = 0.1
    (folder / "results.json").write_text(json.dumps(results))
    notes = build_report([folder], n_boot=100).notes
    assert any("records split credit 0.9000 but the per-item scores give 0.6667" in n for n in notes)
    assert any("records snare-paper accuracy 0.1000 but the per-item scores give 0.6667" in n for n in notes)


def test_an_unknown_protocol_or_impossible_coverage_is_one_line(tmp_path: Path):
    folder = hand_made_run(tmp_path / "run", protocol={"name": "snare-papr"})
    with pytest.raises(ReportInputError, match=r"results.json: unknown --protocol 'snare-papr'.*snare-paper"):
        build_report([folder])
    folder = partial_run(tmp_path / "partial", allow_partial=True)
    results = json.loads((folder / "results.json").read_text())
    results["coverage"]["negation_logic"]["total"] = 2
    (folder / "results.json").write_text(json.dumps(results))
    with pytest.raises(ReportInputError, match="coverage of negation_logic says 2 items in all but 3 were scored"):
        build_report([folder])


def test_comparisons_with_a_withheld_run_show_no_accuracies(tmp_path: Path):
    runs = [partial_run(tmp_path / name, allow_partial=False) for name in ("a", "b")]
    report = build_report(runs, n_boot=100)
    (comparison,) = json.loads(render(report, "json"))["comparisons"]
    assert comparison["accuracy_a"] is None and comparison["difference"] is None and comparison["headline_withheld"]
    assert "0.667" not in render(report, "md")
    rows = [r for r in csv.DictReader(io.StringIO(render(report, "csv"))) if r["kind"] == "comparison"]
    assert [(r["estimate"], r["p_value"], r["headline_withheld"]) for r in rows] == [("", "", "true")]
