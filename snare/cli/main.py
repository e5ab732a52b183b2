"""Entry point of the ``snare`` console script.

Verb modules import only typer/rich and light snare modules at import time; torch, transformers and spaCy are
imported inside the commands that need them, so ``snare --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import importlib
import sys

import typer

from snare import __version__
from snare.errors import SnareError

# (module, attribute, name): a Typer sub-app is added as a group, a function as a command.
VERBS: tuple[tuple[str, str, str], ...] = (
    ("snare.cli.eval", "eval_command", "eval"),
    ("snare.cli.models", "app", "models"),
    ("snare.cli.probes", "app", "probes"),
    ("snare.cli.submit", "submit_command", "submit"),
    ("snare.cli.leaderboard", "app", "leaderboard"),
    ("snare.cli.report", "report_command", "report"),
    ("snare.cli.audit", "audit_command", "audit"),
    ("snare.cli.train_reference", "train_reference_command", "train-reference"),
    ("snare.cli.data", "app", "data"),
)

app = typer.Typer(
    name="snare",
    help="Probe what vision-language models understand of language (SNARE).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"snare {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Probe what vision-language models understand of language (SNARE)."""


for module_name, attr, verb in VERBS:
    target = getattr(importlib.import_module(module_name), attr)
    if isinstance(target, typer.Typer):
        app.add_typer(target, name=verb)
    else:
        app.command(verb)(target)


def error_line(message: str) -> None:
    """Print one error line on stderr (no traceback); escape sequences from file names or data are neutralised."""
    from snare.plain import terminal_safe

    typer.echo(f"error: {terminal_safe(message)}", err=True)


INTERRUPTED = 130  # the shell's code for a Ctrl-C; typer turns KeyboardInterrupt into Exit(130)


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # so a SIGTERM unwinds like Ctrl-C: staging folders are removed, one line is printed


def main(argv: list[str] | None = None) -> None:
    import signal

    with contextlib.suppress(ValueError):  # not the main thread (an embedding application): keep its handler
        signal.signal(signal.SIGTERM, _terminate)
    command = typer.main.get_command(app)
    try:
        # without standalone mode click returns (not raises) the code of a typer.Exit: keep it as the exit status
        code = command.main(args=argv, prog_name="snare", standalone_mode=False)
    except SnareError as exc:
        error_line(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        code = INTERRUPTED
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.TyperException as exc:  # usage errors: bad option values, unknown options
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        ctx = getattr(exc, "ctx", None)
        hint = f" (see: {ctx.command_path} --help)" if ctx is not None else ""
        error_line(" ".join(message.split()) + hint)
        sys.exit(2)
    if code == INTERRUPTED:
        error_line("interrupted; no output was written (outputs are published only when complete)")
    sys.exit(code if isinstance(code, int) else 0)
