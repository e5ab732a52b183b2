"""What a report must say beside each run's accuracies: its protocol, its coverage, and whether it is partial.

:func:`run_trust` reads a loaded results directory and works out, per task:

* **coverage**: scored / total. ``scored`` is recounted from the prediction rows; ``total`` and the failed items
  come from the run's recorded coverage (failed items have no rows). A run without a coverage block (written
  before coverage was recorded, or by hand) is taken as complete: every row it holds was scored.
* **the headline rule** (:func:`snare.engine.coverage.headline`): a task below full coverage shows no headline
  accuracy unless the run was made with ``--allow-partial`` (the record's ``partial: true``); then it is shown
  and the run is marked PARTIAL everywhere.
* **the protocol**: the one the run was made with (the record's ``protocol.name``; ``snare`` when absent). For
  a protocol other than ``snare`` its accuracy is recomputed from the per-item scores
  (:func:`snare.engine.protocol_scores.score_task`) and shown beside the strict one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from snare.engine.coverage import Coverage, headline
from snare.engine.protocol_scores import ProtocolScore, score_task
from snare.engine.record import RunRecord, TaskSummary
from snare.errors import SnareError
from snare.protocols import DEFAULT, get_protocol
from snare.reports.load import ReportInputError, RunData

PARTIAL_MARK = "PARTIAL"  # the word every format prints for a run accepted with --allow-partial
WITHHELD_MARK = "INCOMPLETE"  # ... for a run below full coverage that was not: its accuracies are withheld
WITHHELD_CELL = "withheld"


@dataclass(frozen=True)
class RunTrust:
    """One run's protocol, per-task coverage and protocol scores, and whether its headline may be shown."""

    protocol: str
    allow_partial: bool  # the run was made with --allow-partial (its record says partial: true)
    coverage: dict[str, Coverage]
    protocol_scores: dict[str, ProtocolScore] = field(default_factory=dict)  # empty for the snare protocol

    def partial(self, task: str) -> bool:
        return not self.coverage[task].complete

    def withheld(self, task: str) -> bool:
        """Whether the task's accuracies must not be shown (below full coverage without --allow-partial)."""
        return headline(0.0, self.coverage[task], allow_partial=self.allow_partial)["accuracy"] is None

    @property
    def is_partial(self) -> bool:
        """Below full coverage anywhere (or recorded as partial): every format marks the run."""
        return self.allow_partial or any(not c.complete for c in self.coverage.values())

    @property
    def is_withheld(self) -> bool:
        return any(self.withheld(task) for task in self.coverage)

    @property
    def mark(self) -> str | None:
        """``PARTIAL``, ``INCOMPLETE`` (headline withheld) or None for a complete run."""
        if self.is_withheld:
            return WITHHELD_MARK
        return PARTIAL_MARK if self.is_partial else None

    def headline(self, task: str, accuracy: float) -> float | None:
        """The strict accuracy a table may print for ``task``: None when it is withheld."""
        return headline(accuracy, self.coverage[task], allow_partial=self.allow_partial)["accuracy"]

    def task_json(self, task: str) -> dict[str, Any]:
        score = self.protocol_scores.get(task)
        return {
            "protocol": self.protocol,
            "protocol_accuracy": score.to_json() if score is not None else None,
            "coverage": self.coverage[task].to_json(),
            "partial": self.partial(task),
            "headline_withheld": self.withheld(task),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "protocol": self.protocol,
            "allow_partial": self.allow_partial,
            "partial": self.is_partial,
            "headline_withheld": self.is_withheld,
            "mark": self.mark,
        }


def protocol_name(record: RunRecord) -> str:
    """The protocol a run was made with: the record's ``protocol.name`` (or a bare string), else ``snare``."""
    return record.protocol_name or DEFAULT


def _recorded_coverage(run: RunData, task: str) -> Coverage | None:
    block = run.record.coverage.get(task)
    if block is None and task in run.recorded_tasks:
        block = run.recorded_tasks[task].coverage
    return block


def task_coverage(run: RunData, task: str) -> Coverage:
    """Scored (recounted from the rows) over total (recorded), with the recorded failed items and reasons."""
    scored = len(run.rows[task])
    block = _recorded_coverage(run, task)
    if block is None:
        return Coverage(total=scored, scored=scored)
    if block.total < scored:
        raise ReportInputError(
            f"{run.path / 'results.json'}: coverage of {task} says {block.total} items in all but "
            f"{scored} were scored; the file was edited or is corrupt (re-run snare eval)"
        )
    return Coverage(total=block.total, scored=scored, failed=block.failed)


def run_trust(run: RunData) -> RunTrust:
    """Protocol, coverage and protocol scores of one loaded run (see the module docstring)."""
    name = protocol_name(run.record)
    try:
        protocol = get_protocol(name)
    except SnareError as exc:
        raise ReportInputError(f"{run.path / 'results.json'}: {exc}") from None
    coverage = {task: task_coverage(run, task) for task in sorted(run.rows)}
    scores: dict[str, ProtocolScore] = {}
    if not protocol.is_default:
        for task, rows in sorted(run.rows.items()):
            try:
                scores[task] = score_task(protocol, task, rows)
            except ValueError as exc:
                raise ReportInputError(f"{run.path}: cannot score {task} under --protocol {name}: {exc}") from None
    return RunTrust(name, run.record.partial, coverage, scores)


def trust_disagreements(run: RunData, trust: RunTrust, split_credit: Mapping[str, float]) -> list[str]:
    """Notes where results.json's coverage, split credit or protocol accuracy disagree with the recomputation."""
    notes = []
    where = run.path / "results.json"
    for task, cov in trust.coverage.items():
        block = _recorded_coverage(run, task)
        if block is not None and block.scored != cov.scored:
            notes.append(
                f"{where}: {task} records {block.scored} scored items but {cov.scored} have predictions; "
                "this report counts the predictions"
            )
        summary = run.recorded_tasks.get(task) or TaskSummary()
        recorded = summary.split_credit_accuracy
        if recorded is not None and abs(recorded - split_credit[task]) > 1e-9:
            notes.append(
                f"{where}: {task} records split credit {recorded:.4f} but the per-item scores give "
                f"{split_credit[task]:.4f}; this report uses the recomputation"
            )
        score = trust.protocol_scores.get(task)
        stated = (summary.protocol_accuracy or {}).get("accuracy")
        recomputed = score.accuracy if score is not None else None
        if isinstance(stated, int | float) and recomputed is not None and abs(stated - recomputed) > 1e-9:
            notes.append(
                f"{where}: {task} records {trust.protocol} accuracy {stated:.4f} but the per-item scores give "
                f"{recomputed:.4f}; this report uses the recomputation"
            )
    if trust.is_withheld:
        notes.append(
            f"{run.path}: coverage below 100% and the run was not made with --allow-partial: its accuracies are "
            "withheld (fix the data, see: snare data check, or re-run with --allow-partial)"
        )
    elif trust.is_partial:
        notes.append(
            f"{run.path}: a partial run (--allow-partial; some items could not be scored); its accuracies cover "
            "the scored items only and are marked PARTIAL"
        )
    return notes
