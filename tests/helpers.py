"""Small builders shared by tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from snare.engine.rows import PredictionRow
from snare.probes.item import ImageRef, ProbeItem

REPO = Path(__file__).resolve().parents[1]


def make_item(
    i: int,
    task: str = "negation_logic",
    *,
    options=("a dog runs", "a dog does not run"),
    correct=0,
    cluster: str | None = None,
    path: str | None = None,
) -> ProbeItem:
    image = (
        ImageRef(path=path)
        if path
        else ImageRef(scene="synthetic-v1|circle,red,small,60,100|square,blue,large,160,100")
    )
    return ProbeItem(
        id=f"t/{task}/{i:04d}",
        task=task,
        image=image,
        cluster=cluster or f"img{i}",
        options=tuple(options),
        labels=tuple(f"o{k}" for k in range(len(options))),
        correct=correct,
    )


def run_snare(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the CLI in a subprocess, as a user would, with the test's environment."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "snare", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or REPO,
        timeout=900,
    )


def error_lines(stderr: str) -> list[str]:
    """stderr without snare's log records (``snare: loading …``, ``snare: … ready …``, ``snare: PHASE n/N …``).

    They report what was being done, not the failure: a one-line error is one line once they are set aside."""
    return [line for line in stderr.strip().splitlines() if not line.startswith("snare: ")]


def make_row(**fields: Any) -> PredictionRow:
    """A prediction row from hand-written fields; the cluster defaults to the item's own id."""
    return PredictionRow(**{"cluster": fields.get("id", "c"), **fields})
