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
