"""MMVP-VLM from the local hub: Questions.csv pairs and their image folder, per-pattern scores, end to end."""

from __future__ import annotations

import json
import os

import pytest

from snare.engine.rows import PredictionRow
from snare.probes.sources import hub
from snare.probes.sources.base import SourceError
from snare.probes.sources.mmvp_vlm import load_hub
from snare.probes.suites import dataset_table
from snare.reports.groups import subset_scores
from tests.helpers import run_snare
from tests.probes.sources.local_hub_2x2 import MMVP_VLM, mmvp_vlm_repo

REPO = "MMVP/MMVP_VLM"


def _env(**extra: str) -> dict[str, str]:
    return {**{k: os.environ[k] for k in ("HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_HOME")}, **extra}


def _copy(tmp_path, files: dict[str, bytes]) -> list:
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    return hub.shards(tmp_path, dataset_table()["mmvp_vlm"])


def test_each_pair_is_two_items_with_its_statements_in_id_order(tmp_path):
    paths = _copy(tmp_path / "repo", mmvp_vlm_repo())
    assert {p.name for p in paths} >= {"Questions.csv", "1.jpg"} and "README.md" not in {p.name for p in paths}
    assert hub.count_rows(paths) == 8  # statements below the header; images count nothing
    src = load_hub(dataset_table()["mmvp_vlm"], paths, tmp_path / "img", skip_bad=False, limit=None)
    assert len(src.records) == 8 and src.info["n_rows"] == 8
    first, second = src.records[:2]
    assert first.options == second.options == tuple(f"a photo of {s}" for s in MMVP_VLM[0][1:]) and (
        first.correct,
        second.correct,
    ) == (0, 1)
    assert first.meta == {"group": "mmvp_vlm/001", "pattern": "Camera Perspective", "image": 0}
    assert first.image != second.image and (tmp_path / "img" / first.image).is_file()
    assert len(load_hub(dataset_table()["mmvp_vlm"], paths, tmp_path / "img", skip_bad=False, limit=3).records) == 2


def test_a_broken_pair_stops_the_build_or_is_counted_with_skip_bad(tmp_path):
    files = mmvp_vlm_repo()
    files["Questions.csv"] = files["Questions.csv"].replace(b"\n3,", b"\n5,", 1)  # ids 5, 4: not (2k-1, 2k)
    del files["MLLM_VLM Images/Color/6.jpg"]
    paths = _copy(tmp_path / "repo", files)
    ds = dataset_table()["mmvp_vlm"]
    with pytest.raises(SourceError, match=r"rows 3-4: ids 5, 4 are not a pair \(2k-1, 2k\)"):
        load_hub(ds, paths, tmp_path / "img", skip_bad=False, limit=None)
    src = load_hub(ds, paths, tmp_path / "img", skip_bad=True, limit=None)
    assert len(src.records) == 4 and src.skipped == {"malformed pair": 1, "missing image": 1}


def test_suite_mmvp_vlm_from_the_hub_fetches_caches_and_reruns_offline(local_hub, tmp_path):
    out = tmp_path / "p"
    proc = run_snare("probes", "build", "--suite", "mmvp-vlm", "--out", str(out), env=_env())
    assert proc.returncode == 0, proc.stderr
    items = [json.loads(x) for x in (out / "mmvp_vlm.jsonl").read_text().splitlines()]
    assert len(items) == 8 and {it["meta"]["pattern"] for it in items} == {"Camera Perspective", "Color"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["source"]["mmvp_vlm"]["commit"] == "211372d".ljust(40, "0")  # the abbreviated pin, resolved
    fetched = [r for r in local_hub.requests if "/resolve/" in r]
    assert any("Questions.csv" in r for r in fetched) and not any("README" in r or ".git" in r for r in fetched)
    check = run_snare("data", "check", "--suite", "mmvp-vlm", "--json", env=_env(HF_HUB_OFFLINE="1"))
    report = json.loads(check.stdout)[0]  # the CSV's statements are the rows; this copy has 8, the real one 270
    assert report["rows"] == 8 and report["checksum_problems"] == [] and check.returncode == 1
    assert "8 rows, the mirror has 270" in check.stderr
    served = len(local_hub.requests)
    run = tmp_path / "r"
    args = ("eval", "--model", "blind-ngram", "--suite", "mmvp-vlm", "--output", str(run), "--json", "-q")
    scored = run_snare(*args, env=_env(HF_HUB_OFFLINE="1"))
    assert scored.returncode == 0, scored.stderr
    assert len(local_hub.requests) == served  # offline, from the cache the build filled
    task = json.loads(scored.stdout)["tasks"]["mmvp_vlm"]
    assert task["group_scores"] == {"n": 4, "text": 0, "image": 0, "group": 0, "incomplete": 0}
    assert task["group_scores_by"]["field"] == "pattern"
    assert task["group_scores_by"]["subsets"]["Color"]["n"] == 2
    rows = [PredictionRow(**json.loads(x)) for x in (run / "predictions" / "mmvp_vlm.jsonl").read_text().splitlines()]
    by = subset_scores("mmvp_vlm", rows, "pattern")
    assert [(s.task, s.n, s.image, s.group) for s in by] == [("Camera Perspective", 2, 0, 0), ("Color", 2, 0, 0)]


def test_suite_mmvp_vlm_with_a_missing_column_is_one_line_and_writes_nothing(local_hub, tmp_path):
    commit, files = local_hub.repos[REPO]
    renamed = files["Questions.csv"].replace(b"Question ID,Type,Statement", b"Question ID,Type,Text", 1)
    local_hub.repos[REPO] = (commit, {**files, "Questions.csv": renamed})
    out = tmp_path / "p"
    proc = run_snare("probes", "build", "--suite", "mmvp-vlm", "--out", str(out), env=_env())
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and not out.exists()
    assert "Questions.csv has no column 'Statement' (it has: Question ID, Type, Text)" in proc.stderr


def test_eval_clip_with_random_weights_runs_end_to_end(local_hub, tmp_path):
    args = ("eval", "--model", "clip", "--weights", "random", "--suite", "mmvp-vlm", "--json", "-q")
    proc = run_snare(*args, env=_env())
    assert proc.returncode == 0, proc.stderr
    task = json.loads(proc.stdout)["tasks"]["mmvp_vlm"]
    assert (
        task["n"] == 8
        and task["group_scores"]["n"] == 4
        and set(task["group_scores_by"]["subsets"])
        == {
            "Camera Perspective",
            "Color",
        }
    )


def test_eval_prints_the_three_scores_per_pattern_at_80_columns(local_hub, tmp_path):
    proc = run_snare("eval", "--model", "blind-ngram", "--suite", "mmvp-vlm", "-q", env=_env(COLUMNS="80"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    rows = {line.split()[0]: line.split()[1:] for line in lines if line.startswith(("mmvp_vlm ", "  Color"))}
    # n, then text / image / group as "percent [low,high]": a text-only model gets no image or group point
    assert rows["mmvp_vlm"][0] == "4" and rows["mmvp_vlm"][3] == rows["mmvp_vlm"][5] == "0.0"
    assert rows["Color"][0] == "2" and rows["Color"][3] == "0.0"
