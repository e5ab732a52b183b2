"""Tiny torch adapters for engine and conformance tests: real forward passes, milliseconds each.

``weights`` is ``random`` (seeded) or a safetensors file, whose sha256 becomes the revision (so the cache
notices a changed file). Each adapter counts the rows it computes, so tests can see what the engine reused.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from snare.adapters.base import AdapterMeta, DualEncoder, PairScorer

DIM = 8
VOCAB = 64


def _image_tensor(images: Sequence[Any]):
    import torch

    arrays = [np.asarray(img.convert("RGB").resize((8, 8)), dtype=np.float32) / 255.0 for img in images]
    return torch.from_numpy(np.stack(arrays)).reshape(len(images), -1)


def _text_ids(texts: Sequence[str]):
    import torch

    # a character-bigram bag: order-sensitive enough that a shuffled caption scores differently
    ids = [[(ord(a) * 31 + ord(b)) % VOCAB for a, b in itertools.pairwise(t)] or [0] for t in texts]
    flat = torch.tensor([i for row in ids for i in row])
    offsets = torch.tensor([0, *np.cumsum([len(r) for r in ids])[:-1].tolist()])
    return flat, offsets


class _Counting:
    def reset_counts(self) -> None:
        self.counts = {"images": 0, "texts": 0, "pairs": 0}


class _TinyBase(_Counting):
    def _build(self, modules: Callable[[], dict[str, Any]]) -> None:
        import torch

        from snare.adapters.checkpoint import sha256_file

        torch.manual_seed(self.seed)  # before the modules are built: the seed decides every random weight
        model = torch.nn.ModuleDict(modules())
        if self.weights != "random":
            from safetensors.torch import load_file

            model.load_state_dict(load_file(self.weights))
            self.revision = "sha256:" + sha256_file(self.weights)
        self.model = model.to(self.device, dtype=getattr(torch, self.dtype)).eval()
        self.reset_counts()

    def save(self, path: str) -> None:
        from safetensors.torch import save_file

        save_file({k: v.float().contiguous() for k, v in self.model.state_dict().items()}, path)

    def _encode_images(self, images: Sequence[Any]):
        import torch

        with torch.inference_mode():
            x = _image_tensor(images).to(self.device, self.model["image"].weight.dtype)
            return torch.tanh(self.model["image"](x))

    def _encode_texts(self, texts: Sequence[str]):
        import torch

        flat, offsets = _text_ids(texts)
        with torch.inference_mode():
            return torch.tanh(self.model["text"](flat.to(self.device), offsets.to(self.device)))


def _modules() -> dict[str, Any]:
    import torch

    return {"image": torch.nn.Linear(8 * 8 * 3, DIM), "text": torch.nn.EmbeddingBag(VOCAB, DIM, mode="mean")}


class TinyDual(_TinyBase, DualEncoder):
    meta = AdapterMeta(
        name="tiny-dual", family="test", head="cosine", default_weights="random", license="mit", params=1800
    )

    def load(self) -> None:
        self._build(_modules)

    def embed_images(self, images: Sequence[Any]) -> np.ndarray:
        self.counts["images"] += len(images)
        return self._encode_images(images).float().cpu().numpy()

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        self.counts["texts"] += len(texts)
        return self._encode_texts(texts).float().cpu().numpy()


class TinyPair(_TinyBase, PairScorer):
    """A pair scorer with the image-reuse hooks: the image side runs once per image, the head per pair."""

    meta = AdapterMeta(
        name="tiny-pair", family="test", head="itm", default_weights="random", license="mit", params=1900
    )

    def load(self) -> None:
        import torch

        self._build(lambda: {**_modules(), "head": torch.nn.Linear(DIM, 1)})

    def _head(self, image_states, texts: Sequence[str]) -> np.ndarray:
        import torch

        self.counts["pairs"] += len(texts)
        with torch.inference_mode():
            out = self.model["head"](image_states * self._encode_texts(texts)).squeeze(1)
        return out.float().cpu().numpy()

    def score_pairs(self, images: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        self.counts["images"] += len(images)
        return self._head(self._encode_images(images), texts)

    def encode_images(self, images: Sequence[Any]) -> list[Any]:
        self.counts["images"] += len(images)
        return list(self._encode_images(images))

    def score_encoded(self, encoded: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        import torch

        return self._head(torch.stack(list(encoded)), texts)


class TinyPairNoHooks(TinyPair):
    """The same model without the hooks: the engine must fall back to score_pairs."""

    meta = AdapterMeta(
        name="tiny-pair-plain", family="test", head="itm", default_weights="random", license="mit", params=1900
    )
    encode_images = PairScorer.encode_images
    score_encoded = PairScorer.score_encoded
