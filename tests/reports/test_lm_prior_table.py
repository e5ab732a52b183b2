"""The language-prior table: the LM's own row, then each run's shares; the same numbers in JSON and CSV as in the
table; 80 columns piped; a withheld run's shares withheld everywhere."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from snare.reports.lm_prior_table import CSV_KINDS, prior_table
from snare.reports.render import render, render_text
from snare.reports.report import Report, build_report
from snare.reports.run_trust import WITHHELD_CELL
from snare.reports.tables import fmt_interval, fmt_share
from tests.reports.builders import LM_MODEL, simulated_run
from tests.reports.test_lm_prior import CLUSTERS, LM_HITS, MODEL_HITS, TASK


@pytest.fixture
def report(tmp_path: Path) -> Report:
    model = simulated_run(tmp_path / "clip", TASK, MODEL_HITS, clusters=CLUSTERS, name="clip", weights="openai")
    lm = simulated_run(tmp_path / "lm", TASK, LM_HITS, clusters=CLUSTERS, name="lm", weights="tiny", model=LM_MODEL)
    return build_report([model, lm], n_boot=200)


def _cell(share: dict) -> list[str]:
    low, high = share["ci_bootstrap"]
    return [fmt_share(share["estimate"]), f"[{fmt_share(low)}, {fmt_share(high)}]"]


def test_the_lm_row_then_each_run_with_its_shares(report: Report):
    table = prior_table(report)
    assert table is not None and table.columns[:4] == ["task", "run", "n", "acc."]
    lm_row, model_row = table.rows
    lm = report.runs[1].tasks[TASK].accuracy
    assert lm_row == [TASK, "lm/tiny (baseline)", "10", "0.500", fmt_interval(lm.bootstrap), "–", "–", "5", "–", "–"]
    assert model_row[:3] == [TASK, "clip/openai", "10"]
    assert [model_row[3], model_row[5], model_row[7], model_row[8]] == ["0.700", "0.500", "5", "0.800"]


def test_json_and_csv_carry_the_numbers_of_the_table(report: Report):
    table = prior_table(report)
    assert table is not None
    model_row = table.rows[1]
    (share,) = json.loads(render(report, "json"))["language_prior"]["shares"]
    from_json = [*_cell(share["accuracy"]), *_cell(share["lm_accuracy"]), str(share["lm_wrong"])]
    assert model_row[3:] == [*from_json, *_cell(share["accuracy_where_lm_wrong"])]
    records = {
        r["kind"]: r for r in csv.DictReader(io.StringIO(render(report, "csv"))) if r["kind"] in CSV_KINDS.values()
    }
    cells = []
    for kind in CSV_KINDS.values():
        r = records[kind]
        assert (r["run"], r["run_b"], r["task"]) == ("clip/openai", "lm/tiny (baseline)", TASK)
        cells += [
            fmt_share(float(r["estimate"])),
            f"[{fmt_share(float(r['ci_low']))}, {fmt_share(float(r['ci_high']))}]",
        ]
    assert cells == [*model_row[3:7], *model_row[8:10]]
    assert records["lm_prior_where_lm_wrong"]["n"] == model_row[7] == "5"
    assert float(records["lm_prior_where_lm_wrong"]["wilson_low"]) == share["accuracy_where_lm_wrong"]["ci_wilson"][0]


def test_markdown_and_html_show_the_table(report: Report):
    assert "## Language prior on word-order tasks" in render(report, "md")
    assert "<h2>Language prior on word-order tasks</h2>" in render(report, "html")


@pytest.mark.parametrize("width", [80, 120])
def test_the_table_reads_at_80_columns(report: Report, width: int):
    text = render_text(report, width=width)
    body = text[text.index("Language prior on word-order tasks") :].split("Strict vs split credit", 1)[0]
    assert all(len(line) <= width for line in body.splitlines())
    assert "0.800" in body and "…" not in body


def test_a_withheld_run_shows_no_share(report: Report):
    share = report.prior.shares[0]
    hidden = type(share)(**{**share.__dict__, "withheld": True})
    report.prior.shares[0] = hidden
    table = prior_table(report)
    assert table is not None and table.rows[1][3] == WITHHELD_CELL and "0.800" not in table.rows[1]
    assert hidden.to_json()["accuracy_where_lm_wrong"]["estimate"] is None
    records = [r for r in csv.DictReader(io.StringIO(render(report, "csv"))) if r["kind"] in CSV_KINDS.values()]
    assert all(r["estimate"] == "" and r["headline_withheld"] == "true" for r in records)
