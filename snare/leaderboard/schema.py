"""The submission file format (``snare-submission/1``), declared once as strict pydantic models.

A submission is one JSON object (optionally gzipped): the model's metadata, the probe set it was run on (by
fingerprint, plus what the built-in synthetic set needs to be rebuilt), the run's per-task accuracies as *claims*,
and the per-item scores of every task. It deliberately carries no intended options, clusters or labels: those come
from the probe set the board knows, never from the submission.

The run's scoring ``protocol``, per-task ``coverage`` (scored / total and the failed items with their reasons) and
``partial`` flag (the run was made with ``snare eval --allow-partial`` and some items failed) are optional, so
that files written before they were recorded stay valid: a file without them is read as a complete run under the
``snare`` protocol, the only one there was.

Every string that can reach a rendered board is plain text: markup characters (``< > & " ' `` and backtick) and
control characters are rejected here, and the renderers escape everything again.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from snare.plain import invisible

FORMAT = "snare-submission/1"
MAX_BYTES = 50 * 1024 * 1024  # uncompressed; larger files are rejected before they are parsed
MAX_OPTIONS = 64

MARKUP = re.compile(r"[<>&\"'`\x00-\x1f\x7f-\x9f]")
_TASK = r"^[a-z][a-z0-9_]{0,63}$"


def _plain(value: str) -> str:
    if MARKUP.search(value):
        raise ValueError("contains markup or control characters (< > & quotes backtick); use plain text")
    hidden = invisible(value)
    if hidden:
        raise ValueError(f"contains the invisible or direction-changing character {hidden}; use plain text")
    if value != value.strip():
        raise ValueError("has leading or trailing spaces")
    return value


def _web_link(value: str) -> str:
    # Only absolute http(s) links: a 'javascript:' or 'data:' link would run in the reader's browser.
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[^\s]*)?", value):
        raise ValueError("must be an http(s):// link")
    return _plain(value)


PlainText = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_plain)]
LongText = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_plain)]
TaskName = Annotated[str, Field(pattern=_TASK)]


class _Strict(BaseModel):
    # strict: no coercion ("1.0" is not a number, true is not 1); forbid: unknown fields are an error, not ignored.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class ModelInfo(_Strict):
    """Who made the scores. ``preprocessing`` and ``options`` are kept for the record and never rendered."""

    name: PlainText
    display_name: PlainText | None = None
    family: PlainText | None = None
    head: PlainText | None = None
    kind: PlainText | None = None
    weights: LongText
    revision: PlainText | None = None
    license: PlainText | None = None
    params: Annotated[int, Field(ge=0)] | None = None
    dtype: PlainText | None = None
    url: Annotated[str, Field(max_length=500), AfterValidator(_web_link)] | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    preprocessing: dict[str, Any] = Field(default_factory=dict)

    @property
    def label(self) -> str:
        """The board's name for this model: the display name, else ``name (weights)``."""
        return model_label(self.name, self.weights, self.display_name)


def model_label(name: str, weights: str, display_name: str | None = None) -> str:
    """The one name a model goes by in ``snare submit``, ``leaderboard check`` and the board."""
    return display_name or f"{name} ({weights})"


class ProbeSetRef(_Strict):
    """The probe set the scores belong to; ``source``/``seed``/``limit``/``tasks`` let the board rebuild it."""

    name: PlainText
    fingerprint: Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]
    n_items: Annotated[int, Field(ge=1)]
    tasks: Annotated[list[TaskName], Field(min_length=1)]
    source: dict[str, Any] | None = None
    limit: Annotated[int, Field(ge=1)] | None = None
    seed: int | None = None


class TaskClaim(_Strict):
    """What the run reported for one task; the board recomputes and compares every field."""

    accuracy: Annotated[float, Field(ge=0.0, le=1.0)]
    n: Annotated[int, Field(ge=1)]
    correct: Annotated[int, Field(ge=0)]
    ties: Annotated[int, Field(ge=0)]


class ItemScores(_Strict):
    """One item's scores, one per option in the probe set's option order (NaN/inf are rejected after parsing)."""

    id: Annotated[str, Field(min_length=1, max_length=500)]
    scores: Annotated[list[float], Field(min_length=1, max_length=MAX_OPTIONS)]


class ProtocolRef(_Strict):
    """The scoring protocol the run was made with, as the run record stores it (:meth:`Protocol.to_json`)."""

    name: PlainText
    tie_break: PlainText
    redraw_shuffles: bool
    consistent_spacing: bool
    contrast_twins: bool | None = None  # recorded only by protocols built as contrast twins


class FailedItem(_Strict):
    """An item the run could not score (its image was missing, for example); it carries no scores."""

    id: Annotated[str, Field(min_length=1, max_length=500)]
    reason: LongText


class TaskCoverage(_Strict):
    """How many of a task's items were scored; every other item is listed in ``failed`` with its reason."""

    total: Annotated[int, Field(ge=1)]
    scored: Annotated[int, Field(ge=0)]
    failed: list[FailedItem] = Field(default_factory=list)


class Submission(_Strict):
    format: Literal["snare-submission/1"]
    snare_version: Annotated[str, Field(pattern=r"^[0-9A-Za-z.+-]{1,40}$")]
    created: PlainText | None = None
    model: ModelInfo
    probeset: ProbeSetRef
    claims: dict[TaskName, TaskClaim]
    items: dict[TaskName, list[ItemScores]]
    protocol: ProtocolRef | None = None  # None: written before protocols were recorded, i.e. ``snare``
    coverage: dict[TaskName, TaskCoverage] | None = None  # None: every item of the probe set is scored
    partial: bool = False  # made with --allow-partial and below full coverage; the board marks it PARTIAL


def json_schema() -> dict[str, Any]:
    """The submission format as a JSON Schema document (for contributors' tools; validation uses the models)."""
    return Submission.model_json_schema()
