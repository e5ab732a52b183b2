import json
from pathlib import Path

import pytest
from statsmodels.stats.multitest import multipletests

from snare.reports.load import ReportInputError
from snare.reports.report import build_report
from tests.reports.conftest import write_scored_run


def test_report_recomputes_and_compares(two_runs: list[Path]):
    report = build_report(two_runs, n_boot=200, min_group=5)
    assert [r.label for r in report.runs] == ["fake/seed1", "fake/seed2"]
    assert report.tasks == sorted(
        ["semantic_structure", "negation_logic", "attribute_ownership", "relationship_composition", "spatial_relations"]
    )
    results = json.loads((two_runs[0] / "results.json").read_text())
    for task, m in report.runs[0].tasks.items():
        assert (m.accuracy.k, m.n_ties, m.n) == (results["tasks"][task]["correct"], results["tasks"][task]["ties"], m.n)
    assert len(report.comparisons) == 5 and not report.notes
    skilled, noise = (r.tasks["negation_logic"] for r in report.runs)
    assert skilled.accuracy.estimate > noise.accuracy.estimate
    assert report.runs[0].tasks["relationship_composition"].groups  # synthetic items carry their relation
    chance_p = [m.p_chance for r in report.runs for m in r.tasks.values()]
    holm = [m.p_chance_holm for r in report.runs for m in r.tasks.values()]
    assert holm == pytest.approx(list(multipletests(chance_p, method="holm")[1]))
    json.dumps(report.to_json(), allow_nan=False)


def test_report_says_when_results_json_disagrees(tmp_path: Path):
    run = write_scored_run(tmp_path / "run", seed=3, skill=1.0)
    results = json.loads((run / "results.json").read_text())
    results["tasks"]["negation_logic"]["accuracy"] += 0.1
    results["tasks"]["negation_logic"]["correct"] += 4
    (run / "results.json").write_text(json.dumps(results))
    report = build_report([run], n_boot=100)
    (note,) = report.notes
    assert "negation_logic records accuracy" in note and "uses the recomputation" in note
    assert report.runs[0].tasks["negation_logic"].accuracy.k == results["tasks"]["negation_logic"]["correct"] - 4


def test_runs_on_different_probe_sets_are_refused_unless_side_by_side(tmp_path: Path, two_runs: list[Path]):
    other = write_scored_run(tmp_path / "other", seed=4, skill=1.0)
    results = json.loads((other / "results.json").read_text())
    results["probeset"]["fingerprint"] = "sha256:" + "0" * 64
    (other / "results.json").write_text(json.dumps(results))
    with pytest.raises(ReportInputError, match="different probe sets"):
        build_report([two_runs[0], other], n_boot=100)
    report = build_report([two_runs[0], other], n_boot=100, compare=False)
    assert len(report.runs) == 2 and not report.comparisons


def test_no_runs_is_a_user_error():
    with pytest.raises(ReportInputError, match="no results directories"):
        build_report([])
