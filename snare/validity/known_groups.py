"""Known-groups validity: two models that differ in one known way must differ where the benchmark says.

The order-aware and bag-of-words reference models share image encoder, data and training; only the text encoder
differs. On tasks that need word order or composition the order-aware model must be right on significantly more
items: an exact McNemar test per task on the paired per-item outcomes (ties count as wrong, as everywhere),
Holm-corrected over the tasks compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from snare.engine.results import RunResult

ORDER_TASKS = ("semantic_structure", "attribute_ownership", "relationship_composition", "spatial_relations")
ALPHA = 0.01


@dataclass(frozen=True)
class PairedComparison:
    task: str
    n: int
    a_correct: int
    b_correct: int
    only_a: int  # items model A gets right and model B wrong
    only_b: int
    p_value: float  # exact McNemar, two-sided
    p_holm: float

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "a_correct": self.a_correct,
            "b_correct": self.b_correct,
            "only_a": self.only_a,
            "only_b": self.only_b,
            "p_mcnemar": self.p_value,
            "p_holm": self.p_holm,
        }


def _outcomes(result: RunResult, task: str) -> dict[str, bool]:
    return {row.id: bool(row.is_correct) for row in result.rows.get(task, [])}


def compare(a: RunResult, b: RunResult, tasks: tuple[str, ...] = ORDER_TASKS) -> dict[str, PairedComparison]:
    """Paired exact McNemar tests of ``a`` against ``b`` on the items both scored, Holm-corrected over ``tasks``."""
    from statsmodels.stats.contingency_tables import mcnemar
    from statsmodels.stats.multitest import multipletests

    rows = []
    for task in tasks:
        out_a, out_b = _outcomes(a, task), _outcomes(b, task)
        ids = sorted(out_a.keys() & out_b.keys())
        if not ids:
            raise ValueError(f"no items of task {task!r} scored by both models")
        both = sum(out_a[i] and out_b[i] for i in ids)
        only_a = sum(out_a[i] and not out_b[i] for i in ids)
        only_b = sum(out_b[i] and not out_a[i] for i in ids)
        neither = len(ids) - both - only_a - only_b
        p = float(mcnemar([[both, only_a], [only_b, neither]], exact=True).pvalue)
        rows.append((task, len(ids), both + only_a, both + only_b, only_a, only_b, p))
    holm = multipletests([r[-1] for r in rows], method="holm")[1]
    return {r[0]: PairedComparison(*r, p_holm=float(h)) for r, h in zip(rows, holm, strict=True)}
