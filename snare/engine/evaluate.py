"""One evaluation: load the adapter, score the probe set, build the run record and the per-task results."""

from __future__ import annotations

import platform
import sys
import time
from datetime import datetime, timezone
from typing import Any

from snare import __version__
from snare.adapters.base import Adapter
from snare.engine.results import RunResult
from snare.engine.runner import Progress, score_items
from snare.probes.probeset import ProbeSet


def run_record(adapter: Adapter, probes: ProbeSet, **extra: Any) -> dict[str, Any]:
    """What identifies a run: package and library versions, model, probe set, settings, command."""
    return {
        "snare_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "python": platform.python_version(),
        "model": {**adapter.describe(), "license": adapter.meta.license, "params": adapter.meta.params},
        "probeset": {
            "name": probes.name,
            "fingerprint": probes.fingerprint,
            "n_items": len(probes),
            "source": probes.info.get("source"),
            "limit": probes.info.get("limit"),
            "seed": probes.info.get("seed"),
        },
        **extra,
    }


def evaluate(
    adapter: Adapter,
    probes: ProbeSet,
    *,
    batch_size: int = 32,
    on_progress: Progress | None = None,
    **record_extra: Any,
) -> RunResult:
    start = time.perf_counter()
    scores = score_items(adapter, probes, batch_size=batch_size, on_progress=on_progress)
    record = run_record(adapter, probes, batch_size=batch_size, **record_extra)
    record["duration_s"] = round(time.perf_counter() - start, 3)
    return RunResult.from_scores(probes.items, scores, record)
