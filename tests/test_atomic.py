"""Atomic writes: all or nothing, with ordinary file modes."""

import os
import stat
from pathlib import Path

import pytest

from snare.atomic import staged_directory, write_text


def test_written_files_and_folders_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_text(tmp_path / "a.txt", "x")
        with staged_directory(tmp_path / "out") as staging:
            write_text(staging / "b.txt", "y")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755


def test_failed_staging_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError), staged_directory(tmp_path / "out") as staging:
        write_text(staging / "b.txt", "y")
        raise RuntimeError("crash")
    assert list(tmp_path.iterdir()) == []


def test_overwrite_keeps_the_old_folder_whole_until_the_new_one_is_complete(tmp_path):
    from snare.atomic import staged_directory

    out = tmp_path / "out"
    with staged_directory(out) as staging:
        write_text(staging / "results.json", "old")
    with pytest.raises(RuntimeError), staged_directory(out, overwrite=True, kind=("results.json",)) as staging:
        write_text(staging / "results.json", "new")
        assert (out / "results.json").read_text() == "old"  # still the old one while the new one is written
        raise RuntimeError("killed mid-write")
    assert (out / "results.json").read_text() == "old"
    with staged_directory(out, overwrite=True, kind=("results.json",)) as staging:
        write_text(staging / "results.json", "new")
    assert (out / "results.json").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging, backup or lock left


def test_exchange_swaps_two_folders_in_one_step(tmp_path):
    from snare.atomic import _exchange

    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("a")
    (b / "x").write_text("b")
    if not _exchange(a, b):
        pytest.skip("this file system has no RENAME_EXCHANGE (the fallback is tested below)")
    assert (a / "x").read_text() == "b" and (b / "x").read_text() == "a"


def test_fallback_without_exchange_is_recovered_after_a_kill(tmp_path, monkeypatch):
    import snare.atomic as atomic

    out = tmp_path / "out"
    with atomic.staged_directory(out) as staging:
        write_text(staging / "results.json", "old")
    # a writer killed between the fallback's two renames left the old folder aside and nothing under the name
    os.replace(out, tmp_path / ".out.old")
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    with atomic.staged_directory(out, overwrite=True, kind=("results.json",)) as staging:
        assert (out / "results.json").read_text() == "old"  # restored before anything else happens
        write_text(staging / "results.json", "new")
    assert (out / "results.json").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_overwrite_refuses_a_folder_of_another_kind(tmp_path):
    from snare.atomic import staged_directory
    from snare.errors import SnareError

    out = tmp_path / "notes"
    out.mkdir()
    (out / "todo.txt").write_text("keep")
    with (
        pytest.raises(SnareError, match="not a snare results folder"),
        staged_directory(out, overwrite=True, kind=("results.json",), what="results folder"),
    ):
        pass
    assert (out / "todo.txt").read_text() == "keep"


def test_a_held_lock_is_a_clear_error(tmp_path):
    from snare.atomic import staged_directory
    from snare.errors import SnareError

    with staged_directory(tmp_path / "out") as staging:
        write_text(staging / "a", "x")
        with (
            pytest.raises(SnareError, match="being written by another snare process"),
            staged_directory(tmp_path / "out"),
        ):
            pass


def test_file_targets_and_unwritable_places(tmp_path):
    from snare.atomic import check_file_target, check_writable
    from snare.errors import SnareError

    existing = tmp_path / "r.md"
    existing.write_text("x")
    with pytest.raises(SnareError, match="already exists; pass --overwrite"):
        check_file_target(existing, "--out")
    assert check_file_target(existing, "--out", overwrite=True) == existing
    with pytest.raises(SnareError, match="is a folder"):
        check_file_target(tmp_path, "--out")
    with pytest.raises(SnareError, match="cannot write the report in /proc"):
        check_writable(Path("/proc/sub/dir"), "report")
    with pytest.raises(SnareError, match="is a file, not a folder"):
        check_writable(existing / "below", "report")
    check_writable(tmp_path / "new" / "deeper", "report")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.md"]
