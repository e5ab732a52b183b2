"""The task declarations: each says consistently which records can build it and how."""

import pytest

from snare.errors import UnknownNameError
from snare.generators.rng import ItemRng
from snare.generators.tokens import ParsedCaption
from snare.probes.synthetic import TASKS as SYNTHETIC_TASKS
from snare.probes.synthetic import synthetic_probeset
from snare.probes.tasks import TASKS, get_task

VG_KINDS = ("vg_relation", "vg_attribution")


@pytest.mark.parametrize("task", list(TASKS.values()), ids=list(TASKS))
def test_declared_sources_match_the_declared_builders(task):
    assert ("captions" in task.sources) == (task.caption_options is not None)
    assert {k for k in task.sources if k in VG_KINDS} == set(task.vg_options)
    # a scene is the true caption with its shuffles, or stands in for the Visual Genome record the task declares
    assert ("synthetic" in task.sources) <= (task.name == "semantic_structure" or bool(task.vg_options))
    assert task.needs_parser <= (task.caption_options is not None)
    assert task.correct is None or 0 <= task.correct < task.n_options
    assert task.group_field in (None, "relation", "attributes", "question_type", "pattern", "piece", "subset")
    assert task.min_group >= 1


def test_the_synthetic_scenes_build_every_task_that_declares_them():
    assert SYNTHETIC_TASKS == (
        "semantic_structure",
        "negation_logic",
        "attribute_ownership",
        "relationship_composition",
        "spatial_relations",
    )
    assert synthetic_probeset(n_scenes=2).tasks == sorted(SYNTHETIC_TASKS)


def test_a_caption_generator_gives_one_option_per_declared_label():
    words = ["a", "red", "dog", "chases", "the", "blue", "ball", "on", "grass"]
    tags = ["DT", "JJ", "NN", "VBZ", "DT", "JJ", "NN", "IN", "NN"]
    parsed = ParsedCaption.from_tagged(list(zip(words, tags, strict=True)))
    task = get_task("semantic_structure")
    options = task.caption_options(parsed, ItemRng(0, "x"))
    assert len(options) == task.n_options and options[0] == "a red dog chases the blue ball on grass"


def test_vg_generators_give_the_intended_option_where_the_task_says():
    entry = {
        "relation_name": "on",
        "true_caption": "the cup is on the table",
        "false_caption": "the table is on the cup",
    }
    options, correct = get_task("vg_relation").vg_options["vg_relation"](entry)
    assert options[correct] == "the cup is on the table" and correct == get_task("vg_relation").correct
    options, correct = get_task("spatial_relations").vg_options["vg_relation"](entry)
    assert options[correct] == "the cup is on the table" and len(options) == 4


def test_unknown_task_is_one_line_with_a_suggestion():
    with pytest.raises(UnknownNameError, match="negation_logic"):
        get_task("negation_logik")
