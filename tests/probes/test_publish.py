"""snare probes push / snare submit --push publish through huggingface_hub, here to a hub on 127.0.0.1."""

import contextlib
import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import run_snare
from tests.hub_server import local_hub
from tests.probes.sources.fixtures import write_pairs


def _env(url: str) -> dict[str, str]:
    return {"HF_ENDPOINT": url, "HF_TOKEN": "hf_local_test", "HF_HUB_OFFLINE": "0"}


def test_probes_push_publishes_the_folder_as_built(tmp_path: Path):
    out = tmp_path / "set"
    build = ("probes", "build", "semantic_structure", "--source", str(write_pairs(tmp_path / "data")), "-q")
    assert run_snare(*build, "--out", str(out)).returncode == 0
    with local_hub() as hub:
        proc = run_snare("probes", "push", str(out), "me/snare-pairs", env=_env(hub.url))
        assert proc.returncode == 0, proc.stderr
        files = hub.repos[("dataset", "me/snare-pairs")]
        assert sorted(files) == ["images/a.png", "images/b.png", "manifest.json", "semantic_structure.jsonl"]
        for name, data in files.items():
            assert data == (out / name).read_bytes(), name
        manifest = json.loads(files["manifest.json"])
        assert hub.commits[-1]["summary"].endswith(f"({manifest['fingerprint'][:19]})")
        assert "pushed" in proc.stdout and "me/snare-pairs" in proc.stdout


def test_submit_push_uploads_the_checked_submission(tmp_path: Path):
    run = tmp_path / "run"
    assert run_snare("eval", "--model", "constant", "--limit", "2", "--output", str(run), "-q").returncode == 0
    sub = tmp_path / "constant.json.gz"
    with local_hub() as hub:
        proc = run_snare("submit", str(run), "--out", str(sub), "--push", "me/board", env=_env(hub.url))
        assert proc.returncode == 0, proc.stderr
        pushed = hub.repos[("dataset", "me/board")]["submissions/constant.json.gz"]
        assert pushed == sub.read_bytes() and json.loads(gzip.decompress(pushed))["model"]["name"] == "constant"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("probes", "push", "{set}", "not a repo"), "give it as OWNER/NAME"),
        (("probes", "push", "{set}", "me/../x"), "give it as OWNER/NAME"),
        (("probes", "push", "{missing}", "me/x"), "probe set folder not found"),
    ],
)
def test_bad_push_input_is_one_line_exit_2(tmp_path: Path, args, message):
    out = tmp_path / "set"
    assert run_snare("probes", "build", "negation_logic", "--source", "synthetic", "--out", str(out)).returncode == 0
    filled = [a.format(set=out, missing=tmp_path / "nope") for a in args]
    with local_hub() as hub:
        proc = run_snare(*filled, env=_env(hub.url))
        assert not hub.repos, "nothing reaches the hub"
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and message in proc.stderr


def test_offline_mode_and_a_refusing_hub_are_one_line_errors(tmp_path: Path):
    out = tmp_path / "set"
    assert run_snare("probes", "build", "negation_logic", "--source", "synthetic", "--out", str(out)).returncode == 0
    proc = run_snare("probes", "push", str(out), "me/x", env={"HF_HUB_OFFLINE": "1"})
    assert proc.returncode == 2 and "HF_HUB_OFFLINE=1" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    with local_hub() as hub:
        proc = run_snare("probes", "push", str(out), "me/x", env=_env(hub.url + "/nowhere"))  # 404 everywhere
    assert proc.returncode == 2 and "push to me/x failed" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_probes_push_uploads_only_the_sets_files_never_strays_or_links(tmp_path: Path):
    out = tmp_path / "set"
    build = ("probes", "build", "semantic_structure", "--source", str(write_pairs(tmp_path / "data")), "-q")
    assert run_snare(*build, "--out", str(out)).returncode == 0
    secret = tmp_path / "secret.txt"
    secret.write_text("HF_TOKEN=hf_private")
    (out / ".env").write_text("HF_TOKEN=hf_private")
    (out / "passwd").symlink_to(secret)
    (out / "elsewhere").symlink_to(tmp_path / "data", target_is_directory=True)
    (out / "images" / "notes.txt").write_text("not an image of the set")
    with local_hub() as hub:
        proc = run_snare("probes", "push", str(out), "me/snare-pairs", env=_env(hub.url))
        assert proc.returncode == 0, proc.stderr
        files = hub.repos[("dataset", "me/snare-pairs")]
    assert sorted(files) == ["images/a.png", "images/b.png", "manifest.json", "semantic_structure.jsonl"]
    assert not any(b"hf_private" in data for data in files.values())


def test_probes_push_refuses_an_image_that_is_a_link_out_of_the_folder(tmp_path: Path):
    out = tmp_path / "set"
    build = ("probes", "build", "semantic_structure", "--source", str(write_pairs(tmp_path / "data")), "-q")
    assert run_snare(*build, "--out", str(out)).returncode == 0
    image = out / "images" / "a.png"
    outside = tmp_path / "outside.png"
    outside.write_bytes(image.read_bytes())  # same bytes: the set still loads, only the link is wrong
    image.unlink()
    image.symlink_to(outside)
    with local_hub() as hub:
        proc = run_snare("probes", "push", str(out), "me/x", env=_env(hub.url))
        assert not hub.repos.get(("dataset", "me/x"))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "a link; push uploads only regular files" in proc.stderr


@contextlib.contextmanager
def _stalling_hub(drip: bool) -> Iterator[str]:
    """A hub on 127.0.0.1 that never answers (``drip=False``) or sends one byte every 0.1 s, forever."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(0.1)
            if drip:
                with contextlib.suppress(OSError):
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n")
            while not stop.is_set():
                with contextlib.suppress(OSError):
                    conn.recv(65536)
                    if drip:
                        conn.sendall(b"{")

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                conn, _ = server.accept()
                threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        server.close()


@pytest.mark.parametrize("drip", [False, True], ids=["silent", "dripping"])
def test_a_hub_that_stalls_ends_in_one_line_not_a_hang(tmp_path: Path, drip: bool):
    out = tmp_path / "set"
    assert run_snare("probes", "build", "negation_logic", "--source", "synthetic", "--out", str(out)).returncode == 0
    env = {**os.environ, **_env(""), "SNARE_HUB_TIMEOUT": "0.2"}
    with _stalling_hub(drip) as url:
        env["HF_ENDPOINT"] = url
        proc = subprocess.run(
            [sys.executable, "-m", "snare", "probes", "push", str(out), "me/x"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,  # a hang fails the test here instead of blocking the suite
        )
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "push to me/x failed" in proc.stderr


def test_an_interrupted_submit_push_says_the_file_was_written(tmp_path: Path):
    run = tmp_path / "run"
    assert run_snare("eval", "--model", "constant", "--limit", "2", "--output", str(run), "-q").returncode == 0
    sub = tmp_path / "constant.json"
    with _stalling_hub(drip=False) as url:
        env = {**os.environ, **_env(url)}
        argv = [sys.executable, "-m", "snare", "submit", str(run), "--out", str(sub), "--push", "me/board"]
        proc = subprocess.Popen(
            argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_default_sigint
        )
        assert proc.stdout.readline().startswith("wrote ")  # the file is written; the push has started
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        err = proc.stderr.read()
        assert proc.wait(60) == 130
    assert sub.is_file()
    assert err.strip().splitlines() == [
        f"error: interrupted while pushing to me/board: {sub} was written but not pushed; upload that file, "
        "or run snare submit again with --overwrite --push"
    ]


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
