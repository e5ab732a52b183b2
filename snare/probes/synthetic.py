"""Built-in synthetic probe set: items for every task on the scenes of :mod:`snare.probes.scenes`.

Everything is a pure function of (seed, scene index): no files, no network, a few seconds for the default set.
"""

from __future__ import annotations

from typing import Any

from snare.errors import SnareError
from snare.generators.no_perturbation import NoPerturbation
from snare.generators.rng import ItemRng
from snare.generators.tokens import ParsedCaption
from snare.probes.item import ImageRef, ProbeItem
from snare.probes.probeset import ProbeSet
from snare.probes.scenes import SPEC_VERSION, Scene, Shape, make_scene
from snare.probes.tasks import TASKS as ALL_TASKS
from snare.probes.tasks import ProbeTask, get_task

_REL_TAGS = {"to": "IN", "the": "DT", "left": "NN", "right": "NN", "of": "IN", "on": "IN", "below": "IN"}

# The tasks that declare "synthetic" among their sources, in declaration order (snare.probes.tasks).
TASKS = tuple(t.name for t in ALL_TASKS.values() if "synthetic" in t.sources)
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


def scene_entries(scene: Scene) -> dict[str, dict[str, Any]]:
    """The scene as the two Visual Genome records ARO's files hold (by kind), with their true/false captions."""
    s, o, rel = scene.subject, scene.object, scene.relation
    return {
        "vg_relation": {
            "relation_name": rel,
            "true_caption": f"the {s.shape} is {rel} the {o.shape}",
            "false_caption": f"the {o.shape} is {rel} the {s.shape}",
        },
        "vg_attribution": {
            "obj1_name": s.shape,
            "obj2_name": o.shape,
            "attributes": [s.color, o.color],
            "true_caption": f"the {s.color} {s.shape} and the {o.color} {o.shape}",
            "false_caption": f"the {o.color} {s.shape} and the {s.color} {o.shape}",
        },
    }


def _options(task: ProbeTask, scene: Scene, cluster: str, seed: int) -> list[tuple[str, list[str], int]]:
    """``(id suffix, options, intended)`` of one task's items on the scene, as the task declares them: the scene
    stands in for the Visual Genome record the task is built from (the first of its ``vg_options`` kinds), and goes
    through the very generator that builds the task from ARO's files; a task built from captions only gets an item
    per true caption of the scene (a caption the generator cannot perturb gives none)."""
    entries = scene_entries(scene)
    kind = next((k for k in task.vg_options if k in entries), None)
    if kind is not None:
        options, correct = task.vg_options[kind](entries[kind])
        return [("", options, correct)]
    if task.caption_options is None:
        raise SnareError(f"task {task.name!r} declares the synthetic scenes but has no generator they can feed")
    found = []
    for k, parsed in enumerate(scene_captions(scene)):
        try:
            options = task.caption_options(parsed, ItemRng(seed, f"{cluster}/{task.name}/c{k}"))
        except NoPerturbation:
            continue
        found.append((f"/c{k}", options, task.correct or 0))
    return found


def scene_items(scene: Scene, seed: int, tasks: tuple[str, ...] = TASKS) -> list[ProbeItem]:
    """Every probe item that one scene yields for the selected tasks, options and labels as the tasks declare."""
    s, o = scene.subject, scene.object
    cluster = f"synthetic/s{seed}/scene{scene.index:05d}"
    meta = {"source": "synthetic", "relation": scene.relation, "subject": s.shape, "object": o.shape}
    meta["attributes"] = [s.color, o.color]
    items: list[ProbeItem] = []
    for task in TASKS:  # the declared order, whatever order ``tasks`` lists them in
        if task not in tasks:
            continue
        for suffix, options, correct in _options(get_task(task), scene, cluster, seed):
            items.append(
                ProbeItem(
                    id=f"{cluster}/{task}{suffix}",
                    task=task,
                    image=ImageRef(scene=scene.spec()),
                    cluster=cluster,
                    options=tuple(options),
                    labels=get_task(task).labels,
                    correct=correct,
                    meta=dict(meta),
                )
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
