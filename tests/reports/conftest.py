"""Two small runs on the same synthetic probe set, with seeded random scores (real items, real writer)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from snare.engine.record import RunRecord
from snare.engine.results import RunResult
from snare.probes.synthetic import synthetic_probeset


def write_scored_run(folder: Path, *, seed: int, skill: float, name: str = "fake") -> Path:
    """Scores that favour the intended option by ``skill`` (0: pure noise), with ~10% exact ties."""
    probes = synthetic_probeset(seed=0, n_scenes=40)
    rng = np.random.default_rng(seed)
    scores = {}
    for it in probes:
        values = np.round(rng.normal(size=len(it.options)), 1)
        values[it.correct] += skill
        scores[it.id] = values
    record = RunRecord.model_validate(
        {
            "model": {"name": name, "weights": f"seed{seed}"},
            "probeset": {"name": probes.name, "fingerprint": probes.fingerprint, "n_items": len(probes)},
            "seed": seed,
        }
    )
    return RunResult.from_scores(probes.items, scores, record).write(folder)


@pytest.fixture(scope="session")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    base = tmp_path_factory.mktemp("runs")
    return [write_scored_run(base / "a", seed=1, skill=1.5), write_scored_run(base / "b", seed=2, skill=0.0)]
