"""An on-disk cache of embeddings and pair scores, so that a re-run (or a resumed run) skips finished work.

Layout: ``<root>/v1/<model id>/{images,texts,pairs}/<shard>.safetensors`` plus ``identity.json``. The model id
is the sha256 of the adapter's :meth:`~snare.adapters.base.Adapter.cache_identity` (name, weights, revision or
weights hash, dtype, preprocessing, options), so changing any of them starts a fresh folder. Inside, every row
is keyed by a content hash (the image's bytes and crop box, the caption text, or both for a pair), never by a
path or an item id.

Each shard is one batch as it was computed: a float32 ``values`` tensor and its keys in the safetensors
metadata (no pickle anywhere). Shards are written atomically (temporary file + rename), so a crash leaves either
a whole shard or none, and a resumed run reuses every finished batch. Two processes may write at once: a shard's
name is derived from its keys, so racing writers write identical files. A shard that cannot be read is
discarded with one warning per run and its rows are recomputed. :meth:`ScoreCache.compact` merges shards
under a file lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = "v1"
KINDS = ("images", "texts", "pairs")
_SUFFIX = ".safetensors"


class CacheWarning(UserWarning):
    """A cache entry was unreadable and has been discarded (its rows are recomputed)."""


def default_root() -> Path:
    """``$SNARE_CACHE``, else the platform's user cache folder (``$XDG_CACHE_HOME/snare`` on Linux)."""
    env = os.environ.get("SNARE_CACHE")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("snare", appauthor=False))


def _sha256(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") + b"\x00")
    return h.hexdigest()


def text_key(text: str) -> str:
    return _sha256("text", text)


def pair_key(image_key: str, text: str) -> str:
    return _sha256("pair", image_key, text_key(text))


def image_key(digest: str, bbox: Sequence[float] | None, flip: bool = False) -> str:
    """An image request by content: the file's (or scene's) digest, the crop box and the mirroring, not the path
    (an image that is not mirrored keeps the key it had before mirroring existed)."""
    box = json.dumps(list(bbox) if bbox is not None else None)
    return _sha256("image", digest, box, "flip") if flip else _sha256("image", digest, box)


def identity_id(identity: Mapping[str, Any]) -> str:
    return _sha256(FORMAT, json.dumps(identity, sort_keys=True, default=str))[:32]


class ScoreCache:
    """Rows (embeddings or scores) of one model identity, looked up and stored by content key."""

    def __init__(self, identity: Mapping[str, Any], root: str | os.PathLike[str] | None = None) -> None:
        self.identity = dict(identity)
        self.folder = Path(root if root is not None else default_root()) / FORMAT / identity_id(self.identity)
        self._index: dict[str, dict[str, np.ndarray]] = {}
        self._discarded: list[Path] = []
        self._warned = False

    @classmethod
    def open(cls, folder: str | os.PathLike[str]) -> ScoreCache:
        """The cache in an existing model folder (as recorded in a run's ``engine.cache``)."""
        folder = Path(folder)
        from snare.safe_io import read_text

        # bounded: the folder is named by a run record, which may come from someone else's results
        cache = cls(
            json.loads(read_text(folder / "identity.json", what="a cache identity.json")), root=folder.parents[1]
        )
        if cache.folder != folder:
            raise ValueError(f"{folder} is not a {FORMAT} cache folder of its identity.json")
        return cache

    # -- reading --------------------------------------------------------------------------------------------
    def _shards(self, kind: str) -> list[Path]:
        folder = self.folder / kind
        return sorted(folder.glob(f"*{_SUFFIX}")) if folder.is_dir() else []

    def _read_shard(self, path: Path) -> dict[str, np.ndarray] | None:
        from safetensors import safe_open

        from snare.safe_io import check_regular

        try:
            check_regular(path)  # a FIFO would block safetensors' open, a link to /dev/zero never end
            with safe_open(str(path), framework="numpy") as fh:
                keys = json.loads((fh.metadata() or {})["keys"])
                values = fh.get_tensor("values")
            if not isinstance(keys, list) or values.shape[:1] != (len(keys),) or not np.all(np.isfinite(values)):
                raise ValueError("keys and values disagree")
        except FileNotFoundError:
            return None  # merged away by a concurrent compact(); its rows are in the merged shard
        except Exception:
            self._discard(path)
            return None
        return dict(zip(keys, values.astype(np.float32, copy=False), strict=True))

    def _discard(self, path: Path) -> None:
        with contextlib.suppress(OSError):
            path.unlink()
        self._discarded.append(path)
        if not self._warned:
            self._warned = True
            warnings.warn(
                f"discarded an unreadable cache entry {path} (left by a crash or a full disk?); "
                "its scores are recomputed",
                CacheWarning,
                stacklevel=3,
            )

    def _load(self, kind: str) -> dict[str, np.ndarray]:
        if kind not in self._index:
            rows: dict[str, np.ndarray] = {}
            for path in self._shards(kind):
                rows.update(self._read_shard(path) or {})
            self._index[kind] = rows
        return self._index[kind]

    def get(self, kind: str, keys: Iterable[str]) -> dict[str, np.ndarray]:
        """The cached rows among ``keys`` (missing keys are simply absent)."""
        rows = self._load(kind)
        return {k: rows[k] for k in keys if k in rows}

    @property
    def discarded(self) -> list[Path]:
        """Shards found unreadable (and deleted) by this instance."""
        return list(self._discarded)

    # -- writing --------------------------------------------------------------------------------------------
    def _write_identity(self) -> None:
        path = self.folder / "identity.json"
        if not path.exists():
            from snare.atomic import write_json

            write_json(path, self.identity)

    def put(self, kind: str, keys: Sequence[str], values: np.ndarray) -> None:
        """Store one computed batch as a shard; atomic, so a crash never leaves half a shard behind."""
        from safetensors.numpy import save

        if kind not in KINDS:
            raise ValueError(f"unknown cache kind {kind!r}")
        if not keys:
            return
        values = np.ascontiguousarray(values, dtype=np.float32)
        self._write_identity()
        name = _sha256(*keys)[:40] + _SUFFIX
        from snare.atomic import write_bytes

        write_bytes(self.folder / kind / name, save({"values": values}, metadata={"keys": json.dumps(list(keys))}))
        self._load(kind).update(zip(keys, values, strict=True))

    def compact(self, *, min_shards: int = 16, timeout: float = 30.0) -> None:
        """Merge each kind's shards into one (fewer files to open on the next run); skipped if another process
        holds the lock. Readers running meanwhile lose nothing: merged rows are written before shards go."""
        from filelock import FileLock, Timeout

        from snare.atomic import write_bytes

        if not self.folder.is_dir():
            return
        try:
            with FileLock(str(self.folder / ".lock"), timeout=timeout):
                for kind in KINDS:
                    shards = self._shards(kind)
                    if len(shards) < min_shards:
                        continue
                    rows: dict[str, np.ndarray] = {}
                    for path in shards:
                        rows.update(self._read_shard(path) or {})
                    if not rows:
                        continue
                    from safetensors.numpy import save

                    keys = sorted(rows)
                    data = save({"values": np.stack([rows[k] for k in keys])}, metadata={"keys": json.dumps(keys)})
                    merged = self.folder / kind / ("merged-" + _sha256(*keys)[:32] + _SUFFIX)
                    write_bytes(merged, data)
                    for path in shards:
                        if path != merged:
                            with contextlib.suppress(OSError):
                                path.unlink()
        except Timeout:
            return
