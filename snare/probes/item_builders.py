"""Turn one source record into the probe items of one task (pure: record, parses, seed -> items or a reason).

Item ids are ``<record key>/<caption index>/<task>`` (``<record key>/<task>`` for Visual Genome entries), the
cluster is the underlying image, and each item's randomness comes from ``ItemRng(seed, item id)``, so a probe set
does not depend on build order, batch size or number of processes.

``paper=True`` builds as the originals did (``--protocol snare-paper`` / ``aro-paper``): each shuffle is applied
to the raw caption and ``pre_caption`` to its output, nothing is re-drawn, and no item is dropped because an
option equals the intended one. Caption-based negation, attribute and relation items are this package's extension
(the originals build them from Visual Genome only), so they are built the same way under every protocol.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from snare.generators.attributes import attribute_options, vg_attribution_options
from snare.generators.errors import NoPerturbation
from snare.generators.negation import negate, negation_template
from snare.generators.relations import relation_options, spatial_options, vg_relation_options
from snare.generators.rng import ItemRng
from snare.generators.shuffle import (
    ARO_ORDER_SHUFFLES,
    PAPER_ARO_ORDER_SHUFFLES,
    PAPER_SNARE_SHUFFLES,
    SNARE_SHUFFLES,
    PaperShuffle,
    Shuffle,
)
from snare.generators.text import pre_caption
from snare.generators.tokens import ParsedCaption
from snare.probes.item import ImageRef, ProbeItem
from snare.probes.sources.base import CaptionRecord, VGRecord
from snare.probes.tasks import get_task

CaptionGenerator = Callable[[ParsedCaption, ItemRng], list[str]]


def _caption(parsed: ParsedCaption) -> str:
    """The intended option, rendered from the same token slots as every perturbed option."""
    return parsed.render(range(len(parsed)))


def _shuffles(table: tuple[tuple[str, Shuffle], ...]) -> CaptionGenerator:
    def generate(parsed: ParsedCaption, rng: ItemRng) -> list[str]:
        options = [_caption(parsed)]
        for label, shuffle in table:
            out = shuffle(parsed, rng)
            if out is None:
                raise NoPerturbation(f"degenerate {label}: no different permutation exists")
            options.append(out)
        return options

    return generate


CAPTION_GENERATORS: dict[str, CaptionGenerator] = {
    "semantic_structure": _shuffles(SNARE_SHUFFLES),
    "coco_order": _shuffles(ARO_ORDER_SHUFFLES),
    "flickr30k_order": _shuffles(ARO_ORDER_SHUFFLES),
    "negation_logic": lambda p, _rng: [_caption(p), negate(p)],
    "attribute_ownership": lambda p, _rng: attribute_options(p),
    "relationship_composition": lambda p, _rng: relation_options(p),
}
# Tasks whose generators read the dependency parse; the shuffles need only the tagger.
NEEDS_PARSER = frozenset({"negation_logic", "attribute_ownership", "relationship_composition"})

# The shuffle tasks under the originals' construction. Their generators take the parse of the *raw* caption.
PAPER_SHUFFLES: dict[str, tuple[tuple[str, PaperShuffle], ...]] = {
    "semantic_structure": PAPER_SNARE_SHUFFLES,
    "coco_order": PAPER_ARO_ORDER_SHUFFLES,
    "flickr30k_order": PAPER_ARO_ORDER_SHUFFLES,
}


def parse_key(task: str, caption: str, *, paper: bool) -> str:
    """The text whose parse ``task`` reads for ``caption``: the raw caption for the originals' shuffles (they
    tagged the caption as written), else the ``pre_caption``-ed text."""
    return caption if paper and task in PAPER_SHUFFLES else pre_caption(caption)


def paper_shuffle_options(task: str, raw: ParsedCaption, rng: ItemRng) -> list[str]:
    """The originals' options: ``pre_caption(caption)``, then ``pre_caption(shuffle(caption))`` per shuffle.

    Options may equal the intended one (kept, as the original kept them), and the shuffled ones are spaCy tokens
    joined by single spaces (``man ,``) while the intended option keeps the caption's own spacing (``man,``).
    """
    return [pre_caption(raw.text), *(pre_caption(shuffle(raw, rng)) for _, shuffle in PAPER_SHUFFLES[task])]


def _vg_attribution_negation(e: Mapping[str, Any]) -> tuple[list[str], int]:
    return list(negation_template(e["obj1_name"], e["attributes"][0], e["obj2_name"], e["attributes"][1])), 0


VG_GENERATORS: dict[tuple[str, str], Callable[[Mapping[str, Any]], tuple[list[str], int]]] = {
    ("vg_relation", "relationship_composition"): lambda e: (vg_relation_options(e), 0),
    ("vg_relation", "spatial_relations"): spatial_options,
    ("vg_relation", "vg_relation"): lambda e: ([e["false_caption"], e["true_caption"]], 1),
    ("vg_attribution", "negation_logic"): _vg_attribution_negation,
    ("vg_attribution", "attribute_ownership"): lambda e: (vg_attribution_options(e), 0),
    ("vg_attribution", "vg_attribution"): lambda e: ([e["false_caption"], e["true_caption"]], 1),
}


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
    generate = CAPTION_GENERATORS[task]
    as_paper = paper and task in PAPER_SHUFFLES
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
    record: VGRecord, kind: str, task: str, source_name: str, skipped: Counter[str], *, paper: bool = False
) -> ProbeItem | None:
    """The item of one VG-Relation / VG-Attribution entry, cropped to its box; None (counted) when it has none.

    ``paper``: keep an entry even when two of its options coincide, as the originals kept every entry.
    """
    spec = get_task(task)
    entry = record.entry
    try:
        options, correct = VG_GENERATORS[(kind, task)](entry)
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
