from snare.probes.scenes import make_scene
from snare.probes.synthetic import TASKS, scene_items, synthetic_probeset


def test_default_set_covers_every_task_with_a_few_hundred_items():
    probes = synthetic_probeset()
    counts = {t: len(v) for t, v in probes.by_task().items()}
    assert set(counts) == set(TASKS)
    assert all(n >= 200 for n in counts.values())


def test_same_seed_same_fingerprint_other_seed_other_fingerprint():
    assert synthetic_probeset(seed=0, n_scenes=20).fingerprint == synthetic_probeset(seed=0, n_scenes=20).fingerprint
    assert synthetic_probeset(seed=0, n_scenes=20).fingerprint != synthetic_probeset(seed=1, n_scenes=20).fingerprint


def test_scene_prefix_is_stable_when_more_scenes_are_asked_for():
    small = {it.id: it for it in synthetic_probeset(n_scenes=5)}
    large = {it.id: it for it in synthetic_probeset(n_scenes=10)}
    assert all(large[i] == it for i, it in small.items())


def test_intended_options_match_the_ground_truth():
    for index in range(40):
        scene = make_scene(3, index)
        s, o = scene.subject, scene.object
        items = {it.task: it for it in scene_items(scene, 3)}
        assert items["negation_logic"].options[0] == f"the {s.shape} is {s.color} and the {o.shape} is {o.color}"
        assert " not " in items["negation_logic"].options[1]
        assert items["attribute_ownership"].options[0] == f"the {s.color} {s.shape} and the {o.color} {o.shape}"
        assert items["attribute_ownership"].options[1] == f"the {o.color} {s.shape} and the {s.color} {o.shape}"
        assert items["relationship_composition"].options[:2] == (
            f"the {s.shape} is {scene.relation} the {o.shape}",
            f"the {o.shape} is {scene.relation} the {s.shape}",
        )
        spatial = items["spatial_relations"]
        assert spatial.labels[spatial.correct] == scene.relation
        assert spatial.options[spatial.correct] == f"the {s.shape} is {scene.relation} the {o.shape}"
        semantic = [it for it in scene_items(scene, 3) if it.task == "semantic_structure"]
        for it in semantic:
            assert it.correct == 0
            assert len(set(it.options)) == 4, "every shuffle differs from the caption and from each other"
            assert all(sorted(opt.split()) == sorted(it.options[0].split()) for opt in it.options)


def test_a_task_is_built_from_the_scenes_as_it_declares_without_a_special_case(monkeypatch):
    import dataclasses

    import pytest

    from snare.errors import SnareError
    from snare.probes import synthetic, tasks

    scene = make_scene(0, 0)
    order = dataclasses.replace(tasks.TASKS["coco_order"], name="coco_order", sources=("captions", "synthetic"))
    monkeypatch.setitem(tasks.TASKS, "coco_order", order)  # a caption-only task the scenes now declare
    monkeypatch.setattr(synthetic, "TASKS", (*TASKS, "coco_order"))
    items = scene_items(scene, 0, ("coco_order",))
    assert [it.id.rsplit("/", 2)[-2:] for it in items] == [["coco_order", f"c{k}"] for k in range(len(items))]
    assert items and all(it.options[0] in {c.text for c in synthetic.scene_captions(scene)} for it in items)
    bare = dataclasses.replace(order, caption_options=None)
    monkeypatch.setitem(tasks.TASKS, "coco_order", bare)
    with pytest.raises(SnareError, match="no generator they can feed"):
        scene_items(scene, 0, ("coco_order",))
