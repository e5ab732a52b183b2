"""``snare leaderboard``: build the board from a folder of submissions, or check one submission (as CI does)."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Verify submissions and render the leaderboard.", no_args_is_help=True)

PROBES_HELP = "Another folder of known probe sets (or one probe-set folder); repeatable."


def _resolver(submission_path: Path, probes: list[Path]):
    """Probe sets known to the board: --probes folders, then ``probesets/`` beside the submissions folder."""
    from snare.leaderboard.probesets import ProbeSetResolver, check_given_folders

    folder = submission_path if submission_path.is_dir() else submission_path.parent
    return ProbeSetResolver([*check_given_folders(probes), folder.parent / "probesets"])


def build_line(submissions: Path, out: Path, probes: list[Path], skip_invalid: bool, overwrite: bool = False) -> str:
    """The ``snare leaderboard build`` command as run (shell-quoted), for the board's footer."""
    import shlex

    args = ["snare", "leaderboard", "build", str(submissions), "--out", str(out)]
    args += ["--overwrite"] if overwrite else []
    args += [part for p in probes for part in ("--probes", str(p))]
    return shlex.join(args + (["--skip-invalid"] if skip_invalid else []))


@app.command("build")
def build_command(
    submissions: Path = typer.Argument(..., help="Folder of submission files (*.json, *.json.gz)."),
    out: Path = typer.Option(..., "--out", help="Folder for leaderboard.md, leaderboard.html and leaderboard.json."),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Leave rejected submissions out (listed)."),
    probes: list[Path] = typer.Option([], "--probes", help=PROBES_HELP),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace the board files already in --out."),
) -> None:
    """Verify every submission, recompute its metrics from the per-item scores, and write the board atomically."""
    from snare.cli.console import err
    from snare.cli.console import out as stdout
    from snare.leaderboard.build import BoardRejected, check_board_target, collect, write_board
    from snare.plain import terminal_safe

    check_board_target(out, overwrite=overwrite)  # before the submissions are read and verified

    try:
        board = collect(submissions, _resolver(submissions, probes), skip_invalid=skip_invalid)
    except BoardRejected as exc:
        for _, reason in exc.rejected[1:]:
            err.print(f"rejected: {reason}", markup=False, highlight=False, soft_wrap=True)
        raise
    for _, reason in board.skipped:
        err.print(f"skipped: {reason}", markup=False, highlight=False, soft_wrap=True)
    command = build_line(submissions, out, probes, skip_invalid, overwrite)
    paths = write_board(board, out, command=command, overwrite=overwrite)
    n_sets = len({e.fingerprint for e in board.entries})
    n_tables = len({(e.fingerprint, e.protocol) for e in board.entries})
    n_partial = sum(e.partial for e in board.entries)
    stdout.print(
        f"{len(board.entries)} submission(s) verified on {n_sets} probe set(s) in {n_tables} table(s)"
        + (f", {n_partial} partial (unranked)" if n_partial else "")
        + (f", {len(board.skipped)} skipped" if board.skipped else "")
        + f"; wrote {terminal_safe(', '.join(str(p) for p in paths))}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@app.command("check")
def check_command(
    file: Path = typer.Argument(..., help="One submission file (*.json or *.json.gz)."),
    probes: list[Path] = typer.Option([], "--probes", help=PROBES_HELP),
) -> None:
    """Validate one submission as the board would; exit 0 when it would be accepted, 2 with the reason if not."""
    from snare.cli.console import out as stdout
    from snare.leaderboard.validate import verify_submission

    entry = verify_submission(file, _resolver(file, probes))
    accuracies = ", ".join(f"{t} {m.accuracy.estimate:.3f}" for t, m in sorted(entry.metrics.items()))
    scored = sum(c.scored for c in entry.coverage.values())
    partial = f"; PARTIAL: {scored} of {entry.n_items} items scored, listed unranked" if entry.partial else ""
    data = f"; {entry.suite.scope()}" if entry.suite is not None else ""  # the pinned data it was checked against
    stdout.print(
        f"ok: {file}: {entry.label} on probe set {entry.probeset_name} ({entry.n_items} items, "
        f"{entry.fingerprint[:19]}…{data}), protocol {entry.protocol}; claims verified: {accuracies}{partial}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
