"""``--protocol snare-contrast`` from any ``--source``: :func:`build_contrast`, the one call that assembles it.

The built-in scenes give their rendered twins (:mod:`snare.probes.contrast`); any other source, the twins
:mod:`snare.probes.mined_twins` finds in it.

ARO's Visual Genome files (or a folder holding them) give twins mined from the records; a caption source gives
the default construction's items whose swap is another image's caption; a left/right relation with no twin on
another image is twinned by its mirrored image. Only items that found a twin are kept; the manifest's ``build``
block gives each task's eligible items, pairs (and mirror pairs) and yield. A source with no twin at all for the
tasks is a one-line error.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from snare.errors import SnareError
from snare.probes.assemble import ProbeSpec
from snare.probes.build import SYNTHETIC, hf_image_cache
from snare.probes.contrast import (
    ALL_TASKS,
    DEFAULT_SEED,
    NAME,
    TASKS,
    TWINNING,
    WORD_ORDER_NOTE,
    contrast_synthetic,
    in_contrast_sets,
)
from snare.probes.mined_twins import Mined, caption_twins, mine_vg
from snare.probes.probeset import ProbeSet
from snare.probes.tasks import get_task
from snare.protocols import Protocol


def build_contrast(tasks: Sequence[str], source: str, *, seed: int = DEFAULT_SEED, **options: Any) -> ProbeSet:
    """``--protocol snare-contrast`` from ``--source``: the one call a probe-set assembler makes for it. The
    built-in scenes (``synthetic``) give every grounding task (``tasks``; none: all of them) with its rendered
    twins (:mod:`snare.probes.contrast`); any other source gives the twins mined from it (:func:`mined_contrast`,
    ``options`` as it takes them)."""
    unknown = [t for t in tasks if not in_contrast_sets(t)]
    if unknown:
        raise SnareError(
            f"--protocol {NAME} has no {unknown[0]!r} items: contrast twins are built for {', '.join(TASKS)}, "
            "and the word-order tasks keep their default construction"
        )
    if source != SYNTHETIC:
        return mined_contrast(tasks, source, seed=seed, **options)
    return contrast_synthetic(seed=seed, tasks=tuple(tasks) or ALL_TASKS)


def assemble_contrast(spec: ProbeSpec, protocol: Protocol) -> ProbeSet:
    """The contrast construction's ``build`` (:class:`snare.protocols.Construction`): the set ``spec`` describes,
    as :func:`snare.probes.assemble.assemble` calls it."""
    if spec.suite is not None:
        return suite_contrast(spec, protocol)
    source = spec.source or SYNTHETIC
    options: dict[str, Any] = {}
    if source != SYNTHETIC:
        options = {"split": spec.split, "skip_bad": spec.skip_bad, "follow_links": spec.follow_links}
        options |= {"limit": spec.limit, "image_dir": spec.image_dir or hf_image_cache()}
    probes = build_contrast(spec.tasks, source, seed=spec.seed, **options)
    probes.info["protocol"] = protocol.build_record()
    return probes


def mined_contrast(
    tasks: Sequence[str],
    source: str,
    *,
    seed: int = 0,
    split: str = "test",
    skip_bad: bool = False,
    follow_links: bool = False,
    limit: int | None = None,
    **caption_options: Any,
) -> ProbeSet:
    """The contrast set mined from ``source`` for ``tasks``: the grounding tasks' items that found a twin, and a
    caption source's word-order tasks as the default construction builds them; ``caption_options`` go to
    :func:`snare.probes.build.build_probeset` for a caption source."""
    from snare.probes.build import build_probeset, check_images, source_kind
    from snare.probes.sources import open_source
    from snare.protocols import get_protocol

    if not tasks:
        raise SnareError(f"--protocol {NAME} from --source needs the tasks to mine (e.g. relationship_composition)")
    kinds = {task: source_kind(source, task, split) for task in tasks}
    if "captions" in kinds.values():
        options = {"split": split, "skip_bad": skip_bad, "follow_links": follow_links, "limit": limit}
        built = build_probeset(list(tasks), source, seed=seed, **options, **caption_options)
        mined, root, info = caption_twins(built.items, list(tasks)), built.image_root, dict(built.info)
        order = [it for it in built.items if get_task(it.task).word_order]
        mined = Mined(items=[*mined.items, *order], report=mined.report | _order_reports(built))
    else:
        loaded = {}
        for kind in sorted(set(kinds.values())):
            image_dir = caption_options.get("image_dir")  # where a Hugging Face source's images are written
            src = open_source(source, kind, split=split, skip_bad=skip_bad, image_dir=image_dir)
            src.records = src.records[:limit] if limit is not None else src.records
            check_images(src, skip_bad=skip_bad, follow_links=follow_links)
            loaded[kind] = src
        relation, attribution = loaded.get("vg_relation"), loaded.get("vg_attribution")
        mined = mine_vg(relation.records if relation else (), attribution.records if attribution else ())
        first = next(iter(loaded.values()))
        root, info = first.root, {"source": {name: src.info for name, src in loaded.items()}, "seed": seed}
    return _probeset(mined, tasks, source, root, info, get_protocol(NAME).to_json())


def suite_contrast(spec: ProbeSpec, protocol: Protocol) -> ProbeSet:
    """``--suite NAME --protocol snare-contrast``: the twins mined from the suite's Visual Genome datasets (ARO's
    relation and attribution files, at their pinned revisions) for its grounding tasks, and its word-order tasks
    as the default construction builds them. A suite task that is neither is a one-line error."""
    from dataclasses import replace

    from snare.probes.assemble import assemble
    from snare.probes.build import check_images
    from snare.probes.suites import available, get_suite, load_dataset

    suite = get_suite(str(spec.suite)).only(spec.tasks)
    tasks = list(dict.fromkeys(t for t, _ in suite.tasks))
    other = [t for t in tasks if not in_contrast_sets(t)]
    if other:
        raise SnareError(
            f"--protocol {NAME} has no {other[0]!r} items: it twins {', '.join(TASKS)} and keeps the word-order "
            f"tasks; build {other[0]} under --protocol snare"
        )
    image_dir = spec.image_dir or hf_image_cache()
    twinned = [t for t in tasks if t in TWINNING]
    loaded = {}
    if twinned:
        grounding = suite.only(twinned)
        found = available(grounding, spec.data_dir)
        for ds in grounding.datasets():
            src = load_dataset(*found[ds.name], image_dir, limit=spec.limit, skip_bad=spec.skip_bad)
            check_images(src, skip_bad=spec.skip_bad)
            loaded[ds.kind] = src
    relation, attribution = loaded.get("vg_relation"), loaded.get("vg_attribution")
    mined = mine_vg(relation.records if relation else (), attribution.records if attribution else ())
    order = tuple(t for t in tasks if get_task(t).word_order)
    if order:
        built = assemble(replace(spec, tasks=order), "snare")
        mined = Mined(items=[*mined.items, *built.items], report=mined.report | _order_reports(built))
    info = {"source": {"spec": f"suite:{spec.suite}", "suite": spec.suite, "limit": spec.limit}, "seed": spec.seed}
    info["source"] |= {kind: src.info for kind, src in loaded.items()}
    return _probeset(mined, tasks, f"suite:{spec.suite}", image_dir, info, protocol.to_json())


def _probeset(
    mined: Mined, tasks: Sequence[str], source: str, root: Path | None, info: dict[str, Any], protocol: dict
) -> ProbeSet:
    items = [it for it in mined.items if it.task in tasks]
    if not items:
        yields = ", ".join(f"{t}: 0 of {mined.report.get(t, {}).get('eligible', 0)} items" for t in tasks)
        raise SnareError(f"--source {source}: no contrast twins found ({yields})")
    build = {task: _build_record(report) for task, report in mined.report.items() if task in tasks}
    recorded = {k: v for k, v in protocol.items() if k != "tie_break"}
    return ProbeSet(items, name="contrast", image_root=root, info={**info, "protocol": recorded, "build": build})


def _order_reports(built: ProbeSet) -> dict[str, dict[str, Any]]:
    """The build record of each word-order task of ``built`` (a default-construction set; a suite's records per
    dataset, ``task@dataset``, summed), marked as kept without twins."""
    records: dict[str, dict[str, Any]] = {}
    for key, report in (built.info.get("build") or {}).items():
        task = key.partition("@")[0]
        if not get_task(task).word_order:
            continue
        into = records.setdefault(task, {"candidates": 0, "items": 0, "skipped": {}, "twins": WORD_ORDER_NOTE})
        into["candidates"] += report["candidates"]
        into["items"] += report["items"]
        for why, n in report.get("skipped", {}).items():
            into["skipped"][why] = into["skipped"].get(why, 0) + n
    return records


def _build_record(report: dict[str, Any]) -> dict[str, Any]:
    """One task's manifest ``build`` block from its yield report; a mirror pair twins one candidate, not two."""
    if "twins" in report:  # a word-order task: kept as built
        return report
    mirrored = report.get("mirror_pairs", 0)
    twinned = 2 * report["pairs"] - mirrored
    record = {
        "candidates": report["eligible"],
        "items": 2 * report["pairs"],
        "skipped": {"no twin": report["eligible"] - twinned},
        "pairs": report["pairs"],
        "twin_yield": report["yield"],
    }
    return record | ({"mirror_pairs": mirrored} if mirrored else {})
