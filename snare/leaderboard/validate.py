"""Every rule a submission must pass before it reaches a board, and the metrics recomputed on the way.

:func:`verify_submission` raises :class:`SubmissionRejected` with one line (the file, then why) when:

* the file is larger than the size limit, not UTF-8 JSON, or not the ``snare-submission/1`` schema (pydantic,
  strict: no coercion, no unknown fields, plain-text names and http(s) links only);
* any score is NaN, infinite or beyond ±1e15 (where differences would overflow);
* its protocol, coverage or partial flag breaks a rule of :mod:`snare.leaderboard.rules` (an unknown protocol,
  a failed item with scores, scored + failed not the task's items, below full coverage without ``partial: true``);
* its fingerprint names no known probe set (:mod:`snare.leaderboard.probesets`), or that probe set is a suite build
  whose data was not read at the suite's pinned revisions (:mod:`snare.leaderboard.suites`), or its item ids differ
  from that probe set's (missing, extra or duplicated ids, or a whole task missing or extra), counting its failed items;
* an item's number of scores differs from its number of options in the probe set;
* any claimed accuracy (or n, correct, ties) differs from the one recomputed from the scores, with the intended
  options taken from the probe set and the reporter's strict rule (a tie at the top is wrong), on the scored
  items only.

For a protocol other than ``snare`` the board also recomputes that protocol's accuracy (:func:`snare.engine
.protocol_scores.score_task`), shown beside the strict one; it is not a claim, so it is not compared.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from snare.engine.coverage import Coverage
from snare.engine.protocol_scores import ProtocolScore, score_task
from snare.engine.rows import PredictionRow
from snare.leaderboard.probesets import ProbeSetResolver
from snare.leaderboard.reading import SubmissionRejected, read_json
from snare.leaderboard.rules import check_counts, check_coverage, check_protocol
from snare.leaderboard.schema import FORMAT, Submission
from snare.leaderboard.suites import SuiteRecord, check_suite_source
from snare.probes.item import ProbeItem
from snare.probes.probeset import ProbeSet
from snare.protocols import DEFAULT, Protocol
from snare.reports.metrics import TaskMetrics, compute_task_metrics
from snare.reports.stats import Interval

ACCURACY_TOLERANCE = 1e-9  # claims are k/n written as JSON floats; anything beyond rounding is a different number
N_BOOT = 2000
BOOT_SEED = 0  # fixed, so the same submissions give the same intervals on every build


@dataclass(frozen=True)
class VerifiedSubmission:
    """A submission that passed every rule, with the metrics the board shows (recomputed, not claimed)."""

    path: Path
    submission: Submission
    probeset_name: str
    fingerprint: str
    n_items: int
    metrics: dict[str, TaskMetrics]  # on the scored items
    protocol: str = DEFAULT
    coverage: dict[str, Coverage] = field(default_factory=dict)
    protocol_scores: dict[str, ProtocolScore] = field(default_factory=dict)  # empty under the snare protocol
    mean_ci: Interval | None = None  # of mean_accuracy: one cluster bootstrap shared by all tasks
    suite: SuiteRecord | None = None  # a suite build's suite and the pinned data it was read at

    @property
    def label(self) -> str:
        return self.submission.model.label

    @property
    def partial(self) -> bool:
        """Made with --allow-partial and below full coverage: marked PARTIAL and never ranked."""
        return self.submission.partial

    @property
    def mean_accuracy(self) -> float:
        """The unweighted mean of the task accuracies (each task counts once, as in the paper's tables)."""
        return sum(m.accuracy.estimate for m in self.metrics.values()) / len(self.metrics)


@dataclass
class Board:
    """The verified submissions of one build (what the board shows) and the rejected files with their reasons."""

    entries: list[VerifiedSubmission] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    n_boot: int = N_BOOT  # bootstrap resamples behind every interval on the board


def parse_submission(data: Any, where: Path) -> Submission:
    """Validate parsed JSON against the schema; the first problem becomes the rejection line."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SubmissionRejected(f'{where}: not a snare submission (expected "format": "{FORMAT}"; snare submit)')
    try:
        return Submission.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        msg = first["msg"].removeprefix("Value error, ")
        raise SubmissionRejected(f"{where}: not the {FORMAT} schema: {loc}: {msg}") from None


# Far beyond any model's score (similarities, logits, summed log-probabilities are below 1e6), far below where
# the tie rule's differences overflow a float (±1e308 minus ±1e308).
MAX_ABS_SCORE = 1e15


def _check_finite(sub: Submission, where: Path) -> None:
    for task, items in sub.items.items():
        for item in items:
            bad = next((s for s in item.scores if not math.isfinite(s)), None)
            if bad is not None:
                kind = "NaN" if math.isnan(bad) else "infinite"
                raise SubmissionRejected(
                    f"{where}: item {item.id!r} of {task} has a {kind} score; scores must be finite"
                )
            huge = next((s for s in item.scores if abs(s) > MAX_ABS_SCORE), None)
            if huge is not None:
                raise SubmissionRejected(
                    f"{where}: item {item.id!r} of {task} has the score {huge:g}; scores must lie within "
                    f"±{MAX_ABS_SCORE:g} (no model scores that high: is the file edited?)"
                )


def _check_tasks(sub: Submission, where: Path) -> None:
    declared, claimed, scored = set(sub.probeset.tasks), set(sub.claims), set(sub.items)
    if len(sub.probeset.tasks) != len(declared):
        raise SubmissionRejected(f"{where}: probeset.tasks lists a task twice")
    if claimed != scored or scored != declared:
        raise SubmissionRejected(
            f"{where}: tasks disagree: probeset.tasks {sorted(declared)}, claims {sorted(claimed)}, "
            f"items {sorted(scored)}; every task needs a claim and its items"
        )


def match_items(
    sub: Submission, probes: ProbeSet, where: Path, coverage: dict[str, Coverage]
) -> dict[str, list[tuple[ProbeItem, list[float]]]]:
    """Pair every submitted item with the probe set's item of the same id; every id scored or failed, once."""
    known = probes.by_task()
    for task in sorted(set(known) - set(sub.items)):
        raise SubmissionRejected(f"{where}: task {task} is missing ({len(known[task])} items in the probe set)")
    for task in sorted(set(sub.items) - set(known)):
        raise SubmissionRejected(f"{where}: task {task} is not in the probe set (extra items)")
    paired: dict[str, list[tuple[ProbeItem, list[float]]]] = {}
    for task in sorted(known):
        expected = {it.id: it for it in known[task]}
        counts = Counter(item.id for item in sub.items[task])
        dupe = next((i for i, n in counts.items() if n > 1), None)
        if dupe is not None:
            raise SubmissionRejected(f"{where}: item {dupe!r} of {task} appears {counts[dupe]} times (duplicated id)")
        extra = sorted(set(counts) - set(expected))
        if extra:
            raise SubmissionRejected(
                f"{where}: {len(extra)} item(s) of {task} are not in the probe set (extra items), e.g. {extra[0]!r}"
            )
        failed = {s.id for s in coverage[task].failed} if task in coverage else set()
        missing = sorted(set(expected) - set(counts) - failed)
        if missing:
            raise SubmissionRejected(
                f"{where}: {len(missing)} item(s) of {task} are missing, e.g. {missing[0]!r}; "
                "an item that could not be scored must be listed under coverage (snare eval --allow-partial)"
            )
        pairs = []
        for item in sub.items[task]:
            probe = expected[item.id]
            if len(item.scores) != len(probe.options):
                raise SubmissionRejected(
                    f"{where}: item {item.id!r} of {task} has {len(item.scores)} scores "
                    f"but {len(probe.options)} options; give one score per option"
                )
            pairs.append((probe, item.scores))
        paired[task] = pairs
    return paired


def _rows(task: str, pairs: list[tuple[ProbeItem, list[float]]]) -> list[PredictionRow]:
    """Prediction rows as the reporter reads them; intended option, cluster, labels and meta from the probe set."""
    return [
        PredictionRow(
            id=probe.id,
            task=task,
            cluster=probe.cluster,
            scores=tuple(scores),
            correct=probe.correct,
            labels=probe.labels,
            meta=dict(probe.meta),
        )
        for probe, scores in pairs
    ]


def recompute(
    paired: dict[str, list[tuple[ProbeItem, list[float]]]], *, n_boot: int = N_BOOT, seed: int = BOOT_SEED
) -> dict[str, TaskMetrics]:
    """Per-task metrics from the reporter's code, on the paired (scored) items."""
    return {
        task: compute_task_metrics(_rows(task, pairs), task=task, seed=seed, n_boot=n_boot)
        for task, pairs in paired.items()
    }


def recompute_protocol(
    protocol: Protocol, paired: dict[str, list[tuple[ProbeItem, list[float]]]], where: Path
) -> dict[str, ProtocolScore]:
    """Each task's accuracy under a protocol other than ``snare`` (empty for ``snare``: that is the strict one)."""
    if protocol.is_default:
        return {}
    try:
        return {task: score_task(protocol, task, _rows(task, pairs)) for task, pairs in sorted(paired.items())}
    except ValueError as exc:
        raise SubmissionRejected(f"{where}: cannot score it under protocol {protocol.name!r}: {exc}") from None


def mean_interval(
    paired: dict[str, list[tuple[ProbeItem, list[float]]]], *, n_boot: int = N_BOOT, seed: int = BOOT_SEED
) -> Interval:
    """Interval of the mean task accuracy: the images are resampled once per replicate for every task."""
    from snare.engine.scoring import strict_outcome
    from snare.reports.stats import mean_of_tasks_interval

    tasks = []
    for _, pairs in sorted(paired.items()):
        outcomes = [float(strict_outcome(scores, probe.correct).correct) for probe, scores in pairs]
        tasks.append((outcomes, [probe.cluster for probe, _ in pairs]))
    return mean_of_tasks_interval(tasks, n_boot=n_boot, seed=seed)


def _check_claims(sub: Submission, metrics: dict[str, TaskMetrics], where: Path) -> None:
    for task, claim in sorted(sub.claims.items()):
        m = metrics[task]
        actual = m.accuracy.estimate
        if abs(claim.accuracy - actual) > ACCURACY_TOLERANCE:
            raise SubmissionRejected(
                f"{where}: claimed accuracy {claim.accuracy:.4f} for {task} but its scores give {actual:.4f} "
                f"({m.accuracy.k} of {m.n}, ties wrong)"
            )
        for name, claimed, recomputed in (("n", claim.n, m.n), ("correct", claim.correct, m.accuracy.k)):
            if claimed != recomputed:
                raise SubmissionRejected(
                    f"{where}: claimed {name}={claimed} for {task} but the scores give {recomputed}"
                )
        if claim.ties != m.n_ties:
            raise SubmissionRejected(f"{where}: claimed ties={claim.ties} for {task} but the scores give {m.n_ties}")


def verify_submission(path: str | Path, resolver: ProbeSetResolver, *, n_boot: int = N_BOOT) -> VerifiedSubmission:
    """Apply every rule to the file at ``path``; return its recomputed metrics or raise SubmissionRejected."""
    path = Path(path)
    sub = parse_submission(read_json(path), path)
    _check_tasks(sub, path)
    _check_finite(sub, path)
    protocol = check_protocol(sub, path)
    probes = resolver.resolve(sub.probeset, where=str(path), partial=sub.partial)
    suite = check_suite_source(probes.info, probes.tasks, str(path))
    coverage = check_coverage(sub, probes, path)
    paired = match_items(sub, probes, path, coverage)
    check_counts(sub, coverage, path)
    if sub.probeset.n_items != len(probes):
        raise SubmissionRejected(
            f"{path}: probeset.n_items is {sub.probeset.n_items} but the probe set has {len(probes)} items"
        )
    metrics = recompute(paired, n_boot=n_boot)
    _check_claims(sub, metrics, path)
    return VerifiedSubmission(
        path=path,
        submission=sub,
        probeset_name=probes.name,
        fingerprint=sub.probeset.fingerprint,
        n_items=len(probes),
        metrics=metrics,
        protocol=protocol.name,
        coverage=coverage,
        protocol_scores=recompute_protocol(protocol, paired, path),
        mean_ci=mean_interval(paired, n_boot=n_boot),
        suite=suite,
    )
