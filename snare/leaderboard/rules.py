"""The board's rules for a submission's protocol, coverage and partial flag (issue 10: no silent failures).

* **Protocol**: the name must be one of :func:`snare.protocols.protocols` and the recorded choices (tie break,
  re-drawing, spacing) must be that protocol's; a file without one predates protocols and is read as ``snare``.
* **Coverage**: per task of the probe set, ``total`` is the probe set's item count, ``scored`` the number of
  submitted items, and ``failed`` lists every other item once, with its reason. A failed item carries no scores,
  and scored + failed = total, so the scored and failed ids together are exactly the probe set's ids (the id
  match itself is :func:`snare.leaderboard.validate.match_items`). A file without coverage must score every item.
* **Partial**: below full coverage is accepted only when the file says ``partial: true``, which ``snare submit``
  writes only for a run whose record says it was made with ``--allow-partial``; a complete run must not claim it.

Metrics are recomputed on the scored items only; the board marks a partial run and never ranks it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from snare.engine.coverage import Coverage, FailedItem
from snare.leaderboard.reading import SubmissionRejected
from snare.leaderboard.schema import Submission
from snare.probes.probeset import ProbeSet
from snare.protocols import DEFAULT, Protocol, get_protocol, protocols


def check_protocol(sub: Submission, where: Path) -> Protocol:
    """The submission's protocol, known and recorded with that protocol's own choices."""
    if sub.protocol is None:
        return get_protocol(DEFAULT)
    known = protocols()
    name = sub.protocol.name
    if name not in known:
        raise SubmissionRejected(f"{where}: unknown protocol {name!r}; the board knows {', '.join(known)}")
    expected = known[name].to_json()
    recorded = sub.protocol.model_dump()
    wrong = next((k for k in expected if recorded.get(k) != expected[k]), None)
    if wrong is not None:
        raise SubmissionRejected(
            f"{where}: protocol {name!r} records {wrong}={recorded.get(wrong)!r} but that protocol has "
            f"{expected[wrong]!r}; re-make the file with snare submit"
        )
    return known[name]


def _task_coverage(sub: Submission, task: str, known_ids: set[str], where: Path) -> Coverage:
    block = sub.coverage[task]  # type: ignore[index]  # the caller checked that coverage is given
    scored_ids = {item.id for item in sub.items[task]}
    counts = Counter(f.id for f in block.failed)
    dupe = next((i for i, n in counts.items() if n > 1), None)
    if dupe is not None:
        raise SubmissionRejected(f"{where}: failed item {dupe!r} of {task} is listed {counts[dupe]} times")
    for failed in block.failed:
        if failed.id in scored_ids:
            raise SubmissionRejected(
                f"{where}: item {failed.id!r} of {task} is listed as failed but carries scores; "
                "a failed item has no scores"
            )
        if failed.id not in known_ids:
            raise SubmissionRejected(f"{where}: failed item {failed.id!r} of {task} is not in the probe set")
    failed = tuple(FailedItem(id=f.id, reason=f.reason) for f in sorted(block.failed, key=lambda f: f.id))
    # scored + failed = total holds once match_items has found every other id scored, exactly once
    return Coverage(total=len(known_ids), scored=len(scored_ids), failed=failed)


def check_counts(sub: Submission, coverage: dict[str, Coverage], where: Path) -> None:
    """The declared total and scored counts, checked once the ids are matched (so an id problem is named first)."""
    if sub.coverage is None:
        return
    for task, cov in coverage.items():
        block, n_scored = sub.coverage[task], len(sub.items[task])
        if block.total != cov.total:
            raise SubmissionRejected(
                f"{where}: coverage of {task} says total={block.total} but the probe set has {cov.total} items"
            )
        if block.scored != n_scored:
            raise SubmissionRejected(
                f"{where}: coverage of {task} says scored={block.scored} but {n_scored} items carry scores"
            )


def check_coverage(sub: Submission, probes: ProbeSet, where: Path) -> dict[str, Coverage]:
    """Per-task coverage (total from the probe set) after the failed-item and partial rules; counts: check_counts."""
    known = {task: {it.id for it in items} for task, items in probes.by_task().items()}
    if sub.coverage is None:
        if sub.partial:
            raise SubmissionRejected(
                f"{where}: partial: true but no coverage block lists the failed items; re-make it with snare submit"
            )
        # Without a coverage block every item must carry scores; match_items rejects any missing one.
        return {task: Coverage(total=len(ids), scored=len(ids)) for task, ids in sorted(known.items())}
    if set(sub.coverage) != set(sub.probeset.tasks):
        raise SubmissionRejected(
            f"{where}: coverage lists tasks {sorted(sub.coverage)} but probeset.tasks is "
            f"{sorted(sub.probeset.tasks)}; give the coverage of every task"
        )
    coverage = {
        task: _task_coverage(sub, task, known.get(task, set()), where)
        for task in sorted(sub.coverage)
        if task in known  # a task the probe set lacks is reported by match_items as extra
    }
    failed = sum(len(c.failed) for c in coverage.values())
    if failed and not sub.partial:
        raise SubmissionRejected(
            f"{where}: {failed} item(s) failed (coverage below 100%) but the file is not marked partial: only a "
            "run made with snare eval --allow-partial can be submitted, and snare submit marks it partial: true"
        )
    if sub.partial and not failed:
        raise SubmissionRejected(f"{where}: partial: true but every item is scored; a complete run is not partial")
    return coverage
