"""Options that several verbs share, each written once."""

from __future__ import annotations

from typing import Any

import typer


def protocol_option(what: str) -> Any:
    """The ``--protocol`` option; ``what`` says what it decides in this verb. The names come from
    :mod:`snare.protocols` (``snare probes list`` says how each builds and scores)."""
    from snare.protocols import DEFAULT, SCENES_DEFAULT, protocols

    return typer.Option(
        None,
        "--protocol",
        help=f"{what} One of {', '.join(protocols())} (default: {SCENES_DEFAULT} for the built-in scenes, "
        f"{DEFAULT} otherwise; see: snare probes list).",
        show_default=False,
    )
