"""The shipped reference model: a tiny dual encoder trained on synthetic scenes, the offline default of eval.

``reference`` reads captions with an order-aware GRU; ``reference-bow`` with a bag of words (mean word
embedding), otherwise the same. ``--weights shipped`` (the default) loads the file inside the package, written by
``snare train-reference`` (see ``snare/validity/weights/reference.json`` for the command, seed and accuracies);
``--weights PATH`` loads a retrained file. Both are trained on the synthetic distribution only: on real images
and captions they are not meaningful (unknown words become ``<unk>``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from snare.adapters.base import AdapterMeta, DualEncoder
from snare.errors import WeightsUnavailableError, first_line

SHIPPED = "shipped"
WEIGHTS_DIR = Path(__file__).resolve().parents[1] / "validity" / "weights"


def shipped_path(name: str) -> Path:
    return WEIGHTS_DIR / f"{name}.safetensors"


class Reference(DualEncoder):
    replay_safe = True  # see Adapter.replay_safe
    option_names = ()
    meta = AdapterMeta(
        name="reference",
        family="reference",
        head="itc-cosine",
        default_weights=SHIPPED,
        license="mit",
        description="tiny CNN + GRU dual encoder trained on synthetic scenes (offline default; order-aware)",
        weights_help="shipped | PATH (a file written by snare train-reference)",
        extra={"text_encoder": "gru"},
    )
    text_encoder: ClassVar[str] = "gru"

    def load(self) -> None:
        import torch

        from snare.adapters.checkpoint import sha256_file
        from snare.adapters.reference_model import load_model

        path = shipped_path(self.meta.name) if self.weights == SHIPPED else Path(self.weights).expanduser()
        if not path.exists():  # a device or FIFO is refused by load_model's bounded check, not called missing
            hint = "reinstall snare" if self.weights == SHIPPED else "retrain with: snare train-reference --output DIR"
            raise WeightsUnavailableError(f"reference weights not found: {path} ({hint})")
        try:
            model = load_model(path)
        except Exception as exc:
            first = first_line(exc)
            raise WeightsUnavailableError(
                f"{path} is not a reference-model file ({first}); write one with snare train-reference"
            ) from None
        if model.config.text_encoder != self.text_encoder:
            other = "reference-bow" if model.config.text_encoder == "bow" else "reference"
            raise WeightsUnavailableError(
                f"{path} holds a {model.config.text_encoder} reference model; use --model {other}"
            )
        self.revision = "sha256:" + sha256_file(path)
        self.attach(model.to(self.device, dtype=getattr(torch, self.dtype)))

    def attach(self, model: Any) -> None:
        """Use an in-memory model (``snare train-reference`` scores what it has just trained)."""
        self.model = model.eval()
        self.loaded = True

    def preprocessing(self) -> dict[str, Any]:
        return {
            "image": "RGB resized to 224x224 (bilinear) if needed, 4x4 block mean to 56x56, (x/255-0.5)/0.25",
            "text": "pre_caption, word tokens, unknown words -> <unk>, at most 32 tokens",
            "text_encoder": self.text_encoder,
        }

    def embed_images(self, images: Sequence[Any]) -> np.ndarray:
        import torch

        from snare.adapters.reference_model import image_arrays, pool_pixels

        dtype = next(self.model.parameters()).dtype
        pixels = pool_pixels(image_arrays(images)).to(self.device, dtype)
        with torch.inference_mode():
            return self.model.encode_images(pixels).float().cpu().numpy()

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            return self.model.encode_texts(list(texts)).float().cpu().numpy()


class ReferenceBow(Reference):
    meta = AdapterMeta(
        name="reference-bow",
        family="reference",
        head="itc-cosine",
        default_weights=SHIPPED,
        license="mit",
        description="the reference model with a bag-of-words text encoder (known-groups contrast; order-blind)",
        weights_help="shipped | PATH (a file written by snare train-reference)",
        extra={"text_encoder": "bow"},
    )
    text_encoder: ClassVar[str] = "bow"
