"""``snare submit``: pack a results directory into one leaderboard submission file."""

from __future__ import annotations

from pathlib import Path

import typer


def submit_command(
    run: Path = typer.Argument(..., help="A results folder written by: snare eval --output RUN."),
    out: Path = typer.Option(..., "--out", help="The submission file to write (FILE.json, or FILE.json.gz)."),
    name: str = typer.Option(None, "--name", help="Display name on the board (default: 'MODEL (WEIGHTS)')."),
    url: str = typer.Option(None, "--url", help="Link for the model's name (http(s); hub weights get one)."),
    probes: list[Path] = typer.Option([], "--probes", help="Folder of known probe sets, for the final check."),
    no_check: bool = typer.Option(False, "--no-check", help="Write without checking it as the board would."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --out file."),
    push_to: str = typer.Option(
        None, "--push", help="Also upload the file to this Hugging Face Hub dataset repository (OWNER/NAME)."
    ),
) -> None:
    """Write a submission: model metadata, probe-set fingerprint, protocol, coverage, claims and item scores.

    A run below full coverage is packed only if it was made with snare eval --allow-partial; it is marked partial.
    """
    from snare.cli.console import out as stdout
    from snare.leaderboard.schema import model_label
    from snare.leaderboard.submit import submission_bytes, submission_from_run, write_submission
    from snare.plain import terminal_safe

    if not out.name.endswith((".json", ".json.gz")):
        from snare.errors import SnareError

        raise SnareError(f"--out {out}: name the file *.json or *.json.gz")
    if push_to is not None:
        from snare.probes.publish import check_repo_id

        check_repo_id(push_to)  # before any work
    from snare.atomic import check_file_target

    check_file_target(out, "--out", overwrite=overwrite)  # before the run is read and checked
    from snare.leaderboard.probesets import ProbeSetResolver

    resolver = ProbeSetResolver([*probes, Path("leaderboard") / "probesets"])
    submission = submission_from_run(run, display_name=name, url=url, resolver=resolver)
    if not no_check:
        _check_like_the_board(submission_bytes(submission, gzipped=False), out, resolver)
    write_submission(submission, out, overwrite=overwrite)
    model = submission["model"]  # named as leaderboard check and the board name it
    n_items = sum(len(rows) for rows in submission["items"].values())
    n_total = sum(c["total"] for c in submission["coverage"].values())
    partial = f" (PARTIAL: {n_items} of {n_total} items scored)" if submission["partial"] else ""
    stdout.print(
        f"wrote {terminal_safe(str(out))}: {model_label(model['name'], model['weights'], model.get('display_name'))}, "
        f"protocol {submission['protocol']['name']}, {n_items} items in {len(submission['items'])} task(s)"
        f"{partial}; check it with: snare leaderboard check {out}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    if push_to is not None:
        from snare.probes.publish import PushInterrupted, push

        try:
            url = push(out, push_to, path_in_repo=f"submissions/{out.name}", message=f"snare submission {out.name}")
        except KeyboardInterrupt:
            raise PushInterrupted(
                f"interrupted while pushing to {push_to}: {out} was written but not pushed; upload that file, "
                "or run snare submit again with --overwrite --push"
            ) from None
        shown = terminal_safe(f"pushed {out} to {push_to}: {url}")
        stdout.print(shown, markup=False, highlight=False, soft_wrap=True)


def _check_like_the_board(data: bytes, out: Path, resolver) -> None:
    """Verify the submission before it is written, so a file the board would reject is never produced."""
    import tempfile

    from snare.leaderboard.reading import SubmissionRejected
    from snare.leaderboard.validate import verify_submission

    with tempfile.TemporaryDirectory(prefix="snare-submit-") as tmp:
        staged = Path(tmp) / out.name.removesuffix(".gz")
        staged.write_bytes(data)
        try:
            verify_submission(staged, resolver, n_boot=1)  # only the rules matter here, not the intervals
        except SubmissionRejected as exc:
            raise SubmissionRejected(str(exc).replace(str(staged), str(out))) from None
