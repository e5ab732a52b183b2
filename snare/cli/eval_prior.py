"""``snare eval --prior LM_RUN``: beside the run just scored, the language prior's share of its word-order tasks.

LM_RUN is a results directory of a pretrained-LM baseline (``snare eval --model smollm2 --output LM_RUN``), known
by its record (:func:`snare.reports.lm_prior.is_language_prior`). It is checked before the model loads: a folder
that is not such a run, or one on another probe set, is a one-line error. After scoring, the table is the one
``snare report RUN LM_RUN`` shows (:func:`snare.reports.lm_prior_table.share_table`), with the same numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from snare.errors import SnareError

if TYPE_CHECKING:
    from rich.console import Console

    from snare.engine.results import RunResult
    from snare.probes.probeset import ProbeSet
    from snare.reports.load import RunData

N_BOOT, SEED, ALPHA = 2000, 0, 0.05  # snare report's defaults, so both show the same intervals


def load_prior(path: Path | None) -> RunData | None:
    """The LM run at ``path`` (None without one), validated as ``snare report`` reads it; one line when it is not
    an LM run."""
    if path is None:
        return None
    from snare.reports.lm_prior import is_language_prior
    from snare.reports.load import load_run

    run = load_run(path)
    model = run.model
    if not is_language_prior(model):
        raise SnareError(
            f"--prior {path}: not a pretrained-LM run (its model {model.name!r} is family {model.family!r}, head "
            f"{model.head!r}); make one with: snare eval --model smollm2 --probes DIR --output LM_RUN"
        )
    return run


def check_prior(prior: RunData | None, probes: ProbeSet) -> None:
    """The LM run must have scored the probe set about to be scored (same fingerprint): items match by id."""
    if prior is None:
        return
    from snare.errors import ProbeFormatError

    try:
        fingerprint: str | None = probes.fingerprint
    except ProbeFormatError:  # an image is missing (a partial run): the manifest's fingerprint, as the record takes
        fingerprint = probes.info.get("fingerprint")
    if fingerprint is None or prior.fingerprint != fingerprint:
        raise SnareError(
            f"--prior {prior.path}: scored probe set {str(prior.fingerprint)[:19]}…, not this one "
            f"({str(fingerprint)[:19]}…); run the LM on the same probes (same --probes, --task, --limit, --seed)"
        )


def print_prior(result: RunResult, prior: RunData | None, output: Path | None, console: Console | None = None) -> None:
    """The language-prior table of this run against ``prior`` (nothing without one), or one line when no
    word-order task was scored by both; on ``console`` (default: stdout)."""
    if prior is None:
        return
    from snare.cli.console import out
    from snare.cli.tables import print_table
    from snare.reports.lm_prior import WORD_ORDER_TASKS, language_prior
    from snare.reports.lm_prior_table import share_table
    from snare.reports.load import RunData, assign_labels
    from snare.reports.metrics import compute_task_metrics
    from snare.reports.run_trust import run_trust

    this = RunData(path=output or Path("this run"), record=result.record, rows=result.rows)
    assign_labels([this, prior])
    runs = [this, prior]
    shares = language_prior(runs, [run_trust(r) for r in runs], seed=SEED, n_boot=N_BOOT, alpha=ALPHA)
    own = {
        (prior.label, task): compute_task_metrics(rows, task=task, seed=SEED, n_boot=N_BOOT, alpha=ALPHA).accuracy
        for task, rows in prior.rows.items()
        if task in WORD_ORDER_TASKS
    }
    settings = {"confidence": 1 - ALPHA, "n_boot": N_BOOT, "seed": SEED}
    table = share_table(shares, own, settings)
    if table is None:
        console = console or out
        console.print("--prior: no word-order task scored by both runs; nothing to set beside the LM", markup=False)
        return
    print_table(_rich(table), console or out)


def _rich(table):  # snare.reports.tables.Table -> rich.table.Table, laid out by snare.cli.tables.fit
    from rich.table import Table
    from rich.text import Text

    rich = Table(title=Text(table.title, style="bold"), caption=Text(table.caption), caption_justify="left")
    for name, align in zip(table.columns, table.align, strict=True):
        rich.add_column(Text(name), justify="right" if align == "r" else "left")
    for row in table.rows:
        rich.add_row(*(Text(cell) for cell in row))
    return rich
