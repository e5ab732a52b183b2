"""Rendering: one self-contained HTML page, every submission-derived string escaped, Markdown escaped too."""

from __future__ import annotations

import base64
import copy
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from snare.leaderboard.build import collect
from snare.leaderboard.probesets import ProbeSetResolver
from snare.leaderboard.render import board_data, md_escape, render_html, render_markdown
from snare.leaderboard.submit import write_submission

EVIL = '<script>alert("pwned")</script><img src=x onerror=alert(1)>|[x](javascript:alert(1))'


@pytest.fixture(scope="module")
def data(good_submission: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    subs = tmp_path_factory.mktemp("render") / "submissions"
    write_submission(good_submission, subs / "a.json")
    return board_data(collect(subs, ProbeSetResolver(), n_boot=20))


def _evil(data: dict) -> dict:
    """Board data as if validation had let markup through: the renderers must still escape it."""
    bad = copy.deepcopy(data)
    entry = bad["tables"][0]["entries"][0]
    entry["label"] = EVIL
    entry["model"].update(weights=EVIL, license=EVIL, revision=EVIL, url='https://e.org/"><script>x()</script>')
    bad["tables"][0]["probeset"] = EVIL
    return bad


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_html_escapes_every_submission_string(data: dict):
    page = render_html(_evil(data))
    parser = _Tags()
    parser.feed(page)
    assert [t for t, _ in parser.tags].count("script") == 1  # only the page's own sorting script
    assert not [t for t, _ in parser.tags if t == "img"]
    assert not any(k.startswith("on") for _, attrs in parser.tags for k in attrs)
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in page
    links = [attrs["href"] for tag, attrs in parser.tags if tag == "a"]
    assert links == ['https://e.org/"><script>x()</script>']  # kept inside the attribute, never markup


def test_html_is_self_contained_and_its_script_is_pinned_by_csp(data: dict):
    page = render_html(data)
    assert not re.search(r"<(script|link|img|iframe)[^>]*\b(src|href)=", page)
    assert "@import" not in page and "@font-face" not in page and "url(" not in page
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in page


def test_markdown_escapes_every_submission_string(data: dict):
    from markdown_it import MarkdownIt  # rich's Markdown parser; raw HTML is on, as on most Markdown hosts

    text = render_markdown(_evil(data))
    parser = _Tags()
    parser.feed(MarkdownIt("commonmark").enable("table").render(text))
    tags = [t for t, _ in parser.tags]
    assert "script" not in tags and "img" not in tags
    assert [attrs["href"] for t, attrs in parser.tags if t == "a"] == [
        "https://e.org/%22%3E%3Cscript%3Ex()%3C/script%3E"
    ]
    rows = [line for line in text.splitlines() if line.startswith("| 1 |")]
    assert rows and all(line.count(" | ") == 10 for line in rows)  # no cell split by an injected |
    assert tags.count("td") == 11


def test_md_escape():
    assert md_escape("a|b*c_[d](e)<f>&-") == r"a\|b\*c\_\[d\](e)\<f\>&amp;-"


def test_markdown_and_json_agree(data: dict, tmp_path: Path):
    entry = data["tables"][0]["entries"][0]
    text = render_markdown(data)
    assert f"**{entry['mean_accuracy']:.3f}**" in text
    assert data["tables"][0]["fingerprint"] in text


def test_baselines_are_marked_listed_apart_and_never_ranked(good_submission: dict, tmp_path: Path):
    subs = tmp_path / "submissions"
    write_submission(good_submission, subs / "model.json")
    blind = copy.deepcopy(good_submission)
    blind["model"].update(name="blind-ngram", family="baseline", display_name="A blind baseline")
    write_submission(blind, subs / "blind.json")  # the same scores: the tie of means goes to the model
    table = board_data(collect(subs, ProbeSetResolver(), n_boot=20))["tables"][0]
    ranked = [e for e in table["entries"] if e["rank"] is not None]
    baselines = [e for e in table["entries"] if e["baseline"]]
    assert [e["model"]["family"] for e in ranked] != ["baseline"] and len(ranked) == 1
    assert len(baselines) == 1 and baselines[0]["rank"] is None and baselines[0]["mark"] == "BASELINE"
    assert table["entries"].index(baselines[0]) > table["entries"].index(ranked[0])
    data = board_data(collect(subs, ProbeSetResolver(), n_boot=20))
    markdown = render_markdown(data)
    ranked_part, baseline_part = markdown.split("### Baselines (not ranked): 1")
    assert "**BASELINE**" in baseline_part and "**BASELINE**" not in ranked_part
    page = render_html(data)
    assert "Baselines (not ranked): 1" in page and 'id="baselines-1"' in page


def test_the_mean_has_a_cluster_bootstrap_interval_in_every_format(data: dict):
    (entry,) = data["tables"][0]["entries"]
    low, high = entry["mean_ci"]
    assert low <= entry["mean_accuracy"] <= high
    assert high > low, "the fixture's scores vary, so the interval has width"
    assert f"**{entry['mean_accuracy']:.3f}** [{low:.2f}, {high:.2f}]" in render_markdown(data)
    assert f'<span class="ci">[{low:.2f}, {high:.2f}]</span>' in render_html(data)


def test_a_contrast_table_shows_pair_accuracy_and_other_tables_do_not(data: dict, tmp_path: Path):
    from snare.leaderboard.submit import submission_from_run
    from snare.probes.contrast import contrast_synthetic
    from tests.leaderboard.conftest import make_run

    assert all("pair_accuracy" not in m for t in data["tables"] for e in t["entries"] for m in e["tasks"].values())
    probes = contrast_synthetic(seed=0).subset(limit=4)
    run = make_run(tmp_path / "run", probes=probes, protocol="snare-contrast")
    subs = tmp_path / "submissions"
    write_submission(submission_from_run(run), subs / "contrast.json")
    contrast = board_data(collect(subs, ProbeSetResolver(), n_boot=20))
    cells = dict(contrast["tables"][0]["entries"][0]["tasks"])
    assert "pair_accuracy" not in cells.pop("semantic_structure")  # a word-order task: no twins
    assert set(cells) == {"attribute_ownership", "negation_logic", "relationship_composition", "spatial_relations"}
    assert all(m["pair_accuracy"] == 0.0 and len(m["pair_ci"]) == 2 for m in cells.values())  # a text-hash scorer
    assert render_markdown(contrast).count("· pairs 0.000") == 4
    assert render_html(contrast).count(">pairs 0.000 [") == 4


def test_a_protocol_accuracy_is_shown_only_where_it_differs_from_strict():
    from snare.leaderboard.render import own_accuracy_differs

    same = {"accuracy": 0.7271, "protocol_accuracy": 0.7274}  # snare-balanced scores strictly: the same number
    assert not own_accuracy_differs(same, "snare-balanced")
    assert own_accuracy_differs({"accuracy": 0.0, "protocol_accuracy": 1.0}, "snare-paper")
    assert not own_accuracy_differs({"accuracy": 0.0, "protocol_accuracy": 1.0}, "snare")
    assert own_accuracy_differs({"accuracy": 0.5, "protocol_accuracy": None}, "aro-paper")  # shown as "–"


def test_the_repository_board_does_not_repeat_strict_in_balanced_cells():
    from tests.helpers import REPO

    md = (REPO / "reports" / "leaderboard.md").read_text(encoding="utf-8")
    html = (REPO / "reports" / "leaderboard.html").read_text(encoding="utf-8")
    assert "· snare-balanced 0." not in md and "snare-balanced 0." not in html
