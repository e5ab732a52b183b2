"""Reports over results directories: strict accuracies recomputed from per-item scores, confidence intervals
that respect shared images, tests against chance, paired comparisons, and paper-ready tables and plots.

The small API the leaderboard reuses: :func:`compute_task_metrics` (rows of one task → :class:`TaskMetrics`),
:func:`build_report` (results directories → :class:`Report`), :func:`render` (report → text in a format).
"""

from snare.reports.compare import PairedComparison, compare_runs
from snare.reports.load import PredictionRow, ReportInputError, RunData, load_run
from snare.reports.metrics import TaskMetrics, compute_task_metrics
from snare.reports.render import FORMATS, render
from snare.reports.report import Report, build_report

__all__ = [
    "FORMATS",
    "PairedComparison",
    "PredictionRow",
    "Report",
    "ReportInputError",
    "RunData",
    "TaskMetrics",
    "build_report",
    "compare_runs",
    "compute_task_metrics",
    "load_run",
    "render",
]
