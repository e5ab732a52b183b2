"""``snare audit --suite NAME``: the blind models on a benchmark built from its pinned datasets (local hub)."""

from __future__ import annotations

import json
import os

from snare.probes.suites import dataset_table
from tests.helpers import run_snare
from tests.probes.sources.local_hub import choice_shard

ADJECTIVES = ["red", "green", "blue", "small", "large", "old"]
NOUNS = ["car", "tree", "dog", "cat", "house", "boat"]


def _env(**extra: str) -> dict[str, str]:
    return {**{k: os.environ[k] for k in ("HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_HOME")}, **extra}


def test_audit_suite_scores_every_blind_model_on_the_sets_items(local_hub, tmp_path):
    # 90 swap-obj rows, "a <adj> <noun1> next to a <noun2>" vs. the two nouns swapped: enough text for every model
    triples = [(a, n1, n2) for a in ADJECTIVES for n1 in NOUNS for n2 in NOUNS if n1 != n2][:90]
    rows = [(f"a {a} {n1} next to a {n2}", f"a {a} {n2} next to a {n1}") for a, n1, n2 in triples]
    ds = dataset_table()["sugarcrepe_swap_obj"]
    commit, files = local_hub.repos[ds.repo]
    local_hub.repos[ds.repo] = (commit, {next(iter(files)): choice_shard(rows, 3)})
    out = tmp_path / "audit.json"
    args = ("audit", "--suite", "sugarcrepe", "--task", "sugarcrepe_swap_obj", "--output", str(out), "--json")
    proc = run_snare(*args, env=_env())
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    task = report["tasks"]["sugarcrepe_swap_obj"]
    assert report["probeset"]["n_items"] == task["n_items"] == 90 and task["chance"] == 0.5
    assert task["blind"] is not None and task["bow"] is not None and "enough items" not in task["verdict"], task
    both = run_snare("audit", str(tmp_path), "--suite", "sugarcrepe", env=_env())
    assert both.returncode == 2 and "not both" in both.stderr
    offline = run_snare("audit", "--suite", "winoground", env=_env(HF_HUB_OFFLINE="1"))
    assert offline.returncode == 2 and "snare data fetch --suite winoground" in offline.stderr
