"""The reference model: a tiny dual encoder (CNN image encoder + order-aware or bag-of-words text encoder).

Two text encoders that differ in one known way, with the same image encoder and data:

* ``gru``: a GRU over the word sequence; its final state depends on word order.
* ``bow``: the mean of the word embeddings followed by an MLP. The word ids are sorted before pooling so the
  embedding is a function of the multiset of words *bit for bit*: two permutations of a caption score exactly
  the same (a tie, which the engine counts as wrong), rather than differing by floating-point summation noise.

Images are the 224x224 synthetic scenes averaged over 4x4 blocks to 56x56 (other images are resized to 224x224
first), with two coordinate channels appended so positions are easy to read off. Weights live in one safetensors
file whose metadata holds the configuration and vocabulary, so a file is self-describing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from snare.textmodels.caption_words import words

FORMAT = "snare-reference/1"
PAD, UNK = "<pad>", "<unk>"
SOURCE_SIZE = 224  # the synthetic canvas; other images are resized to it
POOL = 4  # 224 / 4 = 56 pixels a side
MAX_TOKENS = 32
TEXT_ENCODERS = ("gru", "bow")


@dataclass(frozen=True)
class ReferenceConfig:
    """Architecture and vocabulary; stored in the weights file's metadata."""

    text_encoder: str
    vocab: tuple[str, ...]
    embed_dim: int = 128
    word_dim: int = 64
    hidden: int = 128

    def __post_init__(self) -> None:
        if self.text_encoder not in TEXT_ENCODERS:
            raise ValueError(f"text_encoder must be one of {TEXT_ENCODERS}, not {self.text_encoder!r}")
        if self.vocab[:2] != (PAD, UNK):
            raise ValueError("the vocabulary must start with <pad>, <unk>")

    def to_metadata(self) -> dict[str, str]:
        return {"format": FORMAT, "config": json.dumps(asdict(self), sort_keys=True)}

    @classmethod
    def from_metadata(cls, metadata: dict[str, str] | None) -> ReferenceConfig:
        if not metadata or metadata.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} weights file")
        data = json.loads(metadata["config"])
        data["vocab"] = tuple(data["vocab"])
        return cls(**data)


def build_vocab(texts: Sequence[str]) -> tuple[str, ...]:
    """``<pad>``, ``<unk>``, then every token of ``texts`` in sorted order (independent of text order)."""
    return (PAD, UNK, *sorted({w for t in texts for w in words(t)}))


# -- inputs -----------------------------------------------------------------------------------------------------
def pool_pixels(arrays: np.ndarray) -> torch.Tensor:
    """``(N, 224, 224, 3)`` uint8 -> ``(N, 3, 56, 56)`` float32, block-averaged and centred."""
    n = arrays.shape[0]
    side = SOURCE_SIZE // POOL
    blocks = arrays.reshape(n, side, POOL, side, POOL, 3).astype(np.float32).mean(axis=(2, 4))
    pixels = (blocks / 255.0 - 0.5) / 0.25
    return torch.from_numpy(np.ascontiguousarray(pixels.transpose(0, 3, 1, 2)))


def image_arrays(images: Sequence[Any]) -> np.ndarray:
    """PIL images as one ``(N, 224, 224, 3)`` uint8 array (RGB; resized bilinearly when not 224x224)."""
    from PIL import Image

    out = np.empty((len(images), SOURCE_SIZE, SOURCE_SIZE, 3), dtype=np.uint8)
    for i, img in enumerate(images):
        img = img.convert("RGB")
        if img.size != (SOURCE_SIZE, SOURCE_SIZE):
            img = img.resize((SOURCE_SIZE, SOURCE_SIZE), Image.Resampling.BILINEAR)
        out[i] = np.asarray(img, dtype=np.uint8)
    return out


def token_ids(texts: Sequence[str], vocab: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Padded ``(N, L)`` id matrix and ``(N,)`` lengths; unknown words map to ``<unk>``, long captions are cut."""
    index = {w: i for i, w in enumerate(vocab)}
    rows = [[index.get(w, 1) for w in words(t)][:MAX_TOKENS] or [1] for t in texts]
    width = max(len(r) for r in rows)
    ids = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r, dtype=torch.long)
    return ids, torch.tensor([len(r) for r in rows], dtype=torch.long)


# -- modules ----------------------------------------------------------------------------------------------------
class ImageEncoder(nn.Module):
    def __init__(self, embed_dim: int) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(5, 16, 3, stride=2, padding=1),  # 56 -> 28; +2 coordinate channels
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 14
            nn.Conv2d(32, 64, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 7
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(64 * 7 * 7, 192), nn.ReLU(), nn.Linear(192, embed_dim))

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        n, _, h, w = pixels.shape
        like = {"dtype": pixels.dtype, "device": pixels.device}  # a float32 grid would undo --dtype float16
        ys = torch.linspace(-1, 1, h, **like).view(1, 1, h, 1).expand(n, 1, h, w)
        xs = torch.linspace(-1, 1, w, **like).view(1, 1, 1, w).expand(n, 1, h, w)
        return self.head(self.features(torch.cat([pixels, xs, ys], dim=1)))


class GruText(nn.Module):
    """Order-aware: the last hidden state of a GRU read left to right."""

    def __init__(self, vocab_size: int, word_dim: int, hidden: int, embed_dim: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, word_dim, padding_idx=0)
        self.rnn = nn.GRU(word_dim, hidden, batch_first=True)
        self.out = nn.Linear(hidden, embed_dim)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        packed = nn.utils.rnn.pack_padded_sequence(self.embed(ids), lengths, batch_first=True, enforce_sorted=False)
        _, last = self.rnn(packed)
        return self.out(last[-1])


class BowText(nn.Module):
    """Order-blind: an MLP over the mean word embedding, computed from sorted ids (exact permutation ties)."""

    def __init__(self, vocab_size: int, word_dim: int, hidden: int, embed_dim: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, word_dim, padding_idx=0)
        self.out = nn.Sequential(nn.Linear(word_dim, hidden), nn.ReLU(), nn.Linear(hidden, embed_dim))

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        ids = torch.sort(ids, dim=1).values  # padding (0) first, then the words in id order
        vectors = self.embed(ids)
        pooled = vectors.sum(dim=1) / lengths.unsqueeze(1).to(vectors.device, vectors.dtype)
        return self.out(pooled)


class ReferenceModel(nn.Module):
    """Image and text encoders into one space; the score of a pair is the cosine of the two embeddings."""

    def __init__(self, config: ReferenceConfig) -> None:
        super().__init__()
        self.config = config
        self.image = ImageEncoder(config.embed_dim)
        text_cls = GruText if config.text_encoder == "gru" else BowText
        self.text = text_cls(len(config.vocab), config.word_dim, config.hidden, config.embed_dim)
        self.logit_scale = nn.Parameter(torch.tensor(float(np.log(10.0))))

    def encode_images(self, pixels: torch.Tensor) -> torch.Tensor:
        return self.image(pixels)

    def encode_texts(self, texts: Sequence[str]) -> torch.Tensor:
        ids, lengths = token_ids(texts, self.config.vocab)
        return self.text(ids.to(self.logit_scale.device), lengths)  # lengths stay on the CPU (pack_padded_sequence)


# -- files ------------------------------------------------------------------------------------------------------
def to_bytes(model: ReferenceModel) -> bytes:
    from safetensors.torch import save

    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    return save(state, metadata=model.config.to_metadata())


def load_model(path: str | Path) -> ReferenceModel:
    """Read a reference-model safetensors file (configuration from its metadata); ``ValueError`` if it is not one."""
    from safetensors import safe_open

    from snare.adapters.checkpoint import load_strict
    from snare.safe_io import check_regular

    with safe_open(str(check_regular(path)), framework="pt") as fh:
        config = ReferenceConfig.from_metadata(fh.metadata())
        state = {k: fh.get_tensor(k) for k in fh.keys()}  # noqa: SIM118 (safe_open is not a mapping)
    # The metadata's sizes are a claim: build the model on the meta device (no memory) and check them against
    # the tensors actually stored, so a file claiming a 10^12-wide layer is refused before anything is allocated.
    with torch.device("meta"):
        shapes = {k: tuple(v.shape) for k, v in ReferenceModel(config).state_dict().items()}
    wrong = [k for k, shape in shapes.items() if k in state and tuple(state[k].shape) != shape]
    if wrong:
        raise ValueError(
            f"metadata config does not match the stored tensor {wrong[0]!r} ({list(state[wrong[0]].shape)})"
        )
    model = ReferenceModel(config)
    load_strict(model, state, str(path))
    return model.eval()
