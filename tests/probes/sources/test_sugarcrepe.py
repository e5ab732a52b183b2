"""SugarCrepe's original files as --source: <set>.json ({id: {filename, caption, negative_caption}}) + val2017/."""

from __future__ import annotations

import json

import pytest

from snare.errors import SnareError
from snare.probes.build import build_probeset
from snare.probes.sources import open_source
from snare.probes.sources.base import SourceError
from tests.helpers import run_snare
from tests.probes.sources.local_hub import png

ENTRIES = {
    "12": {
        "filename": "000000000139.jpg",
        "caption": "A red car by a tree.",
        "negative_caption": "A tree by a red car.",
    },
    "3": {"filename": "000000000285.jpg", "caption": "a man rides a horse", "negative_caption": "a horse rides a man"},
    "40": {
        "filename": "000000000139.jpg",
        "caption": "two dogs on a couch",
        "negative_caption": "a dog on two couches",
    },
}


def _folder(tmp_path, entries=ENTRIES, name="swap_obj.json"):
    (tmp_path / "val2017").mkdir(exist_ok=True)
    for i, entry in enumerate(entries.values()):
        if isinstance(entry, dict) and isinstance(entry.get("filename"), str) and "/" not in entry["filename"]:
            (tmp_path / "val2017" / entry["filename"]).write_bytes(png(30 * i))
    (tmp_path / name).write_text(json.dumps(entries))
    return tmp_path / name


def test_entries_become_items_in_file_order_with_the_caption_intended(tmp_path):
    spec = str(_folder(tmp_path))
    probes = build_probeset(["sugarcrepe_swap_obj"], spec)
    items = list(probes)
    assert [it.id for it in items] == [f"sugarcrepe_swap_obj/{k}/sugarcrepe_swap_obj" for k in ("12", "3", "40")]
    assert items[0].options == ("A red car by a tree.", "A tree by a red car.")  # as written: no pre-processing
    assert all(it.correct == 0 and it.labels == ("correct", "negative") for it in items)
    assert items[0].cluster == items[2].cluster == "coco/000000000139.jpg" != items[1].cluster
    assert items[1].image.path == "val2017/000000000285.jpg"
    assert probes.info["source"]["choice"]["set"] == "swap_obj"
    assert build_probeset(["sugarcrepe_swap_obj"], spec).fingerprint == probes.fingerprint


def test_a_set_file_builds_only_its_own_task(tmp_path):
    spec = str(_folder(tmp_path))
    with pytest.raises(SnareError, match="holds SugarCrepe swap_obj: build task sugarcrepe_swap_obj"):
        build_probeset(["sugarcrepe_add_att"], spec)
    with pytest.raises(SnareError, match=r"cannot be built from --source synthetic.*it needs: choice"):
        build_probeset(["sugarcrepe_swap_obj"], "synthetic")


def test_bad_entries_are_one_line_or_counted_and_names_never_leave_val2017(tmp_path):
    entries = {
        **ENTRIES,
        "7": {"filename": "../secret.jpg", "caption": "a", "negative_caption": "b"},
        "8": {"filename": "000000000285.jpg", "caption": "same", "negative_caption": "same"},
        "9": {"filename": "000000000285.jpg", "caption": "", "negative_caption": "b"},
        "10": ["not", "an", "entry"],
    }
    spec = str(_folder(tmp_path, entries))
    with pytest.raises(SourceError, match=r"entry 7: no usable 'filename'"):
        open_source(spec, "choice")
    src = open_source(spec, "choice", skip_bad=True)
    assert len(src.records) == 3
    assert dict(src.skipped) == {"malformed entry": 2, "negative equals caption": 1, "empty captions": 1}


def test_a_missing_image_or_a_non_object_file_is_one_line(tmp_path):
    spec = _folder(tmp_path)
    (tmp_path / "val2017" / "000000000285.jpg").unlink()
    with pytest.raises(SourceError, match=r"000000000285\.jpg: missing image"):
        build_probeset(["sugarcrepe_swap_obj"], str(spec))
    (tmp_path / "add_att.json").write_text("[1, 2]")
    with pytest.raises(SourceError, match="expected a JSON object of SugarCrepe entries"):
        open_source(str(tmp_path / "add_att.json"), "choice")


def test_cli_builds_and_scores_a_set_with_ties_counted_wrong(tmp_path):
    spec = str(_folder(tmp_path))
    out = tmp_path / "p"
    built = run_snare("probes", "build", "sugarcrepe_swap_obj", "--source", spec, "--out", str(out))
    assert built.returncode == 0, built.stderr
    proc = run_snare("eval", "--model", "constant", "--probes", str(out), "--json", "-q")
    assert proc.returncode == 0, proc.stderr
    task = json.loads(proc.stdout)["tasks"]["sugarcrepe_swap_obj"]
    assert task["n"] == 3 and task["ties"] == 3 and task["accuracy"] == 0.0  # mteb and CLIP_benchmark: 1.0
