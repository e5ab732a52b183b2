"""``snare probes``: list the probe tasks, build probe sets from data sources, and show a few items."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from snare.cli.options import protocol_option

if TYPE_CHECKING:
    from snare.probes.probeset import ProbeSet

app = typer.Typer(help="Probe tasks and probe sets.", no_args_is_help=True)


@app.command("list")
def list_probes(as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")) -> None:
    """Show the probe tasks: what each tests, its options, which is intended."""
    from rich.table import Table

    from snare.cli.console import out
    from snare.cli.tables import print_table
    from snare.probes.suites import suite_table
    from snare.probes.tasks import TASKS

    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "kind": "task",
                        "name": t.name,
                        "title": t.title,
                        "tests": t.tests,
                        "labels": list(t.labels),
                        "correct": t.correct,
                        "paper": t.paper,
                    }
                    for t in TASKS.values()
                ]
                + [
                    {
                        "kind": "suite",
                        "name": suite.name,
                        "title": suite.title,
                        "tasks": [list(p) for p in suite.tasks],
                        "datasets": [ds.to_json() for ds in suite.datasets()],
                    }
                    for suite in suite_table().values()
                ],
                indent=2,
            )
        )
        return
    table = Table(title="snare probe tasks")
    for col in ("task", "tests", "options (in order)", "intended"):
        table.add_column(col, overflow="fold")
    for t in TASKS.values():
        table.add_row(
            t.name,
            t.tests,
            " | ".join(t.labels),
            t.labels[t.correct]
            if t.correct is not None
            else ("varies (the true relation)" if len(t.labels) > 2 else "the one true of the image (i for image i)"),
        )
    print_table(table, out)
    _print_suites(out)
    _print_protocols()


def _print_suites(out) -> None:
    """The suites (``--suite``): each task, its dataset at the pinned revision, and the rows the mirror has;
    a suite's name heads its tasks (fallback mirrors: snare/data/suites.json)."""
    from rich import box
    from rich.table import Table

    from snare.cli.tables import print_table
    from snare.probes.suites import dataset_table, suite_table

    title = "suites (snare eval --suite NAME; fetch: snare data fetch --suite NAME)"
    table = Table(title=title, box=box.SIMPLE, pad_edge=False, padding=(0, 1, 0, 0))
    width = max(len(ds.repo) for ds in dataset_table().values())
    for col in ("suite / task", "dataset", "commit", "rows"):  # repository names stay whole: they are copied
        table.add_column(col, overflow="fold", min_width=width if col == "dataset" else None)
    for suite in suite_table().values():
        table.add_row(f"[bold]{suite.name}[/]", "", "", "")
        for task, name in suite.tasks:
            ds = dataset_table()[name]
            table.add_row(task, ds.repo, ds.revision[:7], f"{ds.rows:,}" if ds.rows else "?")
    print_table(table, out)


def _print_protocols() -> None:
    """The protocols ``--protocol`` takes (``probes build`` and ``eval``): how each builds and scores."""
    from rich.markup import escape
    from rich.table import Table

    from snare.cli.console import out
    from snare.cli.tables import print_table
    from snare.protocols import protocols

    table = Table(title="protocols (--protocol)")
    for col in ("protocol", "what it does"):
        table.add_column(col, overflow="fold")
    for p in protocols().values():
        table.add_row(p.name, escape(p.title))
    print_table(table, out)


SOURCE_HELP = (
    "synthetic; a COCO/Flickr30k Karpathy folder or .json; an ARO folder with visual_genome_*.json; "
    "a .jsonl/.csv of image,caption rows; hf:NAME or a save_to_disk folder."
)


def _check_data_flags(tasks: list[str], source: str | None, suite: str | None, data_dir: Path | None) -> None:
    """One of --source (with tasks) and --suite (tasks optional); --data-dir only with --suite. Fails before any
    work, offline included (a suite's datasets must then be cached)."""
    from snare.errors import SnareError

    if (suite is None) == (source is None) or (source is not None and not tasks):
        raise SnareError("pass TASK... --source SOURCE, or --suite NAME [TASK...] (see: snare probes list)")
    if suite is not None:
        from snare.probes.suites import preflight

        preflight(suite, data_dir, tasks)
    elif data_dir is not None:
        raise SnareError("--data-dir is where a --suite's repositories are copied; pass --suite too")


@app.command("build")
def build_command(
    tasks: list[str] = typer.Argument(None, help="Task(s) to build (snare probes list); with --suite: only these."),
    source: str = typer.Option(None, "--source", "-s", help=SOURCE_HELP),
    suite: str = typer.Option(None, "--suite", help="Every task of a paper's benchmark, from its pinned hub datasets."),
    data_dir: Path = typer.Option(None, "--data-dir", help="Local copies of the --suite repositories."),
    out: Path = typer.Option(..., "--out", help="Folder to write the probe set to (written atomically)."),
    seed: int = typer.Option(0, "--seed", help="Global seed; each item draws from (seed, item id)."),
    split: str = typer.Option("test", "--split", help="Karpathy / Hugging Face split."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Skip (and count) bad records and unreadable images."),
    follow_links: bool = typer.Option(
        False, "--follow-links", help="Accept source images linked to files outside the source folder (copied in)."
    ),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl (a snare probe set) or hf (a datasets DatasetDict)."),
    image_column: str = typer.Option(None, "--image-column", help="Image column (Hugging Face, JSONL, CSV)."),
    caption_column: str = typer.Option(None, "--caption-column", help="Caption column (Hugging Face, JSONL, CSV)."),
    limit: int = typer.Option(None, "--limit", min=1, help="Use only the first N records of the source."),
    batch_size: int = typer.Option(256, "--batch-size", min=1, help="Captions per spaCy batch."),
    processes: int = typer.Option(1, "--processes", min=1, help="spaCy parsing processes."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --out folder."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress (bars on a terminal, log lines otherwise)."),
    images_mode: str = typer.Option(
        "copy",
        "--images",
        help="copy (default: images into OUT/images, a self-contained set), link (hard links) or absolute "
        "(the source folder's absolute path; no files copied).",
    ),
    protocol: str | None = protocol_option("How the items are built (its construction); recorded in the manifest."),
) -> None:
    """Build a probe set: perturbed caption options for each task, from a data source, into --out."""
    from snare.atomic import check_destination, check_name, staged_directory
    from snare.cli.console import out as console
    from snare.cli.console import progress
    from snare.errors import SnareError, check_seed
    from snare.probes.assemble import ProbeSpec, assemble, names_scenes
    from snare.probes.probeset import PROBESET_SHAPES
    from snare.probes.tasks import get_task
    from snare.protocols import default_protocol, get_protocol

    if fmt not in ("jsonl", "hf"):
        raise SnareError(f"--format {fmt!r}: use jsonl or hf")
    tasks = tasks or []
    _check_data_flags(tasks, source, suite, data_dir)
    if follow_links and suite is not None:
        raise SnareError("--follow-links is for a --source folder; a --suite's images are written by snare itself")
    for task in tasks:
        get_task(task)
    check_seed(seed)
    scenes = names_scenes(source, suite)
    chosen = get_protocol(protocol or default_protocol(scenes=scenes))  # an unknown one fails before any read
    from snare.probes.portable import check_mode

    check_mode(images_mode)
    markers = {"kind": PROBESET_SHAPES, "what": "probe set"}
    check_name(out, "--out")
    check_destination(out, overwrite=overwrite, **markers)  # before any parsing: --overwrite of a foreign folder
    with staged_directory(out, overwrite=overwrite, **markers) as staging, progress({}, quiet=quiet) as tick:
        spec = ProbeSpec(
            tuple(tasks),
            source=source,
            suite=suite,
            seed=seed,
            split=split,
            skip_bad=skip_bad,
            follow_links=follow_links,
            image_dir=staging / "images",
            image_column=image_column,
            caption_column=caption_column,
            limit=limit,
            batch_size=batch_size,
            n_process=processes,
            data_dir=data_dir,
        )
        probes = assemble(spec, chosen, tick=tick)
        manifest = _write_probes(probes, staging, out, fmt, images_mode)
    _print_build_report(manifest)
    from snare.plain import console_safe

    console.print(f"wrote {manifest['n_items']} items to {console_safe(str(out))} ({manifest['fingerprint'][:19]}…)")


def _write_probes(probes: ProbeSet, staging: Path, final: Path, fmt: str, images_mode: str) -> dict[str, Any]:
    """Write ``probes`` into the staging folder as a snare probe set or a ``datasets`` export; its manifest.

    A snare probe set gets its images as ``images_mode`` says (:mod:`snare.probes.portable`); ``final`` is the
    folder the staging folder becomes."""
    from snare.atomic import write_json
    from snare.probes.portable import place_images

    images = staging / "images"
    manifest = probes.manifest()
    if fmt == "hf":
        import shutil

        from snare.probes.hf_export import export_hf

        export_hf(probes, staging / "dataset")
        shutil.rmtree(images, ignore_errors=True)  # the export embeds the image bytes
        manifest["image_root"] = None
        write_json(staging / "snare_manifest.json", {**manifest, "exported_as": "hf"})
    else:
        probes.write_into(staging)
        # "images" (inside the set, resolved against its folder when loaded) or an absolute path
        manifest["image_root"], n_placed = place_images(probes, staging, images_mode)
        write_json(staging / "manifest.json", manifest)
        if n_placed:
            from snare.cli.console import err

            verb = "linked" if images_mode == "link" else "copied"
            err.print(
                f"{verb} {n_placed} image(s) into {final / 'images'}", highlight=False, markup=False, soft_wrap=True
            )
    return manifest


def _print_build_report(manifest: dict[str, Any]) -> None:
    """Per task: items kept of the candidates and why the others were skipped; a warning for unreadable images."""
    from snare.cli.console import err
    from snare.cli.console import out as console
    from snare.plain import console_safe

    for task, report in manifest.get("build", {}).items():
        skipped = ", ".join(f"{n} {why}" for why, n in report["skipped"].items()) or "none"
        kept = (
            f"; {report['equal_to_intended']} kept with an option equal to the intended one"
            if report.get("equal_to_intended")
            else ""
        )
        console.print(
            f"{task}: {report['items']} items from {report['candidates']} candidates (skipped: {skipped}{kept})"
        )
    for task, reason in manifest.get("left_out", {}).items():
        console.print(f"{task}: left out of --protocol {manifest['protocol']['name']}: {reason}")
    if (manifest.get("source") or {}).get("suite"):  # entries a suite's datasets dropped before any task
        for name, skipped in manifest.get("skipped_records", {}).items():
            if skipped:
                console.print(f"{name}: dropped {', '.join(f'{n} {why}' for why, n in skipped.items())}")
    for kind, bad in manifest.get("bad_images", {}).items():
        example = console_safe(str(bad[0]))  # a file name from the source: shown, not interpreted
        err.print(f"[yellow]warning:[/] skipped records of {len(bad)}+ unreadable images in {kind}, e.g. {example}")


@app.command("push")
def push_command(
    folder: Path = typer.Argument(..., help="A probe-set folder (JSONL or --format hf) to publish."),
    repo: str = typer.Argument(..., help="Hugging Face Hub dataset repository, OWNER/NAME (created if missing)."),
    private: bool = typer.Option(False, "--private", help="Create the repository private."),
) -> None:
    """Publish a probe set to the Hugging Face Hub (token: HF_TOKEN or hf auth login; endpoint: HF_ENDPOINT).

    The set is checked first: it must load and match its recorded fingerprint, so what others download is
    exactly what was built."""
    from snare.cli.console import out
    from snare.probes.hf_export import load_probe_folder
    from snare.probes.publish import PushInterrupted, check_repo_id, probeset_files, push

    check_repo_id(repo)
    probes = load_probe_folder(folder)
    files = probeset_files(folder, probes)  # exactly the set's files: no stray .env, no link out
    summary = f"snare probe set {probes.name} ({probes.fingerprint[:19]})"
    try:
        url = push(folder, repo, files=files, private=private, message=summary)
    except KeyboardInterrupt:
        raise PushInterrupted(
            f"interrupted while pushing {folder} to {repo}; nothing was written here, and a hub commit is whole "
            "or absent: look at the repository before pushing again"
        ) from None
    from snare.plain import console_safe

    shown = console_safe(f"pushed {folder} ({len(probes)} items, {probes.fingerprint[:19]}…) to {repo}: {url}")
    out.print(shown, soft_wrap=True)


def _check_shown_tasks(tasks: list[str], probes) -> None:
    """Every --task of ``probes show`` must be a task this set has items for (else only a header would print)."""
    from snare.errors import SnareError
    from snare.plain import console_safe
    from snare.probes.tasks import get_task

    for task in tasks:
        get_task(task)  # an unknown name: the one line that lists the tasks
        if task not in probes.tasks:
            raise SnareError(
                f"probe set {console_safe(probes.name)!r} has no items for task {task!r} "
                f"(it has: {', '.join(probes.tasks)})"
            )


@app.command("show")
def show_command(
    folder: Path = typer.Argument(..., help="A probe-set folder (from snare probes build)."),
    n: int = typer.Option(5, "--n", min=1, help="Items to show per task."),
    task: list[str] = typer.Option([], "--task", "-t", help="Only these tasks (repeatable)."),
) -> None:
    """Print a few items of a probe set: image, caption options, and the intended option."""
    from rich.table import Table

    from snare.cli.console import out
    from snare.cli.eval import shown_fingerprint
    from snare.cli.tables import print_table
    from snare.plain import console_safe
    from snare.probes.hf_export import load_probe_folder

    probes = load_probe_folder(folder)  # a JSONL set or a --format hf export
    _check_shown_tasks(task, probes)
    built = (probes.info.get("protocol") or {}).get("name")
    fingerprint, verified = probes.checked_fingerprint()
    out.print(
        f"probe set {console_safe(probes.name)} · {len(probes)} items · {shown_fingerprint(fingerprint)}"
        + ("" if verified else " (unverified: an image is missing or unreadable)")
        + (f" · built under --protocol {console_safe(str(built))}" if built else "")
    )
    for name, items in probes.by_task().items():
        if task and name not in task:
            continue
        table = Table(title=f"{console_safe(name)} ({len(items)} items)", show_lines=True)
        for col in ("id", "image", "options (✓ = intended)", "intended"):
            table.add_column(col, overflow="fold")
        for it in items[:n]:
            # captions, ids and paths come from files: escape sequences and rich markup are shown, not obeyed
            image = console_safe(it.image.path or "synthetic scene")
            if it.image.bbox:
                image += " crop " + ",".join(f"{v:g}" for v in it.image.bbox)
            image += " mirrored" if it.image.flip else ""
            options = "\n".join(
                f"{'✓' if k == it.correct else ' '} {k}. {console_safe(opt)}  [dim]({console_safe(label)})[/]"
                for k, (opt, label) in enumerate(zip(it.options, it.labels, strict=True))
            )
            table.add_row(console_safe(it.id), image, options, console_safe(it.labels[it.correct]))
        print_table(table, out)
