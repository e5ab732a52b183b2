from collections import Counter, defaultdict

import numpy as np
import pytest

from snare.probes.contrast import TASKS, WORD_ORDER, contrast_synthetic, exchange_colors, mirrored, twin_items
from snare.probes.scene_facts import parse_spec, true_options
from snare.probes.scenes import CANVAS, COLORS, SIZES, make_scene, render_array

GROUNDING = {"negation_logic", "attribute_ownership", "relationship_composition", "spatial_relations"}


@pytest.fixture(scope="module")
def probes():
    return contrast_synthetic(seed=0, n_scenes=120)


def test_every_grounding_task_has_twins_for_at_least_90_percent_of_its_items(probes):
    assert set(TASKS) == GROUNDING
    assert set(probes.tasks) == GROUNDING | {"semantic_structure"}
    for task, items in probes.by_task().items():
        if task in WORD_ORDER:
            continue
        pairs = Counter(it.meta["pair"] for it in items)
        paired = sum(n for n in pairs.values() if n == 2)
        assert paired / len(items) >= 0.9, task
        assert probes.info["build"][task]["twin_yield"] >= 0.9


def test_each_item_has_exactly_its_intended_option_true_of_its_scene(probes):
    for it in probes:
        if it.task in WORD_ORDER:  # shuffles of the caption: not sentences the scene facts read
            continue
        assert true_options(it.image.scene, it.options) == [it.correct], it.id


def test_twins_share_their_options_and_intend_different_ones(probes):
    by_pair = defaultdict(list)
    for it in probes:
        if it.task not in WORD_ORDER:
            by_pair[it.meta["pair"]].append(it)
    for pair, (a, b) in by_pair.items():
        assert a.options == b.options and a.task == b.task, pair
        assert a.correct != b.correct and a.image != b.image and a.cluster != b.cluster
        assert {a.meta["twin"], b.meta["twin"]} == {0, 1}
        for it in (a, b):  # the intended option is labelled "correct", or by its relation
            assert it.labels[it.correct] == ("correct" if it.task != "spatial_relations" else it.meta["relation"])


def test_twin_scenes_are_drawn_as_their_specs_say(probes):
    """The facts are read from the spec; the pixels at each shape's centre carry its colour, inside the canvas."""
    for it in probes.items[::7]:
        pixels = np.frombuffer(render_array(it.image.scene), dtype=np.uint8).reshape(CANVAS, CANVAS, 3)
        for shape in parse_spec(it.image.scene).values():
            half = SIZES[shape.size]
            assert half <= shape.x < CANVAS - half and half <= shape.y < CANVAS - half
            assert tuple(pixels[shape.y, shape.x]) == COLORS[shape.color]


def test_each_spatial_relation_gets_its_opposite():
    seen = {}
    for i in range(60):
        scene = make_scene(5, i)
        seen[scene.relation] = mirrored(scene).relation
    assert seen == {
        "to the left of": "to the right of",
        "to the right of": "to the left of",
        "on": "below",
        "below": "on",
    }
    scene = make_scene(5, 0)
    assert exchange_colors(exchange_colors(scene)) == scene


def test_byte_identical_on_rerun_and_seeded():
    a, b = contrast_synthetic(seed=2, n_scenes=30), contrast_synthetic(seed=2, n_scenes=30)
    assert [it.canonical() for it in a] == [it.canonical() for it in b]
    assert a.fingerprint == b.fingerprint != contrast_synthetic(seed=3, n_scenes=30).fingerprint


def test_saved_and_loaded_keeps_pairs(tmp_path, probes):
    from snare.probes.probeset import ProbeSet

    probes.save(tmp_path / "set")
    loaded = ProbeSet.load(tmp_path / "set")
    assert loaded.fingerprint == probes.fingerprint
    assert loaded.info["protocol"]["name"] == "snare-contrast"


def test_a_twin_that_would_not_hold_stops_the_build(monkeypatch):
    import snare.probes.contrast as contrast

    # a "twin" that is the scene itself: its intended option would be false of it
    same_scene = contrast.Twinning("vg_attribution", 2, lambda scene: scene, lambda labels: labels[::-1])
    monkeypatch.setitem(contrast.TWINNING, "attribute_ownership", same_scene)
    with pytest.raises(AssertionError, match="true of scene 1"):
        twin_items(make_scene(0, 0), 0, "attribute_ownership")


def test_unknown_task_is_refused():
    with pytest.raises(ValueError, match="contrast sets have no task 'vg_relation'"):
        contrast_synthetic(n_scenes=2, tasks=("vg_relation",))


def test_word_order_items_are_the_default_constructions_with_no_twin():
    from snare.probes.assemble import ProbeSpec, assemble

    both = contrast_synthetic(n_scenes=20, tasks=("semantic_structure", "negation_logic"))
    default = assemble(ProbeSpec(("semantic_structure",), n_scenes=20), "snare")
    order = [it for it in both if it.task == "semantic_structure"]
    assert [it.canonical() for it in order] == [it.canonical() for it in default]
    assert all("pair" not in it.meta for it in order)
    record = both.info["build"]["semantic_structure"]
    assert record["items"] == len(order) == 40 and "keeps the default construction" in record["twins"]


def test_probes_build_writes_the_contrast_set_and_fails_in_one_line_on_an_empty_source(tmp_path, capsys):
    import json

    from snare.cli.main import main

    out = tmp_path / "set"
    with pytest.raises(SystemExit) as info:
        main(["probes", "build", "negation_logic", "--source", "synthetic", "--protocol", "snare-contrast",
              "--out", str(out)])  # fmt: skip
    assert (info.value.code or 0) == 0, capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["protocol"]["contrast_twins"] is True and manifest["tasks"] == {"negation_logic": 600}
    assert manifest["build"]["negation_logic"]["twin_yield"] == 1.0
    with pytest.raises(SystemExit) as info:
        main(["probes", "build", "negation_logic", "--source", str(tmp_path), "--protocol", "snare-contrast",
              "--out", str(tmp_path / "other")])  # fmt: skip
    assert info.value.code != 0 and len(capsys.readouterr().err.strip().splitlines()) == 1  # an empty folder
    assert not (tmp_path / "other").exists()
