"""The rendered leaderboard.html in real headless Chromium: one row per model, and header clicks sort."""

from __future__ import annotations

from pathlib import Path

import pytest

from snare.leaderboard.build import collect, write_board
from snare.leaderboard.probesets import ProbeSetResolver
from snare.leaderboard.submit import submission_from_run, write_submission
from tests.leaderboard.cdp import Browser, find_chromium
from tests.leaderboard.conftest import make_run

pytestmark = pytest.mark.browser

WEIGHTS = ("salt0", "salt1", "salt2", "salt3")


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    for w in WEIGHTS:
        write_submission(submission_from_run(make_run(root / "runs" / w, weights=w)), root / "subs" / f"{w}.json")
    write_board(collect(root / "subs", ProbeSetResolver(), n_boot=50), root / "board")
    return root / "board" / "leaderboard.html"


@pytest.fixture(scope="module")
def browser():
    executable = find_chromium()
    if executable is None:
        pytest.skip("headless Chromium not found: install Debian's 'chromium' (.ci/run does) or set SNARE_CHROMIUM")
    with Browser(executable) as b:
        yield b


def _column(browser: Browser, col: int, attr: str = "data-value") -> list[str]:
    return browser.evaluate(
        f"Array.from(document.querySelectorAll('#board-1 tbody tr')).map(r => r.cells[{col}].getAttribute('{attr}'))"
    )


def _click_header(browser: Browser, text: str) -> int:
    """Click the header cell whose text starts with ``text``, like a user; return its column index."""
    found = browser.evaluate(
        "(() => { const ths = Array.from(document.querySelectorAll('#board-1 thead th'));"
        f" const i = ths.findIndex(th => th.textContent.trim().startsWith({text!r}));"
        " const r = ths[i].getBoundingClientRect();"
        " return {i: i, x: r.left + r.width / 2, y: r.top + r.height / 2}; })()"
    )
    browser.click(found["x"], found["y"])
    return found["i"]


def test_the_board_renders_one_row_per_model_and_sorts_on_click(browser: Browser, board: Path):
    browser.open(board.as_uri())
    labels = _column(browser, 1)
    assert sorted(labels) == sorted(f"texthash ({w})" for w in WEIGHTS)
    means = [float(v) for v in _column(browser, 3)]
    assert means == sorted(means, reverse=True)  # ranked by mean accuracy as rendered

    col = _click_header(browser, "Negation logic")
    values = [float(v) for v in _column(browser, col)]
    assert values == sorted(values, reverse=True)
    header = f"document.querySelectorAll('#board-1 thead th')[{col}].getAttribute('aria-sort')"
    assert browser.evaluate(header) == "descending"

    _click_header(browser, "Negation logic")
    values = [float(v) for v in _column(browser, col)]
    assert values == sorted(values) and browser.evaluate(header) == "ascending"

    _click_header(browser, "model")
    names = _column(browser, 1)
    assert names == sorted(names, key=str.lower)
    assert len(_column(browser, 1)) == len(WEIGHTS)  # sorting moves rows, never drops or copies them


def test_header_titles_and_sort_arrows_stay_on_one_line(browser: Browser, board: Path):
    browser.open(board.as_uri())
    for width in (1400, 900):  # a laptop and a narrow window: the table scrolls sideways instead
        browser.page("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=False)
        # a title and its ::after arrow on one line: the span is less than two font sizes tall
        lines = browser.evaluate(
            "Array.from(document.querySelectorAll('#board-1 thead th .title')).map(t => [t.textContent,"
            " t.getBoundingClientRect().height / parseFloat(getComputedStyle(t).fontSize)])"
        )
        assert lines and all(ratio < 2 for _, ratio in lines), (width, lines)
        arrow = browser.evaluate(
            "getComputedStyle(document.querySelector('#board-1 thead th .title'), '::after').content"
        )
        assert "\u00a0" in arrow, "the arrow is joined to the title by a no-break space"
