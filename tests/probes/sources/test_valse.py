"""VALSE's original files as --source: data/<piece>.json ({id: {image_file, caption, foil, mturk, ...}}) + images/."""

from __future__ import annotations

import json

import pytest

from snare.errors import SnareError
from snare.probes.build import build_probeset
from snare.probes.sources import open_source
from snare.probes.sources.base import SourceError
from tests.helpers import run_snare
from tests.probes.sources.local_hub import png


def _entry(image: str, caption: str, foil: str, votes: int = 3, **extra) -> dict:
    """One entry with the fields of the VALSE repository's data files (README's example instance)."""
    return {
        "dataset": "visual7w",
        "original_split": "test",
        "dataset_idx": image,
        "linguistic_phenomena": "existence",
        "image_file": image,
        "caption": caption,
        "classes": "people",
        "classes_foil": "people",
        "mturk": {"foil": 3 - votes, "caption": votes, "other": 0},
        "foil": foil,
        **extra,
    }


EXISTENCE = {
    "existence_visual7w_1": _entry("v7w_1.jpg", "There are no people in the picture.", "There are people."),
    "existence_visual7w_2": _entry("v7w_2.jpg", "There is a dog.", "There is no dog.", votes=1),  # not validated
    "existence_visual7w_3": _entry("v7w_3.jpg", "There are no cars.", "There are cars.", votes=2),
}
PLURALS = {
    "plurals:coco2017:1": _entry("000000000139.jpg", "two dogs on a couch", "a dog on a couch"),
    "plurals:coco2017:2": _entry("000000000139.jpg", "exactly one cat", "a number of cats"),  # the same image
}


def _folder(tmp_path, pieces=None):
    pieces = pieces if pieces is not None else {"existence": EXISTENCE, "plurals": PLURALS}
    (tmp_path / "images").mkdir(parents=True, exist_ok=True)
    for n, entries in enumerate(pieces.values()):
        for i, entry in enumerate(entries.values()):
            name = entry.get("image_file") if isinstance(entry, dict) else None
            if isinstance(name, str) and name and "/" not in name and ".." not in name:
                (tmp_path / "images" / name).write_bytes(png(40 * n + 9 * i))
    for piece, entries in pieces.items():
        (tmp_path / f"{piece}.json").write_text(json.dumps(entries))
    return tmp_path


def test_validated_entries_become_caption_vs_foil_items_piece_by_piece(tmp_path):
    folder = _folder(tmp_path)
    probes = build_probeset(["valse"], str(folder))
    items = list(probes)
    assert [it.id for it in items] == [
        "valse/existence/existence_visual7w_1/valse",
        "valse/existence/existence_visual7w_3/valse",
        "valse/plurals/plurals:coco2017:1/valse",
        "valse/plurals/plurals:coco2017:2/valse",
    ]  # entry 2 had one vote of three for the caption: VALSE's scripts leave it out, and so does snare
    assert items[0].options == ("There are no people in the picture.", "There are people.")
    assert all(it.correct == 0 and it.labels == ("correct", "negative") for it in items)
    assert [it.meta["piece"] for it in items] == ["existence", "existence", "plurals", "plurals"]
    assert items[2].cluster == items[3].cluster == "img/000000000139.jpg" != items[0].cluster
    assert items[0].image.path == "images/v7w_1.jpg"
    info = probes.info["source"]["choice"]["pieces"]
    assert info == {"existence": {"entries": 3, "not_validated": 1}, "plurals": {"entries": 2, "not_validated": 0}}
    assert probes.info["skipped_records"] == {"choice": {}}  # not validated is not bad
    assert build_probeset(["valse"], str(folder)).fingerprint == probes.fingerprint
    one = build_probeset(["valse"], str(folder / "plurals.json"))  # one piece file builds that piece
    assert [it.meta["piece"] for it in one] == ["plurals", "plurals"]


def test_only_the_valse_task_is_built_from_its_files(tmp_path):
    folder = _folder(tmp_path)
    with pytest.raises(SnareError, match="holds VALSE pieces: it builds the task valse, not sugarcrepe_swap_obj"):
        build_probeset(["sugarcrepe_swap_obj"], str(folder / "existence.json"))
    with pytest.raises(SnareError, match=r"cannot be built from --source synthetic.*it needs: choice"):
        build_probeset(["valse"], "synthetic")


def test_bad_entries_are_one_line_or_counted_and_names_never_leave_images(tmp_path):
    entries = {
        **EXISTENCE,
        "a": _entry("../secret.jpg", "x", "y"),
        "b": _entry("v7w_1.jpg", "same", "same"),
        "c": {**_entry("v7w_1.jpg", "x", "y"), "mturk": "three"},
        "d": _entry("v7w_1.jpg", "x", ""),
        "e": ["not", "an", "entry"],
        "f": _entry("v7w_1.jpg", "x", 7),
    }
    spec = str(_folder(tmp_path, {"existence": entries}) / "existence.json")
    with pytest.raises(SourceError, match=r"existence\.json entry a: no usable 'image_file' .* \(fix the file"):
        open_source(spec, "choice")
    src = open_source(spec, "choice", skip_bad=True)
    assert len(src.records) == 2
    assert dict(src.skipped) == {
        "malformed entry": 3,
        "negative equals caption": 1,
        "empty captions": 1,
        "malformed captions": 1,
    }


def test_missing_files_and_images_and_repeated_ids_are_one_line(tmp_path):
    folder = _folder(tmp_path, {"existence": EXISTENCE})
    (folder / "images" / "v7w_3.jpg").unlink()
    with pytest.raises(SourceError, match=r"v7w_3\.jpg: missing image"):
        build_probeset(["valse"], str(folder))
    (folder / "relations.json").write_text("[1, 2]")
    with pytest.raises(SourceError, match=r"relations\.json: expected a JSON object of VALSE entries"):
        open_source(str(folder / "relations.json"), "choice")
    text = json.dumps(EXISTENCE)
    (folder / "relations.json").write_text(text[:-1] + ', "existence_visual7w_1": {}}')
    with pytest.raises(SourceError, match=r"duplicate key 'existence_visual7w_1'"):
        open_source(str(folder / "relations.json"), "choice")


def test_cli_builds_scores_and_audits_a_valse_folder(tmp_path):
    folder = _folder(tmp_path / "data")
    out = tmp_path / "p"
    built = run_snare("probes", "build", "valse", "--source", str(folder), "--out", str(out))
    assert built.returncode == 0, built.stderr
    listed = run_snare("probes", "list")
    assert listed.returncode == 0 and "valse" in listed.stdout
    proc = run_snare("eval", "--model", "clip", "--weights", "random", "--source", str(folder), "--task", "valse")
    assert proc.returncode == 0, proc.stderr
    proc = run_snare("eval", "--model", "constant", "--probes", str(out), "--json", "-q")
    assert proc.returncode == 0, proc.stderr
    task = json.loads(proc.stdout)["tasks"]["valse"]
    assert task["n"] == 4 and task["ties"] == 4 and task["accuracy"] == 0.0  # strict: VALSE's acc_r is p_c > p_f
    audit = run_snare("audit", str(out), "--json", "--output", str(tmp_path / "audit.json"))
    assert audit.returncode == 0, audit.stderr
    report = json.loads((tmp_path / "audit.json").read_text())
    assert report["tasks"]["valse"]["n_items"] == 4 and report["tasks"]["valse"]["chance"] == 0.5
