import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest

from snare.reports.render import latex_escape, render
from snare.reports.report import Report, build_report


@pytest.fixture(scope="module")
def report(two_runs: list[Path]) -> Report:
    return build_report(two_runs, n_boot=200, min_group=5)


def test_json_loads_and_carries_every_number(report: Report):
    data = json.loads(render(report, "json"))
    assert data["format"] == "snare-report/1" and data["settings"]["n_boot"] == 200
    task = data["runs"][0]["tasks"]["negation_logic"]
    assert {"estimate", "k", "n", "ci_bootstrap", "ci_wilson"} <= set(task["accuracy"])
    assert {"ties", "chance", "p_chance", "p_chance_holm", "option_wins", "groups"} <= set(task)
    comparison = data["comparisons"][0]
    assert {"difference", "ci_difference", "p_value", "p_holm", "mcnemar"} <= set(comparison)


def test_csv_has_a_header_row_and_every_estimate(report: Report):
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert rows and {"kind", "run", "task", "estimate", "ci_low", "ci_high", "p_value", "p_holm"} <= set(rows[0])
    kinds = {r["kind"] for r in rows}
    assert kinds == {"accuracy", "top2", "option_win", "group", "comparison"}
    accuracy = [r for r in rows if r["kind"] == "accuracy" and r["task"] == "negation_logic"]
    assert len(accuracy) == 2 and all(
        float(r["ci_low"]) <= float(r["estimate"]) <= float(r["ci_high"]) for r in accuracy
    )
    m = report.runs[0].tasks["negation_logic"]
    assert float(accuracy[0]["p_holm"]) == pytest.approx(m.p_chance_holm)
    assert int(accuracy[0]["ties"]) == m.n_ties


def test_latex_is_a_booktabs_table_with_a_caption_naming_the_tests(report: Report):
    text = render(report, "latex")
    for rule in (r"\toprule", r"\midrule", r"\bottomrule", r"\begin{tabular}", r"\caption{"):
        assert rule in text
    assert "binomial test" in text and "McNemar" in text and "Holm" in text and "cluster bootstrap" in text
    assert "negation\\_logic" in text
    body = [re.sub(r"\\label\{[^}]*\}", "", line) for line in text.splitlines() if not line.startswith("%")]
    assert not [line for line in body if re.search(r"(?<!\\)[_%#]", line)]  # every special character escaped
    assert text.count(r"\begin{table}") == text.count(r"\end{table}")


def test_latex_escape():
    assert latex_escape("a_b & 50% #1 {x}") == r"a\_b \& 50\% \#1 \{x\}"


class _Checker(HTMLParser):
    VOID: ClassVar[set[str]] = {"meta", "br", "hr", "img", "link", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tables = 0

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)
        self.tables += tag == "table"

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, tag


def test_html_is_well_formed(report: Report):
    checker = _Checker()
    checker.feed(render(report, "html"))
    assert checker.stack == [] and checker.tables >= 5


def test_markdown_tables_are_github_tables(report: Report):
    text = render(report, "md")
    assert "| task | run | n | accuracy |" in text and "| :--- | :--- | ---: | ---: |" in text
    table_lines = [line for line in text.splitlines() if line.startswith("|")]
    assert table_lines and all(line.endswith("|") for line in table_lines)
    assert "## Paired comparisons" in text and "McNemar" in text


def test_terminal_text_lists_every_task(report: Report):
    text = render(report, "table")
    for task in report.tasks:
        assert task in text


def _numbers(report: Report) -> set[str]:
    from snare.reports.layout import report_tables

    return {c for t in report_tables(report) for row in t.rows for c in row if re.fullmatch(r"[\d.\[\], <*+−-]+", c)}


@pytest.mark.parametrize("width", [60, 80, 120])
def test_terminal_text_never_cuts_a_number_and_fits_the_width(report: Report, width: int):
    from snare.reports.render import render_text

    text = render_text(report, width=width)
    body = text.split("\nnote: ", 1)[0]  # the header lines and notes wrap as prose; the tables follow the header
    body = body[body.index("Strict accuracy per task") :]
    table_lines = body.splitlines()
    assert all(len(line) <= width for line in table_lines), max(map(len, table_lines))
    assert "…" not in "\n".join(table_lines), "no cell is cut with an ellipsis"
    flat = " ".join(text.split())
    missing = [n for n in _numbers(report) if " ".join(n.split()) not in flat]
    assert not missing, missing[:5]


def test_wide_layout_leads_with_models_by_tasks_and_long_keeps_the_detailed_form(report: Report):
    md = render(report, "md")
    grid = md.split("## Strict accuracy, models x tasks", 1)[1].split("\n## ", 1)[0]
    header = next(line for line in grid.splitlines() if line.startswith("| model"))
    assert header.count("(n=") == len(report.tasks)
    rows = [line for line in grid.splitlines() if line.startswith("| fake/")]
    assert [r.split(" | ")[0] for r in rows] == [f"| {run.label}" for run in report.runs]
    m = report.runs[0].tasks[report.tasks[0]]
    assert f"{m.accuracy.estimate:.3f} [{m.accuracy.bootstrap.low:.3f}, {m.accuracy.bootstrap.high:.3f}]" in rows[0]
    assert "models x tasks" not in render(report, "md", layout="long")
    assert "| task | run | n | accuracy |" in md  # the detailed table follows
    latex = render(report, "latex")
    assert r"{\scriptsize [" in latex and latex.index("tab:snare-grid") < latex.index("tab:snare-accuracy")


def _limited_run(folder: Path, limit: int) -> Path:
    """A run of the two-run fixture's model on the first ``limit`` items of each task (``snare eval --limit``)."""
    import numpy as np

    from snare.engine.record import RunRecord
    from snare.engine.results import RunResult
    from snare.probes.synthetic import synthetic_probeset

    probes = synthetic_probeset(seed=0, n_scenes=40).subset(limit=limit)
    rng = np.random.default_rng(3)
    scores = {it.id: rng.normal(size=len(it.options)) for it in probes}
    info = {"name": probes.name, "fingerprint": probes.fingerprint, "n_items": len(probes)}
    record = RunRecord.model_validate({"model": {"name": "small", "weights": "seed3"}, "probeset": info, "seed": 3})
    return RunResult.from_scores(probes.items, scores, record).write(folder)


def test_every_run_is_labelled_with_its_own_item_count(two_runs: list[Path], tmp_path: Path):
    from snare.reports.plot import tick_labels

    report = build_report([two_runs[0], _limited_run(tmp_path / "small", 4)], n_boot=100, compare=False)
    big = report.runs[0].tasks["negation_logic"].n
    assert big > 4
    md = render(report, "md")
    grid = md.split("## Strict accuracy, models x tasks", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in grid.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert f"(n={big})" in rows[0] and "(n=4)" in rows[1] and f"n={big}" not in rows[1]
    latex = render(report, "latex")
    assert r"{\scriptsize [" in latex and "(n=4)}" in latex
    assert "n=4" in render(report, "html")
    assert f"\n(n={big}/4)" in tick_labels(report)[0]


def test_html_leads_with_the_models_by_tasks_grid(report: Report):
    page = render(report, "html")
    assert page.index("Strict accuracy, models x tasks") < page.index("Strict accuracy per task")
    assert "models x tasks" not in render(report, "html", layout="long")


def test_significance_marks_agree_with_the_printed_p(report: Report):
    from snare.reports.stats import format_p, significance_marker

    assert (format_p(0.0498), significance_marker(0.0498)) == ("0.050", "")
    assert (format_p(0.0494), significance_marker(0.0494)) == ("0.049", "*")
    assert (format_p(0.00951), significance_marker(0.00951)) == ("0.010", "*")
    assert (format_p(0.0009), significance_marker(0.0009)) == ("<0.001", "***")
    for line in render(report, "md").splitlines():  # every starred cell sits beside a printed p below 0.05
        cells = [c.strip() for c in line.split("|")]
        if line.startswith("| ") and any(c.endswith("*") for c in cells) and "p (Holm)" not in line:
            holm = cells[-2]
            assert holm.startswith(("<", "&lt;")) or float(holm) < 0.05, line


def test_latex_grid_gets_short_labels_with_a_legend_when_wide(report: Report):
    from snare.reports.render import short_labels

    assert short_labels(["relationship_composition", "negation_logic", "negative_lists"]) == {
        "relationship_composition": "RC",
        "negation_logic": "NL",
        "negative_lists": "NeLi",
    }
    latex = render(report, "latex")
    grid = latex.split(r"\label{tab:snare-grid}", 1)[1].split(r"\end{table}", 1)[0]
    caption = latex.split(r"\label{tab:snare-grid}", 1)[0].rsplit(r"\caption{", 1)[1]
    assert "Columns: " in caption and "RC: relationship\\_composition" in caption.replace("\n", " ")
    assert "model & AO (n=" in grid  # attribute_ownership, with its item count
    assert latex.count(r"\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{\begin{tabular}") == (
        latex.count(r"\begin{tabular}")
    )


def test_latex_compiles_without_overfull_boxes(report: Report, tmp_path: Path):
    import shutil
    import subprocess

    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed (apt-get install texlive-latex-base texlive-latex-recommended)")
    body = render(report, "latex")
    document = "\n".join(
        [
            r"\documentclass{article}",
            r"\usepackage[T1]{fontenc}",
            r"\usepackage{booktabs,graphicx}",
            r"\begin{document}",
            body,
            r"\end{document}",
        ]
    )
    (tmp_path / "report.tex").write_text(document, encoding="utf-8")
    proc = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "report.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = (tmp_path / "report.log").read_text(errors="replace")
    if "booktabs.sty' not found" in log:
        pytest.skip("booktabs is not installed (apt-get install texlive-latex-recommended)")
    assert proc.returncode == 0, log[-3000:]
    assert "Overfull \\hbox" not in log, [line for line in log.splitlines() if "Overfull" in line]
