"""``assemble``: one call gives a library user every construction, with the fingerprint ``snare probes build``
writes; the built-in set and the check that an exclusive construction scores only its own sets."""

import json

import pytest

from snare.errors import SnareError
from snare.probes.assemble import ProbeSpec, assemble, builtin_probeset, check_built_under, without_true_options
from snare.probes.synthetic import synthetic_probeset
from snare.protocols import CONSTRUCTIONS, protocols
from tests.helpers import error_lines, run_snare

CAPTIONS = [
    f"{subject} {verb} {obj}."
    for subject in ("A man", "A brown dog", "The little girl")
    for verb in ("riding", "chasing", "holding", "looking at")
    for obj in ("a black horse", "a small boy", "a red bus")
]
TASKS = ("negation_logic", "semantic_structure")


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    from PIL import Image

    folder = tmp_path_factory.mktemp("pairs")
    rows = []
    for i, caption in enumerate(CAPTIONS):
        if i % 3 == 0:
            Image.new("RGB", (8, 8), (i, 90, 90)).save(folder / f"im{i // 3}.png")
        rows.append(json.dumps({"image": f"im{i // 3}.png", "caption": caption}))
    (folder / "pairs.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder / "pairs.jsonl"


def _cli(tmp_path, protocol: str, tasks, source: str) -> dict:
    out = tmp_path / protocol
    proc = run_snare("probes", "build", *tasks, "-s", source, "-o", str(out), "--protocol", protocol, "-q")
    assert proc.returncode == 0, proc.stderr
    return json.loads((out / "manifest.json").read_text())


# snare-contrast mines twins from a source (none in these captions: each image's caption is nobody's swap); its
# rendered twins are compared on the scenes below.
@pytest.mark.parametrize("protocol", sorted(set(protocols()) - {"snare-contrast"}))
def test_a_library_user_gets_every_construction_with_the_cli_fingerprint(tmp_path, pairs, protocol):
    manifest = _cli(tmp_path, protocol, TASKS, str(pairs))
    probes = assemble(ProbeSpec(TASKS, source=str(pairs)), protocol)
    assert probes.fingerprint == manifest["fingerprint"]
    assert probes.info["protocol"] == manifest["protocol"]
    assert probes.info["protocol"]["name"] == protocol
    assert probes.info["build"] == manifest["build"]


@pytest.mark.parametrize("protocol", ["snare", "snare-balanced", "snare-contrast"])
def test_the_synthetic_scenes_from_python_and_from_the_cli_agree(tmp_path, protocol):
    manifest = _cli(tmp_path, protocol, ["negation_logic"], "synthetic")
    probes = assemble(ProbeSpec(("negation_logic",), source="synthetic"), protocol)
    assert probes.fingerprint == manifest["fingerprint"]
    assert assemble(ProbeSpec(("negation_logic",)), protocol).fingerprint == probes.fingerprint  # no source: scenes


def test_a_construction_the_scenes_cannot_take_is_one_line():
    with pytest.raises(SnareError, match="built-in synthetic scenes are built one way"):
        assemble(ProbeSpec(("negation_logic",)), "snare-paper")
    with pytest.raises(SnareError, match="cannot be built from --source synthetic"):
        assemble(ProbeSpec(("coco_order",)), "snare")


def test_the_builtin_set_is_the_default_construction_unless_the_protocol_only_scores_its_own():
    default = without_true_options(synthetic_probeset())
    assert builtin_probeset("snare-paper").fingerprint == default.fingerprint  # paper changes only the scoring
    check_built_under(default, "snare-paper")
    with pytest.raises(SnareError, match=r"rebuild it: snare probes build \.\.\. --protocol snare-balanced"):
        check_built_under(default, "snare-balanced")


def test_every_declared_refinement_can_be_called():
    from importlib import import_module

    for construction in CONSTRUCTIONS.values():
        for target in (construction.refine, construction.build):
            if target is not None:
                module, _, function = target.partition(":")
                assert callable(getattr(import_module(module), function)), construction.name
    assert {p.construction.name for p in protocols().values()} == set(CONSTRUCTIONS)


def _reverse(base, parses, seed):
    """A toy construction's refine step: every item's options in reverse order."""
    from snare.probes.probeset import ProbeSet

    items = [
        it.model_copy(update={"options": it.options[::-1], "labels": it.labels[::-1], "correct": len(it.options) - 1})
        for it in base
    ]
    return ProbeSet(items, name=base.name, info=dict(base.info))


def test_a_construction_declared_in_one_place_is_built_by_assemble():
    from snare.protocols import Construction, Protocol

    reverse = Construction("reversed", "options listed backwards", refine="tests.probes.test_assemble:_reverse")
    protocol = Protocol("snare-reversed", "a toy", tie_break="strict", construction=reverse)
    base = assemble(ProbeSpec(("negation_logic",), n_scenes=4))
    probes = assemble(ProbeSpec(("negation_logic",), n_scenes=4), protocol)
    assert [it.options for it in probes] == [it.options[::-1] for it in base]
    assert probes.info["protocol"] == {"name": "snare-reversed", "redraw_shuffles": True, "consistent_spacing": True}


def test_balanced_leaves_out_caption_tasks_a_pretrained_lm_solves_and_records_why(tmp_path, pairs):
    manifest = _cli(tmp_path, "snare-balanced", TASKS, str(pairs))
    assert set(manifest["tasks"]) == {"negation_logic"}  # semantic_structure asked for, left out
    reason = manifest["left_out"]["semantic_structure"]
    assert "SmolLM2" in reason and "0.884 [0.841, 0.917]" in reason
    probes = assemble(ProbeSpec(TASKS, source=str(pairs)), "snare-balanced")
    assert probes.info["left_out"] == manifest["left_out"] and probes.fingerprint == manifest["fingerprint"]
    # the default construction builds it from the same captions; the synthetic scenes keep it under balanced
    assert "semantic_structure" in assemble(ProbeSpec(TASKS, source=str(pairs)), "snare").by_task()
    assert CONSTRUCTIONS["balanced"].leaves_out("semantic_structure", "synthetic") is None


def test_a_balanced_build_of_left_out_tasks_only_is_one_line_with_the_measured_reason(tmp_path, pairs):
    out = tmp_path / "out"
    proc = run_snare(
        "probes", "build", "semantic_structure", "-s", str(pairs), "--out", str(out), "--protocol", "snare-balanced"
    )
    assert proc.returncode == 2 and not out.exists()
    (line,) = error_lines(proc.stderr)
    assert "leaves out semantic_structure built from captions" in line and "--protocol snare" in line
    assert "SmolLM2" in line


def test_every_left_out_task_is_a_task_with_a_measured_reason():
    from snare.probes.tasks import TASKS as ALL

    for construction in CONSTRUCTIONS.values():
        for entry in construction.left_out:
            assert entry.task in ALL and entry.records in ALL[entry.task].sources and entry.reason


# SNARE's "respectively" (attribute ownership) and "and" (relationship composition) options are true statements:
# the default construction leaves them out, so no true option is scored as a wrong one; the paper's keeps them.
ATTRIBUTE_CAPTIONS = ["A brown dog chasing a white cat.", "A young man riding a black horse."]


@pytest.fixture(scope="module")
def two_pairs(tmp_path_factory):
    from PIL import Image

    folder = tmp_path_factory.mktemp("two")
    rows = []
    for i, caption in enumerate(ATTRIBUTE_CAPTIONS):
        Image.new("RGB", (8, 8), (i, 30, 30)).save(folder / f"im{i}.png")
        rows.append(json.dumps({"image": f"im{i}.png", "caption": caption}))
    (folder / "pairs.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder / "pairs.jsonl"


@pytest.mark.parametrize(("task", "label"), [("attribute_ownership", "separate"), ("relationship_composition", "and")])
def test_true_options_are_left_out_by_default_and_kept_under_the_papers_construction(two_pairs, task, label):
    default = assemble(ProbeSpec((task,), source=str(two_pairs)), "snare")
    paper = assemble(ProbeSpec((task,), source=str(two_pairs)), "snare-paper")
    assert default.items and [it.id for it in default] == [it.id for it in paper]
    for ours, theirs in zip(default, paper, strict=True):
        assert theirs.labels == ("correct", "exchange", label)
        assert ours.labels == ("correct", "exchange") and ours.correct == 0
        assert ours.options == theirs.options[:2]  # the caption and its exchange, as the paper wrote them
    scenes = builtin_probeset("snare")
    assert {it.labels for it in scenes if it.task == task} == {("correct", "exchange")}


def test_leaving_out_true_options_moves_the_intended_index_with_them():
    from snare.probes.item import ImageRef, ProbeItem
    from snare.probes.probeset import ProbeSet

    item = ProbeItem(
        id="x/attribute_ownership",
        task="attribute_ownership",
        image=ImageRef(path="a.png"),
        cluster="a",
        options=("respectively form", "exchange", "caption"),
        labels=("separate", "exchange", "correct"),
        correct=2,
    )
    (trimmed,) = without_true_options(ProbeSet([item], name="t")).items
    assert (trimmed.options, trimmed.labels, trimmed.correct) == (("exchange", "caption"), ("exchange", "correct"), 1)
    untouched = ProbeSet([item.model_copy(update={"task": "negation_logic"})], name="t")
    assert without_true_options(untouched) is untouched  # no declared true option: the set itself
