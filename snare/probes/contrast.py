"""Contrast twins on the built-in synthetic scenes: ``--protocol snare-contrast`` for ``--source synthetic``.

Every grounding item gets a twin: the same options, in the same order, shown with another scene in which another
option is the true one. A model that never sees the image gives both twins the same option scores, so it can be
right on one of them at most, and never on both: **pair accuracy** (both twins right) is 0 for any text-only
model, whatever it knows about language (Winoground, NaturalBench and BiVLC build their pairs the same way).

The twin scene of each task, drawn from the item's scene (:mod:`snare.probes.scenes`):

* ``attribute_ownership`` — the two shapes' colours exchanged: "the red circle and the blue square" and "the blue
  circle and the red square" trade places. The options are those two (SNARE's "respectively" form is left out:
  it is as true as the caption, so it would be a true option counted as wrong);
* ``negation_logic`` — the colours exchanged too, which makes "the circle is not red and the square is not blue"
  the true statement;
* ``relationship_composition`` — the two shapes exchange places, so "the square is on the circle" is true and
  "the circle is on the square" false (SNARE's "and" form, true of both scenes, is left out);
* ``spatial_relations`` — the mirrored layout: left and right exchanged; "on" becomes "below" (the subject under
  the object, touching); "below" becomes "on" (the object moved down to the subject's place, the subject resting
  on it).

Each item's ``meta`` holds ``pair`` (the same for both twins) and ``twin`` (0 for the scene's own item, 1 for the
twin). Every twin is checked against :mod:`snare.probes.scene_facts`: exactly its intended option must be true of
its scene, or the build stops. Items are a pure function of (seed, scene index): the same set, byte for byte, on
every run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from snare.probes.item import ImageRef, ProbeItem
from snare.probes.probeset import ProbeSet
from snare.probes.scene_facts import true_options
from snare.probes.scenes import SPEC_VERSION, Scene, make_scene
from snare.probes.synthetic import DEFAULT_SCENES, DEFAULT_SEED, scene_entries, scene_items
from snare.probes.synthetic import TASKS as SYNTHETIC_TASKS
from snare.probes.tasks import get_task
from snare.protocols import get_protocol

NAME = "snare-contrast"
CONTRAST_VERSION = "contrast-v1"
_OPPOSITE = {"to the left of": "to the right of", "to the right of": "to the left of", "on": "below", "below": "on"}


def exchange_colors(scene: Scene) -> Scene:
    """The scene with its two shapes' colours exchanged."""
    s, o = scene.subject, scene.object
    return replace(scene, subject=replace(s, color=o.color), object=replace(o, color=s.color))


def exchange_places(scene: Scene) -> Scene:
    """The scene with its two shapes in each other's place: the object now stands in the relation to the
    subject (the relation is kept; it now reads from the object)."""
    s, o = scene.subject, scene.object
    return replace(scene, subject=replace(s, x=o.x, y=o.y), object=replace(o, x=s.x, y=s.y))


def mirrored(scene: Scene) -> Scene:
    """The layout in which the subject stands in the opposite relation to the object (see module docstring)."""
    s, o, rel = scene.subject, scene.object, scene.relation
    if rel in ("to the left of", "to the right of"):
        moved = (replace(s, x=o.x), replace(o, x=s.x))
    elif rel == "on":
        moved = (replace(s, y=o.y), replace(o, y=s.y))
    else:  # below -> on: the object takes the subject's height, the subject rests on top of it
        from snare.probes.scenes import SIZES

        moved = (replace(s, y=s.y - SIZES[s.size] - SIZES[o.size]), replace(o, y=s.y))
    return replace(scene, subject=moved[0], object=moved[1], relation=_OPPOSITE[rel])


@dataclass(frozen=True)
class Twinning:
    """How one task's items and their twins are made: the Visual Genome record kind its options come from, how
    many of the generator's options are kept, the twin scene, and the labels of the twin's options."""

    kind: str
    keep: int
    twin: Callable[[Scene], Scene]
    twin_labels: Callable[[tuple[str, ...]], tuple[str, ...]]


def _swapped(labels: tuple[str, ...]) -> tuple[str, ...]:
    return labels[::-1]


TWINNING: dict[str, Twinning] = {
    "negation_logic": Twinning("vg_attribution", 2, exchange_colors, lambda _: ("affirmative", "correct")),
    "attribute_ownership": Twinning("vg_attribution", 2, exchange_colors, _swapped),
    "relationship_composition": Twinning("vg_relation", 2, exchange_places, _swapped),
    "spatial_relations": Twinning("vg_relation", 4, mirrored, lambda labels: labels),
}
TASKS = tuple(TWINNING)  # the grounding tasks, each item with its twin
# The word-order tasks the scenes give, kept in contrast sets as the default construction builds them
# (ProbeTask.word_order): reports show a language model's score on them beside each model's.
WORD_ORDER = tuple(t for t in SYNTHETIC_TASKS if get_task(t).word_order)
ALL_TASKS = (*WORD_ORDER, *TASKS)
WORD_ORDER_NOTE = "none: a word-order task keeps the default construction (a shuffle is false of every image)"


def in_contrast_sets(task: str) -> bool:
    """Whether contrast sets have ``task``: a grounding task (twinned) or a word-order task (kept as built)."""
    return task in TWINNING or get_task(task).word_order


def _cluster(seed: int, scene: Scene, base: Scene) -> str:
    """The image's cluster: the scene's own name, or for a twin its scene's name and spec digest (two tasks
    whose twins draw the same scene share the cluster)."""
    name = f"synthetic/s{seed}/scene{scene.index:05d}"
    if scene == base:
        return name
    return f"{name}/twin-{hashlib.sha256(scene.spec().encode('utf-8')).hexdigest()[:12]}"


def _meta(scene: Scene, pair: str, twin: int) -> dict[str, Any]:
    s, o = scene.subject, scene.object
    return {
        "source": "synthetic",
        "relation": scene.relation,
        "subject": s.shape,
        "object": o.shape,
        "attributes": [s.color, o.color],
        "pair": pair,
        "twin": twin,
    }


def twin_items(scene: Scene, seed: int, task: str) -> list[ProbeItem]:
    """The scene's item for ``task`` and its twin (same options, another intended option, the twin scene)."""
    spec = TWINNING[task]
    declared = get_task(task)
    options, correct = declared.vg_options[spec.kind](scene_entries(scene)[spec.kind])
    options = tuple(options[: spec.keep])
    labels = declared.labels[: spec.keep]
    twin_scene = spec.twin(scene)
    pair = f"synthetic/s{seed}/scene{scene.index:05d}/{task}"
    items = []
    for k, (shown, these) in enumerate(((scene, labels), (twin_scene, spec.twin_labels(labels)))):
        cluster = _cluster(seed, shown, scene)
        intended = these.index("correct") if "correct" in these else these.index(shown.relation)
        found = true_options(shown.spec(), options)
        if found != [intended]:
            raise AssertionError(f"{pair}: option(s) {found} true of scene {k}, expected only {intended}")
        items.append(
            ProbeItem(
                id=f"{pair}" + ("/twin" if k else ""),
                task=task,
                image=ImageRef(scene=shown.spec()),
                cluster=cluster,
                options=options,
                labels=these,
                correct=intended,
                meta=_meta(shown, pair, k),
            )
        )
    if items[0].correct == items[1].correct:
        raise AssertionError(f"{pair}: both twins intend option {correct}")
    return items


def contrast_synthetic(
    seed: int = DEFAULT_SEED, n_scenes: int = DEFAULT_SCENES, tasks: tuple[str, ...] = ALL_TASKS
) -> ProbeSet:
    """The synthetic scenes under ``snare-contrast``: every scene's item for each selected grounding task, and its
    twin; the word-order tasks' items as the default construction makes them (they have no twin: a shuffle of the
    caption is false of every scene)."""
    unknown = [t for t in tasks if t not in ALL_TASKS]
    if unknown:
        raise ValueError(f"contrast sets have no task {unknown[0]!r} (they have: {', '.join(ALL_TASKS)})")
    scenes = [make_scene(seed, i) for i in range(n_scenes)]
    items = [it for task in TASKS if task in tasks for scene in scenes for it in twin_items(scene, seed, task)]
    order = tuple(t for t in WORD_ORDER if t in tasks)
    if order:
        items += [it for scene in scenes for it in scene_items(scene, seed, order)]
    build: dict[str, dict[str, Any]] = {}
    for task in (t for t in TASKS if t in tasks):
        pairs = {it.meta["pair"] for it in items if it.task == task}
        # candidates: every scene's item and its twin; the yield (items / candidates) is the twin yield
        build[task] = {
            "candidates": 2 * n_scenes,
            "items": 2 * len(pairs),
            "skipped": {"no twin": n_scenes - len(pairs)} if len(pairs) < n_scenes else {},
            "pairs": len(pairs),
            "twin_yield": len(pairs) / n_scenes if n_scenes else 0.0,
        }
    for task in order:
        n = sum(it.task == task for it in items)
        build[task] = {"candidates": n, "items": n, "skipped": {}, "twins": WORD_ORDER_NOTE}

    info = {
        "source": {
            "kind": "synthetic",
            "version": SPEC_VERSION,
            "seed": seed,
            "n_scenes": n_scenes,
            "twins": CONTRAST_VERSION,
        },
        "seed": seed,
        "generator_version": f"{SPEC_VERSION}+{CONTRAST_VERSION}",
        "protocol": {k: v for k, v in get_protocol(NAME).to_json().items() if k != "tie_break"},
        "build": build,
    }
    return ProbeSet(items, name="synthetic-contrast", info=info)
