"""The synthetic scenes: geometry that matches the relation, and pixels that are the same on every run."""

from snare.probes.scenes import RELATIONS, make_scene, render_scene


def test_scene_geometry_matches_the_relation():
    for index in range(60):
        scene = make_scene(0, index)
        a, b = scene.subject, scene.object
        if scene.relation == "to the left of":
            assert a.x < b.x
        elif scene.relation == "to the right of":
            assert a.x > b.x
        elif scene.relation == "on":
            assert a.y < b.y and a.x == b.x
        else:
            assert scene.relation == "below" and a.y > b.y
    assert {make_scene(0, i).relation for i in range(60)} == set(RELATIONS)


def test_render_is_deterministic_and_draws_both_colours():
    import numpy as np

    from snare.probes.scenes import COLORS

    scene = make_scene(0, 7)
    pixels = np.asarray(render_scene(scene.spec()))
    assert pixels.shape == (224, 224, 3)
    assert np.array_equal(pixels, np.asarray(render_scene(scene.spec())))
    for shape in (scene.subject, scene.object):
        assert (pixels.reshape(-1, 3) == COLORS[shape.color]).all(axis=1).sum() > 100
