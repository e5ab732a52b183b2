"""Shared terminal output: a rich console on stderr for progress, stdout for tables."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from rich.console import Console

out = Console()
err = Console(stderr=True)


@contextlib.contextmanager
def progress(totals: dict[str, int], *, quiet: bool = False) -> Iterator[Any]:
    """A rich progress bar per phase (images, texts, pairs…); silent under --quiet or when not a terminal.

    Yields a callback ``tick(phase, n)`` for the engine.
    """
    if quiet or not err.is_terminal:
        yield lambda phase, n: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Any) -> Text:
            return Text(f"{task.speed:,.1f} items/s" if task.speed else "", style="progress.data.speed")

    columns = (
        TextColumn("{task.description:>8}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def tick(phase: str, n: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=totals.get(phase))
            bar.advance(tasks[phase], n)

        yield tick
