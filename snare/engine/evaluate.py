"""One evaluation: load the adapter, score the probe set, build the run record and the per-task results."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from snare.adapters.base import Adapter
from snare.engine.cache import ScoreCache
from snare.engine.distributed import Shards
from snare.engine.results import RunResult
from snare.engine.runner import EngineStats, Progress, ProgressFactory, score_items
from snare.probes.probeset import ProbeSet


def evaluate(
    adapter: Adapter,
    probes: ProbeSet,
    *,
    batch_size: int = 32,
    on_progress: Progress | None = None,
    progress: ProgressFactory | None = None,
    cache: bool | str | Path | ScoreCache = False,
    workers: int = 0,
    shards: Shards | None = None,
    protocol: str = "snare",
    allow_partial: bool = False,
    **record_extra: Any,
) -> RunResult:
    """Score ``probes`` with ``adapter`` and summarise per task (strict accuracy: ties are wrong).

    ``cache``: False computes everything; True uses the default cache folder (``$SNARE_CACHE``); a path uses
    that folder; a :class:`~snare.engine.cache.ScoreCache` is used as it is (its identity is the caller's). The
    library default is off so that callers opt in; ``snare eval`` turns it on.
    ``workers`` and ``shards``: see :func:`snare.engine.runner.score_items`.
    ``protocol``: see :mod:`snare.protocols`. ``allow_partial``: score the items whose images load and mark the
    run partial, instead of stopping when some cannot be scored (see :mod:`snare.engine.coverage`).
    The adapter passes the load-time checks of :mod:`snare.engine.checks` first, or nothing is scored.
    """
    from snare.adapters.inputs import recording
    from snare.engine import replay
    from snare.engine.checks import run_load_checks
    from snare.engine.coverage import coverage_by_task, image_failures, item_statuses, require_complete
    from snare.engine.record import build_record, model_record, score_key_for
    from snare.engine.runner import NotCached
    from snare.engine.trust import annotate
    from snare.protocols import get_protocol

    start = time.perf_counter()
    get_protocol(protocol)  # an unknown name fails before any work
    failures = image_failures(probes)  # items whose image is missing or unreadable: failed, never scored as 0
    coverage = coverage_by_task(item_statuses(probes, failures))
    partial = require_complete(coverage, allow_partial=allow_partial)
    items = [it for it in probes.items if it.id not in failures]
    root = None if isinstance(cache, bool | ScoreCache) else Path(cache)
    stats = EngineStats()
    common: dict[str, Any] = {
        "batch_size": batch_size,
        "on_progress": on_progress,
        "progress": progress,
        "workers": workers,
        "shards": shards,
        "stats": stats,
    }
    # Replay needs snare's own cache folder, one process (shards plan their work together, so all of them must
    # take the same path) and an adapter not loaded yet (a load may fill in or drop options: the key is pre-load).
    replayable = cache is not False and not isinstance(cache, ScoreCache) and not adapter.loaded
    key = replay.preload_key(adapter) if replayable and (shards is None or shards.world == 1) else None
    scores = None
    memo = replay.recall(adapter, root, key) if key is not None else None
    if memo is not None:  # a full cache hit needs no model
        store: ScoreCache | None = ScoreCache(memo["identity"], root=root)
        try:
            scores = score_items(adapter, probes, items if failures else None, cache=store, cached_only=True, **common)
        except NotCached:
            memo = None
    if memo is not None:
        checks = memo["checks"]
        model = {**memo["model"], "device": adapter.device}
    else:
        with recording() as inputs:
            adapter.ensure_loaded()
        checks = run_load_checks(adapter)
        store = None
        if isinstance(cache, ScoreCache):
            store = cache
        elif cache is not False:
            # everything in the run record that can change a score keys the cache (library versions included)
            identity = {**adapter.cache_identity(), "score_key": score_key_for(adapter)}
            store = ScoreCache(identity, root=root)
        scores = score_items(adapter, probes, items if failures else None, cache=store, **common)
        model = model_record(adapter)
        if key is not None:
            replay.remember(adapter, root, key=key, identity=identity, model=model, checks=checks, inputs=inputs)
    assert scores is not None
    shards = shards or Shards()
    if store is not None and shards.is_main:
        store.compact()
    engine = {
        "batch_size": batch_size,
        "workers": workers,
        "processes": shards.world,
        "cache": str(store.folder) if store is not None else None,
        "model_loaded": memo is None,
        **stats.to_json(),
    }
    record_extra.setdefault("seed", adapter.seed)
    record = build_record(
        adapter,
        probes,
        batch_size=batch_size,
        protocol=protocol,
        checks=checks,
        world_size=shards.world,
        engine=engine,
        model=model,
        **record_extra,
    )
    record["duration_s"] = round(time.perf_counter() - start, 3)
    result = RunResult.from_scores(items, scores, record)
    annotate(result, protocol=protocol, coverage=coverage, partial=partial)
    return result
