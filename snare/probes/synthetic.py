"""Built-in synthetic scenes: two coloured shapes in a known spatial relation, with ground truth for every task.

Scenes are drawn with integer arithmetic on NumPy arrays (no anti-aliasing, no font or Pillow drawing code), so a
scene spec string determines its pixels exactly on every machine, and the spec alone enters the fingerprint.
Everything is a pure function of (seed, scene index): no files, no network, a few seconds for the default set.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from snare.generators.rng import ItemRng
from snare.generators.shuffle import SNARE_SHUFFLES
from snare.generators.tokens import ParsedCaption
from snare.probes.item import ImageRef, ProbeItem
from snare.probes.probeset import ProbeSet

SPEC_VERSION = "synthetic-v1"
CANVAS = 224
BACKGROUND = (236, 236, 236)

SHAPES = ("circle", "square", "triangle", "diamond")
COLORS: dict[str, tuple[int, int, int]] = {
    "red": (214, 39, 40),
    "green": (44, 160, 44),
    "blue": (31, 119, 220),
    "yellow": (240, 200, 20),
    "purple": (148, 103, 189),
    "orange": (255, 127, 14),
}
SIZES = {"small": 16, "large": 30}  # half-extent in pixels
# SNARE's spatial four-way set; the same relations drive the composition captions.
RELATIONS = ("to the left of", "to the right of", "on", "below")
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


@dataclass(frozen=True)
class Shape:
    shape: str
    color: str
    size: str
    x: int
    y: int

    def spec(self) -> str:
        return f"{self.shape},{self.color},{self.size},{self.x},{self.y}"


@dataclass(frozen=True)
class Scene:
    index: int
    subject: Shape
    object: Shape
    relation: str

    def spec(self) -> str:
        return f"{SPEC_VERSION}|{self.subject.spec()}|{self.object.spec()}"


def make_scene(seed: int, index: int) -> Scene:
    """The ``index``-th scene of ``seed``: distinct shapes, distinct colours, a relation from RELATIONS."""
    rng = ItemRng(seed, SPEC_VERSION, "scene", index)
    shape_a, shape_b = _two_distinct(rng, SHAPES)
    color_a, color_b = _two_distinct(rng, tuple(COLORS))
    size_a, size_b = rng.choice(tuple(SIZES)), rng.choice(tuple(SIZES))
    relation = rng.choice(RELATIONS)
    ra, rb = SIZES[size_a], SIZES[size_b]
    cx, cy = 112 + rng.below(21) - 10, 112 + rng.below(21) - 10
    gap = 24 + rng.below(16)
    if relation in ("to the left of", "to the right of"):
        half = (ra + rb + gap) // 2
        ax, bx = (cx - half, cx + half) if relation == "to the left of" else (cx + half, cx - half)
        jitter = rng.below(9) - 4
        a, b = (ax, cy + jitter), (bx, cy - jitter)
    elif relation == "on":  # resting on top: touching, subject above
        half = (ra + rb) // 2
        a, b = (cx, cy - half), (cx, cy + (ra + rb) - half)
    else:  # below, with a visible gap
        half = (ra + rb + gap) // 2
        a, b = (cx, cy + half), (cx, cy - half)
    return Scene(
        index=index,
        subject=Shape(shape_a, color_a, size_a, int(a[0]), int(a[1])),
        object=Shape(shape_b, color_b, size_b, int(b[0]), int(b[1])),
        relation=relation,
    )


def _two_distinct(rng: ItemRng, values: tuple[str, ...]) -> tuple[str, str]:
    first = rng.choice(values)
    second = rng.choice(tuple(v for v in values if v != first))
    return first, second


# -- rendering ------------------------------------------------------------------------------------------------
def _mask(shape: str, half: int, x: int, y: int) -> np.ndarray:
    yy, xx = np.mgrid[0:CANVAS, 0:CANVAS]
    dx, dy = xx - x, yy - y
    if shape == "circle":
        return dx * dx + dy * dy <= half * half
    if shape == "square":
        return (np.abs(dx) <= half) & (np.abs(dy) <= half)
    if shape == "diamond":
        return np.abs(dx) + np.abs(dy) <= half
    if shape == "triangle":  # apex up, base at y + half
        return (dy <= half) & (dy >= -half) & (2 * np.abs(dx) <= dy + half)
    raise ValueError(f"unknown shape {shape!r}")


@lru_cache(maxsize=512)
def _render_array(spec: str) -> bytes:
    version, *objects = spec.split("|")
    if version != SPEC_VERSION:
        raise ValueError(f"unknown synthetic scene version {version!r}")
    canvas = np.empty((CANVAS, CANVAS, 3), dtype=np.uint8)
    canvas[:] = BACKGROUND
    for obj in objects:
        shape, color, size, x, y = obj.split(",")
        canvas[_mask(shape, SIZES[size], int(x), int(y))] = COLORS[color]
    return canvas.tobytes()


def render_scene(spec: str):  # -> PIL.Image.Image
    """Render a scene spec to a 224x224 RGB image."""
    from PIL import Image

    return Image.frombytes("RGB", (CANVAS, CANVAS), _render_array(spec))


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
