"""Atomic writes: all or nothing, with ordinary file modes."""

import os
import stat
from pathlib import Path

import pytest

from snare.atomic import staged_directory, write_text
from snare.output_shape import ANY, OutputShape

SHAPE = OutputShape("results.json", {"kind": "test", "version": ANY}, ("predictions/*.jsonl",))
OLD, NEW = '{"kind": "test", "version": "old"}', '{"kind": "test", "version": "new"}'


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
        write_text(staging / "results.json", OLD)
    with pytest.raises(RuntimeError), staged_directory(out, overwrite=True, kind=(SHAPE,)) as staging:
        write_text(staging / "results.json", NEW)
        assert (out / "results.json").read_text() == OLD  # still the old one while the new one is written
        raise RuntimeError("killed mid-write")
    assert (out / "results.json").read_text() == OLD
    with staged_directory(out, overwrite=True, kind=(SHAPE,)) as staging:
        write_text(staging / "results.json", NEW)
    assert (out / "results.json").read_text() == NEW
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
        write_text(staging / "results.json", OLD)
    # a writer killed between the fallback's two renames left the old folder aside and nothing under the name
    os.replace(out, tmp_path / ".out.old")
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    with atomic.staged_directory(out, overwrite=True, kind=(SHAPE,)) as staging:
        assert (out / "results.json").read_text() == OLD  # restored before anything else happens
        write_text(staging / "results.json", NEW)
    assert (out / "results.json").read_text() == NEW
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_overwrite_refuses_a_folder_of_another_kind(tmp_path):
    from snare.atomic import staged_directory
    from snare.errors import SnareError

    out = tmp_path / "notes"
    out.mkdir()
    (out / "todo.txt").write_text("keep")
    with (
        pytest.raises(SnareError, match="not a snare results folder"),
        staged_directory(out, overwrite=True, kind=(SHAPE,), what="results folder"),
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


def _specials(tmp_path):
    """A FIFO, a socket and a link to a device, as destinations (a device itself is only checked, never written)."""
    import socket

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    sock_path = tmp_path / "sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    device_link = tmp_path / "null-link"
    device_link.symlink_to("/dev/null")
    return {"a FIFO": fifo, "a socket": sock_path, "a device": device_link}, sock


@pytest.mark.parametrize("overwrite", [False, True])
def test_file_destinations_that_are_not_regular_files_are_refused(tmp_path, overwrite):
    from snare.atomic import check_file_target, write_bytes
    from snare.errors import SnareError

    targets, sock = _specials(tmp_path)
    with sock:
        for what, target in targets.items():
            with pytest.raises(SnareError, match=f"is {what}.*, not a regular file"):
                check_file_target(target, "--out", overwrite=overwrite)
            with pytest.raises(SnareError, match=f"is {what}.*, not a regular file"):
                write_bytes(target, b"report")
        with pytest.raises(SnareError, match="is a device, not a regular file"):
            check_file_target(Path("/dev/null"), "--out", overwrite=overwrite)
    assert (tmp_path / "null-link").is_symlink() and stat.S_ISFIFO(os.lstat(tmp_path / "fifo").st_mode)
    assert stat.S_ISSOCK(os.lstat(tmp_path / "sock").st_mode)


def test_a_link_to_a_regular_file_stays_a_link(tmp_path):
    from snare.atomic import write_bytes

    (tmp_path / "real.md").write_text("old")
    (tmp_path / "link.md").symlink_to("real.md")
    write_bytes(tmp_path / "link.md", b"new")
    assert (tmp_path / "link.md").is_symlink() and (tmp_path / "real.md").read_text() == "new"


def test_overwriting_through_a_link_replaces_the_folder_it_points_to_and_leaves_nothing(tmp_path):
    real, link = tmp_path / "store" / "run", tmp_path / "run"
    real.parent.mkdir()
    with staged_directory(real) as staging:
        write_text(staging / "results.json", OLD)
    link.symlink_to(real, target_is_directory=True)
    with staged_directory(link, overwrite=True, kind=(SHAPE,)) as staging:
        write_text(staging / "results.json", NEW)
    assert link.is_symlink() and (real / "results.json").read_text() == NEW
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run", "store"]
    assert sorted(p.name for p in real.parent.iterdir()) == ["run"]  # no .partial, .old or lock left


@pytest.mark.parametrize(
    ("files", "why"),
    [
        ({"results.json": OLD, "src/main.py": "code"}, "src/main.py is not part of one"),
        ({"results.json": OLD, "README.md": "docs"}, "README.md is not part of one"),
        ({"results.json": '{"name": "my-web-app"}'}, "its 'kind' is not 'test'"),
        ({"results.json": "not json"}, "results.json is not snare's"),
        ({"results.json": OLD, "predictions/x.jsonl/deeper.py": "x"}, "is not part of one"),
        ({"notes.txt": "keep"}, "no results.json"),
    ],
)
def test_overwrite_needs_the_full_shape_of_a_snare_output(tmp_path, files, why):
    from snare.errors import SnareError

    out = tmp_path / "proj"
    for name, text in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    with pytest.raises(SnareError, match=why), staged_directory(out, overwrite=True, kind=(SHAPE,)):
        pass
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == sorted(files)


def test_a_link_inside_an_output_makes_it_foreign(tmp_path):
    from snare.errors import SnareError

    out = tmp_path / "run"
    (out / "predictions").mkdir(parents=True)
    (out / "results.json").write_text(OLD)
    (tmp_path / "precious").mkdir()
    (out / "predictions" / "a.jsonl").symlink_to(tmp_path / "precious")
    with pytest.raises(SnareError, match="is a link"), staged_directory(out, overwrite=True, kind=(SHAPE,)):
        pass
    (out / "predictions" / "a.jsonl").unlink()
    (out / "predictions" / "a.jsonl").write_text("{}\n")
    with staged_directory(out, overwrite=True, kind=(SHAPE,)) as staging:  # the same shape, nothing foreign
        write_text(staging / "results.json", NEW)
    assert (out / "results.json").read_text() == NEW and (tmp_path / "precious").is_dir()
