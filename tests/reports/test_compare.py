import json
from pathlib import Path

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests

from snare.reports.compare import PairingError, compare_runs
from snare.reports.load import assign_labels, load_run
from tests.reports.builders import simulated_run

# per item: (A right, B right) -> both 20, A only 3, B only 12, neither 5
PAIRS = [(1, 1)] * 20 + [(1, 0)] * 3 + [(0, 1)] * 12 + [(0, 0)] * 5
CLUSTERS = [f"img{i // 4}" for i in range(len(PAIRS))]


def _runs(tmp_path: Path, *hit_lists, **kw):
    runs = [
        load_run(simulated_run(tmp_path / f"r{k}", "negation_logic", hits, clusters=CLUSTERS, weights=f"w{k}", **kw))
        for k, hits in enumerate(hit_lists)
    ]
    assign_labels(runs)
    return runs


def test_mcnemar_table_and_paired_difference(tmp_path: Path):
    a, b = zip(*PAIRS, strict=True)
    (comparison,) = compare_runs(_runs(tmp_path, [bool(x) for x in a], [bool(x) for x in b]), n_boot=500)
    m = comparison.mcnemar
    assert (m.both, m.a_only, m.b_only, m.neither) == (20, 3, 12, 5)
    assert m.p_value == pytest.approx(mcnemar([[20, 3], [12, 5]], exact=True).pvalue)
    assert comparison.delta == pytest.approx((23 - 32) / 40)
    assert comparison.difference.low < comparison.delta < comparison.difference.high
    assert comparison.p_holm == pytest.approx(m.p_value)  # a single comparison: Holm changes nothing
    assert json.loads(json.dumps(comparison.to_json()))["mcnemar"]["b_only"] == 12


def test_holm_runs_across_every_comparison(tmp_path: Path):
    rng = np.random.default_rng(1)
    hit_lists = [list(rng.random(40) < p) for p in (0.3, 0.6, 0.9)]
    comparisons = compare_runs(_runs(tmp_path, *hit_lists), n_boot=200)
    assert [(c.run_a, c.run_b) for c in comparisons] == [
        ("fake/w0", "fake/w1"),
        ("fake/w0", "fake/w2"),
        ("fake/w1", "fake/w2"),
    ]
    raw = [c.mcnemar.p_value for c in comparisons]
    assert [c.p_holm for c in comparisons] == pytest.approx(list(multipletests(raw, method="holm")[1]))


def test_different_probe_sets_are_refused(tmp_path: Path):
    a = load_run(simulated_run(tmp_path / "a", "negation_logic", [True, False]))
    b = load_run(simulated_run(tmp_path / "b", "negation_logic", [True, False], fingerprint="sha256:" + "b" * 64))
    assign_labels([a, b])
    with pytest.raises(PairingError, match=r"different probe sets .* --no-compare"):
        compare_runs([a, b])


def test_same_fingerprint_but_different_items_is_refused(tmp_path: Path):
    a = load_run(simulated_run(tmp_path / "a", "negation_logic", [True, False]))
    b = load_run(simulated_run(tmp_path / "b", "negation_logic", [True, False, True]))
    assign_labels([a, b])
    with pytest.raises(PairingError, match="different negation_logic items"):
        compare_runs([a, b])


def test_a_different_limit_is_named_and_the_advice_is_the_same_limit(tmp_path: Path):
    def run(name: str, fingerprint: str, limit: int | None):
        folder = simulated_run(tmp_path / name, "negation_logic", [True, False], fingerprint=fingerprint)
        record = json.loads((folder / "results.json").read_text())
        record["probeset"] = {**record["probeset"], "name": "synthetic", "limit": limit}
        (folder / "results.json").write_text(json.dumps(record))
        return load_run(folder)

    a, b = run("a", "sha256:" + "a" * 64, 20), run("b", "sha256:" + "b" * 64, None)
    assign_labels([a, b])
    with pytest.raises(PairingError) as info:
        compare_runs([a, b])
    message = str(info.value)
    assert "synthetic sha256:aaaaaaaaaaaa… --limit 20" in message and "sha256:bbbbbbbbbbbb… all items" in message
    assert "re-run them with the same --limit" in message and "--probes DIR" not in message
