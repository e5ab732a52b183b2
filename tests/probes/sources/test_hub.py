"""Fetching the suites' datasets from a local hub over HTTP: the real ``huggingface_hub`` download path."""

from __future__ import annotations

import pytest

from snare.probes.sources import hub
from snare.probes.sources.base import SourceError
from snare.probes.suites import dataset_table


def test_fetch_caches_a_complete_snapshot_and_reads_rows_by_role(local_hub):
    ds = dataset_table()["vg_relation"]
    paths = hub.fetch(ds)
    assert [p.name for p in paths] == ["test-00000-of-00002.parquet", "test-00001-of-00002.parquet"]
    assert all(str(hub.cache_dir()) in str(p) and ds.revision in str(p) for p in paths)
    rows = list(hub.read_rows(paths, ds))
    assert len(rows) == hub.count_rows(paths) == 7
    assert rows[0]["true_caption"] == "the horse is eating the grass" and rows[0]["relation_name"] == "eating"
    assert rows[0]["bbox"] == {"x": 2.0, "y": 3.0, "w": 30.0, "h": 20.0} and rows[0]["image"]["bytes"][:4] == b"\x89PNG"
    assert hub.checksum_problems(paths) == []
    assert any("/resolve/" + ds.revision in r for r in local_hub.requests)
