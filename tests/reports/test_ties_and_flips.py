"""Strict vs split-credit accuracy, exact and near ties, coverage and protocol in every report format."""

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from snare.reports.render import render
from snare.reports.report import Report, build_report
from tests.reports.builders import HAND_EXPECTED, hand_made_run

RUN = "fake/w0"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    run = hand_made_run(tmp_path_factory.mktemp("hand") / "run", protocol={"name": "snare-paper"})
    return build_report([run], n_boot=100)


def _expected_cells(task: str) -> list[str]:
    e = HAND_EXPECTED[task]
    n = e["n"]
    cells = [task, RUN, "snare-paper", f"{n}/{n} (100.0%)", f"{e['strict']:.3f}", f"{e['split']:.3f}"]
    return [*cells, str(e["exact"]), str(e["near"]), f"{e['snare_paper']:.3f}"]


def test_the_trust_table_holds_the_hand_computed_numbers(report: Report):
    from snare.reports.ties_and_flips import trust_table

    table = trust_table(report)
    assert table.columns[2:] == [
        "protocol",
        "coverage",
        "strict",
        "split credit",
        "exact ties",
        "near ties",
        "protocol accuracy",
    ]
    assert table.rows == [_expected_cells("attribute_ownership"), _expected_cells("negation_logic")]


def test_markdown_shows_strict_split_credit_ties_coverage_and_protocol(report: Report):
    text = render(report, "md")
    for task in HAND_EXPECTED:
        assert "| " + " | ".join(_expected_cells(task)) + " |" in text
    captions = [line for line in text.splitlines() if line.startswith("*")]
    assert captions and all("Protocol: snare-paper." in line for line in captions)  # every table names it
    assert "protocol snare-paper · coverage 9/9" in text


def test_latex_shows_the_same_row(report: Report):
    text = render(report, "latex")
    row = _expected_cells("negation_logic")
    escaped = [c.replace("_", r"\_").replace("%", r"\%") for c in row]
    assert " & ".join(escaped) + r" \\" in text


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(self._cell)
            self._cell = None


def test_html_shows_the_same_rows(report: Report):
    parser = _Rows()
    parser.feed(render(report, "html"))
    for task in HAND_EXPECTED:
        assert _expected_cells(task) in parser.rows


def test_terminal_table_shows_the_same_rows(report: Report):
    text = render(report, "table")
    lines = [re.sub(r"\s{2,}", "|", line.strip()) for line in text.splitlines()]
    for task in HAND_EXPECTED:
        cells = _expected_cells(task)
        assert "|".join([cells[0], cells[1], cells[2]]) + "|" + "|".join(cells[3:]) in lines


def test_csv_carries_every_number(report: Report):
    rows = [r for r in csv.DictReader(io.StringIO(render(report, "csv"))) if r["kind"] == "accuracy"]
    for task, e in HAND_EXPECTED.items():
        (row,) = [r for r in rows if r["task"] == task]
        assert float(row["estimate"]) == pytest.approx(e["strict"])
        assert float(row["split_credit"]) == pytest.approx(e["split"])
        assert float(row["protocol_accuracy"]) == pytest.approx(e["snare_paper"])
        assert (int(row["exact_ties"]), int(row["near_ties"]), int(row["scored"]), int(row["total"])) == (
            e["exact"],
            e["near"],
            e["n"],
            e["n"],
        )
        assert (row["protocol"], row["partial"], row["headline_withheld"]) == ("snare-paper", "false", "false")


def test_json_carries_every_number(report: Report):
    data = json.loads(render(report, "json"))
    run = data["runs"][0]
    assert (run["protocol"], run["partial"], run["mark"], data["partial"]) == ("snare-paper", False, None, False)
    for task, e in HAND_EXPECTED.items():
        t = run["tasks"][task]
        assert t["headline_accuracy"] == pytest.approx(e["strict"]) == t["accuracy"]["estimate"]
        assert t["split_credit_accuracy"] == pytest.approx(e["split"])
        assert (t["exact_ties"], t["near_ties"], t["near_tie_rtol"]) == (e["exact"], e["near"], 1e-6)
        assert t["protocol_accuracy"]["accuracy"] == pytest.approx(e["snare_paper"])
        assert t["protocol_accuracy"]["protocol"] == t["protocol"] == "snare-paper"
        assert (t["coverage"]["scored"], t["coverage"]["total"], t["partial"]) == (e["n"], e["n"], False)


def test_snare_protocol_runs_have_no_protocol_accuracy_column(tmp_path: Path):
    report = build_report([hand_made_run(tmp_path / "run")], n_boot=100)
    text = render(report, "md")
    assert "protocol accuracy" not in text and "| negation_logic | fake/w0 | snare | 4/4 (100.0%) |" in text
    assert json.loads(render(report, "json"))["runs"][0]["tasks"]["negation_logic"]["protocol_accuracy"] is None
