"""One evaluation: load the adapter, score the probe set, build the run record and the per-task results."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from snare.adapters.base import Adapter
from snare.engine.cache import ScoreCache
from snare.engine.distributed import Shards
from snare.engine.results import RunResult
from snare.engine.runner import EngineStats, ProgressFactory, score_items
from snare.probes.item import ProbeItem
from snare.probes.probeset import ProbeSet
from snare.protocols import DEFAULT, Protocol, as_protocol


@dataclass
class _Scored:
    """What scoring produced, replayed from the cache or computed with the loaded model."""

    scores: dict[str, Any]
    store: ScoreCache | None
    checks: dict[str, Any]
    model: dict[str, Any]
    model_loaded: bool


def evaluate(
    adapter: Adapter,
    probes: ProbeSet,
    *,
    batch_size: int = 32,
    progress: ProgressFactory | None = None,
    cache: bool | str | Path | ScoreCache = False,
    workers: int = 0,
    shards: Shards | None = None,
    protocol: Protocol | str = DEFAULT,
    allow_partial: bool = False,
    **record_extra: Any,
) -> RunResult:
    """Score ``probes`` with ``adapter`` and summarise per task (strict accuracy: ties are wrong).

    ``cache``: False computes everything; True uses the default cache folder (``$SNARE_CACHE``); a path uses
    that folder; a :class:`~snare.engine.cache.ScoreCache` is used as it is (its identity is the caller's). The
    library default is off so that callers opt in; ``snare eval`` turns it on.
    ``workers`` and ``shards``: see :func:`snare.engine.runner.score_items`.
    ``protocol``: a :class:`~snare.protocols.Protocol` (or its name). ``allow_partial``: score the items whose
    images load and mark the run partial, instead of stopping when some cannot be scored (see
    :mod:`snare.engine.coverage`). The adapter passes the load-time checks of :mod:`snare.engine.checks` first,
    or nothing is scored.
    """
    from snare.engine.annotate import annotate
    from snare.engine.coverage import coverage_by_task, image_failures, item_statuses, require_complete
    from snare.engine.record import build_record

    start = time.perf_counter()
    chosen = as_protocol(protocol)  # an unknown name fails before any work
    failures = image_failures(probes)  # items whose image is missing or unreadable: failed, never scored as 0
    coverage = coverage_by_task(item_statuses(probes, failures))
    partial = require_complete(coverage, allow_partial=allow_partial)
    items = [it for it in probes.items if it.id not in failures]
    stats = EngineStats()
    common: dict[str, Any] = {"batch_size": batch_size, "progress": progress, "workers": workers, "stats": stats}
    scored = _score(adapter, probes, items if failures else None, cache, shards, common)
    shards = shards or Shards()
    if scored.store is not None and shards.is_main:
        scored.store.compact()
    engine = {
        "batch_size": batch_size,
        "workers": workers,
        "processes": shards.world,
        "cache": str(scored.store.folder) if scored.store is not None else None,
        "model_loaded": scored.model_loaded,
        **stats.to_json(),
    }
    record_extra.setdefault("seed", adapter.seed)
    record = build_record(
        adapter,
        probes,
        batch_size=batch_size,
        protocol=chosen,
        checks=scored.checks,
        world_size=shards.world,
        engine=engine,
        model=scored.model,
        **record_extra,
    )
    record.duration_s = round(time.perf_counter() - start, 3)
    result = RunResult.from_scores(items, scored.scores, record)
    annotate(result, protocol=chosen, coverage=coverage, partial=partial)
    return result


def _score(
    adapter: Adapter,
    probes: ProbeSet,
    items: list[ProbeItem] | None,
    cache: bool | str | Path | ScoreCache,
    shards: Shards | None,
    common: dict[str, Any],
) -> _Scored:
    """Replay the scores from the cache when every row is there (no model load), else load and compute them."""
    from snare.engine import replay
    from snare.engine.runner import NotCached

    root = None if isinstance(cache, bool | ScoreCache) else Path(cache)
    # Replay needs snare's own cache folder, one process (shards plan their work together, so all of them must
    # take the same path) and an adapter not loaded yet (a load may fill in or drop options: the key is pre-load).
    replayable = cache is not False and not isinstance(cache, ScoreCache) and not adapter.loaded
    key = replay.preload_key(adapter) if replayable and (shards is None or shards.world == 1) else None
    memo = replay.recall(adapter, root, key) if key is not None else None
    if memo is not None:  # a full cache hit needs no model
        store = ScoreCache(memo["identity"], root=root)
        try:
            scores = score_items(adapter, probes, items, cache=store, cached_only=True, shards=shards, **common)
        except NotCached:
            memo = None
        else:
            return _Scored(scores, store, memo["checks"], {**memo["model"], "device": adapter.device}, False)
    return _score_loaded(adapter, probes, items, cache, root, key, shards, common)


def _score_loaded(
    adapter: Adapter,
    probes: ProbeSet,
    items: list[ProbeItem] | None,
    cache: bool | str | Path | ScoreCache,
    root: Path | None,
    key: dict[str, Any] | None,
    shards: Shards | None,
    common: dict[str, Any],
) -> _Scored:
    """Load the adapter, run the load-time checks, score (through the cache), and remember the run for replay."""
    from snare.adapters.inputs import recording
    from snare.engine import replay
    from snare.engine.checks import run_load_checks
    from snare.engine.record import model_record, score_key_for

    with recording() as inputs:
        adapter.ensure_loaded()
    checks = run_load_checks(adapter)
    store = None
    identity: dict[str, Any] = {}
    if isinstance(cache, ScoreCache):
        store = cache
    elif cache is not False:
        # everything in the run record that can change a score keys the cache (library versions included)
        identity = {**adapter.cache_identity(), "score_key": score_key_for(adapter)}
        store = ScoreCache(identity, root=root)
    scores = score_items(adapter, probes, items, cache=store, shards=shards, **common)
    model = model_record(adapter)
    if key is not None:
        replay.remember(adapter, root, key=key, identity=identity, model=model, checks=checks, inputs=inputs)
    return _Scored(scores, store, checks, model, True)
