"""The one typed prediction row: what ``snare eval`` writes per item and every later stage reads.

The engine builds rows from scores, ``predictions/<task>.jsonl`` stores them (:meth:`PredictionRow.to_json`),
reports load them back, and the leaderboard validates submissions into them; scoring
(:mod:`snare.engine.scoring`), protocols and reports take this type, never a plain dict. Pydantic only: loading
rows imports no torch.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class PredictionRow(BaseModel):
    """One item's scores; unknown fields are kept (later versions may add some)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    id: str = Field(min_length=1)
    task: str = Field(min_length=1)
    cluster: str = Field(min_length=1)
    scores: tuple[float, ...] = Field(min_length=2)
    correct: int = Field(ge=0)
    labels: tuple[str, ...] | None = None
    predicted: int | None = None  # as recorded: the strict answer, None for a tie at the top
    is_correct: bool | None = None  # as recorded; reports recompute it
    tie: bool | None = None
    meta: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> PredictionRow:
        if not all(math.isfinite(s) for s in self.scores):
            raise ValueError("scores contain NaN or infinity; re-run the model (snare eval checks its scores)")
        if self.correct >= len(self.scores):
            raise ValueError(f"correct={self.correct} but only {len(self.scores)} scores")
        if self.labels is not None and len(self.labels) != len(self.scores):
            raise ValueError(f"{len(self.scores)} scores but {len(self.labels)} labels")
        return self

    @property
    def option_labels(self) -> tuple[str, ...]:
        return self.labels if self.labels is not None else tuple(f"option{k}" for k in range(len(self.scores)))

    def to_json(self) -> dict[str, Any]:
        """The JSONL form: every field the engine sets, ``meta`` only when the item has some."""
        data = self.model_dump(mode="json")
        if not data["meta"]:
            del data["meta"]
        return data
