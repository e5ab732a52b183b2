from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def real_parse():
    """Parse with the installed spaCy English model (parser level), as the builder does."""
    from snare.generators.parsing import PARSER, load_nlp, parse_captions

    nlp = load_nlp(PARSER)
    return lambda text: parse_captions([text], nlp)[text]
