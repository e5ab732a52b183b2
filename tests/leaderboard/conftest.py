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


def make_run(
    folder: Path,
    *,
    weights: str = "salt0",
    limit: int | None = 8,
    probes=None,
    adapter: PairScorer | None = None,
    **evaluate_options: Any,
) -> Path:
    """Score the synthetic set (first ``limit`` items per task) with TextHashScorer and write a results dir.

    ``evaluate_options`` go to :func:`snare.engine.evaluate.evaluate` (``protocol``, ``allow_partial``).
    """
    from snare.engine.evaluate import evaluate
    from snare.probes.synthetic import synthetic_probeset

    if probes is None:
        probes = synthetic_probeset(seed=0)
        if limit is not None:
            probes = probes.subset(limit=limit)
    result = evaluate(adapter or TextHashScorer(weights), probes, seed=0, **evaluate_options)
    return result.write(folder)


def file_probeset(root: Path, n_images: int = 6, *, image_of=lambda i: f"{i}.png") -> Path:
    """A file-based probe set (negation and spatial items, one per image) saved under ``root/probesets/files``.

    Its images live in ``root/images``; delete one to make a run partial. ``image_of(i)`` names item i's image.
    """
    from PIL import Image

    from snare.probes.probeset import ProbeSet
    from tests.helpers import make_item

    images = root / "images"
    images.mkdir(parents=True, exist_ok=True)
    items = []
    for i in range(n_images):
        name = image_of(i)
        if not (images / name).exists():
            Image.new("RGB", (8, 8), (40 * (i % 6), 0, 0)).save(images / name)
        items.append(make_item(i, options=(f"dog {i} runs", f"dog {i} does not run"), path=name))
        spatial = tuple(f"cat {i} is {rel} the mat" for rel in ("on", "below", "left of", "right of"))
        items.append(make_item(i, "spatial_relations", options=spatial, path=name))
    return ProbeSet(items, name="files", image_root=images).save(root / "probesets" / "files")


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
