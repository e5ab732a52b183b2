"""Rendering a verified board as JSON data, Markdown and one static HTML page.

:func:`board_data` is the single source: the Markdown and HTML renderers only format it. Every string that came
from a submission is escaped for its target (Markdown punctuation, HTML entities through Jinja2's autoescape),
even though the schema already refuses markup characters. The HTML page is self-contained: inline CSS, one small
inline script allowed by a Content-Security-Policy hash, no external scripts, fonts or images.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.resources import files
from typing import Any
from urllib.parse import quote

from snare import __version__
from snare.leaderboard.validate import BOOT_SEED, Board
from snare.protocols import DEFAULT, is_default

FORMAT = "snare-leaderboard/1"
REBUILD = "snare leaderboard build leaderboard/submissions --out reports --overwrite"
RULE = (
    "Strict accuracy: an item counts only when the intended option scores strictly above every other (a tie is "
    "wrong), recomputed from each submission's per-item scores with the intended options of the probe set."
)
CI_NOTE = (
    "95% cluster-bootstrap interval: items that share an image are resampled together; the mean's interval "
    "resamples the images once for all tasks."
)
PARTIAL_MARK = "PARTIAL"
PARTIAL_RULE = (
    "A PARTIAL run was made with snare eval --allow-partial: some items could not be scored (coverage shows how "
    "many were), so its accuracies cover the scored items only. It is listed after the ranked runs and gets no rank."
)
BASELINE_MARK = "BASELINE"
BASELINE_FAMILY = "baseline"
BASELINE_RULE = (
    "A BASELINE is not a model of images: a text-only scorer (blind to the image) or a constant one. Baselines "
    "are listed beside the models, after them and without a rank, to show what a task gives away without the image."
)
PROTOCOL_RULE = (
    "Each table holds one probe set and one scoring protocol; runs under different protocols are never ranked "
    "together. Ranks use the strict accuracy; under a protocol other than snare, that protocol's own accuracy "
    "is shown beside it where it differs from the strict one."
)


def _task_title(task: str) -> str:
    from snare.probes.tasks import TASKS

    return TASKS[task].title if task in TASKS else task.replace("_", " ").capitalize()


def _coverage(entry: Any) -> dict[str, Any]:
    scored = sum(c.scored for c in entry.coverage.values())
    total = sum(c.total for c in entry.coverage.values())
    return {"scored": scored, "total": total, "fraction": scored / total if total else 1.0}


def _entry(entry: Any) -> dict[str, Any]:
    model = entry.submission.model
    return {
        "file": entry.path.name,
        "label": entry.label,
        "model": {
            k: getattr(model, k)
            for k in ("name", "display_name", "family", "head", "weights", "revision", "license", "params", "url")
        },
        "snare_version": entry.submission.snare_version,
        "protocol": entry.protocol,
        "partial": entry.partial,
        "baseline": model.family == BASELINE_FAMILY,
        "mark": PARTIAL_MARK if entry.partial else BASELINE_MARK if model.family == BASELINE_FAMILY else None,
        "coverage": _coverage(entry),
        "mean_accuracy": entry.mean_accuracy,
        "mean_ci": entry.mean_ci.to_json() if entry.mean_ci is not None else [None, None],
        "ties": sum(m.n_ties for m in entry.metrics.values()),
        "tasks": {
            task: {
                "accuracy": m.accuracy.estimate,
                "ci": m.accuracy.bootstrap.to_json(),
                "n": m.n,
                "correct": m.accuracy.k,
                "ties": m.n_ties,
                "coverage": entry.coverage[task].to_json(),
                "protocol_accuracy": (entry.protocol_scores[task].accuracy if task in entry.protocol_scores else None),
                **_pairs(m),
            }
            for task, m in sorted(entry.metrics.items())
        },
    }


def _pairs(metrics: Any) -> dict[str, Any]:
    """A contrast set's pair accuracy (both twins right) and its interval; nothing for a set without pairs, whose
    board stays as it was."""
    if metrics.pairs is None:
        return {}
    return {"pair_accuracy": metrics.pairs.estimate, "pair_ci": metrics.pairs.bootstrap.to_json()}


def _ranked(entries: list[Any]) -> list[dict[str, Any]]:
    """Complete runs of models ranked by mean accuracy, then baselines and partial runs unranked (``rank``
    None), best mean first within each.

    A partial run's accuracies cover fewer items than the others', and a baseline is no model of images, so
    neither gets a rank nor sits above a ranked run, whatever its mean.
    """
    rows = sorted(
        (_entry(e) for e in entries),
        key=lambda r: (r["partial"], r["baseline"], -r["mean_accuracy"], r["label"]),
    )
    rank = 0
    for row in rows:
        ranked = not row["partial"] and not row["baseline"]
        rank += ranked
        row["rank"] = rank if ranked else None
    return rows


def _protocol(name: str) -> dict[str, Any]:
    from snare.protocols import get_protocol

    protocol = get_protocol(name)
    return {"name": name, "title": protocol.title, "cite": protocol.cite or None}


def _protocol_order(name: str) -> tuple[bool, str]:
    return (not is_default(name), name)


def _scope(entry: Any) -> str:
    """How the probe set was drawn, for the table heading: the suite and its datasets' commits (a suite build) or
    the seed (the synthetic set), then the per-task limit."""
    ref, parts = entry.submission.probeset, []
    if entry.suite is not None:  # from the verified probe set's manifest, never from the submission
        parts.append(entry.suite.scope())
    elif (ref.source or {}).get("kind") == "synthetic":
        parts.append(f"seed {ref.source.get('seed')}, {ref.source.get('n_scenes')} scenes")
    parts.append(f"first {ref.limit} items per task" if ref.limit else "all items")
    return "; ".join(parts)


def board_data(board: Board, command: str | None = None) -> dict[str, Any]:
    """The board as JSON-ready data: one table per probe set and protocol (each ranked on its own).

    ``command`` is the ``snare leaderboard build ...`` line that made it, printed in the footer as the way to
    rebuild it (the repository's own command when not given)."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for entry in board.entries:
        groups.setdefault((entry.fingerprint, entry.protocol), []).append(entry)
    tables = []
    for (_, protocol), entries in groups.items():
        first = entries[0]
        tables.append(
            {
                "probeset": first.probeset_name,
                "fingerprint": first.fingerprint,
                "n_items": first.n_items,
                "scope": _scope(first),
                **({"suite": first.suite.to_json()} if first.suite is not None else {}),
                "protocol": _protocol(protocol),
                "tasks": [
                    {"name": t, "title": _task_title(t), "n_options": m.n_options, "chance": m.chance}
                    for t, m in sorted(first.metrics.items())
                ],
                "entries": _ranked(entries),
            }
        )
    # snare's own protocol first on each probe set, then the others by name
    tables.sort(key=lambda t: (-t["n_items"], t["probeset"], t["fingerprint"], _protocol_order(t["protocol"]["name"])))
    return {
        "format": FORMAT,
        "snare_version": __version__,
        "rule": RULE,
        "partial_rule": PARTIAL_RULE,
        "baseline_rule": BASELINE_RULE,
        "protocol_rule": PROTOCOL_RULE,
        "interval": {
            "method": "cluster bootstrap, percentile",
            "level": 0.95,
            "n_boot": board.n_boot,
            "seed": BOOT_SEED,
        },
        "rebuild": command or REBUILD,
        "tables": tables,
    }


# -- Markdown ------------------------------------------------------------------------------------------------------
# Inline Markdown syntax; ( ) ! # - + only act next to these or at a line start, which a table cell never is.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~])")


def md_escape(text: str) -> str:
    """Text that Markdown shows literally: punctuation backslash-escaped, ``&`` as an entity."""
    return _MD_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;"))


def md_link_target(url: str) -> str:
    """A link destination that cannot leave its ``<...>``: markup and table characters percent-encoded."""
    return quote(url, safe=":/?#@!$&'()*+,;=%~-._")


def _fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _params(value: int | None) -> str:
    if value is None:
        return "–"
    return f"{value / 1e6:,.1f}M" if value >= 1e5 else f"{value:,}"


def _md_mean_cell(row: dict[str, Any]) -> str:
    low, high = row["mean_ci"]
    return f"**{_fmt(row['mean_accuracy'])}** [{_fmt(low, 2)}, {_fmt(high, 2)}]"


def own_accuracy_differs(metric: dict[str, Any], protocol: str) -> bool:
    """Whether a cell shows the protocol's own accuracy: under a protocol other than snare, and only where it reads
    differently from the strict accuracy beside it (snare-balanced scores strictly: repeating it says nothing)."""
    return not is_default(protocol) and _fmt(metric["protocol_accuracy"]) != _fmt(metric["accuracy"])


def _md_task_cell(metric: dict[str, Any], protocol: str, partial: bool) -> str:
    low, high = metric["ci"]
    cell = f"{_fmt(metric['accuracy'])} [{_fmt(low, 2)}, {_fmt(high, 2)}]"
    if own_accuracy_differs(metric, protocol):
        cell += f" · {md_escape(protocol)} {_fmt(metric['protocol_accuracy'])}"
    if "pair_accuracy" in metric:
        cell += f" · pairs {_fmt(metric['pair_accuracy'])}"
    if partial:
        cell += f" · {metric['coverage']['scored']}/{metric['coverage']['total']}"
    return cell


def _md_table(table: dict[str, Any], rows: list[dict[str, Any]], *, partial: bool) -> list[str]:
    head = ["#", "model", "weights", "params", "mean"]
    head += [f"{md_escape(t['title'])} (chance {t['chance']:.2f})" for t in table["tasks"]]
    head += ["ties", "coverage"] if partial else ["ties"]
    align = ["---:", ":---", ":---", "---:", "---:"] + ["---:"] * (len(head) - 5)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    for row in rows:
        model = row["model"]
        name = md_escape(row["label"])
        if model["url"]:
            name = f"[{name}](<{md_link_target(model['url'])}>)"
        if row["mark"]:
            name = f"**{row['mark']}** {name}"
        rank = "–" if row["rank"] is None else str(row["rank"])
        cells = [rank, name, md_escape(model["weights"]), _params(model["params"]), _md_mean_cell(row)]
        cells += [_md_task_cell(row["tasks"][t["name"]], table["protocol"]["name"], partial) for t in table["tasks"]]
        cells.append(str(row["ties"]))
        if partial:
            cov = row["coverage"]
            cells.append(f"{cov['scored']}/{cov['total']} ({100 * cov['fraction']:.1f}%)")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def data_line(table: dict[str, Any]) -> str | None:
    """A suite table's data: each dataset's repository and the commit read (None for any other table)."""
    if "suite" not in table:
        return None
    reads = (
        f"{d['dataset']}: {d['repo']} at {d['commit'] or d['revision'] + ' (local copy)'}"
        for d in table["suite"]["datasets"]
    )
    return f"Data of suite {table['suite']['name']}, at its pinned revisions: " + "; ".join(reads)


def _md_data(table: dict[str, Any]) -> list[str]:
    line = data_line(table)
    return [] if line is None else ["", md_escape(line)]


def render_markdown(data: dict[str, Any]) -> str:
    lines = [
        "# snare leaderboard",
        "",
        f"{RULE} `[low, high]`: {CI_NOTE} Scores are only comparable within one probe set.",
        "",
        f"{PROTOCOL_RULE} {PARTIAL_RULE} {BASELINE_RULE}",
        "",
        f"Generated by snare {md_escape(data['snare_version'])}; do not edit by hand, "
        f"rebuild with `{data['rebuild']}`.",
    ]
    for table in data["tables"]:
        protocol = table["protocol"]
        lines += [
            "",
            f"## Probe set {md_escape(table['probeset'])} ({md_escape(table['scope'])}), "
            f"protocol {md_escape(protocol['name'])}",
            "",
            f"{table['n_items']:,} items · fingerprint `{table['fingerprint']}` · protocol "
            f"`{md_escape(protocol['name'])}`: {md_escape(protocol['title'])}",
            *_md_data(table),
            "",
        ]
        complete = [r for r in table["entries"] if not r["partial"] and not r["baseline"]]
        baselines = [r for r in table["entries"] if not r["partial"] and r["baseline"]]
        partial = [r for r in table["entries"] if r["partial"]]
        if complete:
            lines += _md_table(table, complete, partial=False)
        else:
            lines.append("No complete run of a model on this probe set under this protocol yet.")
        if baselines:
            lines += ["", f"### Baselines (not ranked): {len(baselines)}", ""]
            lines += _md_table(table, baselines, partial=False)
        if partial:
            lines += ["", f"### Partial runs (not ranked): {len(partial)}", ""]
            lines += _md_table(table, partial, partial=True)
    return "\n".join(lines) + "\n"


# -- HTML --------------------------------------------------------------------------------------------------------------
def _template_text(name: str) -> str:
    # package data shipped with snare, not user input: a plain read
    return files("snare.leaderboard").joinpath("templates", name).read_text(encoding="utf-8")


def _clip(value: float | None) -> float:
    return 0.0 if value is None else max(0.0, min(1.0, float(value)))


def _bar(metric: dict[str, Any]) -> dict[str, str]:
    """Percent positions of the interval and the estimate on a 0–1 accuracy bar (numbers only, never text)."""
    low, high = metric["ci"]
    low_p, high_p = _clip(low if low is not None else metric["accuracy"]), _clip(high if high is not None else low)
    return {
        "low": f"{low_p * 100:.1f}",
        "width": f"{max(high_p - low_p, 0.0) * 100:.1f}",
        "point": f"{_clip(metric['accuracy']) * 100:.1f}",
    }


def _csp_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def render_html(data: dict[str, Any]) -> str:
    """One static page; Jinja2 autoescapes every value, and the CSP allows only the page's own inline script."""
    from jinja2 import Environment, StrictUndefined

    env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["fmt"] = _fmt
    env.filters["params"] = _params
    env.filters["pct"] = lambda v: f"{_clip(v) * 100:.1f}"
    env.filters["bar"] = _bar
    env.tests["own_accuracy_differs"] = own_accuracy_differs
    env.filters["data_line"] = data_line
    script = _template_text("sort.js")
    template = env.from_string(_template_text("board.html.j2"))
    return template.render(
        data=data,
        rule=RULE,
        ci_note=CI_NOTE,
        partial_rule=f"{PARTIAL_RULE} {BASELINE_RULE}",
        protocol_rule=PROTOCOL_RULE,
        default_protocol=DEFAULT,
        rebuild=data["rebuild"],
        script=script,
        script_hash=_csp_hash(script),
    )
