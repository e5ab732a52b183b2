"""Options that would be ignored or overflow: errors in one line, before any work."""

from __future__ import annotations

import pytest

from tests.hostile.conftest import fails_cleanly, snare


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("eval", "--model", "constant", "--weights", "x.pt"), "has no weights"),
        (("eval", "--model", "constant", "-o", "valeu=1"), "has no option 'valeu'"),
        (("eval", "--model", "constant", "-o", "value=high"), "is not a number"),
        (("eval", "--model", "reference", "-o", "arch=ViT-B-32"), "--model reference has no option 'arch'"),
        (("eval", "--model", "clip", "--weights", "random", "-o", "scroe=snare"), "has no option 'scroe'"),
        (("eval", "--model", "blip", "--weights", "random", "-o", "scroe=snare"), "has no option 'scroe'"),
        (("eval", "--model", "xvlm", "--weights", "random", "-o", "quick_gelu=1"), "has no option 'quick_gelu'"),
        (("eval", "--model", "blind-ngram", "-o", "oder=2"), "has no option 'oder'"),
        (
            ("eval", "--model", "vlm", "--weights", "random", "-o", "arch=llava", "-o", "max_caption_tokens=\u00b2"),
            "give a whole number",
        ),
        (("eval", "--model", "constant", "--split", "val"), "--split applies only with --source"),
        (("eval", "--model", "constant", "--processes", "2"), "--processes applies only with --distributed"),
        (("eval", "--model", "constant", "--seed", "-1"), "--seed -1 is out of range"),
        (("eval", "--model", "constant", "--seed", str(2**64)), "out of range"),
        (("report", "nowhere", "--seed", "-1"), "out of range"),
        (("audit", "--seed", "-5"), "out of range"),
        (("probes", "build", "negation_logic", "--source", "synthetic", "--out", "x", "--seed", "-1"), "out of range"),
    ],
)
def test_ignored_or_out_of_range_options_are_errors(args, needle, tmp_path):
    fails_cleanly(snare(*args, cwd=tmp_path), needle)
    assert list(tmp_path.iterdir()) == []
