"""Shared terminal output: a rich console on stderr for progress, stdout for tables."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

from rich.console import Console

out = Console()
err = Console(stderr=True)


# Seconds between two progress lines when stderr is not a terminal (a SLURM or CI log); 0 logs every update.
PROGRESS_EVERY_ENV = "SNARE_PROGRESS_EVERY"
DEFAULT_PROGRESS_EVERY = 10.0


def quiet_libraries(quiet: bool = True) -> None:
    """``--quiet`` for the libraries too: no progress bars from datasets, huggingface_hub or transformers.

    Their environment switches cover the ones not imported yet; those already imported are told directly.
    Does nothing unless ``quiet``.
    """
    import os

    if not quiet:
        return

    os.environ["HF_DATASETS_DISABLE_PROGRESS_BARS"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"  # transformers reads this one for its own bars
    if "datasets" in sys.modules:
        sys.modules["datasets"].disable_progress_bars()
    if "huggingface_hub" in sys.modules:
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()
    if "transformers" in sys.modules:
        from transformers.utils import logging

        logging.disable_progress_bar()


@contextlib.contextmanager
def progress(totals: dict[str, int], *, quiet: bool = False) -> Iterator[Any]:
    """Progress per phase (images, texts, pairs, captions…): rich bars on a terminal, else periodic log lines.

    Yields a callback ``tick(phase, n, total=None)``: ``n`` more units of ``phase`` are done; ``total`` sets or
    corrects the phase's total (for phases whose size is known only once they start). Silent under --quiet.
    Off a terminal, one line per phase at most every ``$SNARE_PROGRESS_EVERY`` seconds (default 10), plus one
    when a phase completes, so a batch job's log shows the run is alive without filling it.
    """
    if quiet:
        quiet_libraries()
        yield lambda phase, n, total=None: None
        return
    if not err.is_terminal:
        with _log_lines(totals) as tick:
            yield tick
        return
    with _bars(totals) as tick:
        yield tick


@contextlib.contextmanager
def _log_lines(totals: dict[str, int]) -> Iterator[Any]:
    import os
    import time

    try:
        every = max(0.0, float(os.environ.get(PROGRESS_EVERY_ENV, DEFAULT_PROGRESS_EVERY)))
    except ValueError:
        every = DEFAULT_PROGRESS_EVERY
    sizes: dict[str, int | None] = dict(totals)
    done: dict[str, int] = {}
    started: dict[str, float] = {}
    last: dict[str, float] = {}

    def tick(phase: str, n: int, total: int | None = None) -> None:
        now = time.monotonic()
        if total is not None:
            sizes[phase] = total
        started.setdefault(phase, now)
        done[phase] = done.get(phase, 0) + n
        size = sizes.get(phase)
        finished = size is not None and done[phase] >= size
        if finished or now - last.get(phase, started[phase]) >= every:
            last[phase] = now
            elapsed = now - started[phase]
            rate = f", {done[phase] / elapsed:,.1f}/s" if elapsed > 0 else ""
            of = f"/{size} ({100 * done[phase] / size:.0f}%)" if size else ""
            # plain text: no markup or colour codes in a log file
            print(f"snare: {phase} {done[phase]}{of}{rate}", file=sys.stderr, flush=True)

    yield tick


@contextlib.contextmanager
def _bars(totals: dict[str, int]) -> Iterator[Any]:
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

        def tick(phase: str, n: int, total: int | None = None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total if total is not None else totals.get(phase))
            elif total is not None:
                bar.update(tasks[phase], total=total)
            bar.advance(tasks[phase], n)

        yield tick
