"""EqBen's annotation files as --source: ann_json_finegrained_random.json (one entry per image-caption pair) or
all_select.json (one row per 2x2 example), with images/ beside them."""

from __future__ import annotations

import json

import pytest

from snare.engine.groups import group_counts
from snare.engine.rows import PredictionRow
from snare.errors import SnareError
from snare.probes.build import build_probeset
from snare.probes.sources import open_source
from snare.probes.sources.base import SourceError
from tests.helpers import run_snare
from tests.probes.sources.local_hub import png

EXAMPLES = [  # (subset, sample_cnt, image0, image1, caption0, caption1)
    ("eqbenkubric_cnt", 0, "eqbenkubric_cnt/0/a.png", "eqbenkubric_cnt/0/b.png", "two cubes", "three cubes"),
    ("eqbensd", 0, "eqbensd/7/a.png", "eqbensd/7/b.png", "a red cup", "a blue cup"),
    ("eqbenyoucook2", 3, "eqbenyoucook2/v/1.npy", "eqbenyoucook2/v/2.npy", "cut the onion", "fry the onion"),
]


def _full(examples=EXAMPLES) -> list[dict]:
    """Four entries per example, as the full annotation keeps them (shuffled: the file is randomised)."""
    entries = []
    for subset, sample, image0, image1, caption0, caption1 in examples:
        for c, caption in enumerate((caption0, caption1)):
            for i, image in enumerate((image0, image1)):
                info = {"dataset": subset, "name": f"c{c}i{i}", "sample_cnt": sample}
                entries.append({"image": image, "caption": caption, "private_info": info})
    return entries[5:] + entries[:5]


def _folder(tmp_path, entries=None, name="ann_json_finegrained_random.json"):
    for n, (_, _, image0, image1, *_) in enumerate(EXAMPLES):
        for k, image in enumerate((image0, image1)):
            target = tmp_path / "images" / image.replace(".npy", ".png")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(png(50 * n + 20 * k))
    (tmp_path / name).write_text(json.dumps(_full() if entries is None else entries))
    return tmp_path / name


def test_four_entries_make_one_example_of_two_items_per_subset(tmp_path):
    spec = str(_folder(tmp_path))
    probes = build_probeset(["eqben"], spec)
    items = list(probes)
    assert [it.id for it in items[2:4]] == ["eqben/eqbensd/0/image_0/eqben", "eqben/eqbensd/0/image_1/eqben"]
    src = open_source(spec, "choice")  # examples in the order of their first entry in the (shuffled) file
    assert [r.meta["subset"] for r in src.records[::2]] == ["eqbensd", "eqbenyoucook2", "eqbenkubric_cnt"]
    assert {it.meta["subset"] for it in items} == {"eqbenkubric_cnt", "eqbensd", "eqbenyoucook2"}
    sd = [it for it in items if it.meta["subset"] == "eqbensd"]
    assert [it.options for it in sd] == [("a red cup", "a blue cup")] * 2 and [it.correct for it in sd] == [0, 1]
    assert [it.image.path for it in sd] == ["images/eqbensd/7/a.png", "images/eqbensd/7/b.png"]
    cook = [it.image.path for it in items if it.meta["subset"] == "eqbenyoucook2"]
    assert cook == ["images/eqbenyoucook2/v/1.png", "images/eqbenyoucook2/v/2.png"]  # the PNGs of the .npy frames
    assert build_probeset(["eqben"], spec).fingerprint == probes.fingerprint
    assert probes.info["source"]["choice"]["examples"] == 3


def test_the_vllm_subset_file_gives_the_same_examples(tmp_path):
    rows = [{"image0": a, "image1": b, "caption0": c0, "caption1": c1} for _, _, a, b, c0, c1 in EXAMPLES]
    probes = build_probeset(["eqben"], str(_folder(tmp_path, rows, "all_select.json").parent))
    assert [it.id for it in probes][:2] == [
        "eqben/eqbenkubric_cnt/0/image_0/eqben",
        "eqben/eqbenkubric_cnt/0/image_1/eqben",
    ]
    assert [it.meta["subset"] for it in probes][::2] == ["eqbenkubric_cnt", "eqbensd", "eqbenyoucook2"]


def test_incomplete_or_inconsistent_examples_are_one_line_or_counted(tmp_path):
    entries = [e for e in _full() if e["private_info"] != {"dataset": "eqbensd", "name": "c1i1", "sample_cnt": 0}]
    spec = str(_folder(tmp_path, [*entries, {"image": "a.png"}]))
    with pytest.raises(SourceError, match=r"entry 11: no private_info with dataset, name .* \(fix the file"):
        open_source(spec, "choice")
    src = open_source(spec, "choice", skip_bad=True)
    assert len(src.records) == 4 and dict(src.skipped) == {"malformed example": 1, "incomplete example": 1}
    entries = _full()
    odd = next(e for e in entries if e["private_info"]["name"] == "c0i1" and e["private_info"]["dataset"] == "eqbensd")
    odd["caption"] = "a green cup"
    with pytest.raises(SourceError, match=r"eqbensd sample 0: its four entries name other images or captions"):
        open_source(str(_folder(tmp_path, entries)), "choice")


def test_paths_never_leave_images_and_a_frame_without_png_is_named(tmp_path):
    rows = [
        {"image0": "../secret.png", "image1": "eqbensd/7/b.png", "caption0": "a", "caption1": "b"},
        {"image0": "eqbensd/9/x.npy", "image1": "eqbensd/7/b.png", "caption0": "a", "caption1": "b"},
        {"image0": "eqbensd/7/a.png", "image1": "eqbensd/7/b.png", "caption0": "same", "caption1": "same"},
    ]
    spec = str(_folder(tmp_path, rows, "all_select.json"))
    with pytest.raises(SourceError, match=r"'\.\./secret\.png' leaves images/"):
        open_source(spec, "choice")
    src = open_source(spec, "choice", skip_bad=True)
    assert src.records == [] and dict(src.skipped) == {"malformed example": 1, "npy frame": 1, "bad captions": 1}
    (tmp_path / "all_select.json").write_text(json.dumps([{**rows[2], "caption1": "b", "image0": "eqbensd/no.png"}]))
    with pytest.raises(SourceError, match=r"eqbensd/no\.png: missing image"):
        build_probeset(["eqben"], spec)
    (tmp_path / "all_select.json").write_text("{}")
    with pytest.raises(SourceError, match="expected a JSON list of EqBen entries"):
        open_source(spec, "choice")
    with pytest.raises(SnareError, match="holds EqBen examples: it builds the task eqben, not valse"):
        build_probeset(["valse"], spec)


def test_cli_builds_scores_and_audits_eqben_with_group_scores(tmp_path):
    spec = str(_folder(tmp_path / "eq"))
    out = tmp_path / "p"
    built = run_snare("probes", "build", "eqben", "--source", spec, "--out", str(out))
    assert built.returncode == 0, built.stderr
    proc = run_snare("eval", "--model", "clip", "--weights", "random", "--source", spec, "--task", "eqben")
    assert proc.returncode == 0, proc.stderr
    run = tmp_path / "r"
    proc = run_snare("eval", "--model", "blind-ngram", "--probes", str(out), "--output", str(run), "-q")
    assert proc.returncode == 0, proc.stderr
    lines = (run / "predictions" / "eqben.jsonl").read_text().splitlines()
    counts = group_counts([PredictionRow(**json.loads(line)) for line in lines])
    assert counts["n"] == 3 and counts["image"] == 0 and counts["group"] == 0  # text only: no image point
    audit = run_snare("audit", str(out), "--json", "--output", str(tmp_path / "audit.json"))
    assert audit.returncode == 0, audit.stderr
    assert json.loads((tmp_path / "audit.json").read_text())["tasks"]["eqben"]["n_items"] == 6
