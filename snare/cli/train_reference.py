"""``snare train-reference``: retrain the shipped reference models deterministically on the CPU and score them."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import typer

DEFAULT_OUTPUT = Path("reference-weights")


def train_reference_command(
    output: Path = typer.Option(DEFAULT_OUTPUT, "--output", help="Folder for the two weight files and the record."),
    seed: int = typer.Option(0, "--seed", help="Seed of initialisation and data order."),
    steps: int = typer.Option(None, "--steps", min=1, help="Training steps per model (default: as shipped)."),
    scenes: int = typer.Option(None, "--scenes", min=8, help="Training scenes (seed 1000; default: as shipped)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --output folder."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Train the order-aware (GRU) and bag-of-words reference models, report their accuracies, write the weights.

    Same seed and settings give bit-identical weights on one machine (one thread, deterministic kernels).

    The shipped weights come from: snare train-reference --output snare/validity/weights --overwrite
    """
    from snare.cli.eval import check_output
    from snare.errors import check_seed

    check_seed(seed)
    from snare.validity.shipping import REFERENCE_SHAPE

    check_output(output, overwrite, kind=(REFERENCE_SHAPE,))
    from dataclasses import replace

    from snare.cli.console import err, out, progress
    from snare.validity.shipping import score, train_pair, write_pair
    from snare.validity.train import TrainSettings

    settings = TrainSettings(seed=seed)
    if steps is not None:
        settings = replace(settings, steps=steps)
    if scenes is not None:
        settings = replace(settings, n_scenes=scenes)
    start = time.perf_counter()
    if not quiet:
        err.print(
            f"training on {settings.n_scenes} synthetic scenes of seed {settings.train_seed}, {settings.steps} steps"
        )
    with progress({"gru": settings.steps, "bow": settings.steps}, quiet=quiet) as tick:
        models = train_pair(settings, on_step=lambda encoder, step, loss: tick(encoder, 1))
    results = {encoder: score(model, encoder) for encoder, model in models.items()}
    command = " ".join(["snare", *sys.argv[1:]]) if Path(sys.argv[0]).name in {"snare", "__main__.py"} else "snare"
    write_pair(
        output,
        models,
        results,
        settings=settings,
        command=command,
        duration_s=time.perf_counter() - start,
        overwrite=overwrite,
    )
    from snare.cli.tables import print_table

    print_table(_table(results), out)
    out.print(f"written to {output} in {time.perf_counter() - start:.0f}s")


def _table(results):  # -> rich.table.Table
    from rich.table import Table

    from snare.validity.known_groups import compare

    comparison = compare(results["gru"], results["bow"])
    table = Table(title="reference models on the synthetic probes (seed 0) — strict accuracy, ties are wrong")
    for col in ("task", "n", "chance", "gru", "bow", "bow ties", "McNemar p (Holm)"):
        table.add_column(col, justify="left" if col == "task" else "right")
    for task, gru in sorted(results["gru"].tasks.items()):
        bow = results["bow"].tasks[task]
        p = f"{comparison[task].p_holm:.2g}" if task in comparison else "—"
        table.add_row(
            task,
            str(gru.n),
            f"{1 / gru.n_options:.3f}",
            f"{gru.accuracy:.3f}",
            f"{bow.accuracy:.3f}",
            str(bow.n_ties),
            p,
        )
    return table
