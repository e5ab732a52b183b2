"""snare report on hostile names: escapes never reach the terminal, no text becomes live LaTeX, Markdown, HTML or
a spreadsheet formula."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tests.hostile.conftest import snare

EVAL = ("eval", "--model", "constant", "--limit", "2", "-q", "--no-cache")
HOSTILE = (
    "x\x1b[2J\x1b]0;pwned\x07\u202eevil\n\\immediate\\write18{touch /tmp/pwned}\n\\input{/etc/passwd}"
    " <img src=x onerror=alert(1)> [click](javascript:alert(1)) [d]: javascript:alert(2)"
)
LABEL = '=HYPERLINK("http://evil")\x1b[31m\u202e<script>alert(3)</script>'


@pytest.fixture
def hostile_run(tmp_path):
    run = tmp_path / "run"
    assert snare(*EVAL, "--output", str(run)).returncode == 0
    results = json.loads((run / "results.json").read_text())
    results["probeset"]["name"] = HOSTILE
    (run / "results.json").write_text(json.dumps(results))
    return run


def _report(run, *args):
    proc = snare("report", str(run), "--name", f"run={LABEL}", "--n-boot", "100", *args)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_the_terminal_report_shows_escapes_instead_of_running_them(hostile_run):
    proc = _report(hostile_run)
    for stream in (proc.stdout, proc.stderr):
        assert "\x1b" not in stream and "\x07" not in stream and "\u202e" not in stream
    assert "\\x1b" in proc.stdout


def test_no_name_starts_a_live_latex_line(hostile_run, tmp_path):
    out = tmp_path / "r.tex"
    _report(hostile_run, "--out", str(out))
    text = out.read_text()
    assert "\x1b" not in text and "\u202e" not in text
    for line in text.splitlines():  # every line is a comment, blank, or snare's own table markup
        assert not re.match(r"\s*\\(immediate|input|write18)", line), line
    head = text.split(r"\begin{table}", 1)[0]
    assert all(line.startswith("% ") or not line for line in head.splitlines())


def test_markdown_carries_no_raw_html_and_no_link(hostile_run, tmp_path):
    out = tmp_path / "r.md"
    _report(hostile_run, "--out", str(out))
    text = out.read_text()
    assert "<img" not in text and "<script" not in text and "\x1b" not in text
    assert not re.search(r"(?<!\\)\]\s*[(:]\s*javascript:", text)  # "\](" is an escaped, literal bracket
    assert "&lt;img src=x onerror=alert(1)&gt;" in text  # shown as text, not dropped


def test_csv_cells_never_start_a_formula(hostile_run, tmp_path):
    out = tmp_path / "r.csv"
    _report(hostile_run, "--out", str(out))
    cells = [cell for row in csv.reader(io.StringIO(out.read_text())) for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]
    assert not [c for c in cells if c.startswith("-") and not re.fullmatch(r"-[0-9.e+-]+", c)]
    assert any(c.startswith("'=HYPERLINK") for c in cells)


def test_html_has_no_bidi_override_and_no_live_markup(hostile_run, tmp_path):
    out = tmp_path / "r.html"
    _report(hostile_run, "--out", str(out))
    text = out.read_text()
    assert "\u202e" not in text and "<script" not in text and "<img" not in text


def test_the_written_line_shows_escapes_in_the_out_path(hostile_run, tmp_path):
    out = tmp_path / "r\x1b[31m.md"
    proc = _report(hostile_run, "--out", str(out))
    assert out.is_file()
    assert "\x1b" not in proc.stderr and "r\\x1b[31m.md" in proc.stderr


def test_a_task_name_that_is_not_an_identifier_is_one_line(hostile_run):
    from tests.hostile.conftest import fails_cleanly

    results = json.loads((hostile_run / "results.json").read_text())
    task = next(iter(results["tasks"]))
    bad = "neg\x1b[2J\u202e"
    results["tasks"][bad] = results["tasks"].pop(task)
    (hostile_run / "results.json").write_text(json.dumps(results))
    (hostile_run / "predictions" / f"{task}.jsonl").rename(hostile_run / "predictions" / f"{bad}.jsonl")
    proc = snare("report", str(hostile_run), "--n-boot", "100")
    fails_cleanly(proc, "is not a task identifier")
    assert "\x1b" not in proc.stderr
