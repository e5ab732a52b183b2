"""Suites: a paper's benchmark as one name (``--suite snare``, ``--suite aro``), declared in ``snare/data/suites.json``.

The table names each dataset (hub repository, pinned commit, split, shard glob, the columns read, the rows the
real mirror has, its licence and citation) and each suite as ``[task, dataset]`` pairs. :func:`build_suite` makes
sure every dataset is on this machine (a ``--data-dir`` copy, else the hub cache, fetching what is missing unless
``HF_HUB_OFFLINE=1``, which stops with one line naming what is missing), then builds each dataset's tasks and
merges them into one probe set. Item ids start with the dataset, so COCO and Flickr30k semantic-structure items
never collide.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from snare.errors import SnareError, UnknownNameError, suggest
from snare.probes.probeset import ProbeSet
from snare.probes.sources.hub import HubDataset
from snare.probes.tasks import get_task
from snare.protocols import DEFAULT, Protocol, as_protocol


@dataclass(frozen=True)
class Suite:
    name: str
    title: str
    tasks: tuple[tuple[str, str], ...]  # (task, dataset name), in table order

    def datasets(self) -> list[HubDataset]:
        names = list(dict.fromkeys(d for _, d in self.tasks))
        return [dataset_table()[n] for n in names]

    def only(self, tasks: Sequence[str] | None) -> Suite:
        """The suite restricted to ``tasks`` (all when empty or None); a task outside the suite is an error."""
        if not tasks:
            return self
        names = [t for t, _ in self.tasks]
        unknown = [t for t in tasks if t not in names]
        if unknown:
            has = ", ".join(dict.fromkeys(names))
            raise SnareError(f"suite {self.name} has no task {unknown[0]!r} (it has: {has})")
        return Suite(name=self.name, title=self.title, tasks=tuple(p for p in self.tasks if p[0] in tasks))


@cache
def _table() -> dict[str, Any]:
    # package data shipped with snare, not user input: a plain read
    return json.loads(resources.files("snare.data").joinpath("suites.json").read_text(encoding="utf-8"))


@cache
def dataset_table() -> dict[str, HubDataset]:
    from snare.probes.sources.fallback import with_fallbacks

    return {name: with_fallbacks(name, row) for name, row in _table()["datasets"].items()}


@cache
def suite_table() -> dict[str, Suite]:
    suites = {}
    for name, row in _table()["suites"].items():
        tasks = tuple((t, d) for t, d in row["tasks"])
        for task, dataset in tasks:  # a bad table is a bug in snare: fail on first use, loudly
            if dataset_table()[dataset].kind not in get_task(task).sources:
                raise AssertionError(f"suite {name}: task {task} cannot be built from {dataset}")
        suites[name] = Suite(name=name, title=row["title"], tasks=tasks)
    return suites


def get_suite(name: str) -> Suite:
    if name not in suite_table():
        raise UnknownNameError(f"unknown suite {name!r}.{suggest(name, list(suite_table()))} See: snare probes list")
    return suite_table()[name]


def preflight(name: str, data_dir: Path | None = None, tasks: Sequence[str] | None = None) -> Suite:
    """The suite (restricted to ``tasks``), checked before any model loads: its name, and (offline or with
    ``data_dir``) that every dataset is on this machine. Raises the one-line errors of :func:`available`; fetches
    nothing."""
    from snare.probes.sources import hub

    suite = get_suite(name).only(tasks)
    if data_dir is not None or hub.offline():
        available(suite, data_dir)
    return suite


def available(suite: Suite, data_dir: Path | None = None) -> dict[str, tuple[HubDataset, list[Path]]]:
    """The mirror used and its complete shards for each of the suite's datasets, fetching missing ones when the
    hub may be used (the first mirror found on this machine, else the first still on the hub).

    Raises:
        SnareError: ``HF_HUB_OFFLINE=1`` and some datasets are not cached (one line naming them all and the
            command that fetches them), or a ``data_dir`` copy lacks one.
    """
    from snare.probes.sources import fallback, hub

    found = {ds.name: fallback.locate(ds, data_dir) for ds in suite.datasets()}
    missing = [ds for ds in suite.datasets() if found[ds.name] is None]
    if missing and hub.offline():
        names = ", ".join(ds.label for ds in missing)
        raise SnareError(
            f"--suite {suite.name}: not in the Hugging Face cache ({hub.cache_dir()}) and HF_HUB_OFFLINE=1: {names}; "
            f"fetch them first with: snare data fetch --suite {suite.name}"
        )
    for ds in missing:  # progress bars only for a person watching, never into logs
        found[ds.name] = fallback.fetch(ds, quiet=not sys.stderr.isatty())
    # each cache blob is named by the hub's sha256: a shard that does not hash to it is never read
    return {name: (f[0], hub.verify(f[1], f[0])) for name, f in found.items() if f is not None}


def build_suite(
    name: str,
    *,
    image_dir: Path,
    seed: int = 0,
    protocol: Protocol | str = DEFAULT,
    data_dir: Path | None = None,
    limit: int | None = None,
    skip_bad: bool = False,
    batch_size: int = 256,
    n_process: int = 1,
    tasks: Sequence[str] | None = None,
    parses_out: dict[str, Any] | None = None,
) -> ProbeSet:
    """Build every task of suite ``name`` (or only ``tasks``) from its pinned datasets; images go to ``image_dir``.

    ``limit`` reads only the first N rows of each dataset (a quick look; the fingerprint then differs).
    ``parses_out``, when given, receives the caption parses (for a construction that refines the items).
    """
    from snare.generators import GENERATOR_VERSION
    from snare.probes.build import build_items, check_images

    suite = get_suite(name).only(tasks)
    protocol = as_protocol(protocol)
    paper = protocol.construction.paper_shuffles
    found = available(suite, data_dir)
    items: list[Any] = []
    report: dict[str, Any] = {}
    sources: dict[str, Any] = {}
    skipped: dict[str, Any] = {}
    spacy = None
    for ds in suite.datasets():
        src = load_dataset(*found[ds.name], image_dir, limit=limit, skip_bad=skip_bad)
        check_images(src, skip_bad=skip_bad)
        if not src.records:
            raise SnareError(f"--suite {name}: {found[ds.name][0].label} gave no usable records")
        kinds = {task: ds.kind for task, d in suite.tasks if d == ds.name}
        made, made_report, made_spacy = build_items(
            kinds, {ds.kind: src}, seed, batch_size=batch_size, n_process=n_process, paper=paper, parses_out=parses_out
        )
        items.extend(made)
        report.update({f"{task}@{ds.name}": r for task, r in made_report.items()})
        sources[ds.name] = src.info
        skipped[ds.name] = dict(sorted(src.skipped.items()))
        spacy = spacy or made_spacy
    info: dict[str, Any] = {
        "source": {"spec": f"suite:{name}", "suite": name, "limit": limit, **sources},
        "seed": seed,
        "protocol": protocol.build_record(),
        "generator_version": GENERATOR_VERSION,
        "spacy": spacy,
        "build": report,
        "skipped_records": skipped,
    }
    return ProbeSet(items, name=f"suite-{name}", image_root=image_dir, info=info)


def load_dataset(mirror: HubDataset, paths: list[Path], image_dir: Path, *, limit: int | None, skip_bad: bool) -> Any:
    """The records of one dataset from the mirror used (its first ``limit`` rows), with the full commit an
    abbreviated pin resolved to in ``info["commit"]``."""
    src = _read(mirror, paths, image_dir, limit=limit, skip_bad=skip_bad)
    parts = paths[0].parts  # <cache>/datasets--o--n/snapshots/<full commit>/...: what an abbreviated pin resolved to
    if "snapshots" in parts[:-1]:
        src.info["commit"] = parts[parts.index("snapshots") + 1]
    return src


def _read(mirror: HubDataset, paths: list[Path], image_dir: Path, *, limit: int | None, skip_bad: bool) -> Any:
    """Options the data gives (``choice``, 2x2 examples), or Visual Genome entries and captions that tasks build
    options from."""
    from snare.probes.sources import hub
    from snare.probes.sources.choices import KIND, class_names, load_choices
    from snare.probes.sources.mirrors import load_mirror

    if mirror.kind == "winoground":  # examples.jsonl + images.zip, not parquet
        from snare.probes.sources.winoground import load_hub

        return load_hub(mirror, paths, image_dir, skip_bad=skip_bad, limit=limit)
    if mirror.kind == "mmvp_vlm":  # Questions.csv + an image folder
        from snare.probes.sources import mmvp_vlm

        return mmvp_vlm.load_hub(mirror, paths, image_dir, skip_bad=skip_bad, limit=limit)
    rows = itertools.islice(hub.read_rows(paths, mirror), limit)
    if mirror.kind == "minimal_pairs":  # two images and two captions per row (BiVLC)
        from snare.probes.sources.minimal_pairs import load_minimal_pairs

        return load_minimal_pairs(mirror, rows, image_dir, skip_bad=skip_bad)
    if mirror.kind == "naturalbench":  # two images, two questions and their four answers per row
        from snare.probes.sources.naturalbench import load_naturalbench

        return load_naturalbench(mirror, rows, image_dir, skip_bad=skip_bad)
    if mirror.kind != KIND:
        return load_mirror(mirror, rows, image_dir, skip_bad=skip_bad)
    label = mirror.columns.get("intended_label")
    names = class_names(paths, label) if label else None
    return load_choices(mirror, rows, image_dir, skip_bad=skip_bad, names=names, subset=mirror.name)
