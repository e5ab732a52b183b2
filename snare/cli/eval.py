"""``snare eval``: score a model on a probe set and print (and optionally write) the results."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from snare.errors import SnareError

DEFAULT_MODEL = "clip"
DEFAULT_MODEL_WEIGHTS = "random"


def parse_options(pairs: list[str]) -> dict[str, str]:
    """``KEY=VALUE`` strings from ``-o`` into a dict."""
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SnareError(f"-o takes KEY=VALUE, not {pair!r}")
        options[key.strip()] = value.strip()
    return options


def check_device(device: str) -> None:
    if device == "cpu":
        return
    if device == "cuda" or device.startswith("cuda:"):
        import torch

        if not torch.cuda.is_available():
            raise SnareError(f"--device {device} requested but CUDA is not available here; use --device cpu")
        return
    if device == "mps":
        import torch

        if not torch.backends.mps.is_available():
            raise SnareError("--device mps requested but MPS is not available here; use --device cpu")
        return
    raise SnareError(f"unknown --device {device!r}; use cpu, cuda, cuda:N or mps")


def check_output(output: Path | None, overwrite: bool) -> None:
    """Fail before any expensive work when the results folder cannot be written."""
    if output is None:
        return
    if output.exists() and not output.is_dir():
        raise SnareError(f"--output {output} exists and is not a folder")
    if output.is_dir() and any(output.iterdir()) and not overwrite:
        raise SnareError(f"--output {output} already exists and is not empty; pass --overwrite or pick another path")
    parent = output.resolve().parent
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise SnareError(f"--output {output}: cannot write in {parent}")


def load_probes(probes_dir: Path | None, tasks: list[str], limit: int | None, seed: int):
    from snare.probes.probeset import ProbeSet
    from snare.probes.tasks import get_task

    for task in tasks:
        get_task(task)
    if probes_dir is not None:
        probes = ProbeSet.load(probes_dir)
    else:
        from snare.probes.synthetic import TASKS as SYNTHETIC_TASKS
        from snare.probes.synthetic import synthetic_probeset

        unsupported = [t for t in tasks if t not in SYNTHETIC_TASKS]
        if unsupported:
            raise SnareError(f"the built-in synthetic scenes have no {unsupported[0]!r} items; pass --probes DIR")
        probes = synthetic_probeset(seed=seed)
    missing = [t for t in tasks if t not in probes.tasks]
    if missing:
        raise SnareError(
            f"probe set {probes.name!r} has no items for task {missing[0]!r} (it has: {', '.join(probes.tasks)})"
        )
    if tasks or limit is not None:
        probes = probes.subset(tasks=tasks or None, limit=limit)
    return probes


def eval_command(
    model: str = typer.Option(None, "--model", "-m", help="Model name (see: snare models list)."),
    weights: str = typer.Option(None, "--weights", "-w", help="Weights: hub id, tag, local path, or 'random'."),
    model_option: list[str] = typer.Option([], "--model-option", "-o", help="Adapter option KEY=VALUE (repeatable)."),
    probes_dir: Path = typer.Option(None, "--probes", help="Probe-set folder (default: built-in synthetic scenes)."),
    task: list[str] = typer.Option([], "--task", "-t", help="Only these tasks (repeatable)."),
    limit: int = typer.Option(None, "--limit", min=1, help="At most N items per task."),
    seed: int = typer.Option(0, "--seed", help="Seed of the synthetic probe set and of random weights."),
    output: Path = typer.Option(None, "--output", help="Write results.json and predictions/ to this folder."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --output folder."),
    batch_size: int = typer.Option(32, "--batch-size", min=1, help="Images, texts or pairs per forward pass."),
    device: str = typer.Option("cpu", "--device", help="cpu, cuda, cuda:N or mps."),
    dtype: str = typer.Option("float32", "--dtype", help="float32, float16 or bfloat16."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    as_json: bool = typer.Option(False, "--json", help="Print results.json to stdout instead of a table."),
) -> None:
    """Score a model on every probe task and print the strict accuracies (ties count as wrong)."""
    from snare.adapters.registry import create
    from snare.cli.console import err, out, progress
    from snare.cli.tables import results_table

    check_output(output, overwrite)
    check_device(device)
    note = None
    if model is None:
        model = DEFAULT_MODEL
        if weights is None:
            weights = DEFAULT_MODEL_WEIGHTS
            note = f"no --model given: using {model} with {weights} weights (scores are not meaningful)"
    adapter = create(model, weights, device=device, dtype=dtype, seed=seed, **parse_options(model_option))
    probes = load_probes(probes_dir, task, limit, seed)
    if note and not quiet:
        err.print(f"[yellow]note:[/] {note}")
    from snare.engine.evaluate import evaluate

    adapter.ensure_loaded()
    totals = {
        "images": len({it.image.key for it in probes}),
        "texts": len({o for it in probes for o in it.options}),
        "pairs": len({(it.image.key, o) for it in probes for o in it.options}),
    }
    with progress(totals, quiet=quiet) as tick:
        result = evaluate(adapter, probes, batch_size=batch_size, on_progress=tick, seed=seed)
    if output is not None:
        result.write(output, overwrite=overwrite)
    if as_json:
        import json

        typer.echo(json.dumps(result.to_json(), indent=2, sort_keys=True))
    else:
        out.print(results_table(result))
        if note:
            out.print(f"[yellow]{note}[/]")
        out.print(
            f"probe set {probes.name} {probes.fingerprint[:19]}… · {len(probes)} items · "
            f"{result.record['duration_s']:.1f}s" + (f" · written to {output}" if output else "")
        )
