import json

import pytest

from snare.errors import SnareError
from snare.probes.build import build_probeset
from snare.probes.probeset import ProbeSet
from snare.probes.sources import SourceError
from tests.probes.sources.fixtures import write_aro, write_hf, write_karpathy, write_pairs

CAPTION_TASKS = ["semantic_structure", "negation_logic", "attribute_ownership", "relationship_composition"]


def _cli(*args: str) -> int:
    from snare.cli.main import main

    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    return exit_info.value.code


def test_karpathy_build_items_ids_and_manifest(tmp_path):
    write_karpathy(tmp_path, n_images=2)
    probes = build_probeset([*CAPTION_TASKS, "coco_order"], str(tmp_path), seed=3)
    by_task = probes.by_task()
    assert len(by_task["semantic_structure"]) == 10 and len(by_task["coco_order"]) == 10
    item = next(it for it in by_task["semantic_structure"] if it.id == "coco/val2014/img0.jpg/0/semantic_structure")
    assert item.options[0] == "a man riding a horse on the beach" and item.cluster == "coco/val2014/img0.jpg"
    assert item.image.path == "val2014/img0.jpg" and len(set(item.options)) == 4
    negation = {it.options[0]: it.options[1] for it in by_task["negation_logic"]}
    assert negation["two dogs are sitting on a couch"] == "two dogs are not sitting on a couch"
    info = probes.info
    assert info["seed"] == 3 and info["generator_version"].startswith("snare-generators/")
    assert info["spacy"]["model"].startswith("en_core_web_sm") and "parser" in info["spacy"]["components"]
    report = info["build"]["attribute_ownership"]
    assert report["candidates"] == 10 and report["items"] + sum(report["skipped"].values()) == 10


def test_output_does_not_depend_on_batch_size_processes_or_task_set(tmp_path):
    write_karpathy(tmp_path, n_images=3)
    one = build_probeset(["semantic_structure"], str(tmp_path), batch_size=1)
    other = build_probeset(["semantic_structure", "negation_logic"], str(tmp_path), batch_size=7, n_process=2)
    assert [it.canonical() for it in one] == [it.canonical() for it in other.subset(tasks=["semantic_structure"])]
    assert build_probeset(["semantic_structure"], str(tmp_path), seed=1).fingerprint != one.fingerprint


def test_aro_tasks_and_snare_tasks_from_visual_genome(tmp_path):
    write_aro(tmp_path)
    probes = build_probeset(
        ["vg_relation", "relationship_composition", "spatial_relations", "negation_logic", "vg_attribution"],
        str(tmp_path),
    )
    by_task = probes.by_task()
    assert by_task["vg_relation"][0].options == (
        "the grass is eating the horse",
        "the horse is eating the grass",
    )
    assert all(it.correct == 1 for it in by_task["vg_relation"])
    # "next to" is symmetric: left out of composition; "on" and "below" are spatial
    assert len(by_task["relationship_composition"]) == 3
    assert probes.info["build"]["relationship_composition"]["skipped"] == {
        "symmetric relation (left out, as in SNARE)": 1
    }
    spatial = {it.meta["relation"]: it for it in by_task["spatial_relations"]}
    assert set(spatial) == {"on", "below"} and spatial["below"].correct == 3
    assert spatial["on"].image.bbox == (2.0, 3.0, 20.0, 10.0)
    assert by_task["negation_logic"][0].options[1] == "the plate is not white and the table is not brown"
    assert probes.load_image(spatial["on"].image).size == (20, 10)  # cropped to the box


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_pairs_source(tmp_path, fmt):
    probes = build_probeset(["semantic_structure"], str(write_pairs(tmp_path, fmt)))
    assert sorted(it.id for it in probes) == [
        "pairs/a.png/0/semantic_structure",
        "pairs/a.png/1/semantic_structure",
        "pairs/b.png/0/semantic_structure",
    ]


def test_build_reports_progress_per_phase_without_changing_the_set(tmp_path):
    write_karpathy(tmp_path, n_images=3)
    source = str(tmp_path)
    ticks: list[tuple[str, int, int | None]] = []
    probes = build_probeset(["semantic_structure"], source, batch_size=2, tick=lambda *t: ticks.append(t))
    done: dict[str, int] = {}
    for phase, n, total in ticks:
        done[phase] = done.get(phase, 0) + n
        assert total is not None and done[phase] <= total
    totals = {p: t for p, _, t in ticks}
    assert done == totals, "every phase reaches its total exactly"
    assert done["images"] == 3 and done["semantic_structure"] == 3  # records, not items
    assert done["captions"] == len({c for it in probes for c in it.options[:1]}) > 2  # parsed in batches of 2
    assert probes.fingerprint == build_probeset(["semantic_structure"], source).fingerprint


def test_cli_build_logs_progress_lines_when_stderr_is_not_a_terminal(tmp_path, capsys, monkeypatch):
    write_karpathy(tmp_path / "coco", n_images=2)
    monkeypatch.setenv("SNARE_PROGRESS_EVERY", "0")
    args = ("probes", "build", "semantic_structure", "--source", str(tmp_path / "coco"))
    assert _cli(*args, "--out", str(tmp_path / "a")) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("snare: ")]
    assert "snare: images 2/2 (100%)" in [line.split(",")[0] for line in lines]
    assert any(line.startswith("snare: semantic_structure 2/2 (100%)") for line in lines)
    assert _cli(*args, "--out", str(tmp_path / "b"), "--quiet") == 0
    assert not [line for line in capsys.readouterr().err.splitlines() if line.startswith("snare: ")]


def test_synthetic_source_and_task_source_mismatch(tmp_path):
    assert build_probeset(["spatial_relations"], "synthetic").tasks == ["spatial_relations"]
    write_karpathy(tmp_path)
    with pytest.raises(SnareError, match=r"'spatial_relations' cannot be built.*needs: vg-relation, synthetic"):
        build_probeset(["spatial_relations"], str(tmp_path))
    with pytest.raises(SnareError, match="'coco_order' cannot be built from --source synthetic"):
        build_probeset(["coco_order"], "synthetic")


def test_missing_and_corrupt_images_stop_the_build_or_are_counted(tmp_path):
    write_karpathy(tmp_path, n_images=3)
    (tmp_path / "val2014" / "img1.jpg").write_bytes(b"\x89PNG broken")
    (tmp_path / "val2014" / "img2.jpg").unlink()
    with pytest.raises(SourceError, match=r"img1\.jpg: corrupt image.*--skip-bad"):
        build_probeset(["semantic_structure"], str(tmp_path))
    probes = build_probeset(["semantic_structure"], str(tmp_path), skip_bad=True)
    assert {it.cluster for it in probes} == {"coco/val2014/img0.jpg"}
    assert probes.info["skipped_records"]["captions"] == {"corrupt image": 1, "missing image": 1}
    assert probes.info["bad_images"]["captions"] == ["val2014/img1.jpg", "val2014/img2.jpg"]


def test_cli_build_is_byte_identical_and_show_prints_items(tmp_path, capsys):
    write_karpathy(tmp_path / "coco", n_images=2)
    for out in ("a", "b"):
        assert (
            _cli(
                "probes",
                "build",
                "semantic_structure",
                "--source",
                str(tmp_path / "coco"),
                "--out",
                str(tmp_path / out),
            )
            == 0
        )
    files = sorted(p.name for p in (tmp_path / "a").iterdir() if p.is_file())
    assert files == ["manifest.json", "semantic_structure.jsonl"] and (tmp_path / "a" / "images").is_dir()
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["n_items"] == 10 and manifest["seed"] == 0 and manifest["fingerprint"].startswith("sha256:")
    capsys.readouterr()
    assert _cli("probes", "show", str(tmp_path / "a"), "--n", "2") == 0
    shown = capsys.readouterr().out
    assert "semantic_structure" in shown and "val2014/img0.jpg" in shown and "✓" in shown


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: None, "no such file or folder"),
        (lambda d: (d.mkdir(), (d / "coco_karpathy_test.json").write_text("[1, 2")), "not valid JSON"),
        (
            lambda d: (d.mkdir(), (d / "coco_karpathy_test.json").write_text('[{"image": "x.jpg", "caption": []}]')),
            "empty caption list",
        ),
        (
            lambda d: (
                d.mkdir(),
                (d / "coco_karpathy_test.json").write_text('[{"image": "x.jpg", "caption": ["a dog"]}]'),
            ),
            "missing image",
        ),
    ],
)
def test_cli_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, capsys, make, message):
    make(tmp_path / "src")
    out = tmp_path / "out"
    assert _cli("probes", "build", "semantic_structure", "--source", str(tmp_path / "src"), "--out", str(out)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0]
    assert not out.exists() and list(tmp_path.iterdir()) == ([tmp_path / "src"] if (tmp_path / "src").exists() else [])


def test_hf_source_images_travel_inside_the_probe_set(tmp_path):
    write_hf(tmp_path / "ds")
    out = tmp_path / "out"
    assert _cli("probes", "build", "semantic_structure", "--source", str(tmp_path / "ds"), "--out", str(out)) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["image_root"] == "images" and len(list((out / "images").iterdir())) == 3
    moved = tmp_path / "moved"
    out.rename(moved)
    probes = ProbeSet.load(moved)
    assert probes.fingerprint == manifest["fingerprint"]
    assert probes.load_image(probes.items[0].image).size == (16, 12)


def test_export_to_a_hugging_face_dataset(tmp_path):
    import datasets

    write_aro(tmp_path / "vg")
    out = tmp_path / "hf"
    assert (
        _cli(
            "probes",
            "build",
            "spatial_relations",
            "--source",
            str(tmp_path / "vg"),
            "--out",
            str(out),
            "--format",
            "hf",
        )
        == 0
    )
    dd = datasets.load_from_disk(str(out / "dataset"))
    rows = dd["spatial_relations"]
    assert rows.num_rows == 2 and rows[0]["bbox"] == [2.0, 3.0, 20.0, 10.0] and len(rows[0]["options"]) == 4
    assert rows[0]["image"].size == (40, 30)
    assert json.loads((out / "snare_manifest.json").read_text())["exported_as"] == "hf"


def test_eval_builds_from_a_source_in_memory(tmp_path, capsys):
    write_karpathy(tmp_path, n_images=1)
    assert (
        _cli("eval", "--model", "constant", "--source", str(tmp_path), "--task", "semantic_structure", "-q", "--json")
        == 0
    )
    results = json.loads(capsys.readouterr().out)
    assert results["tasks"]["semantic_structure"]["n"] == 5
    assert _cli("eval", "--model", "constant", "--source", str(tmp_path), "-q") == 2
    assert "--source needs --task" in capsys.readouterr().err


PAPER_CAPTIONS = ["A dog.", "The man's dog, asleep on a bed.", "Two dogs are sitting on a couch."]


def _paper_pairs(root):
    from tests.probes.sources.fixtures import write_image

    write_image(root / "a.png")
    path = root / "pairs.jsonl"
    path.write_text("".join(json.dumps({"image": "a.png", "caption": c}) + "\n" for c in PAPER_CAPTIONS))
    return path


def test_paper_protocol_keeps_degenerate_items_and_joins_tokens_with_single_spaces(tmp_path):
    pairs = str(_paper_pairs(tmp_path))
    snare = build_probeset(["semantic_structure"], pairs)
    paper = build_probeset(["semantic_structure"], pairs, protocol="snare-paper")
    assert len(snare) == 2 and snare.info["build"]["semantic_structure"]["skipped"] == {
        "degenerate shuffle_nouns_verbs_adjs: no different permutation exists": 1
    }
    report = paper.info["build"]["semantic_structure"]
    assert report["items"] == report["candidates"] == 3 and report["skipped"] == {}
    assert report["equal_to_intended"] >= 1  # "a dog": its one noun cannot move
    by_caption = {it.options[0]: it.options for it in paper}
    assert by_caption["a dog"][1] == "a dog"
    intended, *shuffled = by_caption["the man's dog, asleep on a bed"]
    for option in shuffled[:2]:  # spaCy tokens joined by single spaces, unlike the caption as written
        assert "'s" in option.split(" ") and "," in option.split(" ")
    assert sorted(shuffled[2].split(" ")) == sorted(intended.split(" "))  # all words: split on spaces, as written
    for it in snare:  # snare renders every option from the caption's own token slots: nothing comes apart
        assert all("'s" not in o.split(" ") and "," not in o.split(" ") for o in it.options)
    assert snare.info["protocol"]["name"] == "snare" and paper.info["protocol"] == {
        "name": "snare-paper",
        "redraw_shuffles": False,
        "consistent_spacing": False,
    }
    assert paper.fingerprint != snare.fingerprint


def test_aro_paper_builds_the_order_tasks_as_snare_paper(tmp_path):
    write_karpathy(tmp_path, n_images=1)
    snare_paper = build_probeset(["coco_order"], str(tmp_path), protocol="snare-paper")
    aro_paper = build_probeset(["coco_order"], str(tmp_path), protocol="aro-paper")
    assert [it.canonical() for it in aro_paper] == [it.canonical() for it in snare_paper]
    assert aro_paper.info["protocol"]["name"] == "aro-paper"
    # The options are the pre_caption-ed single-space joins: "beach ." never survives, the period is gone.
    assert all("." not in o for it in aro_paper for o in it.options)


def test_cli_build_records_the_protocol_and_refuses_what_it_cannot_build(tmp_path, capsys):
    pairs = str(_paper_pairs(tmp_path))
    out = tmp_path / "paper"
    args = ("probes", "build", "semantic_structure", "--source", pairs, "--out", str(out))
    assert _cli(*args, "--protocol", "snare-paper") == 0
    printed = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert "kept with an option equal to the intended one" in printed
    assert json.loads((out / "manifest.json").read_text())["protocol"]["name"] == "snare-paper"
    assert _cli("probes", "show", str(out), "--n", "1") == 0
    assert "built under --protocol snare-paper" in " ".join(capsys.readouterr().out.split())
    for extra, message in [
        (("--protocol", "snare-papr"), "unknown --protocol 'snare-papr'"),
        (("--source", "synthetic", "--protocol", "snare-paper"), "built-in synthetic scenes are built one way"),
    ]:
        assert _cli(*args[:-2], "--out", str(tmp_path / "x"), *extra) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and message in err[0]
    assert not (tmp_path / "x").exists()


def test_eval_builds_its_source_under_the_protocol(tmp_path, capsys):
    pairs = str(_paper_pairs(tmp_path))
    base = ("eval", "--model", "constant", "--source", pairs, "--task", "semantic_structure", "-q", "--json")
    counts = {}
    for protocol in ("snare", "snare-paper"):
        capsys.readouterr()
        assert _cli(*base, "--protocol", protocol) == 0
        result = json.loads(capsys.readouterr().out)
        counts[protocol] = result["tasks"]["semantic_structure"]["n"]
    assert counts == {"snare": 2, "snare-paper": 3}  # "a dog" is dropped by snare, kept by the paper's construction


def test_a_truncated_jpeg_is_a_corrupt_image_for_skip_bad(tmp_path):
    import io

    from PIL import Image

    write_karpathy(tmp_path, n_images=2)
    buf = io.BytesIO()
    Image.effect_noise((48, 48), 50).convert("RGB").save(buf, "JPEG")
    (tmp_path / "val2014" / "img1.jpg").write_bytes(buf.getvalue()[:-200])  # header intact: verify() passes it
    with pytest.raises(SourceError, match=r"img1\.jpg: corrupt image"):
        build_probeset(["semantic_structure"], str(tmp_path))
    probes = build_probeset(["semantic_structure"], str(tmp_path), skip_bad=True)
    assert probes.info["skipped_records"]["captions"] == {"corrupt image": 1}
