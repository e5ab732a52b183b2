"""Suites end to end on the local hub: build and score every task, re-run offline, fail offline, local copies."""

from __future__ import annotations

import json
import os
import shutil

from snare.probes.suites import dataset_table, get_suite, suite_table
from tests.helpers import run_snare

SNARE_TASKS = {"semantic_structure", "negation_logic", "attribute_ownership", "relationship_composition"}
SNARE_TASKS |= {"spatial_relations"}


def _hub_env(**extra: str) -> dict[str, str]:
    return {**{k: os.environ[k] for k in ("HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_HOME")}, **extra}


# Commits known only by the abbreviated id the hub's file pages show (docs/probes.md, "SugarCrepe", "MMVP-VLM")
ABBREVIATED = {"HuggingFaceM4/SugarCrepe_add_att", "HuggingFaceM4/SugarCrepe_replace_att", "MMVP/MMVP_VLM"}


def test_table_declares_every_task_on_a_pinned_revision():
    assert set(suite_table()) == {"snare", "aro", "sugarcrepe", "winoground", "bivlc", "naturalbench", "mmvp-vlm"}
    assert {t for t, _ in get_suite("snare").tasks} == SNARE_TASKS
    assert {t for t, _ in get_suite("aro").tasks} == {"vg_relation", "vg_attribution", "coco_order", "flickr30k_order"}
    sets = {f"sugarcrepe_{a}_{b}" for a in ("add", "replace", "swap") for b in ("att", "obj", "rel")}
    assert {t for t, _ in get_suite("sugarcrepe").tasks} == sets - {"sugarcrepe_add_rel", "sugarcrepe_swap_rel"}
    for ds in dataset_table().values():
        for mirror in (ds, *ds.fallbacks):
            assert len(mirror.revision) == (7 if mirror.repo in ABBREVIATED else 40), mirror.repo
            assert all(c in "0123456789abcdef" for c in mirror.revision) and mirror.rows and mirror.rows_from
    assert sum(ds.rows for ds in get_suite("sugarcrepe").datasets()) == 7512  # the paper's total
    assert {m.repo for ds in get_suite("aro").datasets() for m in ds.fallbacks} == {
        "mteb/ARO-Visual-Relation",
        "mteb/ARO-Visual-Attribution",
        "mteb/ARO-COCO-order",
        "mteb/ARO-Flickr-Order",
    }


def test_probes_list_shows_the_suites():
    proc = run_snare("probes", "list", "--json")
    suites = {e["name"]: e for e in json.loads(proc.stdout) if e["kind"] == "suite"}
    for name in ("naturalbench", "mmvp-vlm", "winoground", "bivlc", "sugarcrepe"):
        assert all(d["licence"] and d["citation"] and d["rows"] for d in suites[name]["datasets"]), name
    assert suites["naturalbench"]["datasets"][0]["licence"].startswith("Apache-2.0")
    assert (
        suites["mmvp-vlm"]["datasets"][0]["rows"] == 270
        and "CVPR 2024" in suites["mmvp-vlm"]["datasets"][0]["citation"]
    )
    assert suites["snare"]["tasks"][0] == ["semantic_structure", "coco"]
    assert set(suites) == {"snare", "aro", "sugarcrepe", "winoground", "bivlc", "naturalbench", "mmvp-vlm"}
    table = run_snare("probes", "list").stdout
    assert "gowitheflow/ARO-" in table and "23,937" in table
    assert "sugarcrepe_swap_att" in table and "2,062" in table


def test_eval_suite_snare_scores_every_task_and_reruns_offline_from_the_cache(local_hub, tmp_path):
    proc = run_snare("eval", "--model", "reference", "--suite", "snare", "--json", "-q", env=_hub_env())
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert set(result["tasks"]) == SNARE_TASKS
    assert all(r["n"] > 0 and r["coverage"]["complete"] for r in result["tasks"].values())
    assert result["tasks"]["semantic_structure"]["n"] == 25  # 15 COCO + 10 Flickr30k captions
    served = len(local_hub.requests)
    args = ("eval", "--model", "reference", "--suite", "snare", "--json", "-q")
    again = run_snare(*args, env=_hub_env(HF_HUB_OFFLINE="1"))
    assert again.returncode == 0, again.stderr
    assert len(local_hub.requests) == served  # nothing asked of the hub
    assert json.loads(again.stdout)["probeset"]["fingerprint"] == result["probeset"]["fingerprint"]


def test_offline_with_nothing_cached_names_every_missing_dataset_and_writes_nothing(tmp_path):
    out = tmp_path / "results"
    proc = run_snare("eval", "--model", "reference", "--suite", "snare", "--output", str(out))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "snare data fetch --suite snare" in lines[0]
    assert all(ds.repo in lines[0] for ds in get_suite("snare").datasets())
    assert not out.exists()
    built = run_snare("probes", "build", "--suite", "aro", "--out", str(tmp_path / "p"))
    assert built.returncode == 2 and not (tmp_path / "p").exists()


def test_probes_build_suite_aro_from_the_hub_and_from_a_data_dir_copy(local_hub, tmp_path):
    proc = run_snare("probes", "build", "--suite", "aro", "--out", str(tmp_path / "p"), env=_hub_env())
    assert proc.returncode == 0, proc.stderr
    assert "vg_attribution: dropped 1 ambiguous template" in proc.stdout
    manifest = json.loads((tmp_path / "p" / "manifest.json").read_text())
    build = manifest["build"]
    assert build["vg_relation@vg_relation"]["items"] == 7
    assert build["vg_attribution@vg_attribution"]["items"] == 4  # 5 rows, one ambiguous without attributes
    assert manifest["skipped_records"]["vg_attribution"] == {"ambiguous template": 1}
    assert build["coco_order@coco"]["candidates"] == 15 and build["flickr30k_order@flickr30k"]["candidates"] == 10
    assert manifest["source"]["vg_relation"]["revision"] == dataset_table()["vg_relation"].revision
    item = json.loads((tmp_path / "p" / "vg_relation.jsonl").read_text().splitlines()[0])
    assert item["image"]["bbox"] == [2.0, 3.0, 30.0, 20.0] and item["options"][1] == "the horse is eating the grass"
    # the same repositories copied to a folder give the same probe set, with no hub and no cache
    copy = tmp_path / "copy"
    cache = os.path.join(os.environ["HF_HOME"], "hub")
    for ds in get_suite("aro").datasets():
        snapshot = os.path.join(cache, f"datasets--{ds.repo.replace('/', '--')}", "snapshots", ds.revision)
        shutil.copytree(snapshot, copy / ds.repo, symlinks=False)
    env = _hub_env(HF_ENDPOINT="http://127.0.0.1:9", HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path / "empty"))
    args = ("probes", "build", "--suite", "aro", "--data-dir", str(copy), "--out", str(tmp_path / "b"))
    local = run_snare(*args, env=env)
    assert local.returncode == 0, local.stderr
    fingerprint = [json.loads((tmp_path / d / "manifest.json").read_text())["fingerprint"] for d in ("p", "b")]
    assert fingerprint[0] == fingerprint[1]
    shutil.rmtree(copy / "gowitheflow" / "ARO-Flickr-Order")
    args = ("probes", "build", "--suite", "aro", "--data-dir", str(copy), "--out", str(tmp_path / "c"))
    missing = run_snare(*args, env=env)
    assert missing.returncode == 2 and not (tmp_path / "c").exists()
    assert missing.stderr.count("\n") == 1 and "no folder gowitheflow/ARO-Flickr-Order" in missing.stderr


def test_suite_tasks_fetch_only_their_datasets_and_conflicting_flags_fail_first(local_hub, tmp_path):
    args = ("eval", "--model", "reference", "--suite", "snare", "--task", "negation_logic", "--json", "-q")
    proc = run_snare(*args, env=_hub_env())
    assert proc.returncode == 0, proc.stderr
    assert set(json.loads(proc.stdout)["tasks"]) == {"negation_logic"}
    fetched = {r.split("/")[3] for r in local_hub.requests if "/resolve/" in r}
    assert fetched == {"ARO-Visual-Attribution"}
    bad = run_snare("eval", "--suite", "aro", "--task", "negation_logic", env=_hub_env())
    assert bad.returncode == 2 and "suite aro has no task 'negation_logic'" in bad.stderr
    both = run_snare("eval", "--suite", "aro", "--source", "synthetic", "--task", "vg_relation", env=_hub_env())
    assert both.returncode == 2 and "pass one of --suite, --probes and --source" in both.stderr


def test_build_suite_in_process_protocols_limits_and_batch_independence(local_hub, tmp_path):
    from snare.probes.suites import build_suite

    default = build_suite("aro", image_dir=tmp_path / "i1", tasks=["coco_order", "vg_relation"])
    same = build_suite("aro", image_dir=tmp_path / "i2", tasks=["coco_order", "vg_relation"], batch_size=1)
    assert default.fingerprint == same.fingerprint and len(default) > 0
    paper = build_suite("aro", image_dir=tmp_path / "i3", tasks=["coco_order"], protocol="aro-paper")
    assert paper.info["protocol"]["name"] == "aro-paper"
    report = paper.info["build"]["coco_order@coco"]
    assert report["items"] == report["candidates"] == 15 and "equal_to_intended" in report  # nothing re-drawn
    few = build_suite("snare", image_dir=tmp_path / "i4", limit=3)
    assert few.info["source"]["coco"]["n_rows"] == few.info["source"]["vg_relation"]["n_rows"] == 3
    assert {it.id.split("/")[0] for it in few.by_task()["semantic_structure"]} == {"coco", "flickr30k"}


def test_suite_sugarcrepe_from_the_hub_layouts_scores_every_set_and_reruns_offline(local_hub, tmp_path):
    out = tmp_path / "p"
    proc = run_snare("probes", "build", "--suite", "sugarcrepe", "--out", str(out), env=_hub_env())
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    sets = [t for t, _ in get_suite("sugarcrepe").tasks]
    assert all(manifest["build"][f"{t}@{t}"]["items"] == 4 for t in sets)  # main and converter-branch layouts
    assert manifest["source"]["sugarcrepe_swap_att"]["revision"] == dataset_table()["sugarcrepe_swap_att"].revision
    assert manifest["source"]["sugarcrepe_add_obj"]["intended_from"] == "class names"
    assert manifest["source"]["sugarcrepe_add_att"]["commit"] == "a75d095".ljust(40, "0")  # the pin, resolved
    items = [json.loads(line) for line in (out / "sugarcrepe_swap_att.jsonl").read_text().splitlines()]
    assert [it["correct"] for it in items] == [0, 0, 0, 1]  # the last row lists its negative first
    assert items[3]["labels"] == ["negative", "correct"] and items[0]["cluster"] == items[3]["cluster"]
    args = ("eval", "--model", "constant", "--suite", "sugarcrepe", "--json", "-q")
    scored = run_snare(*args, env=_hub_env())
    assert scored.returncode == 0, scored.stderr
    result = json.loads(scored.stdout)
    assert set(result["tasks"]) == set(sets)
    assert all(r["n"] == 4 and r["ties"] == 4 and r["accuracy"] == 0.0 for r in result["tasks"].values())
    served = len(local_hub.requests)
    again = run_snare(*args, env=_hub_env(HF_HUB_OFFLINE="1"))
    assert again.returncode == 0, again.stderr and len(local_hub.requests) == served
    assert json.loads(again.stdout)["probeset"]["fingerprint"] == result["probeset"]["fingerprint"]


def test_suite_sugarcrepe_with_a_missing_column_is_one_line_and_writes_nothing(local_hub, tmp_path):
    import io

    import pyarrow.parquet as pq

    ds = dataset_table()["sugarcrepe_swap_obj"]
    commit, files = local_hub.repos[ds.repo]
    name, data = next(iter(files.items()))
    buf = io.BytesIO()
    pq.write_table(pq.read_table(io.BytesIO(data)).drop_columns(["true_label"]), buf)
    local_hub.repos[ds.repo] = (commit, {name: buf.getvalue()})
    out = tmp_path / "p"
    args = ("probes", "build", "--suite", "sugarcrepe", "sugarcrepe_swap_obj", "--out", str(out))
    proc = run_snare(*args, env=_hub_env())
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "has no column 'true_label'" in proc.stderr and not out.exists()


def test_suite_winoground_from_the_gated_repository_files_and_its_group_scores(local_hub, tmp_path):
    from snare.engine.rows import PredictionRow
    from snare.reports.groups import group_scores

    local_hub.gated.add("facebook/winoground")
    refused = run_snare("eval", "--model", "reference", "--suite", "winoground", "-q", env=_hub_env())
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "HF_TOKEN" in refused.stderr and f"{local_hub.url}/datasets/facebook/winoground" in refused.stderr
    local_hub.gated.clear()  # the licence accepted
    run = tmp_path / "r"
    args = ("eval", "--model", "blind-ngram", "--suite", "winoground", "--output", str(run), "--json", "-q")
    proc = run_snare(*args, env=_hub_env())
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["tasks"]["winoground"]["n"] == 6  # 3 examples, two items each
    assert result["tasks"]["winoground"]["group_scores"] == {"n": 3, "text": 0, "image": 0, "group": 0, "incomplete": 0}
    assert not any("license_agreement" in r for r in local_hub.requests)  # only data/* is fetched
    rows = [PredictionRow(**json.loads(x)) for x in (run / "predictions" / "winoground.jsonl").read_text().splitlines()]
    scores = group_scores("winoground", rows)
    assert scores.n == 3 and scores.image == 0 and scores.group == 0  # a text-only model
    served = len(local_hub.requests)
    args = ("eval", "--model", "blind-ngram", "--suite", "winoground", "--json", "-q")
    again = run_snare(*args, env=_hub_env(HF_HUB_OFFLINE="1"))
    assert again.returncode == 0, again.stderr
    assert len(local_hub.requests) == served
    assert json.loads(again.stdout)["probeset"]["fingerprint"] == result["probeset"]["fingerprint"]


def test_suite_winoground_with_a_missing_field_is_one_line(local_hub, tmp_path):
    commit, files = local_hub.repos["facebook/winoground"]
    lines = [json.loads(x) for x in files["data/examples.jsonl"].decode().splitlines()]
    broken = "\n".join(json.dumps({k: v for k, v in ex.items() if k != "caption_1"}) for ex in lines)
    local_hub.repos["facebook/winoground"] = (commit, {**files, "data/examples.jsonl": broken.encode()})
    out = tmp_path / "p"
    proc = run_snare("probes", "build", "--suite", "winoground", "--out", str(out), env=_hub_env())
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and not out.exists()
    assert "examples.jsonl line 1 has no field 'caption_1'" in proc.stderr


def test_suite_bivlc_two_images_two_captions_per_row_and_a_blind_model_never_scores_a_group(local_hub, tmp_path):
    from snare.engine.rows import PredictionRow
    from snare.reports.groups import group_scores

    out = tmp_path / "p"
    proc = run_snare("probes", "build", "--suite", "bivlc", "--out", str(out), env=_hub_env())
    assert proc.returncode == 0, proc.stderr
    items = [json.loads(x) for x in (out / "bivlc.jsonl").read_text().splitlines()]
    assert len(items) == 8 and {it["meta"]["type"] for it in items} == {"SWAP", "REPLACE"}
    first = [it for it in items if it["meta"]["group"] == "bivlc/00000"]
    assert sorted(it["correct"] for it in first) == [0, 1] and first[0]["options"] == first[1]["options"]
    assert first[0]["image"]["path"] != first[1]["image"]["path"]
    for model in ("blind-ngram", "reference"):
        run = tmp_path / f"r-{model}"
        args = ("eval", "--model", model, "--suite", "bivlc", "--output", str(run), "-q")
        scored = run_snare(*args, env=_hub_env(HF_HUB_OFFLINE="1"))  # from the cache the build filled
        assert scored.returncode == 0, scored.stderr
        lines = (run / "predictions" / "bivlc.jsonl").read_text().splitlines()
        scores = group_scores("bivlc", [PredictionRow(**json.loads(x)) for x in lines])
        assert scores.n == 4
        if model == "blind-ngram":
            assert scores.image == scores.group == 0


def test_suite_snare_as_contrast_twins_mined_from_its_pinned_visual_genome_files(local_hub, tmp_path):
    """--suite snare --protocol snare-contrast: twins mined from ARO's files on the hub (the two left/right relations
    of the local hub twinned by their mirrored images), the word-order task as built by default; every blind model
    of the audit gets no pair."""
    out = tmp_path / "contrast"
    proc = run_snare("probes", "build", "--suite", "snare", "--protocol", "snare-contrast", "--out", str(out), "-q",
                     env=_hub_env())  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["protocol"]["name"] == "snare-contrast"
    build = manifest["build"]
    assert build["semantic_structure"]["items"] == 25 and "twins" in build["semantic_structure"]
    assert build["relationship_composition"]["mirror_pairs"] == 2 and build["spatial_relations"]["pairs"] >= 2
    audit = run_snare("audit", str(out), "--json")
    assert audit.returncode == 0, audit.stderr
    tasks = json.loads(audit.stdout)["tasks"]
    for task in ("relationship_composition", "spatial_relations"):
        pairs = tasks[task]["pairs"]
        assert pairs["holds"] and all(m["pairs_correct"] == 0 for m in pairs["models"].values())
    proc = run_snare("probes", "build", "--suite", "aro", "--protocol", "snare-contrast", "--out", str(tmp_path / "x"),
                     env=_hub_env())  # fmt: skip
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "build vg_relation under --protocol snare" in proc.stderr
    assert not (tmp_path / "x").exists()
