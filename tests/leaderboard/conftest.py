"""Real runs for the leaderboard tests: made by the engine (in process) or by ``snare eval`` (subprocess)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from snare.adapters.base import AdapterMeta, PairScorer
from snare.leaderboard.submit import submission_bytes, submission_from_run


class TextHashScorer(PairScorer):
    """Scores a caption by a hash of its text: deterministic, no ties, about chance accuracy, no torch."""

    meta = AdapterMeta(
        name="texthash",
        family="test",
        head="hash",
        default_weights="salt0",
        license="mit",
        params=7,
        url="https://example.org/texthash",
    )

    def load(self) -> None:
        self.salt = str(self.weights).encode()

    def score_pairs(self, images: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        digests = (hashlib.sha256(self.salt + t.encode()).digest() for t in texts)
        return np.array([int.from_bytes(d[:4], "big") / 2**32 for d in digests], dtype=np.float64)


def make_run(folder: Path, *, weights: str = "salt0", limit: int | None = 8, probes=None) -> Path:
    """Score the synthetic set (first ``limit`` items per task) with TextHashScorer and write a results dir."""
    from snare.engine.evaluate import evaluate
    from snare.probes.synthetic import synthetic_probeset

    if probes is None:
        probes = synthetic_probeset(seed=0)
        if limit is not None:
            probes = probes.subset(limit=limit)
    result = evaluate(TextHashScorer(weights), probes, seed=0)
    return result.write(folder)


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("runs") / "texthash")


@pytest.fixture(scope="session")
def good_submission(run_dir: Path) -> dict:
    """A valid submission (as a dict) of the session's run; tests copy it before tampering."""
    return submission_from_run(run_dir)


@pytest.fixture
def write_sub(tmp_path: Path) -> Callable[..., Path]:
    """Write a (possibly tampered) submission dict as a file in a fresh ``submissions/`` folder."""

    def write(sub: dict, name: str = "sub.json", *, raw: bool = False) -> Path:
        folder = tmp_path / "submissions"
        folder.mkdir(exist_ok=True)
        path = folder / name
        if raw:  # json.dumps keeps NaN/Infinity literals, as a hand-edited file could
            path.write_text(json.dumps(sub), encoding="utf-8")
        else:
            path.write_bytes(submission_bytes(sub, gzipped=name.endswith(".gz")))
        return path

    return write
