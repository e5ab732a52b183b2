"""``snare report --vs-paper``: the published-number file and how its slots are matched and scored."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib.resources import files
from pathlib import Path

import pytest
from rich.console import Console

from snare.engine.record import ModelRecord
from snare.protocols import aro_symmetric_relations, get_protocol
from snare.reports.load import load_run
from snare.reports.vs_paper import gap_table, paper_gaps, published
from tests.reports.builders import item, write_run

CLIP_B32 = ModelRecord(name="clip", weights="openai", options={"arch": "ViT-B-32"})


def _raw() -> dict:
    return json.loads((files("snare") / "data" / "published.json").read_text(encoding="utf-8"))


def test_every_filled_number_names_its_table_and_source() -> None:
    data = _raw()
    filled = [n for n in data["numbers"] if n["value"] is not None]
    assert filled, "at least the verified ARO CLIP VG-Relation number is on file"
    for n in filled:
        assert 0.0 <= n["value"] <= 1.0, n
        assert n["table"] and n["source"] and n["source"].startswith("https://"), n
        assert "unverified" not in n, n
    for n in data["numbers"]:
        assert n["paper"] in data["papers"]
        if n["value"] is None:  # an empty slot says why, and carries no half-filled citation
            assert n["unverified"] and n["source"] is None, n


def test_no_slot_is_listed_twice() -> None:
    keys = [(p.paper, p.model, p.weights, p.task, json.dumps(p.options, sort_keys=True)) for p in published()]
    assert len(keys) == len(set(keys))


def test_published_carries_source_and_options() -> None:
    (aro_clip_rel,) = [
        p for p in published() if (p.paper, p.model, p.task) == ("aro", "clip", "relationship_composition")
    ]
    assert aro_clip_rel.value == pytest.approx(0.59)
    assert aro_clip_rel.protocol == "aro-paper" and "Table 2" in (aro_clip_rel.table or "")
    assert "issues/9" in (aro_clip_rel.source or "")
    assert aro_clip_rel.options == {"arch": "ViT-B-32"}


def _relation_run(folder: Path) -> Path:
    """VG-Relation-like items: 'holding' 1 of 2 right, 'riding' 2 of 2, one symmetric relation (wrong, excluded)."""
    symmetric = sorted(aro_symmetric_relations())[0]
    cases = [("holding", True), ("holding", False), ("riding", True), ("riding", True), (symmetric, False)]
    items, scores = [], {}
    for i, (relation, right) in enumerate(cases):
        it = item("relationship_composition", i, meta={"relation": relation})
        items.append(it)
        scores[it.id] = [1.0, 0.0, 0.5] if right else [0.0, 1.0, 0.5]  # correct, exchange, and
    return write_run(folder, items, scores, name="clip", weights="openai", model={"options": {"arch": "ViT-B-32"}})


def test_gap_is_reproduced_macro_accuracy_minus_published(tmp_path: Path) -> None:
    rows = load_run(_relation_run(tmp_path / "run")).rows
    gaps = {(g.published.paper, g.published.task): g for g in paper_gaps(CLIP_B32, rows)}
    aro = gaps[("aro", "relationship_composition")]
    assert aro.reproduced == pytest.approx((1 / 2 + 2 / 2) / 2)  # macro over relations, the symmetric one dropped
    assert aro.gap == pytest.approx(0.75 - 0.59)
    assert aro.strict == pytest.approx(3 / 5)
    assert aro.to_json()["source"] == aro.published.source
    snare = gaps[("snare", "relationship_composition")]  # slot on file, number unverified: no gap
    assert snare.published.value is None and snare.gap is None and snare.reproduced is not None


@pytest.mark.parametrize(
    "model",
    [
        {"name": "clip", "weights": "openai", "options": {"arch": "ViT-L-14"}},  # another architecture
        {"name": "clip", "weights": "laion2b_s34b_b79k", "options": {"arch": "ViT-B-32"}},  # other weights
        {"name": "clip", "weights": "openai"},  # options unknown: never assumed to match
        {"name": "blip", "weights": "openai", "options": {"arch": "ViT-B-32"}},
    ],
)
def test_a_number_is_compared_only_with_the_model_it_was_measured_on(tmp_path: Path, model: dict) -> None:
    rows = load_run(_relation_run(tmp_path / "run")).rows
    assert not [g for g in paper_gaps(ModelRecord.model_validate(model), rows) if g.published.value is not None]


def test_entries_without_options_match_by_name_and_weights(tmp_path: Path) -> None:
    rows = load_run(_relation_run(tmp_path / "run")).rows
    entry = replace(next(p for p in published() if p.paper == "aro" and p.model == "blip"), value=0.5, source="s")
    (gap,) = paper_gaps(
        ModelRecord(name="blip", weights="anything"),
        {"relationship_composition": rows["relationship_composition"]},
        entries=[entry, replace(entry, task="attribute_ownership")],
    )
    assert gap.gap == pytest.approx(0.25)


def test_table_shows_the_numbers_and_names_the_sources(tmp_path: Path) -> None:
    rows = load_run(_relation_run(tmp_path / "run")).rows
    console = Console(width=400, record=True)
    console.print(gap_table("clip/openai [PARTIAL]", paper_gaps(CLIP_B32, rows)))
    text = console.export_text()
    assert "clip/openai [PARTIAL] vs. the papers" in text
    assert "0.590" in text and "0.750" in text and "+0.160" in text
    assert "sources: https://github.com/mertyg/vision-language-models-are-bows/issues/9" in " ".join(text.split())
    assert get_protocol("aro-paper").name in text
