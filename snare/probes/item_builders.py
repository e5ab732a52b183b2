"""Turn one source record into the probe items of one task (pure: record, parses, seed -> items or a reason).

Item ids are ``<record key>/<caption index>/<task>`` (``<record key>/<task>`` for Visual Genome entries), the
cluster is the underlying image, and each item's randomness comes from ``ItemRng(seed, item id)``, so a probe set
does not depend on build order, batch size or number of processes.

``paper=True`` builds as the originals did (``--protocol snare-paper`` / ``aro-paper``): each shuffle is applied
to the raw caption and ``pre_caption`` to its output, nothing is re-drawn, and no item is dropped because an
option equals the intended one. Caption-based negation, attribute and relation items are this package's extension
(the originals build them from Visual Genome only), so they are built the same way under every protocol.
Which generator makes a task's options is part of the task's declaration (:mod:`snare.probes.tasks`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from snare.generators.no_perturbation import NoPerturbation
from snare.generators.rng import ItemRng
from snare.generators.text import pre_caption
from snare.generators.tokens import ParsedCaption
from snare.probes.item import ImageRef, ProbeItem
from snare.probes.sources.base import CaptionRecord, VGRecord
from snare.probes.sources.choices import ChoiceRecord, choice_item
from snare.probes.tasks import get_task


def parse_key(task: str, caption: str, *, paper: bool) -> str:
    """The text whose parse ``task`` reads for ``caption``: the raw caption for the originals' shuffles (they
    tagged the caption as written), else the ``pre_caption``-ed text."""
    return caption if paper and get_task(task).paper_shuffles else pre_caption(caption)


def paper_shuffle_options(task: str, raw: ParsedCaption, rng: ItemRng) -> list[str]:
    """The originals' options: ``pre_caption(caption)``, then ``pre_caption(shuffle(caption))`` per shuffle.

    Options may equal the intended one (kept, as the original kept them), and the shuffled ones are spaCy tokens
    joined by single spaces (``man ,``) while the intended option keeps the caption's own spacing (``man,``).
    """
    shuffles = get_task(task).paper_shuffles or ()
    return [pre_caption(raw.text), *(pre_caption(shuffle(raw, rng)) for _, shuffle in shuffles)]


def _check_distinct(options: list[str], correct: int) -> None:
    if any(o == options[correct] for k, o in enumerate(options) if k != correct):
        raise NoPerturbation("an option equals the intended one")


def caption_items(
    record: CaptionRecord,
    task: str,
    parses: Mapping[str, ParsedCaption],
    seed: int,
    source_name: str,
    skipped: Counter[str],
    *,
    paper: bool = False,
) -> list[ProbeItem]:
    """One item per caption of ``record`` that yields valid options; the others are counted in ``skipped``.

    ``parses`` maps :func:`parse_key` texts to their parses; ``paper`` selects the originals' construction.
    """
    spec = get_task(task)
    generate = spec.caption_options
    if generate is None:
        raise ValueError(f"task {task!r} is not built from captions")
    as_paper = paper and spec.paper_shuffles is not None
    items = []
    for k, caption in enumerate(record.captions):
        text = pre_caption(caption)
        if not text:
            skipped["empty caption"] += 1
            continue
        item_id = f"{record.key}/{k}/{task}"
        try:
            if as_paper:  # no re-draw, no distinctness check: a degenerate option stays, as in the original
                options = paper_shuffle_options(task, parses[caption], ItemRng(seed, item_id))
            else:
                options = generate(parses[text], ItemRng(seed, item_id))
                _check_distinct(options, spec.correct or 0)
        except NoPerturbation as why:
            skipped[why.reason] += 1
            continue
        items.append(
            ProbeItem(
                id=item_id,
                task=task,
                image=ImageRef(path=record.image),
                cluster=record.cluster,
                options=tuple(options),
                labels=spec.labels,
                correct=spec.correct or 0,
                meta={"source": source_name, "caption_index": k},
            )
        )
    return items


def vg_item(
    record: VGRecord | ChoiceRecord,
    kind: str,
    task: str,
    source_name: str,
    skipped: Counter[str],
    *,
    paper: bool = False,
) -> ProbeItem | None:
    """The item of one VG-Relation / VG-Attribution entry, cropped to its box; None (counted) when it has none.
    A record whose options the data gives (:class:`ChoiceRecord`, SugarCrepe) is its item as given.

    ``paper``: keep an entry even when two of its options coincide, as the originals kept every entry.
    """
    if isinstance(record, ChoiceRecord):  # options given by the data: nothing to generate or check
        return choice_item(record, task, source_name)
    spec = get_task(task)
    entry = record.entry
    try:
        options, correct = spec.vg_options[kind](entry)
        if not paper:
            _check_distinct(options, correct)
    except NoPerturbation as why:
        skipped[why.reason] += 1
        return None
    meta: dict[str, Any] = {"source": source_name, "obj1": entry["obj1_name"], "obj2": entry["obj2_name"]}
    if kind == "vg_relation":
        meta["relation"] = entry["relation_name"]
    else:
        meta["attributes"] = list(entry["attributes"])
    return ProbeItem(
        id=f"{record.key}/{task}",
        task=task,
        image=ImageRef(path=record.image, bbox=record.bbox),
        cluster=record.cluster,
        options=tuple(options),
        labels=spec.labels,
        correct=correct,
        meta=meta,
    )
