"""NaturalBench's retrieval form from the local hub: questions as captions, ordered by their answers, end to end."""

from __future__ import annotations

import io
import json
import os

import pytest

from snare.engine.rows import PredictionRow
from snare.probes.sources.base import SourceError
from snare.probes.sources.minimal_pairs import BadRow
from snare.probes.sources.naturalbench import load_naturalbench, question_captions
from snare.probes.suites import dataset_table
from snare.reports.groups import group_scores
from tests.helpers import run_snare
from tests.probes.sources.local_hub import png
from tests.probes.sources.local_hub_2x2 import NATURALBENCH

REPO = "BaiqiL/NaturalBench"


def _env(**extra: str) -> dict[str, str]:
    return {**{k: os.environ[k] for k in ("HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_HOME")}, **extra}


def _row(q0="Is it red?", q1="Is it blue?", answers=("Yes", "No", "No", "Yes")) -> dict:
    keys = ("answer_i0_q0", "answer_i1_q0", "answer_i0_q1", "answer_i1_q1")
    return {"question_0": q0, "question_1": q1, **dict(zip(keys, answers, strict=True))}


def test_the_question_answered_affirmatively_for_an_image_is_its_caption():
    assert question_captions(_row()) == ("Is it red?", "Is it blue?")
    assert question_captions(_row(answers=("no", "yes.", "Yes", "No"))) == ("Is it blue?", "Is it red?")
    assert question_captions(_row(answers=("A", "B", "B", "A"))) == ("Is it red?", "Is it blue?")


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (_row(answers=("Yes", "Yes", "No", "Yes")), "answered differently for the two images"),
        (_row(answers=("Yes", "No", "Yes", "No")), "same image"),
        (_row(answers=("Yes", "maybe", "No", "Yes")), "not Yes, No, A or B"),
        (_row(q1="Is it red?"), "two non-empty, different questions"),
        (_row(q0=""), "two non-empty, different questions"),
    ],
)
def test_rows_whose_answers_do_not_make_a_2x2_example_are_bad(row, problem):
    with pytest.raises(BadRow, match=problem):
        question_captions(row)


def test_a_bad_row_stops_the_build_or_is_counted_with_skip_bad(tmp_path):
    images = {f"image_{i}": {"bytes": png(70 * i), "path": None} for i in (0, 1)}
    rows = [{**_row(), **images, "question_type": "yes_no"}, {**_row(answers=("Yes", "Yes", "No", "No")), **images}]
    ds = dataset_table()["naturalbench"]
    with pytest.raises(SourceError, match=r"row 1: Question_0 must be answered differently"):
        load_naturalbench(ds, rows, tmp_path, skip_bad=False)
    src = load_naturalbench(ds, rows, tmp_path, skip_bad=True)
    assert [r.key for r in src.records] == ["naturalbench/00000/image_0", "naturalbench/00000/image_1"]
    assert src.skipped == {"bad answers": 1} and src.records[0].meta["question_type"] == "yes_no"


def test_suite_naturalbench_from_the_hub_fetches_caches_and_reruns_offline(local_hub, tmp_path):
    out = tmp_path / "p"
    proc = run_snare("probes", "build", "--suite", "naturalbench", "--out", str(out), env=_env())
    assert proc.returncode == 0, proc.stderr
    items = [json.loads(x) for x in (out / "naturalbench.jsonl").read_text().splitlines()]
    assert len(items) == 8 and {it["meta"]["question_type"] for it in items} == {"yes_no", "multiple_choice"}
    by_id = {it["id"]: it for it in items}
    first = by_id["naturalbench/00000/image_0/naturalbench"], by_id["naturalbench/00000/image_1/naturalbench"]
    assert first[0]["options"] == first[1]["options"] == list(NATURALBENCH[0][:2])
    assert [it["correct"] for it in first] == [0, 1] and first[0]["image"]["path"] != first[1]["image"]["path"]
    last = by_id["naturalbench/00003/image_0/naturalbench"]  # its Question_1 is the one answered Yes for image 0
    assert last["options"] == [NATURALBENCH[3][1], NATURALBENCH[3][0]] and last["meta"]["index"] == 3
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["source"]["naturalbench"]["revision"] == "b6a84a18ba24544169681d4b15543dd103d4d3bb"
    assert manifest["source"]["naturalbench"]["n_rows"] == 4
    served = len(local_hub.requests)
    args = ("eval", "--model", "blind-ngram", "--suite", "naturalbench", "--output", str(tmp_path / "r"), "--json")
    scored = run_snare(*args, "-q", env=_env(HF_HUB_OFFLINE="1"))
    assert scored.returncode == 0, scored.stderr
    assert len(local_hub.requests) == served  # offline, from the cache the build filled
    task = json.loads(scored.stdout)["tasks"]["naturalbench"]
    assert task["group_scores"] == {"n": 4, "text": 0, "image": 0, "group": 0, "incomplete": 0}
    assert set(task["group_scores_by"]["subsets"]) == {"yes_no", "multiple_choice"}
    lines = (tmp_path / "r" / "predictions" / "naturalbench.jsonl").read_text().splitlines()
    scores = group_scores("naturalbench", [PredictionRow(**json.loads(x)) for x in lines])
    assert scores.n == 4 and scores.image == scores.group == 0  # a text-only scorer never picks an image


def test_suite_naturalbench_with_a_missing_column_is_one_line_and_writes_nothing(local_hub, tmp_path):
    import pyarrow.parquet as pq

    commit, files = local_hub.repos[REPO]
    broken = {}
    for name, data in files.items():
        buf = io.BytesIO()
        pq.write_table(pq.read_table(io.BytesIO(data)).drop_columns(["Image_1_Question_1"]), buf)
        broken[name] = buf.getvalue()
    local_hub.repos[REPO] = (commit, broken)
    out = tmp_path / "p"
    proc = run_snare("probes", "build", "--suite", "naturalbench", "--out", str(out), env=_env())
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and not out.exists()
    assert "has no column 'Image_1_Question_1'" in proc.stderr


def test_eval_clip_with_random_weights_runs_end_to_end(local_hub, tmp_path):
    args = ("eval", "--model", "clip", "--weights", "random", "--suite", "naturalbench", "--json", "-q")
    proc = run_snare(*args, env=_env())
    assert proc.returncode == 0, proc.stderr
    task = json.loads(proc.stdout)["tasks"]["naturalbench"]
    assert task["n"] == 8 and task["group_scores"]["n"] == 4
