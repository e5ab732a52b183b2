"""The probe item: one image, a short list of caption options, and which option is intended."""

from __future__ import annotations

import json
import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_serializer, model_validator


class ImageRef(BaseModel):
    """Where an item's image comes from.

    Exactly one of ``path`` (a file, relative to the probe set's image root or absolute) and ``scene`` (a
    built-in synthetic scene, rendered on demand from this self-describing spec) is set. ``bbox`` crops a file
    image to ``(x, y, w, h)`` as ARO/SNARE do for Visual Genome items. ``flip`` mirrors the image left to right
    after the crop (the same pixels as mirroring the whole image and cropping the mirrored box ``x' = W - x - w``):
    a mirrored image is another image, so it enters the reference's :attr:`key`, the engine's cache keys and the
    fingerprint. It is serialised only when true, so references without it keep their JSON and fingerprints.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str | None = None
    scene: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    flip: bool = Field(default=False, strict=True)

    @model_validator(mode="after")
    def _one_source(self) -> ImageRef:
        if (self.path is None) == (self.scene is None):
            raise ValueError("an image reference needs exactly one of 'path' and 'scene'")
        if self.bbox is not None:
            if not all(math.isfinite(v) for v in self.bbox):
                raise ValueError("bbox values must be finite numbers")
            if self.bbox[2] <= 0 or self.bbox[3] <= 0:
                raise ValueError("bbox width and height must be positive")
        return self

    @model_serializer(mode="wrap")
    def _without_default_flip(self, handler: Any) -> Any:
        data = handler(self)
        if isinstance(data, dict) and not self.flip:
            data.pop("flip", None)  # absent unless true: existing probe sets keep their bytes and fingerprints
        return data

    @property
    def key(self) -> str:
        """A canonical string that identifies the image content request (used for de-duplication)."""
        return json.dumps(self.model_dump(exclude_none=True), sort_keys=True, separators=(",", ":"))


class ProbeItem(BaseModel):
    """One probe: the model should give ``options[correct]`` a higher score than every other option."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    task: str = Field(min_length=1)
    image: ImageRef
    cluster: str = Field(min_length=1, description="the underlying image; items sharing it are not independent")
    options: tuple[str, ...] = Field(min_length=2)
    labels: tuple[str, ...]
    correct: int = Field(ge=0, strict=True)  # 1, not "1", 1.0 or true: a file that says otherwise is malformed
    meta: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> ProbeItem:
        if len(self.labels) != len(self.options):
            raise ValueError(f"{len(self.options)} options but {len(self.labels)} labels")
        if self.correct >= len(self.options):
            raise ValueError(f"correct={self.correct} but only {len(self.options)} options")
        if any(not o.strip() for o in self.options):
            raise ValueError("an option is empty")
        return self

    def to_json(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        data["image"] = self.image.model_dump(mode="json", exclude_none=True)
        return data

    def canonical(self) -> str:
        """One line of canonical JSON: sorted keys, no spaces; what the fingerprint and JSONL files hold."""
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
