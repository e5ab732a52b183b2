"""Per-item random generators that give the same draws on every machine and Python version.

Each item gets its own generator seeded from (global seed, item id), so a probe set does not depend on the order
items are built in, the batch size, or the number of worker processes. Only :meth:`random.Random.random` is used:
it is the one part of :mod:`random` whose output CPython guarantees across versions (``shuffle`` and
``randrange`` are not), and NumPy's ``Generator`` methods carry no such promise either.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import MutableSequence, Sequence
from typing import TypeVar

T = TypeVar("T")


class ItemRng:
    """A small, version-stable random generator."""

    def __init__(self, seed: int, *keys: object) -> None:
        material = "\x1f".join([str(seed), *map(str, keys)]).encode("utf-8")
        self._random = random.Random(int.from_bytes(hashlib.sha256(material).digest()[:8], "big"))

    def below(self, n: int) -> int:
        """A uniform integer in ``[0, n)``."""
        if n <= 0:
            raise ValueError("n must be positive")
        return min(int(self._random.random() * n), n - 1)

    def shuffle(self, seq: MutableSequence[T]) -> None:
        """Fisher-Yates shuffle in place."""
        for i in range(len(seq) - 1, 0, -1):
            j = self.below(i + 1)
            seq[i], seq[j] = seq[j], seq[i]

    def permutation(self, n: int) -> list[int]:
        order = list(range(n))
        self.shuffle(order)
        return order

    def choice(self, seq: Sequence[T]) -> T:
        return seq[self.below(len(seq))]
