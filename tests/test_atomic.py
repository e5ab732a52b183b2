"""Atomic writes: all or nothing, with ordinary file modes."""

import os
import stat

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
