"""Fallback mirrors: a dataset of ``snare/data/suites.json`` may list other repositories holding the same files.

A row's ``mirrors`` list names them (``repo`` and ``revision``, and any field that differs from the first
mirror's: ``files``, ``columns``...); they are tried in order. Already on this machine, the first complete copy
wins (a ``--data-dir`` copy, else the hub cache), so a re-run offline uses what the first run fetched. Fetching
moves to the next mirror only when a repository or its pinned revision is gone from the hub
(:class:`~snare.probes.sources.hub.MirrorGone`); a transport error stops, since a half-fetched mirror is resumed
on the next run, not swapped for another. The mirror used is the one :func:`snare.probes.sources.mirrors.
load_mirror` records in the manifest (``repo``, ``revision``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from snare.probes.sources.base import SourceError
from snare.probes.sources.hub import HubDataset, MirrorGone


def with_fallbacks(name: str, row: dict[str, Any]) -> HubDataset:
    """The dataset of one table row; ``row["mirrors"]`` (optional) lists the fallbacks, each inheriting every
    field it does not set from the row itself."""
    row = dict(row)
    extra = row.pop("mirrors", [])
    fallbacks = tuple(HubDataset(name=name, **{**row, **m}) for m in extra)
    return HubDataset(name=name, **row, fallbacks=fallbacks)


def mirrors(ds: HubDataset) -> list[HubDataset]:
    """``ds`` itself, then each fallback, in the order they are tried."""
    return [ds, *ds.fallbacks]


def locate(ds: HubDataset, data_dir: Path | None = None) -> tuple[HubDataset, list[Path]] | None:
    """The first mirror of ``ds`` complete on this machine and its shards, else None.

    With ``data_dir``, the copy of any mirror found there (``<data_dir>/<owner>/<name>/``); none found is an
    error naming the first mirror's folder, as for a dataset with one mirror.
    """
    from snare.probes.sources import hub

    for mirror in mirrors(ds):
        if data_dir is not None and not (data_dir / mirror.repo).is_dir():
            continue
        found = hub.locate(mirror, data_dir)
        if found is not None:
            return mirror, found
    if data_dir is not None:
        hub.locate(ds, data_dir)  # raises the one-line "no folder" error for the first mirror
    return None


def fetch(ds: HubDataset, *, quiet: bool = True) -> tuple[HubDataset, list[Path]]:
    """Fetch the first mirror of ``ds`` still on the hub; its shards.

    Raises:
        SourceError: every mirror is gone (one line naming each and why), or a fetch failed otherwise.
    """
    from snare.probes.sources import hub

    gone: list[str] = []
    for mirror in mirrors(ds):
        try:
            return mirror, hub.fetch(mirror, quiet=quiet)
        except MirrorGone as why:
            gone.append(str(why))
    if len(gone) == 1:
        raise SourceError(gone[0])
    raise SourceError(f"{ds.name}: no mirror left on the hub ({'; '.join(gone)})")
