"""No silent failures: every item has a status, every task a coverage, and a partial run is marked as such.

An item is either **scored** or **failed with a reason** (an image that is missing or cannot be decoded, for
example); it is never dropped, and never scored as zero. Coverage is scored / total per task. A run whose
coverage is below 100% gets no headline accuracy unless the user passes ``--allow-partial``; then every task
summary, table and leaderboard entry carries ``partial: true``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, model_serializer

from snare.errors import SnareError

if TYPE_CHECKING:
    from snare.probes.probeset import ProbeSet

Status = Literal["scored", "failed"]
MAX_LISTED = 50  # failed items listed by id in results.json; the rest are counted by reason


class PartialCoverageError(SnareError):
    """Some items cannot be scored and the user did not accept a partial run."""


@dataclass(frozen=True)
class ItemStatus:
    id: str
    task: str
    status: Status
    reason: str | None = None  # why a failed item failed; None when scored


class FailedItem(BaseModel):
    """An item the run could not score, and why (``reason``: an image missing or undecodable, for example)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    id: str
    reason: str | None = None


class Coverage(BaseModel):
    """How many of a task's items were scored, and why the others were not: the one form of coverage, built by
    the engine, written into ``results.json`` (:meth:`to_json`), read back by reports and ``snare submit``, and
    rebuilt by the board from a submission.

    ``failed_by_reason`` counts every failed item by kind of reason; it is computed from ``failed`` unless given
    (a record read back lists at most :data:`MAX_LISTED` failed items by id but counts them all).
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    total: int
    scored: int
    failed: tuple[FailedItem, ...] = ()
    failed_by_reason: dict[str, int] | None = None

    @property
    def fraction(self) -> float:
        return self.scored / self.total if self.total else 1.0

    @property
    def complete(self) -> bool:
        return self.scored == self.total

    def reasons(self) -> dict[str, int]:
        """Failed items counted by the kind of reason (the text before the first ':')."""
        if self.failed_by_reason is not None:
            return dict(self.failed_by_reason)
        return dict(Counter((s.reason or "unknown").split(":")[0] for s in self.failed))

    def describe(self) -> str:
        """``"298/300 (99.3%)"``: what every table prints in its coverage column."""
        return f"{self.scored}/{self.total} ({100 * self.fraction:.1f}%)"

    @model_serializer(mode="plain")
    def to_json(self) -> dict[str, Any]:
        """The ``results.json`` form: counts, fraction, reasons, and the first :data:`MAX_LISTED` failed items."""
        return {
            **(self.__pydantic_extra__ or {}),
            "total": self.total,
            "scored": self.scored,
            "fraction": self.fraction,
            "complete": self.complete,
            "failed_by_reason": self.reasons(),
            "failed": [
                {**(s.__pydantic_extra__ or {}), "id": s.id, "reason": s.reason} for s in self.failed[:MAX_LISTED]
            ],
        }


def coverage_by_task(statuses: Iterable[ItemStatus]) -> dict[str, Coverage]:
    """Per-task coverage from item statuses (each item counted once)."""
    grouped: dict[str, list[ItemStatus]] = {}
    for status in statuses:
        grouped.setdefault(status.task, []).append(status)
    return {
        task: Coverage(
            total=len(items),
            scored=sum(s.status == "scored" for s in items),
            failed=tuple(
                FailedItem(id=s.id, reason=s.reason)
                for s in sorted((s for s in items if s.status == "failed"), key=lambda s: s.id)
            ),
        )
        for task, items in sorted(grouped.items())
    }


def item_statuses(probes: ProbeSet, failures: Mapping[str, str]) -> list[ItemStatus]:
    """A status for every item of ``probes``: failed with its reason when listed in ``failures``, else scored."""
    return [
        ItemStatus(it.id, it.task, "failed", failures[it.id])
        if it.id in failures
        else ItemStatus(it.id, it.task, "scored")
        for it in probes.items
    ]


def image_failures(probes: ProbeSet) -> dict[str, str]:
    """Items whose image is missing or unreadable, by item id, with the reason; checked once per image file.

    Keyed by file, not by crop: the Visual Genome items of one picture differ only in their boxes.
    """
    problems: dict[str, str | None] = {}
    failures: dict[str, str] = {}
    for it in probes.items:
        key = it.image.path or it.image.key
        if key not in problems:
            problems[key] = probes.image_problem(it.image)
        if problems[key] is not None:
            failures[it.id] = problems[key]  # type: ignore[assignment]
    return failures


def require_complete(coverage: Mapping[str, Coverage], *, allow_partial: bool) -> bool:
    """Whether the run is partial; raises :class:`PartialCoverageError` when it is and that was not allowed."""
    incomplete = {t: c for t, c in coverage.items() if not c.complete}
    if not incomplete:
        return False
    if allow_partial:
        return True
    failed = sum(c.total - c.scored for c in incomplete.values())
    total = sum(c.total for c in coverage.values())
    first = next(s for c in incomplete.values() for s in c.failed)
    raise PartialCoverageError(
        f"{failed} of {total} items cannot be scored (e.g. {first.id}: {first.reason}); fix the data "
        "(see: snare data check) or pass --allow-partial to report accuracies marked partial"
    )


def headline(accuracy: float | None, coverage: Coverage, *, allow_partial: bool) -> dict[str, Any]:
    """The accuracy a table may print for one task: withheld (None) below full coverage unless partial is allowed."""
    partial = not coverage.complete
    shown = accuracy if (not partial or allow_partial) else None
    return {"accuracy": shown, "partial": partial, "coverage": coverage.describe()}
