"""The adapter contract: declarative metadata plus either two embedding methods or one pair-scoring method.

A **dual encoder** embeds images and texts separately; the engine scores a pair by the cosine similarity of the
two embeddings. A **pair scorer** scores each (image, text) pair jointly (image-text matching heads, yes/no
generation). Preprocessing belongs to the adapter: it receives PIL images and raw caption strings.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:
    import numpy as np
    from PIL.Image import Image

Kind = Literal["dual", "pair"]
DTYPES = ("float32", "float16", "bfloat16")


@dataclass(frozen=True)
class AdapterMeta:
    """What a model is, declared once beside its adapter (cf. open_clip model configs, MTEB's ModelMeta)."""

    name: str
    family: str
    head: str
    default_weights: str
    license: str
    description: str = ""
    revision: str | None = None
    params: int | None = None
    url: str | None = None
    weights_help: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Adapter(ABC):
    """Base class of every adapter. Subclasses set ``meta`` and ``kind`` and implement :meth:`load`."""

    meta: ClassVar[AdapterMeta]
    kind: ClassVar[Kind]
    #: True when :meth:`load` reads nothing but the package itself, the paths given as ``weights`` or options,
    #: and what goes through :mod:`snare.adapters.hub` and :mod:`snare.adapters.checkpoint` (random weights are
    #: fixed by the seed). A run whose scores are all cached then skips loading the model altogether
    #: (:mod:`snare.engine.replay`). Off by default, as snare cannot see what an arbitrary plug-in reads.
    replay_safe: ClassVar[bool] = False
    #: The ``-o KEY=VALUE`` keys this adapter reads; any other key is a one-line error when the adapter is created
    #: (an ignored option would look like it changed the run). ``None``: not declared (plug-ins), nothing checked.
    option_names: ClassVar[tuple[str, ...] | None] = None

    def __init__(
        self,
        weights: str | None = None,
        *,
        device: str = "cpu",
        dtype: str = "float32",
        seed: int = 0,
        **options: Any,
    ) -> None:
        if dtype not in DTYPES:
            from snare.errors import SnareError

            raise SnareError(f"unknown --dtype {dtype!r}; choose one of {', '.join(DTYPES)}")
        self.weights = weights or self.meta.default_weights
        self.device = device
        self.dtype = dtype
        self.seed = seed
        self.options = options
        self._check_option_names()
        self.revision: str | None = self.meta.revision
        self.loaded = False
        #: the original's setup a paper protocol applied (:mod:`snare.adapters.paper`), recorded in describe()
        self.setup: dict[str, Any] | None = None

    def _check_option_names(self) -> None:
        if self.option_names is None:
            return
        unknown = sorted(set(self.options) - set(self.option_names))
        if unknown:
            from snare.errors import AdapterError

            known = ", ".join(f"-o {k}=" for k in self.option_names) if self.option_names else "none"
            raise AdapterError(f"--model {self.meta.name} has no option {unknown[0]!r}; its options: {known}")

    @abstractmethod
    def load(self) -> None:
        """Load weights and preprocessing; raise :class:`snare.errors.WeightsUnavailableError` when they cannot be."""

    def hub_repo(self) -> str | None:
        """The hub repository ``--weights`` names, where the adapter knows it without importing its model library
        (a tag that stands for a repository): the early offline check then refuses it before any heavy import.
        None: the weights are checked as they are written (a path or a hub id) or when the model loads."""
        return None

    def ensure_loaded(self) -> None:
        if not self.loaded:
            self.load()
            self.loaded = True

    def describe(self) -> dict[str, Any]:
        """Everything that identifies this model's scores: enters the run record and the cache key."""
        return {
            "name": self.meta.name,
            "family": self.meta.family,
            "head": self.meta.head,
            "kind": self.kind,
            "weights": self.weights,
            "revision": self.revision,
            "dtype": self.dtype,
            "device": self.device,
            "options": {k: v for k, v in sorted(self.options.items()) if v is not None},
            "preprocessing": self.preprocessing(),
            **({"setup": self.setup} if self.setup else {}),
        }

    def preprocessing(self) -> dict[str, Any]:
        """The image/text preprocessing actually used (image size, normalisation, max text length, prompt)."""
        return {}

    def cache_identity(self) -> dict[str, Any]:
        """What the engine's score cache is keyed by (called after :meth:`load`): :meth:`describe` without the
        device index, plus the seed when the weights are ``random`` (the seed then decides every weight).

        Override when scores depend on something :meth:`describe` does not show.
        """
        identity = self.describe()
        identity["device"] = str(identity.get("device", "cpu")).split(":")[0]  # cuda:0 and cuda:1 share entries
        if self.weights == "random":
            identity["seed"] = self.seed
        return identity


class DualEncoder(Adapter):
    """Scores by cosine similarity of separately computed image and text embeddings."""

    kind: ClassVar[Kind] = "dual"

    @abstractmethod
    def embed_images(self, images: Sequence[Image]) -> np.ndarray:
        """Return a float array of shape ``(len(images), dim)``."""

    @abstractmethod
    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Return a float array of shape ``(len(texts), dim)``."""


class PairScorer(Adapter):
    """Scores each (image, text) pair jointly; higher means a better match.

    Optional hooks: a model whose image side can run once per image (BLIP's ITM head cross-attends to the
    vision encoder's output) implements both :meth:`encode_images` and :meth:`score_encoded`; the engine then
    encodes each unique image once and scores all of its captions against the result, instead of calling
    :meth:`score_pairs` with the image repeated. Both paths must give the same scores.
    """

    kind: ClassVar[Kind] = "pair"

    @abstractmethod
    def score_pairs(self, images: Sequence[Image], texts: Sequence[str]) -> np.ndarray:
        """Return a float array of shape ``(len(texts),)``: the score of ``images[i]`` with ``texts[i]``."""

    def encode_images(self, images: Sequence[Image]) -> Sequence[Any]:
        """Optional: one opaque encoded state per image (e.g. a vision-encoder output), for :meth:`score_encoded`."""
        raise NotImplementedError

    def score_encoded(self, encoded: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        """Optional: like :meth:`score_pairs`, with ``encoded[i]`` (from :meth:`encode_images`) for ``images[i]``."""
        raise NotImplementedError

    @classmethod
    def reuses_images(cls) -> bool:
        """Whether this class implements both image-reuse hooks (the engine then encodes each image once)."""
        return cls.encode_images is not PairScorer.encode_images and cls.score_encoded is not PairScorer.score_encoded


class TextScorer(PairScorer):
    """A pair scorer that never looks at the image (a blind, text-only baseline): a pair's score is its text's.

    The engine scores each unique text of a probe set once, in batches sorted by length, cached by text (cache
    kind ``texts``, one value per text), and loads no image; :meth:`score_pairs` gives the same scores for
    callers that hold pairs (the load checks, the conformance kit).
    """

    @abstractmethod
    def score_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Return a float array of shape ``(len(texts),)``: each text's score, higher meaning more plausible."""

    def score_pairs(self, images: Sequence[Image], texts: Sequence[str]) -> np.ndarray:
        return self.score_texts(texts)
