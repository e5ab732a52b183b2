"""Options that several verbs share, each written once."""

from __future__ import annotations

from typing import Any

import typer


def protocol_option(what: str) -> Any:
    """The ``--protocol`` option; ``what`` says what it decides in this verb. The names come from
    :mod:`snare.protocols` (``snare probes list`` says how each builds and scores)."""
    from snare.protocols import DEFAULT, protocols

    return typer.Option(
        DEFAULT,
        "--protocol",
        help=f"{what} One of {', '.join(protocols())} (default {DEFAULT}; see: snare probes list).",
    )
