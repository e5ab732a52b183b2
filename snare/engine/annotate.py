"""What every evaluation adds beside its strict accuracies: coverage, tie reporting and the protocol's numbers.

:func:`annotate` runs after scoring. Per task it adds the coverage (scored / total, with the reasons items
failed), whether the task is partial, split-credit accuracy and exact/near tie counts, the protocol's name and,
for a protocol other than ``snare``, the accuracy that protocol gives. On a contrast set (items with twins) it adds
pair accuracy (:mod:`snare.engine.pairs`). The run record gets the protocol, the
per-task coverage and a top-level ``partial`` flag, so every consumer (tables, reports, the leaderboard) can
mark a partial run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from snare.engine.coverage import Coverage
from snare.engine.groups import group_counts, is_group_row
from snare.engine.pairs import has_pairs, summarize_pairs
from snare.engine.protocol_scores import ProtocolScore, score_run
from snare.engine.record import ProtocolRecord
from snare.engine.rows import PredictionRow
from snare.engine.scoring import summarize_ties
from snare.protocols import Protocol

if TYPE_CHECKING:
    from snare.engine.results import RunResult


def task_fields(
    rows: list[PredictionRow], coverage: Coverage, protocol: str, protocol_score: ProtocolScore | None = None
) -> dict:
    """The fields one task summary gains beside its coverage (see the module docstring)."""
    ties = summarize_ties(rows)
    fields: dict[str, Any] = {
        "split_credit_accuracy": ties.split_credit_accuracy,
        "exact_ties": ties.exact_ties,
        "near_ties": ties.near_ties,
        "partial": not coverage.complete,
        "protocol": protocol,
    }
    if protocol_score is not None:
        fields["protocol_accuracy"] = protocol_score.to_json()
    if has_pairs(rows):
        fields.update(summarize_pairs(rows).to_json())
    if rows and all(is_group_row(r) for r in rows):  # 2x2 examples (Winoground, BiVLC): text, image, group
        fields["group_scores"] = group_counts(rows)
    return fields


def annotate(result: RunResult, *, protocol: Protocol, coverage: Mapping[str, Coverage], partial: bool) -> None:
    """Add coverage, tie and protocol fields to ``result``'s task summaries and record (in place)."""
    chosen = protocol
    by_protocol = score_run(chosen, result.rows) if not chosen.is_default else {}
    for task, summary in result.tasks.items():
        cov = coverage.get(task) or Coverage(total=summary.n, scored=summary.n)
        summary.coverage = cov
        summary.extra.update(task_fields(result.rows[task], cov, chosen.name, by_protocol.get(task)))
    result.record.protocol = ProtocolRecord.model_validate(chosen.to_json())
    result.record.coverage = dict(sorted(coverage.items()))
    result.record.partial = partial
