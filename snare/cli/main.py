"""Entry point of the ``snare`` console script.

Verb modules import only typer/rich and light snare modules at import time; torch, transformers and spaCy are
imported inside the commands that need them, so ``snare --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from typing import Any

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


# per verb: other tools' spellings of its flags (e.g. lm-eval's --output_path), from the module's ALIASES
ALIASES: dict[str, dict[str, str]] = {}
for module_name, attr, verb in VERBS:
    module = importlib.import_module(module_name)
    target = getattr(module, attr)
    ALIASES[verb] = getattr(module, "ALIASES", {})
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


def plain_flags(command: Any, help_names: tuple[str, ...] = ("-h", "--help")) -> Any:
    """Show on/off flags as ``--overwrite``, not ``--overwrite <bool>``: an empty metavar hides the value slot.

    Typer labels every parameter with its type, so a flag reads as if it took a value; options that do take one
    keep their ``<int>``/``<path>`` label. Applied to every sub-command (and its help option, which click builds
    once per command and caches), in place; returns ``command``."""
    context = command.context_class(command, help_option_names=list(help_names))
    for param in [*command.params, command.get_help_option(context)]:
        # duck-typed: typer ships its own copy of click, so click.Option is not the class of these parameters
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    for sub in getattr(command, "commands", {}).values():
        plain_flags(sub, help_names)
    return command


# ``-o`` means --model-option (eval); ``probes build`` once took it for --out and still does, with a note.
_OLD_SHORT = {("probes", "build"): {"-o": "--out"}}


def expand_aliases(argv: list[str]) -> list[str]:
    """``snare eval --output_path X`` -> ``snare eval --output X`` (also ``--output_path=X``); up to a ``--``.

    ``snare probes build -o DIR`` -> ``--out DIR``, with a one-line note: ``-o`` is --model-option everywhere
    else, so the short name is no longer shown, but old scripts keep working."""
    aliases = dict(ALIASES.get(argv[0], {})) if argv else {}
    old = _OLD_SHORT.get(tuple(argv[:2]), {})  # type: ignore[call-overload]
    out: list[str] = []
    for i, arg in enumerate(argv):
        if arg == "--":
            return out + argv[i:]
        if arg in old:
            typer.echo(f"note: {arg} is {old[arg]} here but --model-option in snare eval; write {old[arg]}", err=True)
            out.append(old[arg])
            continue
        name, sep, value = arg.partition("=")
        out.append(aliases[name] + sep + value if name in aliases else arg)
    return out


def main(argv: list[str] | None = None) -> None:
    import signal

    with contextlib.suppress(ValueError):  # not the main thread (an embedding application): keep its handler
        signal.signal(signal.SIGTERM, _terminate)
    command = plain_flags(typer.main.get_command(app))
    argv = expand_aliases(sys.argv[1:] if argv is None else list(argv))
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
