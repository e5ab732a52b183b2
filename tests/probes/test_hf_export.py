"""``--format hf`` round trip: the export reads back as the same probe set through --probes and --source."""

import json
from pathlib import Path

import pytest

from snare.errors import ProbeFormatError
from snare.probes.build import build_probeset
from snare.probes.hf_export import export_hf, is_export, load_export, load_probe_folder
from snare.probes.probeset import ProbeSet
from tests.probes.sources.fixtures import write_aro, write_pairs


def _cli(*args: str) -> int:
    from snare.cli.main import main

    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    return int(exit_info.value.code or 0)


@pytest.mark.parametrize("source", ["synthetic", "pairs", "vg"])
def test_export_reads_back_with_the_same_items_and_fingerprint(tmp_path: Path, source: str):
    if source == "synthetic":
        probes = build_probeset(["negation_logic", "spatial_relations"], "synthetic").subset(limit=3)
    elif source == "pairs":
        probes = build_probeset(["semantic_structure"], str(write_pairs(tmp_path / "data")))
    else:
        write_aro(tmp_path / "vg")
        probes = build_probeset(["spatial_relations"], str(tmp_path / "vg"))  # crops keep their bbox
    out = tmp_path / "export"
    export_hf(probes, out / "dataset")
    (out / "snare_manifest.json").write_text(json.dumps({**probes.manifest(), "exported_as": "hf"}))
    assert is_export(out)
    back = load_export(out, tmp_path / "cache")
    assert back.fingerprint == probes.fingerprint
    assert [it.canonical() for it in sorted(back, key=lambda i: i.id)] == [
        it.canonical() for it in sorted(probes, key=lambda i: i.id)
    ]
    first = next(it for it in back if it.image.path or it.image.scene)
    assert back.load_image(first.image).size == probes.load_image(first.image).size


def test_cli_export_evaluates_through_probes_and_source_like_the_jsonl_set(tmp_path: Path, capsys):
    src = write_pairs(tmp_path / "data")
    build = ("probes", "build", "semantic_structure", "--source", str(src), "-q")
    assert _cli(*build, "--out", str(tmp_path / "jsonl")) == 0
    assert _cli(*build, "--out", str(tmp_path / "hf"), "--format", "hf") == 0
    capsys.readouterr()
    results = []
    for flag, folder in (("--probes", "jsonl"), ("--probes", "hf"), ("--source", "hf")):
        args = ("eval", "--model", "constant", flag, str(tmp_path / folder), "-q", "--json", "--no-cache")
        assert _cli(*args) == 0, capsys.readouterr().err
        results.append(json.loads(capsys.readouterr().out))
    assert len({r["probeset"]["fingerprint"] for r in results}) == 1
    assert all(r["tasks"]["semantic_structure"]["n"] == 3 for r in results)
    assert load_probe_folder(tmp_path / "hf").fingerprint == ProbeSet.load(tmp_path / "jsonl").fingerprint


def test_a_tampered_export_is_refused(tmp_path: Path):
    probes = build_probeset(["negation_logic"], "synthetic").subset(limit=2)
    export_hf(probes, tmp_path / "dataset")
    manifest = {**probes.manifest(), "fingerprint": "sha256:" + "0" * 64}
    (tmp_path / "snare_manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ProbeFormatError, match="do not match the fingerprint"):
        load_export(tmp_path, tmp_path / "cache")


def _file_export(tmp_path: Path, edit_row=None, manifest_edit=None) -> Path:
    """A ``--format hf`` export of a file-image set, its rows passed through ``edit_row`` (hostile when given)."""
    import datasets

    probes = build_probeset(["semantic_structure"], str(write_pairs(tmp_path / "data")))
    export_hf(probes, tmp_path / "clean")
    out = tmp_path / "export"
    splits = datasets.load_from_disk(str(tmp_path / "clean"))
    if edit_row is not None:
        splits = datasets.DatasetDict({name: split.map(edit_row) for name, split in splits.items()})
    splits.save_to_disk(str(out / "dataset"))
    manifest = {**probes.manifest(), "exported_as": "hf"}
    (out / "snare_manifest.json").write_text(json.dumps(manifest_edit(manifest) if manifest_edit else manifest))
    return out


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.mark.parametrize("fingerprint", ["/tmp/../../evil", "../../escape", "sha256:../../x", "sha256:" + "0" * 63])
def test_an_export_whose_fingerprint_is_a_path_writes_nothing(tmp_path: Path, fingerprint: str):
    out = _file_export(tmp_path, manifest_edit=lambda m: {**m, "fingerprint": fingerprint})
    with pytest.raises(ProbeFormatError, match="no valid fingerprint"):
        load_export(out, tmp_path / "cache" / "hf-exports")
    assert _files(tmp_path / "cache") == [] and not (tmp_path / "escape").exists()


def test_an_image_ref_that_climbs_out_is_refused_before_anything_is_written(tmp_path: Path):
    planted = "../../../../authorized_keys"

    def climb(row):
        return {**row, "image_ref": json.dumps({"path": planted})}

    out = _file_export(tmp_path, climb)
    with pytest.raises(ProbeFormatError, match="leaves the export's image folder"):
        load_export(out, tmp_path / "cache" / "hf-exports")
    assert not list(tmp_path.rglob("authorized_keys")) and _files(tmp_path / "cache") == []


def test_a_tampered_file_export_writes_no_image_before_its_fingerprint_is_checked(tmp_path: Path):
    out = _file_export(tmp_path, manifest_edit=lambda m: {**m, "fingerprint": "sha256:" + "1" * 64})
    with pytest.raises(ProbeFormatError, match="do not match the fingerprint"):
        load_export(out, tmp_path / "cache")
    assert _files(tmp_path / "cache") == []
    back = load_export(_file_export(tmp_path / "good"), tmp_path / "cache")  # an honest export still loads
    assert len(_files(tmp_path / "cache")) == len({it.image.path for it in back})


@pytest.mark.parametrize(
    ("column", "value"), [("meta", "{not json"), ("image_ref", "[1, 2]"), ("correct", 7), ("image_ref", "{}")]
)
def test_a_malformed_export_row_is_one_line_naming_the_row(tmp_path: Path, column: str, value):
    out = _file_export(tmp_path, lambda row: {**row, column: value})
    with pytest.raises(ProbeFormatError, match=r"split 'semantic_structure' row 0 is malformed") as info:
        load_export(out, tmp_path / "cache")
    assert "\n" not in str(info.value)
    assert _files(tmp_path / "cache") == []
