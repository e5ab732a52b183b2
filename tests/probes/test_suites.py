"""Suites end to end on the local hub: build and score every task, offline behaviour, local copies."""

from __future__ import annotations

import json
import os

from tests.helpers import run_snare


def _hub_env() -> dict[str, str]:
    return {k: os.environ[k] for k in ("HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_HOME")}


def test_probes_build_suite_snare(local_hub, tmp_path):
    proc = run_snare("probes", "build", "--suite", "snare", "--out", str(tmp_path / "p"), env=_hub_env())
    assert proc.returncode == 0, proc.stderr
    print(proc.stdout)
    m = json.loads((tmp_path / "p" / "manifest.json").read_text())
    print(json.dumps({k: m[k] for k in ("build", "skipped_records", "counts", "source") if k in m}, indent=1))
    proc = run_snare("eval", "--model", "reference", "--suite", "snare", "--json", "-q", env=_hub_env())
    r = json.loads(proc.stdout)
    print(list(r), json.dumps(r.get("tasks", r.get("results")), indent=1)[:1500])
