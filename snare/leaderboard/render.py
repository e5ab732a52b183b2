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
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from snare import __version__
from snare.leaderboard.validate import BOOT_SEED

if TYPE_CHECKING:
    from snare.leaderboard.build import Board

FORMAT = "snare-leaderboard/1"
REBUILD = "snare leaderboard build leaderboard/submissions --out reports"
RULE = (
    "Strict accuracy: an item counts only when the intended option scores strictly above every other (a tie is "
    "wrong), recomputed from each submission's per-item scores with the intended options of the probe set."
)
CI_NOTE = "95% cluster-bootstrap interval: items that share an image are resampled together."


def _task_title(task: str) -> str:
    from snare.probes.tasks import TASKS

    return TASKS[task].title if task in TASKS else task.replace("_", " ").capitalize()


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
        "mean_accuracy": entry.mean_accuracy,
        "ties": sum(m.n_ties for m in entry.metrics.values()),
        "tasks": {
            task: {
                "accuracy": m.accuracy.estimate,
                "ci": m.accuracy.bootstrap.to_json(),
                "n": m.n,
                "correct": m.accuracy.k,
                "ties": m.n_ties,
            }
            for task, m in sorted(entry.metrics.items())
        },
    }


def _scope(ref: Any) -> str:
    """How the probe set was drawn, for the table heading: seed and per-task limit where recorded."""
    parts = []
    if (ref.source or {}).get("kind") == "synthetic":
        parts.append(f"seed {ref.source.get('seed')}, {ref.source.get('n_scenes')} scenes")
    parts.append(f"first {ref.limit} items per task" if ref.limit else "all items")
    return "; ".join(parts)


def board_data(board: Board) -> dict[str, Any]:
    """The board as JSON-ready data: one table per probe set (only scores on the same items are comparable)."""
    groups: dict[str, list[Any]] = {}
    for entry in board.entries:
        groups.setdefault(entry.fingerprint, []).append(entry)
    tables = []
    for entries in groups.values():
        first = entries[0]
        rows = sorted((_entry(e) for e in entries), key=lambda r: (-r["mean_accuracy"], r["label"]))
        for rank, row in enumerate(rows, 1):
            row["rank"] = rank
        tables.append(
            {
                "probeset": first.probeset_name,
                "fingerprint": first.fingerprint,
                "n_items": first.n_items,
                "scope": _scope(first.submission.probeset),
                "tasks": [
                    {"name": t, "title": _task_title(t), "n_options": m.n_options, "chance": m.chance}
                    for t, m in sorted(first.metrics.items())
                ],
                "entries": rows,
            }
        )
    tables.sort(key=lambda t: (-t["n_items"], t["probeset"], t["fingerprint"]))
    return {
        "format": FORMAT,
        "snare_version": __version__,
        "rule": RULE,
        "interval": {
            "method": "cluster bootstrap, percentile",
            "level": 0.95,
            "n_boot": board.n_boot,
            "seed": BOOT_SEED,
        },
        "rebuild": REBUILD,
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


def render_markdown(data: dict[str, Any]) -> str:
    lines = [
        "# snare leaderboard",
        "",
        f"{RULE} `[low, high]`: {CI_NOTE} Scores are only comparable within one probe set.",
        "",
        f"Generated by snare {md_escape(data['snare_version'])}; do not edit by hand, rebuild with `{REBUILD}`.",
    ]
    for table in data["tables"]:
        lines += [
            "",
            f"## Probe set {md_escape(table['probeset'])} ({md_escape(table['scope'])})",
            "",
            f"{table['n_items']:,} items · fingerprint `{table['fingerprint']}`",
            "",
        ]
        head = ["#", "model", "weights", "params", "mean"]
        head += [f"{md_escape(t['title'])} (chance {t['chance']:.2f})" for t in table["tasks"]]
        head.append("ties")
        lines.append("| " + " | ".join(head) + " |")
        align = ["---:", ":---", ":---", "---:", "---:"] + ["---:"] * len(table["tasks"]) + ["---:"]
        lines.append("|" + "|".join(align) + "|")
        for row in table["entries"]:
            model = row["model"]
            name = md_escape(row["label"])
            if model["url"]:
                name = f"[{name}](<{md_link_target(model['url'])}>)"
            cells = [str(row["rank"]), name, md_escape(model["weights"]), _params(model["params"])]
            cells.append(f"**{_fmt(row['mean_accuracy'])}**")
            for t in table["tasks"]:
                m = row["tasks"][t["name"]]
                low, high = m["ci"]
                cells.append(f"{_fmt(m['accuracy'])} [{_fmt(low, 2)}, {_fmt(high, 2)}]")
            cells.append(str(row["ties"]))
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# -- HTML --------------------------------------------------------------------------------------------------------------
def _template_text(name: str) -> str:
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
    script = _template_text("sort.js")
    template = env.from_string(_template_text("board.html.j2"))
    return template.render(
        data=data, rule=RULE, ci_note=CI_NOTE, rebuild=REBUILD, script=script, script_hash=_csp_hash(script)
    )
