"""``--weights ORG/NAME``: the real download path (huggingface_hub against a repository served on 127.0.0.1)."""

import json

import pytest

from tests.adapters.vlm.local_hub import COMMIT, serve
from tests.helpers import run_snare


@pytest.fixture()
def qwen():
    from snare.adapters.vlm.adapter import Vlm

    adapter = Vlm("random", arch="qwen2-vl", seed=3)
    adapter.ensure_loaded()
    return adapter


@pytest.fixture()
def hub(tmp_path, qwen):
    folder = tmp_path / "repo"
    qwen.model.save_pretrained(folder)
    qwen.processor.save_pretrained(folder)  # includes chat_template.jinja, which the snapshot must fetch
    server = serve("snare-test/tiny-qwen2-vl", folder)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_hub_id_downloads_scores_and_records_the_commit(tmp_path, hub, qwen):
    out = tmp_path / "run"
    env = {"HF_ENDPOINT": hub, "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "0"}
    result = run_snare(
        "eval", "--model", "vlm", "--weights", "snare-test/tiny-qwen2-vl", "--limit", "1", "--output", str(out), env=env
    )
    assert result.returncode == 0, result.stderr[-2000:]
    model = json.loads((out / "results.json").read_text())["model"]
    assert model["revision"] == COMMIT
    assert model["preprocessing"]["prompt"] == qwen.preprocessing()["prompt"]  # the chat template came along
    assert model["preprocessing"]["answer_tokens"] == qwen.preprocessing()["answer_tokens"]
