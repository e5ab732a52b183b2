import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from snare.errors import SnareError
from snare.reports.plot import check_plot_path, plot_bytes
from snare.reports.report import build_report


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
