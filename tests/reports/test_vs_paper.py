"""``snare report --vs-paper``: the published-number file and how its slots are matched and scored."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib.resources import files
from pathlib import Path

import pytest
from rich.console import Console

from snare.cli.tables import fit
from snare.engine.record import ModelRecord
from snare.engine.rows import PredictionRow
from snare.probes.item import ImageRef, ProbeItem
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
    keys = [
        (p.paper, p.model, p.weights, p.task, p.metric, json.dumps(p.options, sort_keys=True), str(p.subset))
        for p in published()
    ]
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


# --- the suites' papers: SugarCrepe accuracy per set, Winoground / MMVP-VLM text, image and group scores ---

B32 = ModelRecord(name="clip", weights="openai", options={"arch": "ViT-B-32"})
L14 = ModelRecord(name="clip", weights="openai", options={"arch": "ViT-L-14"})


def _one(paper: str, task: str, model: ModelRecord, metric: str | None = None, subset: bool = False):
    (entry,) = [
        p
        for p in published()
        if (p.paper, p.task, p.model, p.weights) == (paper, task, model.name, model.weights)
        and p.options == model.options
        and (metric is None or p.metric == metric)
        and bool(p.subset) == subset
    ]
    return entry


def test_the_suites_numbers_are_on_file_with_their_sources() -> None:
    swap = _one("sugarcrepe", "sugarcrepe_swap_obj", B32)
    assert swap.value == pytest.approx(0.6138) and swap.protocol == "snare" and swap.outcome is None
    assert "RAIVNLab/sugar-crepe" in (swap.source or "") and "61.38" in (swap.source or "")
    assert len([p for p in published() if p.paper == "sugarcrepe" and p.value is not None]) == 17 * 7
    mmvp = _one("mmvp-vlm", "mmvp_vlm", L14)
    assert mmvp.value == pytest.approx(0.193) and mmvp.outcome == "image" and mmvp.macro_over == "pattern"
    assert "tsb0601/MMVP" in (mmvp.source or "")
    # a pattern slot names the pattern as the suite's items carry it: the Type column (the image folder's name)
    patterns = {p.subset["value"] for p in published() if p.paper == "mmvp-vlm" and p.subset}
    folders = "Camera Perspective, Color, Orientation, Presence, Quantity, Spatial, State, Structural Character, Text"
    assert patterns == set(folders.split(", "))
    wino = [p for p in published() if p.paper == "winoground"]
    assert {p.outcome for p in wino} == {"text", "image", "group"} and all(p.value is None for p in wino)


def _choice(i: int, scores: tuple[float, float]) -> PredictionRow:
    """A SugarCrepe item: the positive caption first, as in the data."""
    task = "sugarcrepe_swap_obj"
    return PredictionRow(id=f"{task}/{i}", task=task, cluster=f"img{i}", scores=scores, correct=0)


def _pair(task: str, key: str, s: tuple[tuple[float, float], tuple[float, float]], **meta) -> list[PredictionRow]:
    """The two items of one 2x2 example: image i with captions (0, 1), caption i intended; s[i][c]."""
    group = f"{task}/{key}"
    return [
        PredictionRow(
            id=f"{group}/{i}",
            task=task,
            cluster=group,
            scores=s[i],
            correct=i,
            meta={**meta, "group": group, "image": i},
        )
        for i in (0, 1)
    ]


RIGHT = ((0.9, 0.1), (0.2, 0.8))  # text, image and group right
TEXT_ONLY = ((0.9, 0.1), (0.95, 0.96))  # image 1 wins both captions: text right, image and group wrong


def test_sugarcrepe_gap_is_strict_accuracy_minus_the_table(tmp_path: Path) -> None:
    # right, right, wrong, tie: main_eval.py's pos_score > neg_score counts the tie wrong, as snare's strict rule
    rows = [_choice(i, s) for i, s in enumerate([(0.3, 0.1), (0.5, 0.4), (0.1, 0.2), (0.7, 0.7)])]
    (gap,) = [g for g in paper_gaps(B32, {"sugarcrepe_swap_obj": rows}) if g.published.paper == "sugarcrepe"]
    assert gap.reproduced == pytest.approx(2 / 4) and gap.strict == pytest.approx(2 / 4)
    assert gap.gap == pytest.approx(0.5 - 0.6138)
    (l14,) = paper_gaps(L14, {"sugarcrepe_swap_obj": rows})  # ViT-L-14's own number, never ViT-B-32's
    assert l14.published.value == pytest.approx(0.6016) and l14.published.options == {"arch": "ViT-L-14"}
    other = ModelRecord(name="clip", weights="openai", options={"arch": "ViT-B-16"})  # not in the paper's table
    assert paper_gaps(other, {"sugarcrepe_swap_obj": rows}) == []


def _mmvp_rows() -> list[PredictionRow]:
    # Color: 2 examples, image score 1 of 2; Texts: 1 example, image score 1 of 1; a Texts example cut by --limit
    rows = _pair("mmvp_vlm", "0", RIGHT, pattern="Color")
    rows += _pair("mmvp_vlm", "1", TEXT_ONLY, pattern="Color")
    rows += _pair("mmvp_vlm", "2", RIGHT, pattern="Text")
    return rows + _pair("mmvp_vlm", "3", TEXT_ONLY, pattern="Text")[:1]


def test_mmvp_average_is_the_mean_over_patterns_of_the_image_score() -> None:
    gaps = paper_gaps(L14, {"mmvp_vlm": _mmvp_rows()})
    (average,) = [g for g in gaps if not g.published.subset]
    assert average.reproduced == pytest.approx((1 / 2 + 1 / 1) / 2)  # macro over patterns; micro would be 2/3
    assert average.gap == pytest.approx(0.75 - 0.193)
    by_pattern = {g.published.subset["value"]: g for g in gaps if g.published.subset}
    assert len(by_pattern) == 9 and all(g.gap is None for g in by_pattern.values())  # patterns: no number on file
    assert by_pattern["Color"].reproduced == pytest.approx(1 / 2)
    assert by_pattern["Orientation"].reproduced is None  # no example of that pattern in this run
    b32 = paper_gaps(B32, {"mmvp_vlm": _mmvp_rows()})  # the paper's CLIP rows are ViT-L-14 and ViT-L-14-336
    assert b32 == []


def test_winoground_scores_are_reproduced_per_metric_and_null_numbers_show_a_dash() -> None:
    rows = _pair("winoground", "0", RIGHT) + _pair("winoground", "1", TEXT_ONLY)
    rows += _pair("winoground", "2", ((0.5, 0.6), (0.1, 0.7)))  # caption 1 wins both images: image right only
    gaps = {g.published.outcome: g for g in paper_gaps(B32, {"winoground": rows})}
    assert {k: g.reproduced for k, g in gaps.items()} == pytest.approx({"text": 2 / 3, "image": 2 / 3, "group": 1 / 3})
    assert all(g.published.value is None and g.gap is None for g in gaps.values())
    entry = replace(gaps["group"].published, value=0.08, source="https://example.org/a-hand-made-number")
    (filled,) = paper_gaps(B32, {"winoground": rows}, entries=[entry])
    assert filled.gap == pytest.approx(1 / 3 - 0.08)
    console = Console(width=80, record=True)
    console.print(fit(gap_table("clip/openai", [filled, gaps["text"]]), console))
    text = console.export_text()
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "+0.253" in text and "0.333" in text and "—" in text and "group" in text


def test_suite_table_fits_80_columns_with_every_number_whole(tmp_path: Path) -> None:
    rows = {"sugarcrepe_swap_obj": [_choice(0, (0.3, 0.1))], "mmvp_vlm": _mmvp_rows()}
    gaps = paper_gaps(L14, rows)
    console = Console(width=80, record=True)
    console.print(fit(gap_table("clip/openai [ViT-L-14]", gaps), console))
    text = console.export_text()
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "sugarcrepe_swap_obj" in text and "0.602" in text and "+0.398" in text  # 1.0 - 0.6016
    assert "0.193" in text and "+0.557" in text and "image" in text
    assert "RAIVNLab/sugar-crepe" in "".join(text.split()) and "tsb0601/MMVP" in "".join(text.split())


def _suite_item(task: str, i: int, options: tuple[str, str], correct: int, meta: dict) -> ProbeItem:
    return ProbeItem(
        id=f"{task}/{i:04d}",
        task=task,
        image=ImageRef(path=f"img{i}.png"),
        cluster=meta.get("group", f"img{i}"),
        options=options,
        labels=("caption 0", "caption 1"),
        correct=correct,
        meta=meta,
    )


def test_a_written_suite_run_loads_into_the_same_gaps(tmp_path: Path) -> None:
    items, scores = [], {}
    for i, s in enumerate([(0.3, 0.1), (0.1, 0.2)]):
        it = _suite_item("sugarcrepe_swap_obj", i, (f"positive {i}", f"negative {i}"), 0, {})
        items.append(it)
        scores[it.id] = s
    for k, s in enumerate([RIGHT, TEXT_ONLY]):
        for i in (0, 1):
            meta = {"group": f"winoground/{k}", "image": i}
            it = _suite_item("winoground", 10 + 2 * k + i, (f"a {k}", f"b {k}"), i, meta)
            items.append(it)
            scores[it.id] = s[i]
    run = write_run(
        tmp_path / "run", items, scores, name="clip", weights="openai", model={"options": {"arch": "ViT-B-32"}}
    )
    gaps = paper_gaps(B32, load_run(run).rows)
    (swap,) = [g for g in gaps if g.published.task == "sugarcrepe_swap_obj"]
    assert swap.reproduced == pytest.approx(1 / 2) and swap.gap == pytest.approx(0.5 - 0.6138)
    wino = {g.published.outcome: g.reproduced for g in gaps if g.published.task == "winoground"}
    assert wino == pytest.approx({"text": 1.0, "image": 0.5, "group": 0.5})
