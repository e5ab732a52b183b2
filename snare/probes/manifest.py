"""Strict probe-set checks: the manifest as a typed model, the loaded items, and the crop boxes.

A probe set may come from anyone (a leaderboard pull request, a shared folder), so its ``manifest.json`` is read
as untrusted input: task names are plain identifiers (``../../x`` cannot name a file outside the set), counts are
integers that must match the items, the image root cannot climb out of the set with ``..``, and the seed is in
the range the generators accept. Fields snare does not interpret (build reports, the source) pass through.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from snare.errors import ProbeFormatError

if TYPE_CHECKING:
    from snare.probes.probeset import ProbeSet

TASK_NAME = r"^[a-z][a-z0-9_]{0,63}$"
MAX_SEED = 2**63 - 1


class Manifest(BaseModel):
    """The typed part of ``manifest.json``; anything else is kept in ``extra`` as it was."""

    model_config = ConfigDict(strict=True, extra="allow", frozen=True)

    format: str
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    fingerprint: Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")] | None = None
    n_items: Annotated[int, Field(ge=0)] | None = None
    tasks: dict[Annotated[str, Field(pattern=TASK_NAME)], Annotated[int, Field(ge=0)]]
    image_root: str | None = None
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] | None = None

    @field_validator("image_root")
    @classmethod
    def _root_stays_inside(cls, value: str | None) -> str | None:
        if value is not None and not Path(value).is_absolute() and ".." in Path(value).parts:
            raise ValueError("a relative image_root must not climb out of the probe set with '..'")
        return value


def parse_manifest(data: Any, path: Path) -> Manifest:
    """Validate a parsed manifest; every problem is one :class:`ProbeFormatError` line naming the field."""
    if not isinstance(data, dict):
        raise ProbeFormatError(f"{path}: not a JSON object")
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "manifest"
        msg = first["msg"].removeprefix("Value error, ")
        raise ProbeFormatError(f"{path}: field {where!r}: {msg} (rebuild the set: snare probes build)") from None


def check_counts(manifest: Manifest, counts: dict[str, int], path: Path) -> None:
    """The manifest's per-task and total counts must be those of the items actually read."""
    for task, n in manifest.tasks.items():
        if counts.get(task, 0) != n:
            raise ProbeFormatError(f"{path}: lists {n} {task} items but its file holds {counts.get(task, 0)}")
    total = sum(counts.values())
    if manifest.n_items is not None and manifest.n_items != total:
        raise ProbeFormatError(f"{path}: n_items is {manifest.n_items} but the task files hold {total} items")
    if total == 0:
        raise ProbeFormatError(f"{path}: the probe set has no items; rebuild it (snare probes build)")


def check_items(probes: ProbeSet, manifest: dict[str, Any], manifest_path: Path) -> None:
    """Strict checks of a loaded set: contained image paths, distinct options, and the recorded fingerprint."""
    for it in probes.items:
        if it.image.path is not None:
            probes.image_path(it.image)  # absolute or '..' paths are an error here, not at scoring time
    if (manifest.get("protocol") or {}).get("redraw_shuffles", True):
        # only the paper constructions keep items whose options repeat the intended caption (and count them)
        for it in probes.items:
            if len(set(it.options)) != len(it.options):
                raise ProbeFormatError(f"{manifest_path}: item {it.id!r} has two identical options (edited by hand?)")
    recorded = manifest.get("fingerprint")
    if not recorded:
        return
    try:
        actual = probes.fingerprint  # file-based sets hash their images too
    except ProbeFormatError:
        return  # a missing or unreadable image: the run reports those items; the record marks it unverified
    if recorded != actual:
        raise ProbeFormatError(f"{manifest_path}: fingerprint does not match the items and images (edited by hand?)")


def crop_box(bbox: tuple[float, float, float, float], size: tuple[int, int], path: Path) -> tuple[int, ...]:
    """The integer crop box of ``bbox`` (x, y, w, h), refused when it misses the image or is absurdly large."""
    from PIL import Image

    x, y, w, h = bbox
    box = (round(x), round(y), round(x + w), round(y + h))
    if box[2] <= 0 or box[3] <= 0 or box[0] >= size[0] or box[1] >= size[1] or box[2] <= box[0] or box[3] <= box[1]:
        raise ProbeFormatError(f"image {path}: bbox {list(bbox)} lies outside the {size[0]}x{size[1]} image")
    limit = Image.MAX_IMAGE_PIXELS or 1 << 62
    if (box[2] - box[0]) * (box[3] - box[1]) > limit:
        raise ProbeFormatError(f"image {path}: bbox {list(bbox)} is larger than Pillow's {limit:,}-pixel limit")
    return box
