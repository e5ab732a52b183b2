"""The probe tasks: what each one tests, its options in order, and which option is intended.

One declaration per task; sources (synthetic scenes, COCO/Flickr, ARO's Visual Genome files…) produce items
for the tasks they can.
"""

from __future__ import annotations

from dataclasses import dataclass

from snare.errors import UnknownNameError, suggest


@dataclass(frozen=True)
class ProbeTask:
    name: str
    title: str
    tests: str
    labels: tuple[str, ...]
    correct: int | None = 0  # None: the intended option varies per item (spatial relations)
    paper: str = "SNARE"
    min_group: int = 25  # per-subgroup breakdowns show groups of at least this many items
    # Which records can produce the task: "captions" (COCO, Flickr30k, pairs, Hugging Face), "vg_relation",
    # "vg_attribution" (ARO's Visual Genome files), "synthetic" (the built-in scenes). The first is the paper's.
    sources: tuple[str, ...] = ("captions", "synthetic")

    @property
    def n_options(self) -> int:
        return len(self.labels)


ORDER_LABELS = (
    "correct",
    "shuffle_nouns_and_adjs",
    "shuffle_allbut_nouns_and_adjs",
    "shuffle_within_trigrams",
    "shuffle_trigrams",
)

TASKS: dict[str, ProbeTask] = {
    t.name: t
    for t in (
        ProbeTask(
            "semantic_structure",
            "Semantic structure",
            "word order: the caption vs. POS-aware shuffles of it",
            ("correct", "shuffle_nouns_verbs_adjs", "shuffle_allbut_nouns_verbs_adjs", "shuffle_all_words"),
        ),
        ProbeTask(
            "negation_logic",
            "Negation logic",
            "negation: 'the X is A and the Y is B' vs. 'the X is not A and the Y is not B'",
            ("correct", "negated"),
            sources=("vg_attribution", "captions", "synthetic"),
        ),
        ProbeTask(
            "attribute_ownership",
            "Attribute ownership",
            "which object an attribute belongs to: true pairs, exchanged, 'respectively'",
            ("correct", "exchange", "separate"),
            sources=("vg_attribution", "captions", "synthetic"),
        ),
        ProbeTask(
            "relationship_composition",
            "Relationship composition",
            "who does what to whom: true relation, subject/object exchanged, relation replaced by 'and'",
            ("correct", "exchange", "and"),
            sources=("vg_relation", "captions", "synthetic"),
        ),
        ProbeTask(
            "spatial_relations",
            "Spatial relations",
            "which of four spatial relations holds",
            ("to the left of", "to the right of", "on", "below"),
            correct=None,
            sources=("vg_relation", "synthetic"),
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
        ),
        ProbeTask(
            "vg_attribution",
            "VG-Attribution (ARO)",
            "attributes: the true caption vs. the two attributes exchanged",
            ("exchange", "correct"),
            correct=1,
            paper="ARO",
            sources=("vg_attribution",),
        ),
        ProbeTask(
            "coco_order",
            "COCO-Order (ARO)",
            "word order on COCO captions: the caption vs. four ARO shuffles",
            ORDER_LABELS,
            paper="ARO",
            sources=("captions",),
        ),
        ProbeTask(
            "flickr30k_order",
            "Flickr30k-Order (ARO)",
            "word order on Flickr30k captions: the caption vs. four ARO shuffles",
            ORDER_LABELS,
            paper="ARO",
            sources=("captions",),
        ),
    )
}


def get_task(name: str) -> ProbeTask:
    if name not in TASKS:
        raise UnknownNameError(f"unknown task {name!r}.{suggest(name, list(TASKS))} See: snare probes list")
    return TASKS[name]
