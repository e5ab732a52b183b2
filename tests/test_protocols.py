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
