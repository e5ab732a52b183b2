"""Which probe set a submission's fingerprint names: the board must know it to take the intended options from it.

Known means one of:

* the built-in synthetic set (or its contrast twins, when the source records their version), rebuilt from the
  seed, scene count, task list and limit the submission records,
  whose fingerprint is then recomputed and must equal the submitted one (a submission cannot choose its answers);
* a probe-set folder (``manifest.json`` + ``<task>.jsonl``) under one of the search folders (the repository's
  ``leaderboard/probesets/`` or ``--probes DIR``), whose manifest fingerprint matches, or whose first-``limit``
  subset for the recorded tasks does (that needs the images, as ``snare eval --limit`` did). A suite build found
  this way must also have read its data at the suite's pinned revisions (:mod:`snare.leaderboard.suites`).

Search folders are trusted (they are reviewed with the repository); submissions are not.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from snare.errors import SnareError
from snare.leaderboard.reading import SubmissionRejected
from snare.leaderboard.schema import ProbeSetRef
from snare.leaderboard.suites import known_suite
from snare.probes.probeset import MANIFEST, ProbeSet
from snare.safe_io import read_text

MAX_SYNTHETIC_SCENES = 20_000  # the default set has 300; a larger claim is refused rather than built


@lru_cache(maxsize=4)
def _synthetic_bases(seed: int, n_scenes: int, twins: str | None = None) -> tuple[ProbeSet, ...]:
    """The full synthetic sets a submission on (seed, n_scenes) may have scored: its contrast twins (``twins``:
    their version), or the default construction's set and, for submissions made before it left SNARE's true
    options out of the items, the set with them; cached, since every submission on it needs the same items."""
    if twins is not None:
        from snare.probes.contrast import contrast_synthetic

        return (contrast_synthetic(seed=seed, n_scenes=n_scenes),)
    from snare.probes.assemble import without_true_options
    from snare.probes.synthetic import synthetic_probeset

    with_true_options = synthetic_probeset(seed=seed, n_scenes=n_scenes)
    return without_true_options(with_true_options), with_true_options


def check_given_folders(folders: Iterable[str | Path], option: str = "--probes") -> list[Path]:
    """The folders a user passed with ``option``: each must exist and be a folder (a typo is not silently ignored
    the way a missing default ``probesets/`` is)."""
    checked = []
    for folder in map(Path, folders):
        if not folder.exists():
            raise SnareError(f"{option} {folder}: not found; pass a probe-set folder or a folder of them")
        if not folder.is_dir():
            raise SnareError(f"{option} {folder}: a file, not a folder; pass a probe-set folder or a folder of them")
        checked.append(folder)
    return checked


class ProbeSetResolver:
    """Finds, builds and caches the probe sets that submissions name (one instance per board build)."""

    def __init__(self, search_dirs: Iterable[str | Path] = ()) -> None:
        self.search_dirs = [Path(d) for d in search_dirs]
        self._by_fingerprint: dict[str, ProbeSet] = {}
        self._loaded: dict[Path, ProbeSet | None] = {}

    def resolve(self, ref: ProbeSetRef, *, where: str, partial: bool = True) -> ProbeSet:
        """The probe set ``ref`` names, as the board knows it; a one-line rejection if none is known.

        A file-based set with an image missing has only its manifest's word for its fingerprint: it serves a
        ``partial`` submission (whose failed items are those images), never a complete one."""
        if ref.fingerprint in self._by_fingerprint:
            return self._by_fingerprint[ref.fingerprint]
        found = self._synthetic(ref) or self._from_folders(ref, where, partial)
        if found is None:
            suite = known_suite((ref.source or {}).get("suite"))  # the submission's word: only a hint here
            if suite is not None:
                raise SubmissionRejected(
                    f"{where}: probe set {ref.fingerprint[:19]}… (suite {suite}) is not known: no manifest in "
                    f"{self._where_searched()} matches; build it with: snare probes build --suite {suite} "
                    "--out DIR, and pass --probes DIR (or add the folder to leaderboard/probesets/)"
                )
            raise SubmissionRejected(
                f"{where}: probe set {ref.fingerprint[:19]}… is not known: it is not the built-in synthetic set "
                f"rebuilt from its seed and limit, and no manifest in {self._where_searched()} matches; "
                "add the probe-set folder to leaderboard/probesets/ (or pass --probes DIR)"
            )
        self._by_fingerprint[ref.fingerprint] = found
        return found

    def _where_searched(self) -> str:
        return ", ".join(str(d) for d in self.search_dirs) or "no search folder"

    # -- the built-in synthetic set ------------------------------------------------------------------------------
    def _synthetic(self, ref: ProbeSetRef) -> ProbeSet | None:
        from snare.probes.scenes import SPEC_VERSION
        from snare.probes.synthetic import TASKS

        source = ref.source or {}
        if source.get("kind") != "synthetic" or source.get("version") != SPEC_VERSION:
            return None
        seed, n_scenes = source.get("seed"), source.get("n_scenes")
        if type(seed) is not int or type(n_scenes) is not int or not 1 <= n_scenes <= MAX_SYNTHETIC_SCENES:
            return None
        if not set(ref.tasks) <= set(TASKS):
            return None
        from snare.probes.contrast import CONTRAST_VERSION

        twins = source.get("twins")
        if twins not in (None, CONTRAST_VERSION):
            return None
        for base in _synthetic_bases(seed, n_scenes, twins):
            for tasks in (ref.tasks, list(TASKS)):  # the full set too: a task dropped from the file counts as missing
                probes = base.subset(tasks=tasks, limit=ref.limit)
                if probes.fingerprint == ref.fingerprint:
                    return probes
        return None

    # -- probe-set folders -------------------------------------------------------------------------------------------
    def _candidates(self) -> list[Path]:
        folders: list[Path] = []
        for root in self.search_dirs:
            if (root / MANIFEST).is_file():
                folders.append(root)
            elif root.is_dir():
                folders.extend(sorted(p.parent for p in root.glob(f"*/{MANIFEST}")))
        return folders

    def _load(self, folder: Path) -> ProbeSet | None:
        if folder not in self._loaded:
            try:
                self._loaded[folder] = ProbeSet.load(folder)
            except SnareError:
                self._loaded[folder] = None  # a broken folder names no probe set; others may still match
        return self._loaded[folder]

    def _from_folders(self, ref: ProbeSetRef, where: str, partial: bool) -> ProbeSet | None:
        for folder in self._candidates():
            try:
                manifest = json.loads(read_text(folder / MANIFEST, what="a manifest"))
            except (OSError, ValueError, SnareError):
                continue
            if not isinstance(manifest, dict):
                continue
            if manifest.get("fingerprint") == ref.fingerprint:
                probes = self._load(folder)
                if probes is not None and not partial and not probes.checked_fingerprint()[1]:
                    raise SubmissionRejected(
                        f"{where}: the probe set in {folder} cannot be verified: an image is missing or unreadable, "
                        "so its fingerprint is only what its manifest claims; add its images"
                    )
                if probes is not None:
                    return probes  # the whole set: items of tasks the submission lacks count as missing
                continue
            if not set(ref.tasks) <= set(manifest.get("tasks") or {}):
                continue
            probes = self._load(folder)
            if probes is None:
                continue
            try:
                subset = probes.subset(tasks=ref.tasks, limit=ref.limit)
                if subset.fingerprint == ref.fingerprint:
                    return subset
            except SnareError:
                continue  # the images are not here, so a subset's fingerprint cannot be recomputed
        return None
