"""A probe-set folder built from files can be moved and shared: images copied or linked in (or an absolute root)."""

import json
import shutil
from pathlib import Path

import pytest

from snare.probes.probeset import ProbeSet
from tests.probes.sources.fixtures import write_pairs


def _cli(*args: str) -> int:
    from snare.cli.main import main

    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    return int(exit_info.value.code or 0)


def _build(src: Path, out: Path, *extra: str) -> dict:
    assert _cli("probes", "build", "semantic_structure", "--source", str(src), "--out", str(out), "-q", *extra) == 0
    return json.loads((out / "manifest.json").read_text())


def test_default_copies_the_images_so_the_moved_folder_still_loads(tmp_path: Path, capsys):
    src = write_pairs(tmp_path / "data")
    manifest = _build(src, tmp_path / "set")
    assert manifest["image_root"] == "images"
    assert sorted(p.name for p in (tmp_path / "set" / "images").iterdir()) == ["a.png", "b.png"]
    assert "copied 2 image(s)" in capsys.readouterr().err
    shutil.move(tmp_path / "set", tmp_path / "elsewhere")
    shutil.rmtree(tmp_path / "data")  # the source is gone: the set needs nothing outside itself
    probes = ProbeSet.load(tmp_path / "elsewhere")
    assert probes.fingerprint == manifest["fingerprint"]
    assert probes.load_image(probes.items[0].image).size[0] > 0


def test_every_mode_gives_the_same_fingerprint_and_no_mode_climbs_out_of_the_set(tmp_path: Path):
    src = write_pairs(tmp_path / "proj" / "data")
    fingerprints = set()
    for mode in ("copy", "link", "absolute"):
        manifest = _build(src, tmp_path / "proj" / "sets" / mode, "--images", mode)
        fingerprints.add(manifest["fingerprint"])
        assert ".." not in Path(manifest["image_root"]).parts  # a climbing image_root is refused on load
    assert len(fingerprints) == 1
    absolute = json.loads((tmp_path / "proj" / "sets" / "absolute" / "manifest.json").read_text())
    assert absolute["image_root"] == str((tmp_path / "proj" / "data").resolve())
    assert not (tmp_path / "proj" / "sets" / "absolute" / "images").exists()
    link = tmp_path / "proj" / "sets" / "link" / "images" / "a.png"
    assert link.stat().st_ino == (tmp_path / "proj" / "data" / "a.png").stat().st_ino  # a hard link, same disk
    assert ProbeSet.load(tmp_path / "proj" / "sets" / "absolute").fingerprint in fingerprints
    assert _cli("probes", "build", "semantic_structure", "--source", str(src), "--out", str(tmp_path / "r"),
                "--images", "relative") == 2  # fmt: skip


def test_an_image_outside_the_source_never_gets_into_a_set(tmp_path: Path, capsys):
    (tmp_path / "data").mkdir()
    src = write_pairs(tmp_path / "outside")
    rows = [json.loads(line) for line in src.read_text().splitlines()]
    pairs = tmp_path / "data" / "pairs.jsonl"
    pairs.write_text("".join(json.dumps({**r, "image": f"../outside/{r['image']}"}) + "\n" for r in rows))
    args = ("probes", "build", "semantic_structure", "--source", str(pairs), "--out", str(tmp_path / "set"), "-q")
    assert _cli(*args) == 2  # the source refuses it (path containment), before any image is placed
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "outside the source folder" in err[0]
    assert not (tmp_path / "set").exists()
    assert _cli(*args, "--images", "nope") == 2
    assert "unknown --images 'nope'" in capsys.readouterr().err


def test_place_images_refuses_a_path_it_cannot_put_inside_the_set(tmp_path: Path):
    from snare.errors import SnareError
    from snare.probes.portable import place_images
    from tests.helpers import make_item

    for bad in ("../a.png", "/etc/a.png"):
        probes = ProbeSet([make_item(0, path=bad)], name="t", image_root=tmp_path)
        with pytest.raises(SnareError, match=r"outside the source folder.*--images absolute"):
            place_images(probes, tmp_path / "staging", "copy")
        assert place_images(probes, tmp_path / "staging", "absolute") == (str(tmp_path.resolve()), 0)
