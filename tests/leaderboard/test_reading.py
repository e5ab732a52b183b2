"""Reading submissions: size cap (also through gzip), JSON only, nothing executed, duplicate keys refused."""

from __future__ import annotations

import gzip
import json
import pickle
from pathlib import Path

import pytest

from snare.leaderboard.reading import SubmissionRejected, read_json


def test_plain_and_gzipped_json_read_the_same(tmp_path: Path):
    data = {"a": [1, 2.5], "b": {"c": None}}
    (tmp_path / "x.json").write_text(json.dumps(data))
    (tmp_path / "x.json.gz").write_bytes(gzip.compress(json.dumps(data).encode()))
    assert read_json(tmp_path / "x.json") == read_json(tmp_path / "x.json.gz") == data


def test_a_file_over_the_limit_is_rejected_before_parsing(tmp_path: Path):
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"pad": "x" * 2000}))
    with pytest.raises(SubmissionRejected, match="larger than the"):
        read_json(path, limit=1000)


def test_a_gzip_bomb_is_stopped_at_the_cap(tmp_path: Path):
    path = tmp_path / "bomb.json.gz"
    with gzip.open(path, "wb") as fh:  # 64 MB of zeros compresses to ~64 kB
        block = b"0" * (1 << 20)
        for _ in range(64):
            fh.write(block)
    assert path.stat().st_size < 1 << 20
    with pytest.raises(SubmissionRejected, match="larger than the 50 MB limit"):
        read_json(path)


class _Payload:
    """Unpickling this would create a file: the test checks it never happens."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_pickle_is_not_executed(tmp_path: Path):
    marker = tmp_path / "executed"
    path = tmp_path / "model.json"
    path.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(SubmissionRejected, match="not valid JSON"):
        read_json(path)
    path.write_bytes(gzip.compress(pickle.dumps(_Payload(marker))))
    with pytest.raises(SubmissionRejected, match="not valid JSON"):
        read_json(path)
    assert not marker.exists()


def test_duplicate_keys_are_refused_not_merged(tmp_path: Path):
    path = tmp_path / "dupe.json"
    path.write_text('{"claims": {"accuracy": 0.2, "accuracy": 0.9}}')
    with pytest.raises(SubmissionRejected, match="duplicate key 'accuracy'"):
        read_json(path)


def test_broken_inputs_are_one_line(tmp_path: Path):
    cases = {
        "trunc.json": b'{"a": [1, 2',
        "deep.json": b"[" * 100_000 + b"]" * 100_000,
        "broken.json.gz": b"\x1f\x8b not gzip at all",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(SubmissionRejected) as info:
            read_json(tmp_path / name)
        assert len(str(info.value).splitlines()) == 1 and name in str(info.value)
    with pytest.raises(SubmissionRejected, match="file not found"):
        read_json(tmp_path / "absent.json")
