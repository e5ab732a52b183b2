"""``snare eval``: score a model on a probe set and print (and optionally write) the results."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from snare.cli.eval_prior import check_prior, load_prior, print_prior
from snare.cli.options import protocol_option
from snare.errors import SnareError, check_seed
from snare.protocols import DEFAULT, Protocol, default_protocol, get_protocol

if TYPE_CHECKING:
    from snare.engine.results import RunResult
    from snare.engine.rows import PredictionRow
    from snare.probes.probeset import ProbeSet

# The offline default: a tiny model shipped in the package, trained on synthetic scenes (snare train-reference).
DEFAULT_MODEL = "reference"
DEFAULT_MODEL_WEIGHTS = "shipped"


# lm-eval / lmms-eval spellings -> snare's (snare.cli.main rewrites them before parsing; none clashes with a flag).
ALIASES = {
    "--tasks": "--task",
    "--output-path": "--output",
    "--output_path": "--output",
    "--batch_size": "--batch-size",
    "--model-args": "--model-option",
    "--model_args": "--model-option",
    "--log_samples": "--log-samples",
}


def parse_options(pairs: list[str]) -> dict[str, str]:
    """``KEY=VALUE`` strings from ``-o``/``--model-args`` into a dict.

    One string may hold several pairs separated by commas (lm-eval's ``--model_args k=v,k=v``); a comma is kept
    inside a value when the text after it is not itself a ``KEY=VALUE`` pair (``-o classes=a,b``).
    """
    options: dict[str, str] = {}
    for pair in pairs:
        for part in _split_pairs(pair):
            key, sep, value = part.partition("=")
            if not sep or not key.strip():
                raise SnareError(f"-o takes KEY=VALUE (or KEY=VALUE,KEY=VALUE), not {pair!r}")
            options[key.strip()] = value.strip()
    return options


def _split_pairs(text: str) -> list[str]:
    parts: list[str] = []
    for piece in text.split(","):
        if parts and "=" not in piece:
            parts[-1] += "," + piece  # a comma inside the previous value
        else:
            parts.append(piece)
    return parts


def take_pretrained(options: dict[str, str], weights: str | None) -> str | None:
    """lmms-eval's ``--model_args pretrained=ID`` is snare's ``--weights ID``: moved out of ``options``.

    Raises:
        SnareError: ``pretrained=`` and ``--weights`` both given, naming different weights.
    """
    pretrained = options.pop("pretrained", None)
    if pretrained is None:
        return weights
    if weights is not None and weights != pretrained:
        raise SnareError(f"-o pretrained={pretrained} and --weights {weights} name different weights; pass one")
    return pretrained


def model_options(pairs: list[str], weights: str | None) -> tuple[dict[str, str], str | None]:
    """``-o``/``--model_args`` pairs parsed, and ``--weights`` with lmms-eval's ``pretrained=`` folded in."""
    options = parse_options(pairs)
    return options, take_pretrained(options, weights)


def split_commas(values: list[str]) -> list[str]:
    """``-t a,b -t c`` -> ``[a, b, c]``: repeated flags and lm-eval's comma lists both work, in order, once each."""
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    return list(dict.fromkeys(names))


def resolve_device(device: str) -> str:
    """``auto`` -> ``cuda`` when CUDA is there, else ``mps``, else ``cpu``; any other name is checked and returned.

    Raises:
        SnareError: an unknown name, or a device that this machine does not have.
    """
    if device == "auto":
        if not may_have_accelerator():
            return "cpu"  # decided without importing torch: a replayed re-run never needs it
        import torch

        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        return "mps" if mps is not None and mps.is_available() else "cpu"
    check_device(device)
    return device


# Device files a CUDA (Linux, WSL) or ROCm driver creates; without any, torch cannot see a GPU either.
_GPU_DEVICE_FILES = ("/proc/driver/nvidia/version", "/dev/nvidia0", "/dev/nvidiactl", "/dev/dxg", "/dev/kfd")


def may_have_accelerator() -> bool:
    """False when this machine certainly has no CUDA/ROCm/MPS device (no driver files, not Apple silicon)."""
    import platform
    import sys

    if sys.platform == "darwin":
        return platform.machine() == "arm64"
    return any(Path(path).exists() for path in _GPU_DEVICE_FILES)


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
    raise SnareError(f"unknown --device {device!r}; use auto, cpu, cuda, cuda:N or mps")


def check_output(output: Path | None, overwrite: bool, kind: tuple | None = None) -> None:
    """Fail before any expensive work when the results folder cannot be written.

    ``--overwrite`` replaces only a folder of one of the shapes ``kind`` (:class:`snare.atomic.OutputShape`;
    default: a results folder), a snare output of the same sort, never one that merely holds its marker file.
    """
    if output is None:
        return
    from snare.atomic import check_name

    check_name(output, "--output")
    if kind is None:
        from snare.engine.results import RESULTS_SHAPE

        kind = (RESULTS_SHAPE,)
    if output.exists() and not output.is_dir():
        from snare.atomic import not_regular

        found = not_regular(output) or "a file"
        raise SnareError(f"--output {output} exists and is not a folder (it is {found}); pick another path")
    if output.is_dir() and any(output.iterdir()) and not overwrite:
        raise SnareError(f"--output {output} already exists and is not empty; pass --overwrite or pick another path")
    problems = [shape.problem(output) for shape in kind] if output.is_dir() and any(output.iterdir()) else []
    if problems and all(problems):
        raise SnareError(
            f"--output {output} is not a snare output of this kind ({problems[0]}); "
            "--overwrite refuses to replace it (remove it yourself or pick another path)"
        )
    from snare.atomic import check_writable

    check_writable(output.resolve().parent, "--output folder")


def check_cache() -> None:
    """The score cache must be writable before the model loads (``$SNARE_CACHE``, or pass ``--no-cache``)."""
    from snare.atomic import check_writable
    from snare.engine.cache import default_root

    try:
        check_writable(default_root(), "score cache")
    except SnareError as exc:
        raise SnareError(f"{exc} (set SNARE_CACHE to a writable folder, or pass --no-cache)") from None


def _relaunch_argv(argv: list[str]) -> list[str]:
    """The command line each launched process runs: without --distributed and --processes (already applied)."""
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--processes":
            skip = True  # its value follows
        elif arg != "--distributed" and not arg.startswith("--processes="):
            out.append(arg)
    return out


def check_no_effect(
    model: str | None,
    weights: str | None,
    *,
    split: str | None,
    source: str | None,
    processes: int | None,
    distributed: bool,
) -> None:
    """Options that would be silently ignored are errors: the user believes they changed something."""
    if split is not None and source is None:
        raise SnareError("--split applies only with --source (probe-set folders and the synthetic set have no splits)")
    if processes is not None and not distributed:
        raise SnareError("--processes applies only with --distributed; add --distributed or drop --processes")
    if weights is not None and model is not None:
        from snare.adapters.registry import get_adapter_class

        if get_adapter_class(model).meta.default_weights == "none":
            raise SnareError(f"--model {model} has no weights; drop --weights")


def check_suite(
    suite: str | None, data_dir: Path | None, tasks: list[str], *, probes_dir: Path | None, source: str | None
) -> None:
    """A --suite, checked before the model loads: no --probes/--source beside it, a known name and tasks, and
    (offline, or with --data-dir) every dataset on this machine; --data-dir alone is an error."""
    if suite is None:
        if data_dir is not None:
            raise SnareError("--data-dir is where a --suite's repositories are copied; pass --suite too")
        return
    if probes_dir is not None or source is not None:
        raise SnareError("pass one of --suite, --probes and --source")
    from snare.probes.suites import preflight

    preflight(suite, data_dir, tasks)


def _data_options(source, split, suite, data_dir, no_cache: bool) -> dict:
    """load_probes' keywords for the data flags; under --no-cache a built set's images go to a scratch folder."""
    data = {"source": source, "split": split or "test", "suite": suite, "data_dir": data_dir}
    if no_cache and (source is not None or suite is not None):
        data["image_dir"] = scratch_images()
    return data


def shown_fingerprint(fingerprint: str | None) -> str:
    """A fingerprint cut for a summary line, or what stands for it when there is none (a set built by hand whose
    images are not all readable cannot be hashed, and its manifest recorded none)."""
    from snare.plain import console_safe

    return f"{console_safe(fingerprint[:19])}…" if fingerprint else "(no fingerprint: an image is missing)"


def scratch_images() -> Path:
    """A private folder for the images of a --source or --suite built under --no-cache, removed at exit: the score
    cache's ``hf-images`` is neither read nor written (it may be read-only, or belong to someone else)."""
    import atexit
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="snare-images-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _check_synthetic_tasks(tasks: list[str]) -> None:
    from snare.probes.synthetic import TASKS as SYNTHETIC_TASKS

    unsupported = [t for t in tasks if t not in SYNTHETIC_TASKS]
    if unsupported:
        raise SnareError(f"the built-in synthetic scenes have no {unsupported[0]!r} items; pass --probes DIR")


def load_probes(
    probes_dir: Path | None,
    tasks: list[str],
    limit: int | None,
    seed: int,
    source: str | None = None,
    split: str = "test",
    protocol: Protocol | str = DEFAULT,
    suite: str | None = None,
    data_dir: Path | None = None,
    image_dir: Path | None = None,
):
    """The probe set to evaluate: a folder (--probes), one built in memory (--source with --task, or --suite),
    or synthetic.

    ``protocol`` decides how --source / --suite probes and the synthetic ones are built
    (:func:`snare.probes.assemble.assemble`); a folder is used as it is, if the protocol may score it. Dataset
    images of --source / --suite go to ``image_dir`` (default: :func:`snare.probes.build.hf_image_cache`)."""
    from snare.probes.assemble import ProbeSpec, assemble, builtin_probeset, check_built_under
    from snare.probes.hf_export import is_export, load_probe_folder
    from snare.probes.tasks import get_task

    for task in tasks:
        get_task(task)
    if source is not None and probes_dir is None and is_export(source):  # a --format hf export is a probe set
        probes_dir, source = Path(source), None
    if suite is not None:
        if probes_dir is not None or source is not None:
            raise SnareError("pass one of --suite, --probes and --source")
        spec = ProbeSpec(tuple(tasks), suite=suite, seed=seed, data_dir=data_dir, image_dir=image_dir)
        probes = assemble(spec, protocol)
    elif data_dir is not None:
        raise SnareError("--data-dir is where a --suite's repositories are copied; pass --suite too")
    elif source is not None:
        if probes_dir is not None:
            raise SnareError("pass either --probes or --source, not both")
        if not tasks:
            raise SnareError("--source needs --task (e.g. --task semantic_structure); see: snare probes list")
        probes = assemble(ProbeSpec(tuple(tasks), source=source, seed=seed, split=split, image_dir=image_dir), protocol)
    elif probes_dir is not None:
        probes = load_probe_folder(probes_dir)
    else:
        _check_synthetic_tasks(tasks)
        probes = builtin_probeset(protocol, seed)  # every task of the scenes; the subset is taken below
    check_built_under(probes, protocol)
    missing = [t for t in tasks if t not in probes.tasks]
    if missing:
        raise SnareError(
            f"probe set {probes.name!r} has no items for task {missing[0]!r} (it has: {', '.join(probes.tasks)})"
        )
    if tasks or limit is not None:
        probes = probes.subset(tasks=tasks or None, limit=limit)
    return probes


def add_samples(rows: dict[str, list[PredictionRow]], probes: ProbeSet) -> None:
    """Give every prediction row its item's option texts, image reference and the predicted/intended texts.

    So a failure can be read in ``predictions/<task>.jsonl`` alone, without joining it to the probe set by id. A
    file image's ``path`` is made absolute against the probe set's image root (it is relative to that root). The
    rows are frozen: each is replaced by a copy with the extra fields (``PredictionRow`` keeps unknown fields)."""
    from snare.engine.rows import PredictionRow

    items = {item.id: item for item in probes}
    for task, task_rows in rows.items():
        samples = []
        for row in task_rows:
            item = items[row.id]
            image = item.image.model_dump(mode="json", exclude_none=True)
            if item.image.path is not None:
                image["path"] = str(probes.image_path(item.image))
            extra = {
                "options": list(item.options),
                "image": image,
                "correct_text": item.options[item.correct],
                "predicted_text": item.options[row.predicted] if row.predicted is not None else None,
            }
            samples.append(PredictionRow.model_validate({**row.to_json(), **extra}))
        rows[task] = samples


def eval_command(
    model: str = typer.Option(None, "--model", "-m", help="Model name (see: snare models list)."),
    weights: str = typer.Option(None, "--weights", "-w", help="Weights: hub id, tag, local path, or 'random'."),
    model_option: list[str] = typer.Option(
        [],
        "--model-option",
        "-o",
        help="Adapter option KEY=VALUE (repeatable, or KEY=VALUE,KEY=VALUE); pretrained=ID is --weights ID.",
    ),
    probes_dir: Path = typer.Option(None, "--probes", help="Probe-set folder (default: built-in synthetic scenes)."),
    source: str = typer.Option(None, "--source", help="Build the --task probes in memory from this data source."),
    suite: str = typer.Option(
        None, "--suite", help="A paper's benchmark from its pinned hub datasets: snare or aro (snare probes list)."
    ),
    data_dir: Path = typer.Option(
        None, "--data-dir", help="Read --suite datasets from local copies, <DIR>/<owner>/<name>/, not the hub cache."
    ),
    split: str = typer.Option(None, "--split", help="Split of --source (Karpathy, Hugging Face; default: test)."),
    task: list[str] = typer.Option([], "--task", "-t", help="Only these tasks (repeatable, or a,b)."),
    limit: int = typer.Option(None, "--limit", min=1, help="At most N items per task."),
    seed: int = typer.Option(0, "--seed", help="Seed of the synthetic probe set and of random weights."),
    output: Path = typer.Option(None, "--output", help="Write results.json and predictions/ to this folder."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --output folder."),
    batch_size: int = typer.Option(32, "--batch-size", min=1, help="Images, texts or pairs per forward pass."),
    device: str = typer.Option("auto", "--device", help="auto (CUDA, then MPS, then CPU), cpu, cuda, cuda:N or mps."),
    dtype: str | None = typer.Option(
        None, "--dtype", help="float32 (default), float16 or bfloat16; --protocol snare-paper picks the paper's."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    as_json: bool = typer.Option(False, "--json", help="Print results.json to stdout instead of a table."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the score cache ($SNARE_CACHE)."),
    workers: int = typer.Option(None, "--workers", min=0, help="Image-loading processes (default: spare cores, ≤4)."),
    distributed: bool = typer.Option(
        False, "--distributed", help="Shard scoring over processes (torchrun/accelerate); one per GPU, 2 on CPU."
    ),
    processes: int = typer.Option(None, "--processes", min=1, help="Number of processes for --distributed."),
    protocol: str | None = protocol_option("How --source/--suite probes are built and every item is scored."),
    prior: Path = typer.Option(
        None, "--prior", help="A pretrained-LM run on the same probes: show the LM's share of word-order tasks."
    ),
    allow_partial: bool = typer.Option(
        False, "--allow-partial", help="Score what can be scored when some items fail; results are marked partial."
    ),
    log_samples: bool = typer.Option(
        False,
        "--log-samples",
        help="Also write each item's option texts and image into predictions/ (needs --output).",
    ),
) -> None:
    """Score a model on every probe task and print the strict accuracies (ties count as wrong).

    lm-eval spellings work too: --tasks a,b, --output_path, --batch_size, --model_args k=v,k=v, --log_samples.
    """
    from snare.cli.console import err, progress, quiet_libraries

    quiet_libraries(quiet)  # before a --source or --suite dataset is read or a model loads: their bars too
    check_seed(seed)
    _check_writes(output, overwrite, log_samples=log_samples, no_cache=no_cache)
    device = resolve_device(device)
    task = split_commas(task)
    options, weights = model_options(model_option, weights)
    check_no_effect(model, weights, split=split, source=source, processes=processes, distributed=distributed)
    chosen = _protocol(protocol, probes_dir, suite, source)  # resolved once, before the model loads
    model, weights, note = default_model(model, weights)
    check_suite(suite, data_dir, task, probes_dir=probes_dir, source=source)
    prior_run = load_prior(prior)  # before any work: a folder that is no LM run is one line
    adapter, notes = _create_adapter(model, weights, options, dtype=dtype, device=device, seed=seed, protocol=chosen)
    if not quiet:
        announce_loading(adapter)
        for line in notes:
            err.print(f"[yellow]note:[/] {line}", soft_wrap=True)  # one line, however narrow the terminal
    data = _data_options(source, split, suite, data_dir, no_cache)
    probes = load_probes(probes_dir, task, limit, seed, protocol=chosen, **data)
    check_prior(prior_run, probes)  # before the model loads: the LM run must have scored these probes
    if note and not quiet:
        err.print(f"[yellow]note:[/] {note}")
    from snare.engine import distributed as dist
    from snare.engine.evaluate import evaluate
    from snare.engine.loader import default_workers

    if distributed and not dist.launched():  # re-run this command in N processes; they do the work
        import subprocess
        import sys

        argv = _relaunch_argv(sys.argv[1:])
        n = processes or dist.default_processes(device)
        raise typer.Exit(subprocess.call(dist.launch_command(argv, n)))
    shards = dist.shards(device)
    adapter.device = shards.device_for(device)
    result = evaluate(
        adapter,
        probes,
        batch_size=batch_size,
        progress=lambda totals: progress(totals, quiet=quiet or not shards.is_main),
        cache=not no_cache,
        workers=default_workers() if workers is None else workers,
        shards=shards,
        seed=seed,
        protocol=chosen,
        allow_partial=allow_partial,
    )
    if not shards.is_main:  # the main process writes and prints for all
        return
    if output is not None:
        if log_samples:
            add_samples(result.rows, probes)
        result.write(output, overwrite=overwrite)
    print_results(result, probes, output=output, as_json=as_json)
    print_prior(result, None if as_json else prior_run, output)  # the language prior's share, as snare report has it


def _protocol(name: str | None, probes_dir: Path | None, suite: str | None, source: str | None) -> Protocol:
    """``--protocol``, or the default for what is scored: a folder's, the protocol it was built under (when snare
    knows it); the built-in scenes', contrast twins; any other set's, :data:`snare.protocols.DEFAULT`."""
    from snare.probes.assemble import names_scenes
    from snare.probes.hf_export import built_under
    from snare.protocols import protocols

    if name is None and probes_dir is not None and (built := built_under(probes_dir)) in protocols():
        return get_protocol(str(built))
    return get_protocol(name or default_protocol(scenes=probes_dir is None and names_scenes(source, suite)))


def _check_writes(output: Path | None, overwrite: bool, *, log_samples: bool, no_cache: bool) -> None:
    """Before any work: the --output folder, --log-samples' need of it, and the score cache unless --no-cache."""
    check_output(output, overwrite)
    if log_samples and output is None:
        raise SnareError("--log-samples writes into predictions/ of --output; pass --output DIR too")
    if not no_cache:
        check_cache()


def _create_adapter(
    model: str, weights: str | None, options: dict[str, str], *, dtype: str | None, device: str, seed: int, protocol
):
    """The adapter, not loaded yet, with the protocol's setup applied: under snare-paper the original's score, weights
    and precision where the user chose none (recorded as ``setup``), and the one-line notes about that setup (and
    about half precision on the CPU). Weights that cannot be had are refused here, before torch is imported."""
    from snare.adapters.hub import check_weights, is_repo_id
    from snare.adapters.paper import apply
    from snare.adapters.registry import create

    setup = apply(model, weights=weights, dtype=dtype, device=device, options=options, protocol=protocol)
    adapter = create(model, setup.weights, device=device, dtype=setup.dtype, seed=seed, **setup.options)
    adapter.setup = setup.record
    # a missing file, or an uncached hub id offline (for a model whose default weights are a hub id)
    check_weights(adapter.weights, hub_ids=is_repo_id(adapter.meta.default_weights))
    if (repo := adapter.hub_repo()) is not None:  # a tag standing for a hub repository (CLIP's "openai")
        check_weights(repo)
    return adapter, [*setup.notes, *half_on_cpu(adapter.dtype, device)]


HALF_DTYPES = ("float16", "bfloat16")


def half_on_cpu(dtype: str, device: str) -> list[str]:
    """The one-line note when a half-precision dtype runs on the CPU (slower than float32 there, often by 10x)."""
    if dtype in HALF_DTYPES and device == "cpu":
        return [f"--dtype {dtype} on the CPU runs much slower than float32 (CPUs have few half-precision kernels)"]
    return []


def announce_loading(adapter) -> None:
    """Log a line on stderr when the model starts loading and one when it is ready (device, dtype, seconds).

    Plain lines, on a terminal and in a batch log alike: loading a VLP model takes tens of seconds, and a log that
    stays silent meanwhile looks hung. Nothing is printed when the run is replayed from the cache (no load).
    """
    import sys
    import time

    load = adapter.load

    def logged_load() -> None:
        name = f"{adapter.meta.name} ({adapter.weights})"
        print(f"snare: loading {name} on {adapter.device}, {adapter.dtype}", file=sys.stderr, flush=True)
        start = time.perf_counter()
        load()
        seconds = time.perf_counter() - start
        print(
            f"snare: {name} ready on {adapter.device}, {adapter.dtype}, in {seconds:.1f}s", file=sys.stderr, flush=True
        )

    adapter.load = logged_load


def default_model(model: str | None, weights: str | None) -> tuple[str, str | None, str | None]:
    """``--model``/``--weights`` with the offline default filled in, and the note saying so (None if not used)."""
    if model is not None:
        return model, weights, None
    if weights is not None:
        return DEFAULT_MODEL, weights, None
    note = (
        f"no --model given: using the shipped {DEFAULT_MODEL} model, a tiny dual encoder trained on synthetic "
        "scenes (a solvability reference, not a VLP model); pick one with --model"
    )
    return DEFAULT_MODEL, DEFAULT_MODEL_WEIGHTS, note


def print_results(result: RunResult, probes: ProbeSet, *, output: Path | None, as_json: bool) -> None:
    """The results as JSON, or as the table and a one-line summary of the run (the default-model note went to
    stderr once, before the work, and is not repeated here)."""
    from snare.cli.console import out
    from snare.cli.tables import group_scores_table, print_table, results_table
    from snare.plain import console_safe

    if as_json:
        import json

        typer.echo(json.dumps(result.to_json(), indent=2, sort_keys=True))
    else:
        print_table(results_table(result), out)
        if (groups := group_scores_table(result)) is not None:  # 2x2 examples: Winoground's three scores
            print_table(groups, out)
        out.print(
            f"probe set {console_safe(probes.name)} {shown_fingerprint(result.record.probeset.fingerprint)} · "
            f"{len(probes)} items · "
            f"{result.record.duration_s:.1f}s" + (f" · written to {output}" if output else "")
        )
