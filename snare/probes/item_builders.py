"""Turn one source record into the probe items of one task (pure: record, parses, seed -> items or a reason).

Item ids are ``<record key>/<caption index>/<task>`` (``<record key>/<task>`` for Visual Genome entries), the
cluster is the underlying image, and each item's randomness comes from ``ItemRng(seed, item id)``, so a probe set
does not depend on build order, batch size or number of processes.
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
from snare.generators.shuffle import ARO_ORDER_SHUFFLES, SNARE_SHUFFLES, Shuffle
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
) -> list[ProbeItem]:
    """One item per caption of ``record`` that yields valid options; the others are counted in ``skipped``."""
    spec = get_task(task)
    generate = CAPTION_GENERATORS[task]
    items = []
    for k, caption in enumerate(record.captions):
        text = pre_caption(caption)
        if not text:
            skipped["empty caption"] += 1
            continue
        item_id = f"{record.key}/{k}/{task}"
        try:
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


def vg_item(record: VGRecord, kind: str, task: str, source_name: str, skipped: Counter[str]) -> ProbeItem | None:
    """The item of one VG-Relation / VG-Attribution entry, cropped to its box; None (counted) when it has none."""
    spec = get_task(task)
    entry = record.entry
    try:
        options, correct = VG_GENERATORS[(kind, task)](entry)
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
