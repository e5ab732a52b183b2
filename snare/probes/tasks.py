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

    @property
    def n_options(self) -> int:
        return len(self.labels)


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
        ),
        ProbeTask(
            "attribute_ownership",
            "Attribute ownership",
            "which object an attribute belongs to: true pairs, exchanged, 'respectively'",
            ("correct", "exchange", "separate"),
        ),
        ProbeTask(
            "relationship_composition",
            "Relationship composition",
            "who does what to whom: true relation, subject/object exchanged, relation replaced by 'and'",
            ("correct", "exchange", "and"),
        ),
        ProbeTask(
            "spatial_relations",
            "Spatial relations",
            "which of four spatial relations holds",
            ("to the left of", "to the right of", "on", "below"),
            correct=None,
        ),
    )
}


def get_task(name: str) -> ProbeTask:
    if name not in TASKS:
        raise UnknownNameError(f"unknown task {name!r}.{suggest(name, list(TASKS))} See: snare probes list")
    return TASKS[name]
