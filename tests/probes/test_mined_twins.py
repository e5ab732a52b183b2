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
        "relationship_composition": {"eligible": 6, "pairs": 1, "yield": 2 / 6},
        "spatial_relations": {"eligible": 4, "pairs": 1, "yield": 0.5},
        "attribute_ownership": {"eligible": 4, "pairs": 1, "yield": 0.5},
        "negation_logic": {"eligible": 4, "pairs": 2, "yield": 1.0},
    }
    by_task = {}
    for pair in _pairs(mined.items).values():
        a, b = pair
        assert a.options == b.options and a.correct != b.correct and a.cluster != b.cluster and a.task == b.task
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
    for it in mined.items:
        assert true_options(it.image.path, it.options) == [it.correct], it.id
