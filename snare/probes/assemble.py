"""One door to every probe set: :func:`assemble` builds it from a ``--source``, a ``--suite`` or the built-in
synthetic scenes, under a protocol's construction (:class:`snare.protocols.Construction`).

``snare probes build``, ``snare eval``, ``snare audit`` and the benchmarks all get their probe sets here; the CLI
only turns its flags into a :class:`ProbeSpec`. The items are made by :mod:`snare.probes.build` (a source, with
the construction's shuffles), :mod:`snare.probes.suites` or :mod:`snare.probes.synthetic`; a construction that
``refine``\\s them (balanced) is then applied to that set and its caption parses, and records the protocol.
A library user gets the very set the CLI builds::

    from snare.probes.assemble import ProbeSpec, assemble
    probes = assemble(ProbeSpec(tasks=("negation_logic",), source="captions.jsonl"), "snare-balanced")
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from importlib import import_module
from pathlib import Path
from typing import Any

from snare.errors import SnareError
from snare.probes.build import SYNTHETIC, Tick, _no_tick, build_probeset, check_scenes, hf_image_cache, source_kind
from snare.probes.item import ProbeItem
from snare.probes.probeset import ProbeSet
from snare.protocols import DEFAULT, Protocol, as_protocol, protocols


@dataclass(frozen=True)
class ProbeSpec:
    """Where a probe set comes from and how its source is read.

    ``source``: a ``--source`` string (see :func:`snare.probes.sources.open_source`); ``suite``: a paper's
    benchmark (:mod:`snare.probes.suites`); neither (or ``source="synthetic"``): the built-in synthetic scenes,
    ``n_scenes`` of them (default :data:`snare.probes.synthetic.DEFAULT_SCENES`). ``tasks``: the tasks to build
    (empty: every task of the suite or of the scenes). ``image_dir`` receives downloaded images (default: the
    Hugging Face image cache, :func:`snare.probes.build.hf_image_cache`). The rest is passed to the builders:
    ``limit`` keeps the first N records, ``batch_size``/``n_process`` drive the caption parser.
    """

    tasks: tuple[str, ...] = ()
    source: str | None = None
    suite: str | None = None
    seed: int = 0
    split: str = "test"
    skip_bad: bool = False
    follow_links: bool = False
    image_dir: Path | None = None
    image_column: str | None = None
    caption_column: str | None = None
    limit: int | None = None
    batch_size: int = 256
    n_process: int = 1
    data_dir: Path | None = None
    n_scenes: int | None = None

    @property
    def from_scenes(self) -> bool:
        return names_scenes(self.source, self.suite)


def names_scenes(source: str | None, suite: str | None) -> bool:
    """Whether ``--source``/``--suite`` name the built-in synthetic scenes: neither given, or ``--source synthetic``
    (what a verb's default protocol depends on: :func:`snare.protocols.default_protocol`)."""
    return suite is None and source in (None, SYNTHETIC)


def assemble(spec: ProbeSpec, protocol: Protocol | str = DEFAULT, *, tick: Tick = _no_tick) -> ProbeSet:
    """The probe set ``spec`` describes, built under ``protocol``'s construction (a :class:`Protocol` or its name).

    Raises a one-line :class:`~snare.errors.SnareError` when the source cannot give a task or the construction
    cannot build it. ``tick`` reports progress as :func:`snare.probes.build.build_probeset` does."""
    protocol = as_protocol(protocol)
    if protocol.construction.build is not None:  # the construction makes the whole set (contrast twins)
        module, _, function = protocol.construction.build.partition(":")
        made: ProbeSet = getattr(import_module(module), function)(spec, protocol)
        return made
    spec, left_out = _leave_out(spec, protocol)
    parses: dict[str, Any] = {}
    if spec.suite is not None:
        from snare.probes.suites import build_suite

        base = build_suite(
            spec.suite,
            image_dir=spec.image_dir or hf_image_cache(),
            seed=spec.seed,
            protocol=protocol,
            data_dir=spec.data_dir,
            limit=spec.limit,
            skip_bad=spec.skip_bad,
            batch_size=spec.batch_size,
            n_process=spec.n_process,
            tasks=list(spec.tasks),
            parses_out=parses,
        )
    elif spec.from_scenes:
        base = _scenes(spec, protocol, parses)
    else:
        base = build_probeset(
            spec.tasks,
            str(spec.source),
            seed=spec.seed,
            split=spec.split,
            skip_bad=spec.skip_bad,
            follow_links=spec.follow_links,
            image_dir=spec.image_dir or hf_image_cache(),
            image_column=spec.image_column,
            caption_column=spec.caption_column,
            limit=spec.limit,
            batch_size=spec.batch_size,
            n_process=spec.n_process,
            protocol=protocol,
            parses_out=parses,
            tick=tick,
        )
    if not protocol.construction.keep_true_options:
        base = without_true_options(base)
    made = _refine(base, parses, spec.seed, protocol)
    if left_out:
        made.info["left_out"] = left_out
    return made


def _record_kinds(spec: ProbeSpec) -> dict[str, str]:
    """The record kind each asked-for task would be built from (every task of a suite when none is asked for)."""
    if spec.from_scenes:
        return dict.fromkeys(spec.tasks, SYNTHETIC)
    if spec.suite is not None:
        from snare.probes.suites import dataset_table, get_suite

        pairs = get_suite(spec.suite).tasks
        return {t: dataset_table()[d].kind for t, d in pairs if not spec.tasks or t in spec.tasks}
    return {task: source_kind(str(spec.source), task, spec.split) for task in spec.tasks}


def _leave_out(spec: ProbeSpec, protocol: Protocol) -> tuple[ProbeSpec, dict[str, str]]:
    """``spec`` without the tasks the construction leaves out for their records, and those tasks with the reason;
    one line when every task asked for is left out."""
    if not protocol.construction.left_out:
        return spec, {}
    kinds = _record_kinds(spec)
    why = {t: r for t, kind in kinds.items() if (r := protocol.construction.leaves_out(t, kind)) is not None}
    if not why:
        return spec, {}
    kept = tuple(t for t in kinds if t not in why)
    if not kept:
        task, reason = next(iter(why.items()))
        raise SnareError(
            f"--protocol {protocol.name} leaves out {task} built from {kinds[task].replace('_', '-')}: {reason}; "
            f"build it under --protocol {DEFAULT}"
        )
    return replace(spec, tasks=kept), why


def _scenes(spec: ProbeSpec, protocol: Protocol, parses: dict[str, Any]) -> ProbeSet:
    """The built-in synthetic scenes (every task they have unless ``spec.tasks``); their captions' parses, exact by
    construction, go into ``parses`` when the construction refines the items."""
    from snare.probes.scenes import make_scene
    from snare.probes.synthetic import DEFAULT_SCENES, TASKS, scene_captions, synthetic_probeset

    check_scenes(protocol)
    for task in spec.tasks:
        source_kind(SYNTHETIC, task)  # one line for a task the scenes cannot give
    n = spec.n_scenes or DEFAULT_SCENES
    probes = synthetic_probeset(seed=spec.seed, n_scenes=n, tasks=tuple(spec.tasks) or TASKS)
    if protocol.construction.refine is not None:
        parses.update({p.text: p for i in range(n) for p in scene_captions(make_scene(spec.seed, i))})
    return probes


def without_true_options(probes: ProbeSet) -> ProbeSet:
    """``probes`` with the options each task declares true though not intended (``ProbeTask.true_options``) taken
    out of its items, the intended index moved with them; the set itself when no item has one."""
    from snare.probes.tasks import TASKS

    def trimmed(item: ProbeItem) -> ProbeItem:
        spec = TASKS.get(item.task)
        drop = {k for k, label in enumerate(item.labels) if spec and label in spec.true_options and k != item.correct}
        if not drop:
            return item
        keep = [k for k in range(len(item.options)) if k not in drop]
        return item.model_copy(
            update={
                "options": tuple(item.options[k] for k in keep),
                "labels": tuple(item.labels[k] for k in keep),
                "correct": keep.index(item.correct),
            }
        )

    items = [trimmed(it) for it in probes.items]
    if all(new is old for new, old in zip(items, probes.items, strict=True)):
        return probes
    return ProbeSet(items, name=probes.name, image_root=probes.image_root, info=probes.info)


def _refine(base: ProbeSet, parses: dict[str, Any], seed: int, protocol: Protocol) -> ProbeSet:
    """``base`` re-made by the construction's ``refine`` (as it is when it has none), recording the protocol."""
    target = protocol.construction.refine
    if target is None:
        return base
    module, _, function = target.partition(":")
    refined: ProbeSet = getattr(import_module(module), function)(base, parses, seed)
    refined.info["protocol"] = protocol.build_record()
    return refined


def builtin_probeset(protocol: Protocol | str = DEFAULT, seed: int = 0) -> ProbeSet:
    """The built-in probe set that ``snare eval`` and ``snare audit`` use without ``--probes``: every task of the
    synthetic scenes, built under the protocol's construction when only such a set may be scored under it
    (``exclusive``: balanced), else by the default construction (the protocol then only changes the scoring)."""
    protocol = as_protocol(protocol)
    builder = protocol if protocol.construction.exclusive else as_protocol(DEFAULT)
    return assemble(ProbeSpec(seed=seed), builder)


def check_built_under(probes: ProbeSet, protocol: Protocol | str) -> None:
    """Under a protocol whose construction is ``exclusive``, only a probe set built under that construction may
    be scored; one line saying how to rebuild it otherwise."""
    protocol = as_protocol(protocol)
    if not protocol.construction.exclusive:
        return
    built = (probes.info.get("protocol") or {}).get("name", DEFAULT)
    made_by = protocols().get(str(built))
    if made_by is None or made_by.construction != protocol.construction:
        raise SnareError(
            f"--protocol {protocol.name} scores probe sets built under it; this one was built under --protocol "
            f"{built} (rebuild it: snare probes build ... --protocol {protocol.name})"
        )
