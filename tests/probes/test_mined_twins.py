"""Twins mined from ARO's Visual Genome files (real JSON format, written here) and from caption probe sets."""

import json
from pathlib import Path

from snare.probes.item import ImageRef, ProbeItem
from snare.probes.mined_twins import caption_twins, mine_vg
from snare.probes.sources.aro import load_aro
from tests.probes.sources.fixtures import write_image

BOX = {"bbox_x": 1, "bbox_y": 2, "bbox_w": 20, "bbox_h": 10}


def _relation(image, a, rel, b):
    return {**BOX, "image_path": image, "relation_name": rel, "obj1_name": a, "obj2_name": b,
            "true_caption": f"the {a} is {rel} the {b}", "false_caption": f"the {b} is {rel} the {a}"}  # fmt: skip


def _attribution(image, a1, o1, a2, o2):
    return {**BOX, "image_path": image, "attributes": [a1, a2], "obj1_name": o1, "obj2_name": o2,
            "true_caption": f"the {a1} {o1} and the {a2} {o2}",
            "false_caption": f"the {a2} {o1} and the {a1} {o2}"}  # fmt: skip


def _write(root: Path):
    relation = [
        _relation("0.jpg", "horse", "eating", "grass"),
        _relation("1.jpg", "grass", "eating", "horse"),  # the twin: the other direction, another image
        _relation("0.jpg", "cup", "next to", "plate"),
        _relation("1.jpg", "plate", "next to", "cup"),  # symmetric: no twin
        _relation("2.jpg", "lamp", "to the left of", "chair"),
        _relation("3.jpg", "lamp", "to the right of", "chair"),  # a spatial twin
        _relation("0.jpg", "man", "on", "horse"),
        _relation("0.jpg", "horse", "on", "man"),  # the same image: no twin
    ]
    attribution = [
        _attribution("0.jpg", "white", "plate", "brown", "table"),
        _attribution("1.jpg", "brown", "plate", "white", "table"),  # exchanged colours: attribute and negation twin
        _attribution("2.jpg", "large", "dog", "white", "cat"),
        _attribution("3.jpg", "white", "dog", "large", "cat"),  # not one dimension: no twin
        _attribution("2.jpg", "red", "car", "green", "tree"),
        _attribution("3.jpg", "blue", "car", "yellow", "tree"),  # other colours: a negation twin
    ]
    for i in range(4):
        write_image(root / "images" / f"{i}.jpg", shade=40 * i)
    (root / "visual_genome_relation.json").write_text(json.dumps(relation))
    (root / "visual_genome_attribution.json").write_text(json.dumps(attribution))
    rel = load_aro(root / "visual_genome_relation.json", "vg_relation", skip_bad=False)
    att = load_aro(root / "visual_genome_attribution.json", "vg_attribution", skip_bad=False)
    return rel.records, att.records


def _pairs(items):
    out = {}
    for it in items:
        out.setdefault(it.meta["pair"], []).append(it)
    return out


def test_vg_twins_per_task_and_their_yields(tmp_path):
    relation, attribution = _write(tmp_path)
    mined = mine_vg(relation, attribution)
    assert mined.report == {
        # the two lamps have no composition twin on another image: each is twinned by its mirrored image
        "relationship_composition": {"eligible": 6, "pairs": 3, "yield": 4 / 6, "mirror_pairs": 2},
        "spatial_relations": {"eligible": 4, "pairs": 1, "yield": 0.5, "mirror_pairs": 0},
        "attribute_ownership": {"eligible": 4, "pairs": 1, "yield": 0.5},
        "negation_logic": {"eligible": 4, "pairs": 2, "yield": 1.0},
    }
    by_task = {}
    for pair in _pairs(mined.items).values():
        a, b = pair
        assert a.options == b.options and a.correct != b.correct and a.task == b.task
        if b.meta.get("twin_kind") != "mirror":
            assert a.cluster != b.cluster and not b.image.flip
            by_task.setdefault(a.task, []).append((a, b))
    ((a, b),) = by_task["relationship_composition"]
    assert (
        a.options[a.correct] == "the horse is eating the grass"
        and b.options[b.correct] == "the grass is eating the horse"
    )
    assert b.image.path == "images/1.jpg" and b.image.bbox == (1.0, 2.0, 20.0, 10.0)
    ((a, b),) = by_task["spatial_relations"]
    assert a.options[a.correct] == "the lamp is to the left of the chair"
    assert b.options[b.correct] == "the lamp is to the right of the chair"
    ((a, b),) = by_task["attribute_ownership"]
    assert b.options[b.correct] == "the brown plate and the white table" and b.labels[b.correct] == "correct"
    negated = {b.image.path: b.options[b.correct] for a, b in by_task["negation_logic"]}
    assert negated == {
        "images/1.jpg": "the plate is not white and the table is not brown",
        "images/3.jpg": "the car is not red and the tree is not green",
    }


def test_mining_is_a_pure_function_of_the_records(tmp_path):
    relation, attribution = _write(tmp_path)
    first = [it.canonical() for it in mine_vg(relation, attribution).items]
    assert first == [it.canonical() for it in mine_vg(list(reversed(relation)), attribution).items]


def _caption_item(i, cluster, options, task="relationship_composition"):
    return ProbeItem(id=f"c{i}/{task}", task=task, image=ImageRef(path=f"{cluster}.jpg"), cluster=cluster,
                     options=options, labels=("correct", "exchange", "and"), correct=0, meta={})  # fmt: skip


def test_caption_twins_where_another_image_has_the_swap_as_its_caption():
    items = [
        _caption_item(0, "img0", ("a dog chasing a cat", "a cat chasing a dog", "a dog and a cat")),
        _caption_item(1, "img1", ("A cat chasing a dog.", "a dog chasing a cat", "a cat and a dog")),
        _caption_item(2, "img2", ("a man riding a horse", "a horse riding a man", "a man and a horse")),
    ]
    mined = caption_twins(items, ["relationship_composition"])
    assert mined.report["relationship_composition"] == {"eligible": 3, "pairs": 1, "yield": 2 / 3}
    a, b = mined.items
    assert a.options == b.options == ("a dog chasing a cat", "a cat chasing a dog")
    assert (a.correct, b.correct) == (0, 1) and (a.cluster, b.cluster) == ("img0", "img1")
    assert b.labels == ("exchange", "correct") and a.meta["pair"] == b.meta["pair"]


def test_twins_mined_from_scene_records_hold_in_their_scenes():
    """The scenes as ARO records: every mined twin's intended option, and only it, is true of its scene."""
    from snare.probes.mined_twins import scene_records
    from snare.probes.scene_facts import true_options

    mined = mine_vg(*scene_records(0, 120))
    assert set(mined.report) == {
        "relationship_composition",
        "spatial_relations",
        "attribute_ownership",
        "negation_logic",
    }
    assert all(r["pairs"] > 0 for r in mined.report.values())
    assert mined.report["relationship_composition"]["mirror_pairs"] > 0
    for it in mined.items:
        spec = mirrored_spec(it.image.path) if it.image.flip else it.image.path
        assert true_options(spec, it.options) == [it.correct], it.id


def mirrored_spec(spec: str) -> str:
    """A scene spec mirrored left to right: each shape (symmetric about its centre column) at ``CANVAS - 1 - x``,
    the pixels of the scene flipped (checked in test_mirrored_spec_is_the_flipped_scene)."""
    from snare.probes.scenes import CANVAS

    version, *objects = spec.split("|")
    moved = [f"{s},{c},{z},{CANVAS - 1 - int(x)},{y}" for s, c, z, x, y in (o.split(",") for o in objects)]
    return "|".join([version, *moved])


def test_mirrored_spec_is_the_flipped_scene():
    from snare.probes.probeset import ProbeSet
    from snare.probes.scenes import REFERENCE_SCENE, render_scene

    flipped = ProbeSet([], name="t").load_image(ImageRef(scene=REFERENCE_SCENE, flip=True))
    assert flipped.tobytes() == render_scene(mirrored_spec(REFERENCE_SCENE)).tobytes()
    assert flipped.tobytes() != render_scene(REFERENCE_SCENE).tobytes()


def test_left_right_relations_without_a_twin_are_twinned_by_their_mirrored_image(tmp_path):
    relation = [
        _relation("0.jpg", "cup", "on the left side of", "bowl"),  # no twin elsewhere: mirrored
        _relation("1.jpg", "dog", "to the right of", "sofa"),  # no twin elsewhere: mirrored, for both tasks
        _relation("2.jpg", "car", "to the left of", "tree"),
        _relation("3.jpg", "tree", "to the left of", "car"),  # a natural composition twin, preferred
        _relation("0.jpg", "man", "holding in left hand", "cup"),  # not purely left/right: never mirrored
        _relation("1.jpg", "lamp", "in front of", "wall"),  # not left/right: never mirrored
    ]
    (tmp_path / "visual_genome_relation.json").write_text(json.dumps(relation))
    for i in range(4):
        write_image(tmp_path / "images" / f"{i}.jpg", shade=40 * i)
    records = load_aro(tmp_path / "visual_genome_relation.json", "vg_relation", skip_bad=False).records
    mined = mine_vg(records)
    assert mined.report["relationship_composition"] == {"eligible": 6, "pairs": 3, "yield": 4 / 6, "mirror_pairs": 2}
    # no spatial twin on another image (that needs the same subject and object): all three records are mirrored
    assert mined.report["spatial_relations"] == {"eligible": 3, "pairs": 3, "yield": 1.0, "mirror_pairs": 3}
    pairs = _pairs(mined.items)
    natural = [p for p in pairs.values() if p[0].meta.get("twin_kind") is None]
    assert [(a.image.path, b.image.path) for a, b in natural] == [("images/2.jpg", "images/3.jpg")]
    mirrors = {(a.task, a.meta["obj1"]): (a, b) for a, b in pairs.values() if a.meta.get("twin_kind") == "mirror"}
    assert sorted(mirrors) == [
        ("relationship_composition", "cup"),
        ("relationship_composition", "dog"),
        ("spatial_relations", "car"),
        ("spatial_relations", "dog"),
        ("spatial_relations", "tree"),
    ]
    for a, b in mirrors.values():
        assert (a.image.path, a.image.bbox, a.image.flip) == (b.image.path, b.image.bbox, not b.image.flip)
        assert b.image.flip and a.options == b.options and a.correct != b.correct and b.meta["twin_kind"] == "mirror"
        assert a.id != b.id and a.meta["pair"] == b.meta["pair"]
    a, b = mirrors["relationship_composition", "cup"]
    assert a.options[a.correct] == "the cup is on the left side of the bowl"
    assert b.options[b.correct] == "the bowl is on the left side of the cup"  # the cup is on its right side
    assert b.labels[b.correct] == "correct" and b.meta["relation"] == "on the right side of"
    a, b = mirrors["spatial_relations", "dog"]
    assert a.options[a.correct] == "the dog is to the right of the sofa"
    assert b.options[b.correct] == "the dog is to the left of the sofa"
    assert all(not it.image.flip for it in mined.items if it.meta["obj1"] in {"man", "lamp"})
