"""Build a probe set from a source and one or more tasks: source records -> parses -> items -> :class:`ProbeSet`.

Every caption is pre-processed (BLIP's ``pre_caption``) and parsed once, in batches, with only the spaCy components
the requested tasks need; all tasks share the parses. Records, captions and entries that yield no item are
counted by reason in the manifest (``build``), as are records skipped for bad input (``skipped_records``).

``protocol`` is recorded in the manifest, and its construction (:class:`snare.protocols.Construction`) decides how
items are made: by default degenerate shuffles are re-drawn and every option is rendered from the caption's own
token slots; a construction with ``paper_shuffles`` builds the shuffle tasks as the original code did (see
:mod:`snare.probes.item_builders`) and counts, per task, the items kept with an option equal to the intended one
(``build.<task>.equal_to_intended``). A construction that refines the items (balanced) is applied on top of this
build by :func:`snare.probes.assemble.assemble` (``parses_out`` hands it the parses).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from snare.errors import SnareError
from snare.probes.probeset import ProbeSet
from snare.probes.sources import Source, SourceError, check_source_task, open_source, record_kind
from snare.probes.tasks import get_task
from snare.protocols import DEFAULT, Protocol, as_protocol

SYNTHETIC = "synthetic"
_MAX_LISTED_BAD = 20
# tick(phase, n, total): n more units of phase done (snare.cli.console.progress's callback)
Tick = Callable[[str, int, int | None], None]


def _no_tick(phase: str, n: int, total: int | None = None) -> None:
    pass


def hf_image_cache() -> Path:
    """Where images of Hugging Face datasets go when a probe set is built in memory (``snare eval --source``):
    ``$SNARE_CACHE/hf-images``, else the user cache folder. Files are named by content, so sharing is safe."""
    import os

    env = os.environ.get("SNARE_CACHE")
    if env:
        return Path(env) / "hf-images"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("snare", appauthor=False)) / "hf-images"


def source_kind(spec: str, task: str, split: str = "test") -> str:
    """Which records ``task`` is built from for ``--source spec``: captions, vg_relation, vg_attribution, choice (as
    the source's form declares, :func:`snare.probes.sources.record_kind`) or synthetic. Raises a one-line error when
    the source cannot give the task."""
    allowed = get_task(task).sources
    kind = SYNTHETIC if spec == SYNTHETIC else record_kind(spec, allowed, split)
    if kind != SYNTHETIC:
        check_source_task(spec, task)  # a file that holds one set of a benchmark builds only that set's task
    if kind not in allowed:
        raise SnareError(
            f"task {task!r} cannot be built from --source {spec} ({kind.replace('_', '-')}); "
            f"it needs: {', '.join(a.replace('_', '-') for a in allowed)}"
        )
    return kind


def check_images(source: Source, *, skip_bad: bool, follow_links: bool = False, tick: Tick = _no_tick) -> None:
    """Every image a record refers to must exist and decode; with ``skip_bad`` bad ones drop their records.

    An image must be a path inside the source folder; a link inside it to a file outside it (an images folder
    linked to a dataset elsewhere) is refused unless ``follow_links``, since its target is copied into the set.
    """
    from snare.safe_io import UnsafeInputError, read_image

    status: dict[str, str | None] = {}
    names = sorted({r.image for r in source.records})
    root = source.root.resolve()
    for image in names:
        path = source.root / image
        problem = None
        try:
            if Path(image).is_absolute() or ".." in Path(image).parts:
                problem = "image outside the source folder"  # a source may only use images of its own folder
            elif not follow_links and not path.resolve().is_relative_to(root):  # a link to a file outside it
                problem = "image links outside the source folder"
            else:
                read_image(path)  # a full decode: verify() alone passes truncated JPEGs
        except FileNotFoundError:
            problem = "missing image"
        except (OSError, UnsafeInputError):
            problem = "corrupt image"
        status[image] = problem
        if problem and not skip_bad:
            hint = {
                "missing image": "check the source folder",
                "corrupt image": "replace it",
                "image links outside the source folder": "pass --follow-links if its target may be copied",
            }.get(problem, "use paths relative to the source folder")
            raise SourceError(f"{path}: {problem} ({hint}, or pass --skip-bad to skip its records)")
        tick("images", 1, len(names))
    kept = []
    for record in source.records:
        if status[record.image]:
            source.skipped[str(status[record.image])] += 1
        else:
            kept.append(record)
    source.bad_images = sorted(i for i, p in status.items() if p)
    source.records = kept


def build_probeset(
    tasks: Sequence[str],
    source: str,
    *,
    seed: int = 0,
    split: str = "test",
    skip_bad: bool = False,
    follow_links: bool = False,
    image_dir: Path | None = None,
    image_column: str | None = None,
    caption_column: str | None = None,
    limit: int | None = None,
    batch_size: int = 256,
    n_process: int = 1,
    protocol: Protocol | str = DEFAULT,
    parses_out: dict[str, Any] | None = None,
    tick: Tick = _no_tick,
) -> ProbeSet:
    """Build ``tasks`` from ``source`` (see :func:`snare.probes.sources.open_source` for the forms it takes).

    ``limit`` keeps the first N records (images or entries) of the source; ``image_dir`` receives the images of
    Hugging Face datasets. ``follow_links`` accepts images linked from outside the source folder (see
    :func:`check_images`). Nothing is written anywhere else. ``protocol``: a :class:`~snare.protocols.Protocol`
    (or its name). ``parses_out``, when given, receives the caption parses the build made. ``tick`` reports
    progress: images checked, captions parsed, records turned into items (per task).
    """
    from snare.generators import GENERATOR_VERSION

    if not tasks:
        raise SnareError("name at least one task (see: snare probes list)")
    protocol = as_protocol(protocol)
    paper = protocol.construction.paper_shuffles
    kinds = {task: source_kind(source, task, split) for task in tasks}
    if SYNTHETIC in kinds.values():
        check_scenes(protocol)
        return _synthetic(list(tasks), seed)
    loaded = _load_sources(
        source,
        kinds,
        tasks,
        split=split,
        skip_bad=skip_bad,
        follow_links=follow_links,
        image_dir=image_dir,
        columns=(image_column, caption_column),
        limit=limit,
        tick=tick,
    )
    items, report, spacy = _build_items(
        kinds, loaded, seed, batch_size=batch_size, n_process=n_process, paper=paper, parses_out=parses_out, tick=tick
    )
    if not items:  # an empty probe set is an error at build time, not a 0-item run later
        n_records = sum(len(s.records) for s in loaded.values())
        raise SnareError(
            f"--source {source}: no {' or '.join(tasks)} item could be built from its {n_records} records; "
            "check the task and the captions"
        )
    first = next(iter(loaded.values()))
    info: dict[str, Any] = {
        "source": {"spec": source, "split": split, **{k: s.info for k, s in sorted(loaded.items())}},
        "seed": seed,
        "protocol": protocol.build_record(),
        "generator_version": GENERATOR_VERSION,
        "spacy": spacy,
        "build": report,
        "skipped_records": {k: dict(sorted(s.skipped.items())) for k, s in sorted(loaded.items())},
        "bad_images": {k: s.bad_images[:_MAX_LISTED_BAD] for k, s in sorted(loaded.items()) if s.bad_images},
    }
    name = "+".join(sorted({s.name for s in loaded.values()}))
    return ProbeSet(items, name=name, image_root=first.root, info=info)


def _load_sources(
    source: str,
    kinds: dict[str, str],
    tasks: Sequence[str],
    *,
    split: str,
    skip_bad: bool,
    follow_links: bool,
    image_dir: Path | None,
    columns: tuple[str | None, str | None],
    limit: int | None,
    tick: Tick,
) -> dict[str, Source]:
    """Each source kind the tasks need, opened once, cut to ``limit`` records, its images checked."""
    image_column, caption_column = columns
    loaded: dict[str, Source] = {}
    for kind in sorted(set(kinds.values())):
        dataset = next((get_task(t).caption_dataset for t in tasks if get_task(t).caption_dataset), None)
        src = open_source(
            source,
            kind,
            split=split,
            dataset=dataset,
            skip_bad=skip_bad,
            image_dir=image_dir,
            image_column=image_column,
            caption_column=caption_column,
        )
        if limit is not None:
            src.records = src.records[:limit]
        check_images(src, skip_bad=skip_bad, follow_links=follow_links, tick=tick)
        if not src.records:
            raise SourceError(f"--source {source}: no usable records")
        loaded[kind] = src
    return loaded


def check_scenes(protocol: Protocol) -> None:
    """Refuse a construction the built-in synthetic scenes cannot be built under (one line)."""
    if not protocol.construction.builtin_scenes:
        raise SnareError(
            f"--protocol {protocol.name} changes how probes are built from captions and Visual Genome entries; the "
            "built-in synthetic scenes are built one way: use --protocol snare, or a caption source"
        )


def _equal_to_intended(items: list[Any]) -> int:
    """Items in which another option is the very string of the intended one (only the paper construction)."""
    return sum(any(o == it.options[it.correct] for k, o in enumerate(it.options) if k != it.correct) for it in items)


def build_items(
    kinds: dict[str, str],
    loaded: dict[str, Source],
    seed: int,
    *,
    batch_size: int = 256,
    n_process: int = 1,
    paper: bool = False,
    parses_out: dict[str, Any] | None = None,
) -> tuple[list[Any], dict[str, Any], dict[str, Any] | None]:
    """Items of each ``task -> kind`` in ``kinds`` from the loaded sources, the per-task build report and the
    spaCy record (None when no caption was parsed). Used by suites, which build one dataset at a time;
    ``parses_out`` receives the caption parses."""
    return _build_items(
        kinds, loaded, seed, batch_size=batch_size, n_process=n_process, paper=paper, parses_out=parses_out
    )


def _build_items(
    kinds: dict[str, str],
    loaded: dict[str, Source],
    seed: int,
    *,
    batch_size: int,
    n_process: int,
    paper: bool = False,
    parses_out: dict[str, Any] | None = None,
    tick: Tick = _no_tick,
) -> tuple[list[Any], dict[str, Any], dict[str, Any] | None]:
    from snare.probes.item_builders import caption_items, parse_key, vg_item

    caption_tasks = [t for t, k in kinds.items() if k == "captions"]
    parses: dict[str, Any] = {}
    spacy = None
    if caption_tasks:
        from snare.generators.parsing import components_for, load_nlp, nlp_info, parse_captions
        from snare.generators.text import pre_caption

        nlp = load_nlp(components_for(any(get_task(t).needs_parser for t in caption_tasks)))
        records = loaded["captions"].records
        # Only captions that survive pre_caption are parsed; the paper shuffles parse the raw caption instead.
        texts = {
            parse_key(t, c, paper=paper) for t in caption_tasks for r in records for c in r.captions if pre_caption(c)
        }
        parses = parse_captions(
            texts,
            nlp,
            batch_size=batch_size,
            n_process=n_process,
            on_parsed=lambda n, total: tick("captions", n, total),
        )
        spacy = nlp_info(nlp)
        if parses_out is not None:
            parses_out.update(parses)
    items: list[Any] = []
    report: dict[str, Any] = {}
    for task, kind in kinds.items():
        src = loaded[kind]
        skipped: Counter[str] = Counter()
        before = len(items)
        if kind == "captions":
            candidates = sum(len(r.captions) for r in src.records)
            for record in src.records:
                items.extend(caption_items(record, task, parses, seed, src.name, skipped, paper=paper))
                tick(task, 1, len(src.records))
        else:
            candidates = len(src.records)
            for record in src.records:
                made = vg_item(record, kind, task, src.name, skipped, paper=paper)
                items.extend([made] if made is not None else [])
                tick(task, 1, len(src.records))
        report[task] = {
            "candidates": candidates,
            "items": len(items) - before,
            "skipped": dict(sorted(skipped.items())),
        }
        if paper:  # the default construction never keeps such an item
            report[task]["equal_to_intended"] = _equal_to_intended(items[before:])
    return items, report, spacy


def _synthetic(tasks: list[str], seed: int) -> ProbeSet:
    from snare.probes.synthetic import synthetic_probeset

    return synthetic_probeset(seed=seed, tasks=tuple(tasks))
