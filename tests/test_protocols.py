"""The protocols as data: the originals' relation lists and one-line errors for unknown names."""

import pytest

from snare.errors import UnknownNameError
from snare.protocols import aro_symmetric_relations, get_protocol


def test_the_fixture_relations_are_what_the_originals_filter():
    symmetric = aro_symmetric_relations()
    assert "near" in symmetric and "on" not in symmetric and "holding" not in symmetric
    assert len(symmetric) == 157


def test_unknown_protocol_is_a_one_line_error_with_a_suggestion():
    with pytest.raises(UnknownNameError, match=r"unknown --protocol 'aro'.*'aro-paper'"):
        get_protocol("aro")


def test_snare_contrast_is_built_as_twins_and_only_it_records_the_flag():
    from snare.protocols import protocols

    contrast = get_protocol("snare-contrast")
    assert contrast.contrast_twins and contrast.tie_break == "strict" and contrast.rule("negation_logic") is not None
    assert contrast.to_json()["contrast_twins"] is True
    assert all("contrast_twins" not in p.to_json() for name, p in protocols().items() if name != "snare-contrast")
