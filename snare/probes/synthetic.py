"""Built-in synthetic probe set: items for every task on the scenes of :mod:`snare.probes.scenes`.

Everything is a pure function of (seed, scene index): no files, no network, a few seconds for the default set.
"""

from __future__ import annotations

from snare.generators.rng import ItemRng
from snare.generators.shuffle import SNARE_SHUFFLES
from snare.generators.tokens import ParsedCaption
from snare.probes.item import ImageRef, ProbeItem
from snare.probes.probeset import ProbeSet
from snare.probes.scenes import RELATIONS, SPEC_VERSION, Scene, Shape, make_scene

_REL_TAGS = {"to": "IN", "the": "DT", "left": "NN", "right": "NN", "of": "IN", "on": "IN", "below": "IN"}

TASKS = (
    "semantic_structure",
    "negation_logic",
    "attribute_ownership",
    "relationship_composition",
    "spatial_relations",
)
DEFAULT_SCENES = 300
DEFAULT_SEED = 0


# -- captions and items -----------------------------------------------------------------------------------------
def _np(shape: Shape, det: str, *, size: bool) -> list[tuple[str, str]]:
    words = [(det, "DT")]
    if size:
        words.append((shape.size, "JJ"))
    return [*words, (shape.color, "JJ"), (shape.shape, "NN")]


def _rel(relation: str) -> list[tuple[str, str]]:
    return [(w, _REL_TAGS[w]) for w in relation.split()]


def scene_captions(scene: Scene) -> list[ParsedCaption]:
    """Two true captions per scene (as COCO has several per image), tagged by construction."""
    s, o = scene.subject, scene.object
    full = [*_np(s, "a", size=True), ("is", "VBZ"), *_rel(scene.relation), *_np(o, "a", size=True)]
    there = [("there", "EX"), ("is", "VBZ"), *_np(s, "a", size=False), *_rel(scene.relation), *_np(o, "a", size=False)]
    return [ParsedCaption.from_tagged(full), ParsedCaption.from_tagged(there)]


def scene_items(scene: Scene, seed: int, tasks: tuple[str, ...] = TASKS) -> list[ProbeItem]:
    """Every probe item that one scene yields for the selected tasks."""
    s, o, rel = scene.subject, scene.object, scene.relation
    image = ImageRef(scene=scene.spec())
    cluster = f"synthetic/s{seed}/scene{scene.index:05d}"
    meta = {
        "source": "synthetic",
        "relation": rel,
        "subject": s.shape,
        "object": o.shape,
        "attributes": [s.color, o.color],
    }
    items: list[ProbeItem] = []

    def add(task: str, suffix: str, options: list[str], labels: list[str], correct: int = 0, **extra) -> None:
        items.append(
            ProbeItem(
                id=f"{cluster}/{task}{suffix}",
                task=task,
                image=image,
                cluster=cluster,
                options=tuple(options),
                labels=tuple(labels),
                correct=correct,
                meta={**meta, **extra},
            )
        )

    if "semantic_structure" in tasks:
        for k, parsed in enumerate(scene_captions(scene)):
            item_id = f"{cluster}/semantic_structure/c{k}"
            rng = ItemRng(seed, item_id)
            shuffled = [fn(parsed, rng) for _, fn in SNARE_SHUFFLES]
            if any(opt is None for opt in shuffled):
                continue
            add(
                "semantic_structure",
                f"/c{k}",
                [parsed.text, *shuffled],  # type: ignore[list-item]
                ["correct", *(name for name, _ in SNARE_SHUFFLES)],
            )
    if "negation_logic" in tasks:
        add(
            "negation_logic",
            "",
            [
                f"the {s.shape} is {s.color} and the {o.shape} is {o.color}",
                f"the {s.shape} is not {s.color} and the {o.shape} is not {o.color}",
            ],
            ["correct", "negated"],
        )
    if "attribute_ownership" in tasks:
        add(
            "attribute_ownership",
            "",
            [
                f"the {s.color} {s.shape} and the {o.color} {o.shape}",
                f"the {o.color} {s.shape} and the {s.color} {o.shape}",
                f"the {s.shape} and the {o.shape} are {s.color} and {o.color} respectively",
            ],
            ["correct", "exchange", "separate"],
        )
    if "relationship_composition" in tasks:
        add(
            "relationship_composition",
            "",
            [
                f"the {s.shape} is {rel} the {o.shape}",
                f"the {o.shape} is {rel} the {s.shape}",
                f"the {s.shape} and the {o.shape}",
            ],
            ["correct", "exchange", "and"],
        )
    if "spatial_relations" in tasks:
        add(
            "spatial_relations",
            "",
            [f"the {s.shape} is {r} the {o.shape}" for r in RELATIONS],
            list(RELATIONS),
            correct=RELATIONS.index(rel),
        )
    return items


def synthetic_probeset(
    seed: int = DEFAULT_SEED, n_scenes: int = DEFAULT_SCENES, tasks: tuple[str, ...] = TASKS
) -> ProbeSet:
    """The built-in probe set: ``n_scenes`` scenes, each contributing items to every selected task."""
    unknown = set(tasks) - set(TASKS)
    if unknown:
        raise ValueError(f"synthetic scenes have no task {sorted(unknown)[0]!r}")
    items = [it for i in range(n_scenes) for it in scene_items(make_scene(seed, i), seed, tasks)]
    info = {
        "source": {"kind": "synthetic", "version": SPEC_VERSION, "seed": seed, "n_scenes": n_scenes},
        "seed": seed,
        "generator_version": SPEC_VERSION,
    }
    return ProbeSet(items, name="synthetic", info=info)
