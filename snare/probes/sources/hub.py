"""Pinned Hugging Face dataset repositories: fetch them into the hub cache, find them there, read their parquet shards.

Downloads go through ``huggingface_hub.snapshot_download`` into the standard cache, so ``HF_HOME`` /
``HF_HUB_CACHE``, ``HF_ENDPOINT`` and ``HF_HUB_OFFLINE`` apply (read when called, not when imported). A dropped
connection is retried from the byte it stopped at, and a re-run fetches only the files not yet complete. A
snapshot is used only when it is *complete*: every shard its ``-of-NNNNN`` names announce is there
(:func:`shards`); :func:`checksum_problems` compares each file's sha256 with its cache blob's name, the hub's LFS
checksum.
A local copy of a repository (``--data-dir``) is read the same way, from ``<data_dir>/<owner>/<name>/``.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from snare.probes.sources.base import SourceError


class MirrorGone(SourceError):
    """The repository, or its pinned revision, is not on the hub (moved, deleted or renamed): try another mirror."""


_SHARD = re.compile(r"-(\d{5})-of-(\d{5})\.parquet$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_LFS_POINTER = b"version https://git-lfs.github.com/spec/"
_BATCH_ROWS = 256  # parquet rows per batch: image cells make rows large, keep memory bounded


@dataclass(frozen=True)
class HubDataset:
    """One pinned dataset repository and the columns snare reads from it (a row of ``snare/data/suites.json``)."""

    name: str
    repo: str
    revision: str
    split: str
    files: str  # glob of the parquet shards inside the repository
    kind: str  # "captions", "vg_relation" or "vg_attribution"
    columns: dict[str, str]  # role -> column name, required
    optional_columns: dict[str, str] = field(default_factory=dict)
    rows: int | None = None  # expected rows on the real mirror
    rows_from: str = ""
    # other mirrors of the same files, tried in order when this repository or its revision is gone
    # (:mod:`snare.probes.sources.fallback`); each is complete, with no fallbacks of its own
    fallbacks: tuple[HubDataset, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.repo}@{self.revision[:7]}" if self.revision else self.repo


def offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "on", "yes", "true")


def cache_dir() -> Path:
    """The hub cache, as ``huggingface_hub`` resolves it, but read from the environment at call time."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]) / "hub"
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def _download(ds: HubDataset, *, local_only: bool, quiet: bool = True) -> Path:
    from huggingface_hub import snapshot_download

    kwargs: dict[str, Any] = {}
    if os.environ.get("HF_ENDPOINT"):
        kwargs["endpoint"] = os.environ["HF_ENDPOINT"].rstrip("/")
    if quiet:
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()
    else:  # huggingface_hub's bars, drawn by rich (tqdm's rich front end, marked experimental by tqdm)
        import warnings

        from huggingface_hub.utils import enable_progress_bars
        from tqdm import TqdmExperimentalWarning
        from tqdm.rich import tqdm as rich_tqdm

        enable_progress_bars()  # undo an earlier quiet call in this process

        warnings.filterwarnings("ignore", category=TqdmExperimentalWarning)
        kwargs["tqdm_class"] = rich_tqdm
    return Path(
        snapshot_download(
            ds.repo,
            repo_type="dataset",
            revision=ds.revision,
            allow_patterns=[ds.files],
            cache_dir=str(cache_dir()),
            local_files_only=local_only,
            **kwargs,
        )
    )


def shards(folder: Path, ds: HubDataset) -> list[Path]:
    """The parquet shards of ``ds`` in a snapshot or local copy, sorted; raises unless every shard is there.
    A dataset of other files (``files`` not ending in ``.parquet``: Winoground's ``data/*``) gives the files
    matching its glob."""
    pattern = "*.parquet" if ds.files.endswith(".parquet") else "*"
    found = sorted(
        p
        for p in folder.rglob(pattern)
        if fnmatch.fnmatch(p.relative_to(folder).as_posix(), ds.files) and not p.is_dir()
    )
    if not found:
        raise SourceError(f"{ds.label}: no files matching {ds.files} in {folder}")
    from snare.safe_io import UnsafeInputError, check_regular

    for path in found:  # pyarrow would block on a FIFO and read /dev/zero forever
        try:
            check_regular(path)
        except (OSError, UnsafeInputError) as exc:
            raise SourceError(f"{ds.label}: {exc}") from None
    numbered = [(int(m.group(1)), int(m.group(2))) for p in found if (m := _SHARD.search(p.name))]
    totals = {total for _, total in numbered}
    if numbered and (len(totals) > 1 or sorted(i for i, _ in numbered) != list(range(next(iter(totals))))):
        expected = next(iter(totals)) if len(totals) == 1 else "an inconsistent number of"
        raise SourceError(
            f"{ds.label}: {len(found)} of {expected} shards in {folder}; an incomplete copy is never used "
            "(fetch it again with snare data fetch --suite NAME, or complete the copy)"
        )
    return found


def locate(ds: HubDataset, data_dir: Path | None = None) -> list[Path] | None:
    """The complete shards of ``ds`` already on this machine (``data_dir`` copy or hub cache), else None."""
    if data_dir is not None:
        folder = data_dir / ds.repo
        if not folder.is_dir():
            raise SourceError(f"--data-dir {data_dir}: no folder {ds.repo} (a copy of the {ds.label} repository)")
        return shards(folder, ds)
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        folder = _download(ds, local_only=True)
    except LocalEntryNotFoundError:
        return None
    try:
        return shards(folder, ds)
    except SourceError:
        return None


def fetch(ds: HubDataset, *, quiet: bool = True) -> list[Path]:
    """Download ``ds`` at its pinned revision (files already complete are kept) and return its complete shards."""
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError, RevisionNotFoundError

    if offline():
        found = locate(ds)
        if found is None:
            raise SourceError(
                f"{ds.label} is not in the cache and HF_HUB_OFFLINE=1 (fetch it where the hub is reachable)"
            )
        return found
    try:
        folder = _download(ds, local_only=False, quiet=quiet)
    except GatedRepoError:  # a subclass of RepositoryNotFoundError: the repository is there, access is not
        page = f"{os.environ.get('HF_ENDPOINT', 'https://huggingface.co').rstrip('/')}/datasets/{ds.repo}"
        raise SourceError(
            f"{ds.repo} is gated: accept its licence at {page} and set HF_TOKEN to a token of that account"
        ) from None
    except RevisionNotFoundError:  # before its parent class RepositoryNotFoundError
        raise MirrorGone(f"{ds.repo}: no revision {ds.revision} on the hub (the pinned commit is gone?)") from None
    except RepositoryNotFoundError:
        raise MirrorGone(f"{ds.repo}: no such dataset repository on the hub (moved or deleted?)") from None
    except Exception as exc:  # hub, transport and disk errors vary by version; the user needs one line
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise SourceError(f"cannot fetch {ds.label}: {first} (run again: complete files are kept)") from None
    return shards(folder, ds)


def checksum_problems(paths: list[Path]) -> list[str]:
    """Files whose sha256 differs from their cache blob's name (the hub's LFS sha256); [] when all match."""
    from snare.safe_io import open_regular

    problems = []
    for path in paths:
        blob = path.resolve()
        if not _SHA256.match(blob.name):
            continue  # a local copy or a non-LFS file: no checksum to compare with
        digest = hashlib.sha256()
        with open_regular(blob) as fh:  # streamed; a FIFO or device is refused, not read
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        if digest.hexdigest() != blob.name:
            problems.append(f"{path.name}: sha256 {digest.hexdigest()[:12]}…, the hub's is {blob.name[:12]}…")
    return problems


def count_rows(paths: list[Path]) -> int:
    """Rows of the shards, from their parquet footers (no data is read); a ``.jsonl`` file counts its non-empty
    lines (at most :data:`snare.safe_io.MAX_ANNOTATION_BYTES` read); other files count nothing."""
    import pyarrow.parquet as pq

    from snare.safe_io import MAX_ANNOTATION_BYTES, read_text

    rows = 0
    for p in paths:
        if p.suffix == ".parquet":
            rows += pq.ParquetFile(p).metadata.num_rows
        elif p.suffix == ".jsonl":
            rows += sum(
                1 for line in read_text(p, MAX_ANNOTATION_BYTES, what="a data file").splitlines() if line.strip()
            )
    return rows


def _open_shard(path: Path, ds: HubDataset) -> Any:  # -> pyarrow.parquet.ParquetFile (its footer only)
    import pyarrow as pa
    import pyarrow.parquet as pq

    from snare.safe_io import open_regular

    try:
        return pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        with open_regular(path) as fh:  # a shard checked to be a regular file by shards()
            pointer = fh.read(len(_LFS_POINTER)) == _LFS_POINTER
        why = "a git-lfs pointer, not the file: run git lfs pull in the copy" if pointer else str(exc)
        raise SourceError(f"{ds.label}: {path.name} is not a readable parquet file ({why})") from None


def read_rows(paths: list[Path], ds: HubDataset) -> Iterator[dict[str, Any]]:
    """Rows of the shards in order, keyed by role (``image``, ``true_caption``...); optional roles when present.

    Every footer is read before any row: shards that claim more rows than the pinned revision has (``ds.rows``)
    are not the pinned data, and a small file claiming millions of rows would keep the reader busy for minutes.

    Raises:
        SourceError: a required column is missing, a shard is not parquet, or the shards claim too many rows.
    """
    files = [(path, _open_shard(path, ds)) for path in paths]
    claimed = sum(pf.metadata.num_rows for _, pf in files)
    if ds.rows is not None and claimed > ds.rows:
        raise SourceError(
            f"{ds.label}: the shards' footers claim {claimed:,} rows but the pinned revision has {ds.rows:,}; "
            "this copy is not the pinned data (snare data check --suite NAME compares it; fetch it again)"
        )
    for path, pf in files:
        names = pf.schema_arrow.names
        missing = [col for col in ds.columns.values() if col not in names]
        if missing:
            raise SourceError(
                f"{ds.label}: {path.name} has no column {missing[0]!r} (it has: {', '.join(names)}); "
                "the pinned revision should have it: check snare/data/suites.json"
            )
        roles = {**{r: c for r, c in ds.optional_columns.items() if c in names}, **ds.columns}
        for batch in pf.iter_batches(batch_size=_BATCH_ROWS, columns=sorted(set(roles.values()))):
            for row in batch.to_pylist():
                yield {role: row[col] for role, col in roles.items()}
