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


def test_offline_rerun_reads_the_cache_without_asking_the_hub(local_hub, monkeypatch):
    ds = dataset_table()["coco"]
    first = hub.fetch(ds)
    served = len(local_hub.requests)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert hub.fetch(ds) == first == hub.locate(ds)
    assert len(local_hub.requests) == served


def test_a_revision_the_hub_does_not_have_is_one_line(local_hub):
    from dataclasses import replace

    ds = replace(dataset_table()["coco"], revision="0" * 40)
    with pytest.raises(SourceError, match=r"no revision 0{40} on the hub"):
        hub.fetch(ds)
    assert hub.locate(ds) is None


def test_a_truncated_download_is_never_used_and_the_next_fetch_completes(local_hub, monkeypatch):
    import huggingface_hub.file_download as fd

    monkeypatch.setattr(fd.time, "sleep", lambda _s: None)  # the client's retry back-off
    monkeypatch.setattr(fd.constants, "DOWNLOAD_CHUNK_SIZE", 256)  # small files: let partial bodies reach the disk
    ds = dataset_table()["vg_attribution"]
    local_hub.truncate = {"data/test-00001-of-00002.parquet"}
    with pytest.raises(SourceError, match=r"cannot fetch gowitheflow/ARO-Visual-Attribution@18f7e01: .*run again"):
        hub.fetch(ds)
    assert hub.locate(ds) is None  # the first shard alone is not a dataset
    # a dropped connection is retried from the byte it stopped at
    assert any(r.startswith("GET data/test-00001-of-00002.parquet from byte") for r in local_hub.requests)
    local_hub.truncate = set()
    before = len(local_hub.requests)
    paths = hub.fetch(ds)
    again = [r for r in local_hub.requests[before:] if r.startswith("GET /datasets/")]
    assert again and all("test-00001-of-00002" in r for r in again)  # the complete shard is not fetched twice
    assert len(paths) == 2 and hub.checksum_problems(paths) == [] and hub.count_rows(paths) == 5


def test_an_incomplete_snapshot_and_a_corrupted_blob_are_caught(local_hub):
    ds = dataset_table()["vg_relation"]
    paths = hub.fetch(ds)
    blob = paths[0].resolve()
    blob.write_bytes(blob.read_bytes()[:-10] + b"0123456789")
    problems = hub.checksum_problems(paths)
    assert len(problems) == 1 and problems[0].startswith(paths[0].name) and "the hub's is" in problems[0]
    paths[1].unlink()
    assert hub.locate(ds) is None
    with pytest.raises(SourceError, match=r"1 of 2 shards .* never used"):
        hub.shards(paths[0].parent.parent, ds)


def test_a_missing_column_is_one_line_naming_it(local_hub):
    from dataclasses import replace

    ds = dataset_table()["coco"]
    paths = hub.fetch(ds)
    renamed = replace(ds, columns={**ds.columns, "caption": "caption_text"})
    with pytest.raises(SourceError, match=r"has no column 'caption_text' \(it has: .*correct_caption"):
        next(hub.read_rows(paths, renamed))


def test_a_data_dir_copy_holding_git_lfs_pointers_says_so(tmp_path):
    ds = dataset_table()["flickr30k"]
    shard = tmp_path / ds.repo / "data" / "test-00000-of-00001.parquet"
    shard.parent.mkdir(parents=True)
    shard.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:" + "0" * 64 + "\nsize 12\n")
    paths = hub.locate(ds, tmp_path)
    assert paths == [shard]
    with pytest.raises(SourceError, match="a git-lfs pointer, not the file: run git lfs pull"):
        next(hub.read_rows(paths, ds))


def test_shards_claiming_more_rows_than_the_pinned_revision_are_refused_before_reading(tmp_path):
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    ds = dataset_table()["coco"]
    claimed = 8_000_000  # the pinned mirror has 25,010; run-length encoding keeps the file small
    shard = tmp_path / ds.repo / "data" / "test-00000-of-00001.parquet"
    shard.parent.mkdir(parents=True)
    captions = pa.DictionaryArray.from_arrays(pa.array(np.zeros(claimed, dtype=np.int8)), pa.array(["a cat"]))
    table = pa.table({"images": pa.nulls(claimed, pa.struct([("bytes", pa.binary())])), "correct_caption": captions})
    pq.write_table(table, shard)
    assert shard.stat().st_size < 1_000_000
    with pytest.raises(SourceError, match=r"footers claim 8,000,000 rows but the pinned revision has 25,010"):
        next(hub.read_rows(hub.locate(ds, tmp_path), ds))
