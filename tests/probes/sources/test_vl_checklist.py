"""VL-CheckList's files as --source: corpus/v1/<type>/<corpus>.yaml configs (ANNO_PATH, IMG_ROOT, TYPE) naming
data/ annotations of [image_path, {"POS": [...], "NEG": [...]}] entries, images in the folders IMG_ROOT names."""

from __future__ import annotations

import json

import pytest

from snare.errors import SnareError
from snare.probes.build import build_probeset
from snare.probes.sources import open_source
from snare.probes.sources.base import SourceError
from tests.helpers import run_snare
from tests.probes.sources.local_hub import png

COLOR = [
    ["VG_100K/2376832.jpg", {"POS": ["red car"], "NEG": ["green car"]}],
    ["VG_100K_2/2408124.jpg", {"POS": ["smoke in front of old train"], "NEG": ["smoke in front of young train"]}],
]
SWIG = [
    ["calling_164.jpg", {"POS": ["a woman calls", "a woman phones"], "NEG": ["a plane calls", "a drum calls"]}],
]
SETS = {  # config under corpus/v1 -> (ANNO_PATH, IMG_ROOT, entries), as the repository declares them
    "Attribute/color/vg": ("data/Attribute/vg/color.json", "vg", COLOR),
    "Object/Location/margin/swig_agent": ("data/Object/Location/swig_agent_margin.json", "swig/", SWIG),
}


def _repo(tmp_path, sets=SETS):
    n = 0
    for stem, (anno, images, entries) in sets.items():
        config = tmp_path / "corpus" / "v1" / f"{stem}.yaml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(f'ANNO_PATH: "{anno}"\nIMG_ROOT: "{images}"\nTYPE: "TUPLE_JSON"')
        (tmp_path / anno).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / anno).write_text(json.dumps(entries))
        for entry in entries:
            if isinstance(entry, list) and isinstance(entry[0], str) and ".." not in entry[0]:
                target = tmp_path / images / entry[0]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(png(37 * n))
                n += 1
    return tmp_path


def test_each_entry_is_its_first_positive_vs_its_first_negative_per_subset(tmp_path):
    repo = _repo(tmp_path)
    probes = build_probeset(["vl_checklist"], str(repo))
    items = list(probes)
    assert [it.id for it in items] == [
        "vl_checklist/Attribute/color/vg/0/vl_checklist",
        "vl_checklist/Attribute/color/vg/1/vl_checklist",
        "vl_checklist/Object/Location/margin/swig_agent/0/vl_checklist",
    ]
    assert items[2].options == ("a woman calls", "a plane calls")  # the first of each, as the repository's ITC
    assert [it.image.path for it in items] == [
        "vg/VG_100K/2376832.jpg",
        "vg/VG_100K_2/2408124.jpg",
        "swig/calling_164.jpg",
    ]
    assert [it.meta["subset"] for it in items] == ["Attribute/color", "Attribute/color", "Object/Location/margin"]
    assert items[2].meta["corpus"] == "swig_agent" and all(it.correct == 0 for it in items)
    assert build_probeset(["vl_checklist"], str(repo)).fingerprint == probes.fingerprint
    one = build_probeset(["vl_checklist"], str(repo / "corpus" / "v1" / "Attribute" / "color" / "vg.yaml"))
    assert [it.meta["subset"] for it in one] == ["Attribute/color"] * 2


def test_bad_entries_and_configs_are_one_line_or_counted(tmp_path):
    entries = [
        *COLOR,
        ["../../etc/passwd", {"POS": ["a"], "NEG": ["b"]}],
        ["VG_100K/2376832.jpg", {"POS": ["same"], "NEG": ["same"]}],
        ["VG_100K/2376832.jpg", {"POS": [], "NEG": ["b"]}],
        "not an entry",
    ]
    repo = _repo(tmp_path, {"Attribute/color/vg": ("data/color.json", "vg", entries)})
    with pytest.raises(SourceError, match=r"color\.json entry 2: not \[image_path, \{POS, NEG\}\]"):
        open_source(str(repo), "choice")
    src = open_source(str(repo), "choice", skip_bad=True)
    assert len(src.records) == 2
    assert dict(src.skipped) == {"malformed entry": 2, "negative equals caption": 1, "empty captions": 1}
    config = repo / "corpus" / "v1" / "Attribute" / "color" / "vg.yaml"
    config.write_text('ANNO_PATH: "/etc/passwd"\nIMG_ROOT: "vg"')
    with pytest.raises(SourceError, match=r"vg\.yaml: needs ANNO_PATH and IMG_ROOT, relative paths inside"):
        open_source(str(repo), "choice")
    config.write_text("ANNO_PATH: [unclosed")
    with pytest.raises(SourceError, match=r"vg\.yaml: not valid YAML"):
        open_source(str(repo), "choice")
    config.write_text('ANNO_PATH: "data/missing.json"\nIMG_ROOT: "vg"')
    with pytest.raises(SourceError, match=r"missing\.json: file not found"):
        open_source(str(repo), "choice")


def test_a_missing_image_is_one_line_and_only_vl_checklist_is_built(tmp_path):
    repo = _repo(tmp_path)
    (repo / "swig" / "calling_164.jpg").unlink()
    with pytest.raises(SourceError, match=r"calling_164\.jpg: missing image"):
        build_probeset(["vl_checklist"], str(repo))
    with pytest.raises(SnareError, match="holds VL-CheckList sets: it builds the task vl_checklist, not eqben"):
        build_probeset(["eqben"], str(repo))


def test_cli_builds_scores_and_audits_vl_checklist(tmp_path):
    repo = _repo(tmp_path / "VL-CheckList")
    out = tmp_path / "p"
    built = run_snare("probes", "build", "vl_checklist", "--source", str(repo), "--out", str(out))
    assert built.returncode == 0, built.stderr
    proc = run_snare("eval", "--model", "clip", "--weights", "random", "--source", str(repo), "--task", "vl_checklist")
    assert proc.returncode == 0, proc.stderr
    proc = run_snare("eval", "--model", "constant", "--probes", str(out), "--json", "-q")
    assert proc.returncode == 0, proc.stderr
    task = json.loads(proc.stdout)["tasks"]["vl_checklist"]
    assert task["n"] == 3 and task["ties"] == 3 and task["accuracy"] == 0.0
    audit = run_snare("audit", str(out), "--json", "--output", str(tmp_path / "audit.json"))
    assert audit.returncode == 0, audit.stderr
    assert json.loads((tmp_path / "audit.json").read_text())["tasks"]["vl_checklist"]["n_items"] == 3
