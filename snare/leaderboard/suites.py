"""Probe sets built from a suite (``snare probes build --suite NAME``): the data they were read from must be the data
the suite pins.

A suite build's manifest records, under ``source``, the suite's name and, per dataset, the repository and revision
read (``repo``, ``revision``) and, when read from the Hugging Face cache, the full commit the revision resolved to
(``commit``). :func:`check_suite_source` accepts such a set only when every dataset of its tasks was read from the
suite's declared repository at its pinned revision, or from one of the dataset's declared fallback mirrors at that
mirror's pinned revision; the commit, where recorded, must be that revision (or, for an abbreviated pin, begin
with it). A set built from a ``--data-dir`` copy records the pin it was read as and no commit (a plain folder has
none to read): its revision must still match, and the board marks the dataset "local copy". The fingerprint does
not cover the source record, so this check is what ties a board table to the pinned data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from snare.leaderboard.reading import SubmissionRejected

SHORT = 7  # characters of a commit shown in a table heading, as the hub's file pages show it


@dataclass(frozen=True)
class DatasetRead:
    """One dataset of a suite build: where and at which revision it was read (``commit`` None for a local copy)."""

    dataset: str
    repo: str
    revision: str
    commit: str | None

    @property
    def short(self) -> str:
        return (self.commit or self.revision)[:SHORT]

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "repo": self.repo,
            "revision": self.revision,
            "commit": self.commit,
            "local_copy": self.commit is None,
        }


@dataclass(frozen=True)
class SuiteRecord:
    """The suite a probe set was built from and the pinned data it was read at (checked)."""

    name: str
    datasets: tuple[DatasetRead, ...]
    limit: int | None = None  # rows read per dataset (``build_suite(limit=...)``), None for all

    def scope(self) -> str:
        """The table heading's account of the data: the suite and each dataset at its short commit."""
        reads = ", ".join(f"{d.dataset}@{d.short}" + (" local copy" if d.commit is None else "") for d in self.datasets)
        rows = f", first {self.limit} rows per dataset" if self.limit else ""
        return f"suite {self.name}: {reads}{rows}"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "limit": self.limit, "datasets": [d.to_json() for d in self.datasets]}


def is_suite_build(info: dict[str, Any]) -> bool:
    """Whether a probe set's manifest says it was built from a suite."""
    source = info.get("source")
    if not isinstance(source, dict):
        return False
    spec = source.get("spec")
    return "suite" in source or (isinstance(spec, str) and spec.startswith("suite:"))


def known_suite(name: Any) -> str | None:
    """``name`` when it is a suite this snare declares (so it is safe to print), else None."""
    from snare.probes.suites import suite_table

    return name if isinstance(name, str) and name in suite_table() else None


def _rebuild(suite: str) -> str:
    return f"rebuild it with: snare probes build --suite {suite} --out DIR"


def _read(dataset: str, recorded: Any, suite: str, where: str) -> DatasetRead:
    """The recorded read of ``dataset``, checked against the declaration (the dataset and its fallback mirrors)."""
    from snare.probes.sources.fallback import mirrors
    from snare.probes.suites import dataset_table

    fields = recorded if isinstance(recorded, dict) else {}
    repo, revision, commit = (fields.get(k) for k in ("repo", "revision", "commit"))
    if not isinstance(repo, str) or not isinstance(revision, str) or not isinstance(commit, str | None):
        raise SubmissionRejected(
            f"{where}: suite {suite} probe set does not record the repository and revision dataset {dataset} was "
            f"read at; {_rebuild(suite)}"
        )
    declared = mirrors(dataset_table()[dataset])
    same_repo = [m for m in declared if m.repo == repo]
    pins = ", ".join(m.label for m in declared)
    if not same_repo:
        raise SubmissionRejected(
            f"{where}: dataset {dataset} of suite {suite} was read from {repo}, which the suite does not declare "
            f"(it pins {pins}); {_rebuild(suite)}"
        )
    read = commit if commit is not None else revision
    if not any(revision == m.revision and read.startswith(m.revision) for m in same_repo):
        pinned = " or ".join(f"{repo}@{m.revision}" for m in same_repo)
        raise SubmissionRejected(
            f"{where}: dataset {dataset} of suite {suite} was read at {repo}@{read} but the suite pins "
            f"{pinned}; {_rebuild(suite)}"
        )
    return DatasetRead(dataset=dataset, repo=repo, revision=revision, commit=commit)


def check_suite_source(info: dict[str, Any], tasks: list[str], where: str) -> SuiteRecord | None:
    """For a suite build (``info``: its manifest fields; ``tasks``: its tasks), the checked record of the data it
    was read at; None for any other probe set.

    Raises:
        SubmissionRejected: one line naming the dataset, the recorded and the pinned revision and the rebuild
            command, when a dataset was read elsewhere or at another revision, the record is missing, or the
            suite (or one of its tasks) is not declared by this snare.
    """
    from snare.probes.suites import get_suite

    if not is_suite_build(info):
        return None
    source = info["source"]
    name = known_suite(source.get("suite"))
    if name is None:
        raise SubmissionRejected(
            f"{where}: the probe set was built from a suite this snare does not declare; "
            "see snare probes list, and rebuild it with: snare probes build --suite NAME --out DIR"
        )
    declared = get_suite(name).tasks
    unknown = [t for t in tasks if t not in {task for task, _ in declared}]
    if unknown:
        raise SubmissionRejected(f"{where}: suite {name} has no task {unknown[0]!r}; {_rebuild(name)}")
    datasets = list(dict.fromkeys(d for task, d in declared if task in tasks))
    reads = tuple(_read(d, source.get(d), name, where) for d in datasets)
    limit = source.get("limit")
    return SuiteRecord(name=name, datasets=reads, limit=limit if type(limit) is int and limit > 0 else None)
