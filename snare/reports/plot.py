"""Per-task strict accuracy with cluster-bootstrap intervals and the chance level: one bar group per task, one
bar per run. Drawn with matplotlib's Agg backend (no display needed) and written atomically as PNG or SVG."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from snare.errors import SnareError
from snare.reports.report import Report, RunReport

PLOT_SUFFIXES = (".png", ".svg")
# room above 1.0, so a bar (or an interval) at exactly 1.000 stays visible instead of merging into the frame
Y_TOP = 1.08


def check_plot_path(path: str | Path) -> None:
    if Path(path).suffix.lower() not in PLOT_SUFFIXES:
        raise SnareError(f"--plot {path}: the file name must end in .png or .svg")


def bars(run: RunReport, tasks: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One run's bar heights and bootstrap bounds per task; NaN (no bar) where the run lacks the task or its
    accuracy is withheld (coverage below 100% without --allow-partial), as the tables leave that cell out."""
    metrics = [None if t not in run.tasks or run.trust.withheld(t) else run.tasks[t] for t in tasks]
    acc = np.array([m.accuracy.estimate if m else np.nan for m in metrics])
    low = np.array([m.accuracy.bootstrap.low if m else np.nan for m in metrics])
    high = np.array([m.accuracy.bootstrap.high if m else np.nan for m in metrics])
    return acc, low, high


def tick_labels(report: Report) -> list[str]:
    """``negation\nlogic\n(n=300)``: the task split at underscores, with its item count (``n=20/300``, in run
    order, when the runs scored different numbers of items)."""
    from snare.reports.tables import size_label

    return [task.replace("_", "\n") + f"\n({size_label(report, task)})" for task in report.tasks]


def plot_bytes(report: Report, fmt: str = "png") -> bytes:
    """The accuracy plot as PNG or SVG bytes (an SVG keeps its text as text, editable in a paper's figure)."""
    import matplotlib

    matplotlib.use("Agg")  # a file, never a window; must precede pyplot
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "snare"}):
        fig = draw(report)
        buffer = io.BytesIO()
        # a fixed creation date keeps SVG output reproducible
        metadata = {"Date": None} if fmt == "svg" else {}
        fig.savefig(buffer, format=fmt, dpi=150, metadata=metadata)
    plt.close(fig)
    return buffer.getvalue()


def draw(report: Report):  # -> matplotlib.figure.Figure
    """The figure: one bar group per task (labelled with its item count), one bar per run, chance dashed."""
    import matplotlib.pyplot as plt

    tasks = report.tasks
    n_runs = len(report.runs)
    width = 0.8 / n_runs
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(tasks) + 1), 4.0), layout="constrained")
    x = np.arange(len(tasks))
    for i, run in enumerate(report.runs):
        acc, low, high = bars(run, tasks)
        errors = np.vstack([np.clip(acc - low, 0, None), np.clip(high - acc, 0, None)])
        offset = (i - (n_runs - 1) / 2) * width
        ax.bar(x + offset, acc, width, yerr=errors, capsize=3, label=run.label)
    for j, task in enumerate(tasks):
        chance = next(r.tasks[task].chance for r in report.runs if task in r.tasks)
        ax.hlines(chance, j - 0.45, j + 0.45, colors="black", linestyles="dashed", linewidth=1)
    ax.plot([], [], color="black", linestyle="dashed", linewidth=1, label="chance")
    ax.set_xticks(x, tick_labels(report))
    ax.set_ylim(0, Y_TOP)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_ylabel("strict accuracy (ties wrong)")
    level = round(100 * report.settings["confidence"])
    marked = "".join(f" — {r.trust.mark}" for r in report.marked[:1])  # the labels say which run
    ax.set_title(f"SNARE: accuracy with {level}% cluster-bootstrap intervals{marked}")
    # below the axes: inside, the legend would cover the bars of the best runs
    ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=min(3, n_runs + 1))
    return fig


def plot_format(path: str | Path) -> str:
    return Path(path).suffix.lower().lstrip(".")
