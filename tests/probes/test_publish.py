"""snare probes push / snare submit --push publish through huggingface_hub, here to a hub on 127.0.0.1."""

import gzip
import json
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
