"""Building a board: verify every submission in a folder, then render and write the board files atomically.

A rejected submission never changes the board. With one bad file among good ones the whole build fails (and
nothing is written) unless ``skip_invalid`` is set, in which case the board lists only the verified submissions
and :attr:`Board.skipped` says what was left out and why.
"""

from __future__ import annotations

from pathlib import Path

from snare.errors import SnareError
from snare.leaderboard.probesets import ProbeSetResolver
from snare.leaderboard.reading import SubmissionRejected
from snare.leaderboard.render import board_data, render_html, render_markdown
from snare.leaderboard.validate import N_BOOT, Board, VerifiedSubmission, verify_submission
from snare.plain import label_key

SUFFIXES = (".json", ".json.gz")
BOARD_FILES = ("leaderboard.md", "leaderboard.html", "leaderboard.json")


class BoardRejected(SnareError):
    """At least one submission was rejected and ``--skip-invalid`` was not given; ``rejected`` lists them all."""

    def __init__(self, message: str, rejected: list[tuple[Path, str]]) -> None:
        super().__init__(message)
        self.rejected = rejected


def submission_files(folder: str | Path) -> list[Path]:
    """The submission files (``*.json``, ``*.json.gz``) directly in ``folder``, sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SnareError(f"submissions folder not found: {folder}")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(SUFFIXES))
    if not files:
        raise SnareError(f"no submissions (*.json, *.json.gz) in {folder}; make one with: snare submit RUN --out FILE")
    return files


def _duplicate(entry: VerifiedSubmission, kept: list[VerifiedSubmission]) -> str | None:
    for other in kept:
        # compared as a reader sees them: NFKC, invisible characters removed, case folded
        if other.fingerprint == entry.fingerprint and label_key(other.label) == label_key(entry.label):
            return (
                f"{entry.path}: same model label {entry.label!r} as {other.path.name} on the same probe set; "
                "give one a distinct display name (snare submit --name)"
            )
    return None


def collect(
    folder: str | Path, resolver: ProbeSetResolver, *, skip_invalid: bool = False, n_boot: int = N_BOOT
) -> Board:
    """Verify every submission in ``folder``; raise :class:`BoardRejected` on any rejection unless skipping."""
    files = submission_files(folder)
    board = Board(n_boot=n_boot)
    for path in files:
        try:
            entry = verify_submission(path, resolver, n_boot=n_boot)
        except SubmissionRejected as exc:
            board.skipped.append((path, str(exc)))
            continue
        reason = _duplicate(entry, board.entries)
        if reason is not None:
            board.skipped.append((path, reason))
        else:
            board.entries.append(entry)
    if board.skipped and not skip_invalid:
        first = board.skipped[0][1]
        raise BoardRejected(
            f"{first} [{len(board.skipped)} of {len(files)} submissions rejected; the board was not written; "
            "fix them or pass --skip-invalid]",
            board.skipped,
        )
    if not board.entries:
        raise SnareError(f"every submission in {folder} was rejected; the board was not written")
    return board


def check_board_target(out_dir: str | Path, *, overwrite: bool = False) -> Path:
    """Refuse, before any work, a board folder that is not a folder, or board files that exist without
    ``overwrite`` or are not regular files (a device, FIFO or socket, or a link to one: never, even with it)."""
    from snare.atomic import check_file_target, not_regular

    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise SnareError(f"--out {out_dir} is {not_regular(out_dir) or 'a file'}, not a folder; pick another path")
    for name in BOARD_FILES:
        check_file_target(out_dir / name, "--out", overwrite=overwrite)
    return out_dir


def write_board(
    board: Board, out_dir: str | Path, *, command: str | None = None, overwrite: bool = False
) -> list[Path]:
    """Render the three board files in memory, then write each atomically; return their paths.

    ``command`` is the build command line, shown in the footer (see :func:`snare.leaderboard.render.board_data`);
    existing board files are replaced only with ``overwrite`` (see :func:`check_board_target`)."""
    from snare.atomic import dumps_json, write_text

    out_dir = check_board_target(out_dir, overwrite=overwrite)
    data = board_data(board, command)
    # Everything is rendered before the first write, so a rendering error leaves the old board untouched.
    texts = dict(zip(BOARD_FILES, (render_markdown(data), render_html(data), dumps_json(data)), strict=True))
    paths = []
    for name, text in texts.items():
        write_text(out_dir / name, text)
        paths.append(out_dir / name)
    return paths
