"""The probe tasks, each declared once: what it tests, its options, how every kind of source builds them, and how
reports break it down.

A declaration holds everything a task is (the way mteb's ``TaskMetadata`` or an lm-eval task YAML keeps a task in
one place): its option labels and intended option; the records that can produce it (``sources``); how options are
made from a parsed caption (``caption_options``, and ``paper_shuffles`` for the originals' construction under
``--protocol snare-paper``/``aro-paper``) and from a Visual Genome entry (``vg_options``, by record kind; the
built-in synthetic scenes go through these too); whether the caption generator reads the dependency parse; the
item metadata its breakdowns group by, the extra columns the paper prints for it, and the smallest group shown;
whether it is a word-order task (reports then show a pretrained LM's score on the same items).
The generators themselves are in :mod:`snare.generators`; :mod:`snare.probes.item_builders` applies them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from snare.errors import UnknownNameError, suggest
from snare.generators.attributes import attribute_options, vg_attribution_options
from snare.generators.negation import negate, negation_template
from snare.generators.no_perturbation import NoPerturbation
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
from snare.generators.tokens import ParsedCaption

CaptionGenerator = Callable[[ParsedCaption, ItemRng], list[str]]
VGGenerator = Callable[[Mapping[str, Any]], tuple[list[str], int]]  # entry -> (options, intended index)
# How the balanced construction draws candidate (true, false) pairs from an item: rules of
# snare.probes.balanced.candidates.PAIR_RULES (swaps of the caption's words, polarity-balanced negation, the
# attribute and relation exchanges, or the intended option against each other option).
PairRule = Literal["swaps", "negation", "attributes", "relations", "options"]
MIN_GROUP = 25  # the paper shows per-relation / per-attribute accuracies only for groups of at least 25 items


@dataclass(frozen=True)
class ProbeTask:
    name: str
    title: str
    tests: str
    labels: tuple[str, ...]
    correct: int | None = 0  # None: the intended option varies per item (spatial relations)
    paper: str = "SNARE"
    # Which records can produce the task: "captions" (COCO, Flickr30k, pairs, Hugging Face), "vg_relation",
    # "vg_attribution" (ARO's Visual Genome files), "synthetic" (the built-in scenes). The first is the paper's.
    sources: tuple[str, ...] = ("captions", "synthetic")
    caption_options: CaptionGenerator | None = None  # options from a parsed caption (this package's construction)
    paper_shuffles: tuple[tuple[str, PaperShuffle], ...] | None = None  # the originals' shuffles of the raw caption
    needs_parser: bool = False  # the caption generator reads the dependency parse (the shuffles need only tags)
    vg_options: Mapping[str, VGGenerator] = field(default_factory=dict)  # by Visual Genome record kind
    group_field: str | None = None  # the item metadata breakdowns group by
    paper_view: Literal["option_wins", "top_k"] | None = None  # the extra columns the paper prints
    min_group: int = MIN_GROUP  # breakdowns show groups of at least this many items
    pair_rule: PairRule = "options"  # the balanced construction's candidate pairs (see PairRule)
    caption_dataset: str | None = None  # the Karpathy file it reads where a folder holds several ("coco"...)
    # Options that are true of the image though not the intended one (SNARE's "respectively" and "and" forms): the
    # original counts picking them as a wrong answer. Only the constructions that keep them (the paper's, and the
    # balanced one, which pairs them as true options) build them; the others leave them out of the items.
    true_options: tuple[str, ...] = ()
    # A word-order task: the caption against shuffles of its own words. It measures the text encoder's sense of
    # syntax, which a language prior has too, so contrast sets keep its default construction (no twins) and reports
    # show a text-only language model's score on the same items beside each model's.
    word_order: bool = False

    @property
    def n_options(self) -> int:
        return len(self.labels)


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


def _vg_attribution_negation(e: Mapping[str, Any]) -> tuple[list[str], int]:
    return list(negation_template(e["obj1_name"], e["attributes"][0], e["obj2_name"], e["attributes"][1])), 0


def _true_vs_false(e: Mapping[str, Any]) -> tuple[list[str], int]:
    return [e["false_caption"], e["true_caption"]], 1  # ARO's order: the false caption first


ORDER_LABELS = ("correct", *(name for name, _ in ARO_ORDER_SHUFFLES))


def _order_task(name: str, title: str, dataset: str) -> ProbeTask:
    return ProbeTask(
        name,
        title,
        f"word order on {dataset} captions: the caption vs. four ARO shuffles",
        ORDER_LABELS,
        paper="ARO",
        sources=("captions",),
        caption_options=_shuffles(ARO_ORDER_SHUFFLES),
        paper_shuffles=PAPER_ARO_ORDER_SHUFFLES,
        pair_rule="swaps",
        caption_dataset=name.removesuffix("_order"),
        word_order=True,
    )


# SugarCrepe's seven sets (Hsieh et al. 2023): the options are the data's (caption, then its hard negative).
SUGARCREPE_SETS = {
    "add_att": "an attribute added to the caption",
    "add_obj": "an object added to the caption",
    "replace_att": "an attribute replaced",
    "replace_obj": "an object replaced",
    "replace_rel": "a relation replaced",
    "swap_att": "two attributes swapped",
    "swap_obj": "two objects swapped",
}


def _sugarcrepe_task(subset: str, what: str) -> ProbeTask:
    return ProbeTask(
        f"sugarcrepe_{subset}",
        f"SugarCrepe {subset.replace('_', '-')}",
        f"the COCO caption vs. a fluent hard negative with {what}",
        ("correct", "negative"),
        paper="SugarCrepe",
        sources=("choice",),  # the options come with the data (snare.probes.sources.choices)
    )


TASKS: dict[str, ProbeTask] = {
    t.name: t
    for t in (
        ProbeTask(
            "semantic_structure",
            "Semantic structure",
            "word order: the caption vs. POS-aware shuffles of it",
            ("correct", *(name for name, _ in SNARE_SHUFFLES)),
            caption_options=_shuffles(SNARE_SHUFFLES),
            paper_shuffles=PAPER_SNARE_SHUFFLES,
            pair_rule="swaps",
            word_order=True,
        ),
        ProbeTask(
            "negation_logic",
            "Negation logic",
            "negation: 'the X is A and the Y is B' vs. 'the X is not A and the Y is not B'",
            ("correct", "negated"),
            sources=("vg_attribution", "captions", "synthetic"),
            caption_options=lambda p, _rng: [_caption(p), negate(p)],
            needs_parser=True,
            vg_options={"vg_attribution": _vg_attribution_negation},
            group_field="attributes",
            pair_rule="negation",
        ),
        ProbeTask(
            "attribute_ownership",
            "Attribute ownership",
            "which object an attribute belongs to: true pairs, exchanged, 'respectively'",
            ("correct", "exchange", "separate"),
            sources=("vg_attribution", "captions", "synthetic"),
            caption_options=lambda p, _rng: attribute_options(p),
            needs_parser=True,
            vg_options={"vg_attribution": lambda e: (vg_attribution_options(e), 0)},
            group_field="attributes",  # the ordered pair, as ARO/SNARE group it
            paper_view="option_wins",
            pair_rule="attributes",
            true_options=("separate",),  # "the X and the Y are A and B respectively" is as true as the caption
        ),
        ProbeTask(
            "relationship_composition",
            "Relationship composition",
            "who does what to whom: true relation, subject/object exchanged, relation replaced by 'and'",
            ("correct", "exchange", "and"),
            sources=("vg_relation", "captions", "synthetic"),
            caption_options=lambda p, _rng: relation_options(p),
            needs_parser=True,
            vg_options={"vg_relation": lambda e: (vg_relation_options(e), 0)},
            group_field="relation",
            paper_view="option_wins",
            pair_rule="relations",
            true_options=("and",),  # "the X and the Y" is true of the image too
        ),
        ProbeTask(
            "spatial_relations",
            "Spatial relations",
            "which of four spatial relations holds",
            ("to the left of", "to the right of", "on", "below"),
            correct=None,
            sources=("vg_relation", "synthetic"),
            vg_options={"vg_relation": spatial_options},
            group_field="relation",
            paper_view="top_k",
        ),
        # ARO's originals, in ARO's option order (false caption first; ties count as wrong, so order is cosmetic).
        ProbeTask(
            "vg_relation",
            "VG-Relation (ARO)",
            "relations: the true caption vs. subject and object exchanged",
            ("exchange", "correct"),
            correct=1,
            paper="ARO",
            sources=("vg_relation",),
            vg_options={"vg_relation": _true_vs_false},
        ),
        ProbeTask(
            "vg_attribution",
            "VG-Attribution (ARO)",
            "attributes: the true caption vs. the two attributes exchanged",
            ("exchange", "correct"),
            correct=1,
            paper="ARO",
            sources=("vg_attribution",),
            vg_options={"vg_attribution": _true_vs_false},
        ),
        _order_task("coco_order", "COCO-Order (ARO)", "COCO"),
        _order_task("flickr30k_order", "Flickr30k-Order (ARO)", "Flickr30k"),
        *(_sugarcrepe_task(subset, what) for subset, what in SUGARCREPE_SETS.items()),
        # Winoground (Thrush et al. 2022): each 2x2 example is two items, image i with (caption 0, caption 1) and
        # caption i intended; snare.reports.groups turns their four scores into the text, image and group scores.
        ProbeTask(
            "winoground",
            "Winoground",
            "two images, two captions with the same words in another order: match them",
            ("caption_0", "caption_1"),
            correct=None,  # caption i for image i
            paper="Winoground",
            sources=("choice", "winoground"),  # --source files, or the hub repository (examples.jsonl + images.zip)
        ),
        # VALSE (Parcalabescu et al. 2022): the caption vs. its foil, validated entries only; an item's strict
        # accuracy is VALSE's pairwise ranking accuracy acc_r, broken down by piece (snare.probes.sources.valse).
        ProbeTask(
            "valse",
            "VALSE",
            "a caption vs. a foil that changes one linguistic phenomenon (existence, plurals, counting, ...)",
            ("correct", "negative"),
            paper="VALSE",
            sources=("choice",),
            group_field="piece",
        ),
        ProbeTask(
            "eqben",
            "EqBen",
            "two nearly identical images (video frames, renders), a caption true of each: match them, per subset",
            ("caption_0", "caption_1"),
            correct=None,  # caption i for image i, scored as Winoground is (snare.reports.groups)
            paper="EqBen",
            sources=("choice",),
            group_field="subset",
        ),
        ProbeTask(
            "vl_checklist",
            "VL-CheckList",
            "a caption vs. one with an object, attribute or relation changed, per sub-type (Attribute/color...)",
            ("correct", "negative"),
            paper="VL-CheckList",
            sources=("choice",),
            group_field="subset",
        ),
        ProbeTask(
            "bivlc",
            "BiVLC",
            "a COCO image and caption vs. a generated hard-negative caption and its generated image: match them",
            ("caption_0", "caption_1"),
            correct=None,  # caption i for image i, scored as Winoground is (snare.reports.groups)
            paper="BiVLC",
            sources=("minimal_pairs",),
        ),
        ProbeTask(
            "naturalbench",
            "NaturalBench (retrieval form)",
            "two images, two questions each answered yes for one of them: match each question to its image",
            ("question_0", "question_1"),
            correct=None,  # the question answered affirmatively for image i (snare.probes.sources.naturalbench)
            paper="NaturalBench",
            sources=("naturalbench",),
            group_field="question_type",
        ),
        ProbeTask(
            "mmvp_vlm",
            "MMVP-VLM",
            "two images that CLIP sees alike, a statement true of each: match them, per visual pattern",
            ("statement_0", "statement_1"),
            correct=None,  # statement i for image i; the paper's pair accuracy is the image score
            paper="MMVP-VLM",
            sources=("mmvp_vlm",),
            group_field="pattern",
        ),
    )
}


def get_task(name: str) -> ProbeTask:
    if name not in TASKS:
        raise UnknownNameError(f"unknown task {name!r}.{suggest(name, list(TASKS))} See: snare probes list")
    return TASKS[name]
