"""``blind-ngram``: scores captions without looking at the image, by an n-gram language model's fluency.

The score of (image, caption) is the caption's mean log-probability per token under an interpolated Kneser-Ney
word n-gram model (:mod:`snare.textmodels.ngram`); the image is ignored. Its accuracy shows how much of each task
can be solved from text alone. ``--weights synthetic`` (default) fits the model on true captions of synthetic
scenes of seed 1000, disjoint from the built-in probe set (seed 0); ``--weights PATH`` fits it on a caption file
(one caption per line), which must not hold the probe captions. ``-o order=N`` sets the n-gram order (default 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from snare.adapters.base import AdapterMeta, PairScorer
from snare.errors import SnareError

SYNTHETIC = "synthetic"


class BlindNgram(PairScorer):
    option_names = ("order",)
    replay_safe = True  # see Adapter.replay_safe
    meta = AdapterMeta(
        name="blind-ngram",
        family="baseline",
        head="text-only-lm",
        default_weights=SYNTHETIC,
        license="mit",
        description="text-only Kneser-Ney n-gram LM; ignores the image (how much is solvable from text alone)",
        params=0,
        weights_help="synthetic (captions of synthetic seed 1000) | PATH (caption file, one per line); -o order=3",
    )

    def _order(self) -> int:
        raw = self.options.get("order", 3)
        try:
            order = int(raw)
        except (TypeError, ValueError):
            order = 0
        if not 1 <= order <= 6:
            raise SnareError(f"-o order takes an integer from 1 to 6, not {raw!r}")
        return order

    def load(self) -> None:
        from snare.adapters.caption_corpus import read_captions, synthetic_captions
        from snare.textmodels.caption_words import words
        from snare.textmodels.ngram import KneserNey

        order = self._order()
        if self.weights == SYNTHETIC:
            captions = synthetic_captions()
            self.revision = None
        else:
            from snare.adapters.checkpoint import sha256_file

            path = Path(self.weights).expanduser()
            captions = read_captions(path)
            self.revision = "sha256:" + sha256_file(path)
        self.lm = KneserNey(order).fit(words(c) for c in captions)
        self.n_captions = len(captions)

    def preprocessing(self) -> dict[str, Any]:
        return {
            "order": self._order(),
            "smoothing": "interpolated Kneser-Ney",
            "score": "mean log-probability per token",
            "text": "pre_caption, word tokens",
            "image": "ignored",
            "n_captions": getattr(self, "n_captions", None),
        }

    def score_pairs(self, images: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        from snare.textmodels.caption_words import words

        return np.array(self.lm.scores([words(t) for t in texts]), dtype=np.float64)
