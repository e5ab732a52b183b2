import io
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from snare.errors import SnareError
from snare.reports.plot import bars, check_plot_path, plot_bytes
from snare.reports.report import build_report
from tests.reports.builders import partial_run


def test_png_is_a_valid_image_and_svg_parses(two_runs: list[Path]):
    report = build_report(two_runs, n_boot=100)
    png = plot_bytes(report, "png")
    with Image.open(io.BytesIO(png)) as image:
        image.verify()
        assert image.format == "PNG" and image.size[0] > 600
    root = ET.fromstring(plot_bytes(report, "svg"))
    assert root.tag.endswith("svg")


def test_plot_path_must_be_png_or_svg():
    check_plot_path("a.PNG")
    with pytest.raises(SnareError, match=r"\.png or \.svg"):
        check_plot_path("a.pdf")


@pytest.mark.parametrize("allow_partial", [False, True])
def test_a_withheld_accuracy_gets_no_bar(tmp_path: Path, allow_partial: bool):
    report = build_report([partial_run(tmp_path / "run", allow_partial=allow_partial)], n_boot=100)
    acc, _, _ = bars(report.runs[0], report.tasks)
    assert np.isnan(acc[0]) if not allow_partial else acc[0] == pytest.approx(2 / 3)
    ET.fromstring(plot_bytes(report, "svg"))


def test_plot_has_headroom_above_one_item_counts_and_run_labels_as_text(two_runs: list[Path]):
    import matplotlib.pyplot as plt

    from snare.reports.plot import draw

    report = build_report(two_runs, n_boot=100)
    fig = draw(report)
    try:
        (ax, *_) = fig.axes
        assert ax.get_ylim()[1] > 1.0, "a bar at 1.000 must not merge into the frame"
        assert max(ax.get_yticks()) == pytest.approx(1.0)  # no tick label above a possible accuracy
        ticks = [t.get_text() for t in ax.get_xticklabels()]
        n = report.runs[0].tasks[report.tasks[0]].n
        assert ticks[0] == report.tasks[0].replace("_", "\n") + f"\n(n={n})"
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert sorted(legend) == sorted([*(r.label for r in report.runs), "chance"])
    finally:
        plt.close(fig)
    svg = plot_bytes(report, "svg").decode()
    assert report.runs[0].label in svg and "(n=" in svg  # text stays text: editable in a paper's figure
