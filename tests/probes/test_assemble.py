"""``assemble``: one call gives a library user every construction, with the fingerprint ``snare probes build``
writes; the built-in set and the check that an exclusive construction scores only its own sets."""

import json

import pytest

from snare.errors import SnareError
from snare.probes.assemble import ProbeSpec, assemble, builtin_probeset, check_built_under
from snare.probes.synthetic import synthetic_probeset
from snare.protocols import CONSTRUCTIONS, protocols
from tests.helpers import run_snare

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
    default = synthetic_probeset()
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
