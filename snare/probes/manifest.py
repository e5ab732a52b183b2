"""The probe-set manifest as a strict model: the fields snare relies on are typed, the task files stay inside.

A probe set may come from anyone (a leaderboard pull request, a shared folder), so its ``manifest.json`` is read
as untrusted input: task names are plain identifiers (``../../x`` cannot name a file outside the set), counts are
integers that must match the items, the image root cannot climb out of the set with ``..``, and the seed is in
the range the generators accept. Fields snare does not interpret (build reports, the source) pass through.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from snare.errors import ProbeFormatError

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
