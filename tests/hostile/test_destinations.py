"""Never replace what is not a regular file or a snare output: devices, FIFOs, sockets and links to them are
refused as destinations by every writer (with or without --overwrite), --overwrite recognises a snare output by
its full shape, and overwriting through a link keeps the link and leaves nothing behind."""

from __future__ import annotations

import json
import os
import socket
import stat

import pytest

from tests.hostile.conftest import fails_cleanly, snare

EVAL = ("eval", "--model", "constant", "--limit", "2", "-q", "--no-cache")


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A results folder and a submissions folder to feed the writers."""
    root = tmp_path_factory.mktemp("made")
    run, subs = root / "run", root / "subs"
    assert snare(*EVAL, "--output", str(run)).returncode == 0
    subs.mkdir()
    assert snare("submit", str(run), "--out", str(subs / "a.json"), "--name", "Const A").returncode == 0
    return run, subs


def _special(tmp_path, kind: str):
    """A destination of ``kind``: a link to /dev/null, a FIFO, a socket, or (root only) a character device."""
    path = tmp_path / f"dest-{kind}"
    if kind == "link-to-device":
        path.symlink_to("/dev/null")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
    else:
        if os.geteuid() != 0:
            pytest.skip("mknod needs root")
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what `mknod nul c 1 3` makes: a /dev/null
    return path, os.lstat(path).st_mode


KINDS = ["device", "link-to-device", "fifo", "socket"]
FILE_WRITERS = [
    ("report", "{run}", "--out", "{dest}.md"),
    ("report", "{run}", "--plot", "{dest}.png"),
    ("audit", "--output", "{dest}.json"),
    ("submit", "{run}", "--out", "{dest}.json", "--name", "Const B"),
]


@pytest.mark.parametrize("overwrite", [(), ("--overwrite",)], ids=["plain", "overwrite"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("writer", FILE_WRITERS, ids=lambda w: "-".join(w[:3:2]))
def test_file_writers_refuse_a_destination_that_is_not_a_regular_file(made, tmp_path, writer, kind, overwrite):
    run, _ = made
    suffix = next(a for a in writer if a.startswith("{dest}"))[len("{dest}") :]
    dest, mode = _special(tmp_path, kind + suffix)
    args = [a.format(run=run, dest=str(dest)[: -len(suffix)]) for a in writer]
    fails_cleanly(snare(*args, *overwrite), "not a regular file")
    assert os.lstat(dest).st_mode == mode  # still the device, FIFO, socket or link


@pytest.mark.parametrize("overwrite", [(), ("--overwrite",)], ids=["plain", "overwrite"])
@pytest.mark.parametrize("kind", KINDS)
def test_folder_writers_refuse_a_destination_that_is_not_a_folder(made, tmp_path, kind, overwrite):
    _, subs = made
    dest, mode = _special(tmp_path, kind)
    fails_cleanly(snare(*EVAL, "--output", str(dest), *overwrite), "not a folder")
    probes = ("probes", "build", "negation_logic", "--source", "synthetic", "--out", str(dest), *overwrite)
    fails_cleanly(snare(*probes), "not a folder")
    board = tmp_path / "board"
    board.mkdir()
    os.replace(dest, board / "leaderboard.md")
    fails_cleanly(snare("leaderboard", "build", str(subs), "--out", str(board), *overwrite), "not a regular file")
    assert os.lstat(board / "leaderboard.md").st_mode == mode


def test_leaderboard_build_needs_overwrite_to_replace_a_board(made, tmp_path):
    _, subs = made
    board = tmp_path / "board"
    assert snare("leaderboard", "build", str(subs), "--out", str(board)).returncode == 0
    (board / "leaderboard.md").write_text("kept")
    fails_cleanly(snare("leaderboard", "build", str(subs), "--out", str(board)), "already exists", "--overwrite")
    assert (board / "leaderboard.md").read_text() == "kept"
    proc = snare("leaderboard", "build", str(subs), "--out", str(board), "--overwrite")
    assert proc.returncode == 0, proc.stderr
    assert (board / "leaderboard.md").read_text() != "kept"


def test_overwrite_does_not_wipe_a_project_that_holds_a_results_json(made, tmp_path):
    run, _ = made
    proj = tmp_path / "proj"
    (proj / "src").mkdir(parents=True)
    (proj / "src" / "main.py").write_text("print('years of work')")
    (proj / "README.md").write_text("# my project")
    (proj / "results.json").write_bytes((run / "results.json").read_bytes())  # even snare's own results.json
    fails_cleanly(snare(*EVAL, "--output", str(proj), "--overwrite"), "not a snare output", "is not part of one")
    assert (proj / "src" / "main.py").is_file() and (proj / "README.md").is_file()


def test_overwrite_does_not_delete_a_browser_extension_with_a_manifest(tmp_path):
    ext = tmp_path / "webext"
    ext.mkdir()
    (ext / "manifest.json").write_text(json.dumps({"manifest_version": 3, "name": "my extension"}))
    (ext / "background.js").write_text("chrome.runtime.onInstalled.addListener(() => {});")
    probes = ("probes", "build", "negation_logic", "--source", "synthetic", "--out", str(ext), "--overwrite")
    fails_cleanly(snare(*probes), "not a snare probe set")
    assert sorted(p.name for p in ext.iterdir()) == ["background.js", "manifest.json"]


def test_a_snare_output_is_still_replaced_by_its_own_kind(tmp_path):
    out = tmp_path / "set"
    build = ("probes", "build", "negation_logic", "--source", "synthetic", "--limit", "3", "--out", str(out))
    assert snare(*build).returncode == 0
    assert snare(*build, "--overwrite").returncode == 0
    fails_cleanly(snare(*EVAL, "--output", str(out), "--overwrite"), "not a snare output")  # another kind


@pytest.mark.parametrize("verb", ["eval", "probes"])
def test_overwriting_through_a_link_keeps_the_link_and_leaves_nothing(tmp_path, verb):
    real, link = tmp_path / "store" / "out", tmp_path / "out"
    if verb == "eval":
        args = (*EVAL, "--output", str(link))
    else:
        args = ("probes", "build", "negation_logic", "--source", "synthetic", "--limit", "3", "--out", str(link))
    real.parent.mkdir()
    link.symlink_to(real, target_is_directory=True)
    assert snare(*args).returncode == 0
    proc = snare(*args, "--overwrite")
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and real.is_dir() and any(real.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "store"]
    assert sorted(p.name for p in real.parent.iterdir()) == ["out"]  # no .partial, .old or lock left
