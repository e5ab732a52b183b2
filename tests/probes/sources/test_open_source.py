"""``open_source`` walks the source modules' declared kinds: every built-in ``--source`` form reaches its loader."""

from pathlib import Path

import pytest

from snare.probes.sources import SourceError, aro, hf, karpathy, open_source, pairs, source_kinds
from tests.probes.sources.fixtures import write_aro, write_karpathy, write_pairs


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple]]:
    """Every loader replaced by a recorder: (loader name, its positional arguments)."""
    seen: list[tuple[str, tuple]] = []
    for module, name in [
        (hf, "load_hf"),
        (hf, "load_hf_pairs"),
        (pairs, "load_pairs"),
        (aro, "load_aro"),
        (karpathy, "load_karpathy"),
    ]:
        monkeypatch.setattr(module, name, lambda *args, _name=name, **kwargs: seen.append((_name, args)))
    return seen


def test_the_kinds_are_tried_in_the_declared_order():
    names = [kind.name for kind in source_kinds()]
    assert names == [
        "hf",
        "winoground",
        "pairs",
        "sugarcrepe",
        "valse",
        "eqben",
        "vl_checklist",
        "aro-file",
        "aro-folder",
        "karpathy-file",
        "karpathy-folder",
    ]


def test_every_built_in_form_reaches_its_loader(tmp_path: Path, calls: list[tuple[str, tuple]]):
    karpathy_dir, aro_dir, pairs_dir = tmp_path / "coco", tmp_path / "aro", tmp_path / "pairs"
    for folder in (karpathy_dir, aro_dir, pairs_dir):
        folder.mkdir()
    write_karpathy(karpathy_dir)
    write_aro(aro_dir)
    jsonl, csv = write_pairs(pairs_dir, "jsonl"), write_pairs(pairs_dir, "csv")
    images, saved = tmp_path / "images", tmp_path / "saved"
    saved.mkdir()
    (saved / "dataset_info.json").write_text("{}")
    open_source("hf:org/name", "captions", image_dir=images)
    open_source(str(saved), "captions", image_dir=images)
    open_source("hf:org/pairs", "vg_relation", image_dir=images)
    open_source(str(jsonl), "captions")
    open_source(str(csv), "captions")
    open_source(str(aro_dir / "visual_genome_attribution.json"), "vg_attribution")
    open_source(str(aro_dir), "vg_relation")
    open_source(str(karpathy_dir / "coco_karpathy_test.json"), "captions")
    open_source(str(karpathy_dir), "captions")
    assert [name for name, _ in calls] == [
        "load_hf",
        "load_hf",
        "load_hf_pairs",
        "load_pairs",
        "load_pairs",
        "load_aro",
        "load_aro",
        "load_karpathy",
        "load_karpathy",
    ]
    assert calls[0][1] == ("hf:org/name",) and calls[1][1] == (str(saved),)
    assert calls[2][1] == ("hf:org/pairs", "vg_relation")
    assert calls[5][1] == (aro_dir / "visual_genome_attribution.json", "vg_attribution")
    assert calls[6][1] == (aro_dir / "visual_genome_relation.json", "vg_relation")
    assert calls[8][1] == (karpathy_dir / "coco_karpathy_test.json",)


@pytest.mark.parametrize(
    ("spec", "kind", "message"),
    [
        ("missing", "captions", "--source {root}/missing: no such file or folder (see: snare probes build --help)"),
        ("notes.txt", "captions", "--source {root}/notes.txt: unknown file type (use .json, .jsonl or .csv)"),
        (
            "rows.jsonl",
            "vg_relation",
            "--source {root}/rows.jsonl is a file of (image, caption) rows, but this task needs VG-Relation entries",
        ),
        (
            ".",
            "vg_attribution",
            "--source {root}/.: no visual_genome_attribution.json in this folder (ARO's Visual Genome files)",
        ),
        (
            ".",
            "captions",
            "--source {root}/.: no caption file for split 'test' in this folder (expected "
            "coco_karpathy_test.json, flickr30k_test.json, or pass a .json/.jsonl/.csv file or hf:NAME)",
        ),
    ],
)
def test_an_unmatched_form_is_the_same_one_line_error(tmp_path: Path, spec: str, kind: str, message: str):
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "rows.jsonl").write_text("")
    with pytest.raises(SourceError) as err:
        open_source(f"{tmp_path}/{spec}", kind)
    assert str(err.value) == message.format(root=tmp_path)


def test_a_hugging_face_source_needs_an_image_folder():
    with pytest.raises(ValueError, match="image_dir is required for Hugging Face sources"):
        open_source("hf:org/name", "captions")


def test_each_form_declares_the_records_it_yields(tmp_path: Path):
    from snare.probes.sources import record_kind

    karpathy_dir, aro_dir, pairs_dir, both = (tmp_path / n for n in ("coco", "aro", "pairs", "both"))
    for folder in (karpathy_dir, aro_dir, pairs_dir, both):
        folder.mkdir()
    write_karpathy(karpathy_dir)
    write_aro(aro_dir)
    write_aro(both)
    (both / "visual_genome_attribution.json").unlink()
    assert record_kind(str(karpathy_dir)) == "captions"
    assert record_kind(str(write_pairs(pairs_dir, "jsonl"))) == "captions"
    assert record_kind(str(aro_dir / "visual_genome_relation.json")) == "vg_relation"
    assert record_kind(str(aro_dir), ("vg_attribution", "captions")) == "vg_attribution"  # the task's first
    assert record_kind(str(aro_dir), ("captions",)) == "vg_relation"  # the folder's first: the task refuses it
    assert record_kind(str(both), ("vg_attribution", "vg_relation")) == "vg_relation"  # only what the folder holds
    assert record_kind(str(tmp_path / "missing.tsv")) == "captions"  # open_source then says what is wrong


def test_each_form_declares_how_snare_data_check_checks_it(tmp_path: Path):
    from snare.probes.sources import check_names, checker
    from snare.probes.sources.check import check_aro, check_karpathy, check_pairs

    write_aro(tmp_path)
    jsonl = write_pairs(tmp_path, "jsonl")
    assert checker(tmp_path / "visual_genome_relation.json") is check_aro
    assert checker(tmp_path / "coco_karpathy_test.json") is None  # no such file: no form matches
    (tmp_path / "coco_karpathy_test.json").write_text("[]")
    assert checker(tmp_path / "coco_karpathy_test.json") is check_karpathy
    assert checker(jsonl) is check_pairs
    (tmp_path / "rows.tsv").write_text("a\tb\n")
    assert checker(tmp_path / "rows.tsv") is None
    assert check_names()[:2] == ("visual_genome_relation.json", "visual_genome_attribution.json")
