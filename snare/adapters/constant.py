"""A model that gives every (image, caption) pair the same score: every item is a tie, so strict accuracy is 0.

Drives engine and report tests without torch (cf. lm-eval's dummy model), and is the reference point for the
tie rule: under the original's tie-breaking it would have scored 100% on tasks whose intended option is first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from snare.adapters.base import AdapterMeta, PairScorer


class Constant(PairScorer):
    option_names = ("value",)
    replay_safe = True  # see Adapter.replay_safe
    meta = AdapterMeta(
        name="constant",
        family="baseline",
        head="constant",
        default_weights="none",
        license="mit",
        description="every pair scores the same (-o value=0.0); a tie-rule and plumbing check",
        params=0,
    )

    def __init__(self, weights: str | None = None, **kwargs: Any) -> None:
        super().__init__(weights, **kwargs)
        from snare.errors import AdapterError

        # checked here, not in load(): a run replayed from the cache never loads, and must fail the same way
        try:
            float(self.options.get("value", 0.0))
        except ValueError:
            raise AdapterError(f"-o value={self.options['value']!r} is not a number") from None

    def load(self) -> None:
        self.value = float(self.options.get("value", 0.0))

    def preprocessing(self) -> dict[str, Any]:
        return {"value": float(self.options.get("value", 0.0))}

    def score_pairs(self, images: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        return np.full(len(texts), self.value, dtype=np.float32)
