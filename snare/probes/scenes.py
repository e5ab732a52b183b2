"""The built-in synthetic scenes themselves: two coloured shapes in a known spatial relation, and their pixels.

Scenes are drawn with integer arithmetic on NumPy arrays (no anti-aliasing, no font or Pillow drawing code), so a
scene spec string determines its pixels exactly on every machine, and the spec alone enters the fingerprint. The
captions and items built on the scenes are in :mod:`snare.probes.synthetic`; a probe set renders an item's scene
here, so this module imports nothing from the probe set.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from snare.generators.rng import ItemRng

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
def render_array(spec: str) -> bytes:
    """A scene spec's pixels: ``CANVAS x CANVAS`` RGB bytes, row-major."""
    version, *objects = spec.split("|")
    if version != SPEC_VERSION:
        raise ValueError(f"unknown synthetic scene version {version!r}")
    canvas = np.empty((CANVAS, CANVAS, 3), dtype=np.uint8)
    canvas[:] = BACKGROUND
    for obj in objects:
        shape, color, size, x, y = obj.split(",")
        canvas[_mask(shape, SIZES[size], int(x), int(y))] = COLORS[color]
    return canvas.tobytes()


# The scene the adapters' load-time checks score (snare.engine.checks) and adapters may probe their processor with.
REFERENCE_SCENE = "synthetic-v1|circle,red,small,60,100|square,blue,large,160,100"


def reference_image():  # -> PIL.Image.Image
    """The reference scene rendered: two shapes, drawn with integer arithmetic (same pixels everywhere)."""
    return render_scene(REFERENCE_SCENE)


def render_scene(spec: str):  # -> PIL.Image.Image
    """Render a scene spec to a 224x224 RGB image."""
    from PIL import Image

    return Image.frombytes("RGB", (CANVAS, CANVAS), render_array(spec))
