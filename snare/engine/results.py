"""The results directory: ``results.json`` (summary + run record) and ``predictions/<task>.jsonl`` (per item).

Written into a staging folder and renamed into place at the end, so an interrupted run never leaves a
``results.json`` behind. Accuracy is strict: ties are wrong, and are counted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from snare.engine.coverage import Coverage
from snare.engine.record import RunRecord
from snare.engine.rows import PredictionRow
from snare.engine.scoring import strict_outcome
from snare.output_shape import ANY, OutputShape
from snare.probes.item import ProbeItem

RESULTS = "results.json"
PREDICTIONS = "predictions"
# what --overwrite requires of a folder it replaces: snare's results.json (a version, tasks, a probe set) and
# prediction files, nothing else
RESULTS_SHAPE = OutputShape(RESULTS, {"snare_version": ANY, "tasks": ANY, "probeset": ANY}, (f"{PREDICTIONS}/*.jsonl",))


@dataclass
class TaskResult:
    task: str
    n: int
    n_correct: int
    n_ties: int
    n_options: int
    coverage: Coverage | None = None  # set by snare.engine.annotate.annotate, as are the extra fields:
    # split credit, tie counts, protocol numbers
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        return self.n_correct / self.n if self.n else float("nan")

    def to_json(self) -> dict[str, Any]:
        return {
            "accuracy": self.accuracy,
            "n": self.n,
            "correct": self.n_correct,
            "ties": self.n_ties,
            "n_options": self.n_options,
            "chance": 1.0 / self.n_options,
            **({"coverage": self.coverage.to_json()} if self.coverage is not None else {}),
            **self.extra,
        }


@dataclass
class RunResult:
    """Everything one evaluation produced: per-item rows, per-task summaries, and the run record."""

    record: RunRecord
    rows: dict[str, list[PredictionRow]] = field(default_factory=dict)
    tasks: dict[str, TaskResult] = field(default_factory=dict)

    @classmethod
    def from_scores(cls, items: list[ProbeItem], scores: dict[str, np.ndarray], record: RunRecord) -> RunResult:
        result = cls(record=record)
        for it in sorted(items, key=lambda i: (i.task, i.id)):
            values = [float(v) for v in scores[it.id]]
            out = strict_outcome(values, it.correct)
            result.rows.setdefault(it.task, []).append(
                PredictionRow(
                    id=it.id,
                    task=it.task,
                    cluster=it.cluster,
                    scores=tuple(values),
                    correct=it.correct,
                    predicted=out.predicted,
                    is_correct=out.correct,
                    tie=out.tie,
                    labels=it.labels,
                    meta=dict(it.meta),  # relation, attributes...: reports break accuracy down per group
                )
            )
        for task, rows in result.rows.items():
            result.tasks[task] = TaskResult(
                task=task,
                n=len(rows),
                n_correct=sum(bool(r.is_correct) for r in rows),
                n_ties=sum(bool(r.tie) for r in rows),
                n_options=max(len(r.scores) for r in rows),
            )
        return result

    def to_json(self) -> dict[str, Any]:
        return {**self.record.to_json(), "tasks": {t: r.to_json() for t, r in sorted(self.tasks.items())}}

    def write(self, folder: str | Path, *, overwrite: bool = False) -> Path:
        from snare.atomic import dumps_json, staged_directory, write_text

        with staged_directory(folder, overwrite=overwrite, kind=(RESULTS_SHAPE,), what="results folder") as staging:
            for task, rows in sorted(self.rows.items()):
                lines = "".join(json.dumps(r.to_json(), sort_keys=True, allow_nan=False) + "\n" for r in rows)
                write_text(staging / PREDICTIONS / f"{task}.jsonl", lines)
            write_text(staging / RESULTS, dumps_json(self.to_json()))
        return Path(folder)
