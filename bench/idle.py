"""Whether the machine was idle while a figure was timed: the one check every bench script puts its timings through.

A ratio of two timings says something about snare only when nothing else competed for the CPU while they ran:
on a loaded machine the slower path is often stretched more than the faster one (contention for caches, memory
bandwidth and, through spinning thread pools, for CPU time itself), so a speed-up measured under load says more
about the machine than about the code. :func:`watch` wraps a timed section and records the 1-minute load average
(before and after) and the CPU share of the busiest *other* process (``/proc``; this process and its children
excluded) over the section. The load average counts this process too (a one-thread section of a minute lifts it
to ~0.6 on its own), so what other processes ran is read from ``/proc`` instead: a section is **idle** when all
other processes together used at most ``MAX_LOAD`` of a core and none more than ``MAX_OTHER_CPU`` percent of one
core (a section shorter than ``MIN_WINDOW`` is watched that long, since CPU time is counted in clock ticks).
:func:`ratio` reports a ratio of timings with the worst load of its sections next to it, and marks it ``LOADED``
(``valid: false``) unless every section was idle; where ``/proc`` or the load average cannot be read, the ratio is
marked ``UNCHECKED``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_LOAD = 0.5  # cores used by all other processes together over the section
MAX_OTHER_CPU = 5.0  # percent of one core, any single other process
MIN_WINDOW = 1.0  # seconds: a shorter section is watched until this long after it started


def _load1() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def _cpu_ticks() -> dict[int, tuple[str, int, int]] | None:
    """``pid -> (name, parent pid, utime + stime ticks)`` of every readable process; None without ``/proc``."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return None
    out: dict[int, tuple[str, int, int]] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:  # the process ended meanwhile
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        out[int(entry.name)] = (name, int(fields[1]), int(fields[11]) + int(fields[12]))
    return out


def _own_tree(table: dict[int, tuple[str, int, int]]) -> set[int]:
    """This process and its descendants (DataLoader workers count as ours)."""
    mine = {os.getpid()}
    grew = True
    while grew:
        more = {pid for pid, (_, parent, _) in table.items() if parent in mine} - mine
        mine |= more
        grew = bool(more)
    return mine


@dataclass
class Watch:
    """The machine's state over one timed section."""

    load1: float | None = None  # the larger of the 1-minute load averages before and after
    busiest: dict[str, Any] = field(default_factory=dict)  # the busiest other process: name, pid, cpu_percent
    seconds: float = 0.0
    others: float | None = None  # cores used by every other process together over the section

    @property
    def checked(self) -> bool:
        return self.load1 is not None and self.others is not None and bool(self.busiest)

    @property
    def idle(self) -> bool:
        return self.checked and self.others <= MAX_LOAD and self.busiest["cpu_percent"] <= MAX_OTHER_CPU  # type: ignore[operator]

    def label(self) -> str:
        if not self.checked:
            return "load unchecked"
        top = self.busiest
        busiest = f"busiest other {top['name']} {top['cpu_percent']:.0f}%"
        return f"load {self.load1:.2f}, others {self.others:.2f} cores, {busiest}"

    def to_json(self) -> dict[str, Any]:
        return {"load1": self.load1, "other_cores": self.others, "busiest_other": self.busiest, "idle": self.idle}


@contextmanager
def watch() -> Iterator[Watch]:
    """Record the load average and the busiest other process over the ``with`` block."""
    state = Watch()
    before_load, before = _load1(), _cpu_ticks()
    start = time.perf_counter()
    try:
        yield state
    finally:
        state.seconds = time.perf_counter() - start
        if state.seconds < MIN_WINDOW:  # CPU time comes in clock ticks: a shorter window cannot measure 5%
            time.sleep(MIN_WINDOW - state.seconds)
        window = time.perf_counter() - start
        after_load, after = _load1(), _cpu_ticks()
        loads = [x for x in (before_load, after_load) if x is not None]
        state.load1 = round(max(loads), 2) if loads else None
        if before is not None and after is not None and window > 0:
            mine = _own_tree(after)
            tick = os.sysconf("SC_CLK_TCK")
            best, total = (0.0, "none", 0), 0.0
            for pid, (name, _, ticks) in after.items():
                if pid in mine or pid not in before:
                    continue
                share = 100 * (ticks - before[pid][2]) / tick / window
                best, total = max(best, (share, name, pid)), total + share / 100
            state.busiest = {"name": best[1], "pid": best[2], "cpu_percent": round(best[0], 1)}
            state.others = round(total, 2)


def merge(watches: list[Watch]) -> Watch:
    """One watch standing for several sections: the worst load and the busiest other process among them."""
    checked = [w for w in watches if w.checked]
    if len(checked) < len(watches) or not watches:
        return Watch()
    worst = max(checked, key=lambda w: w.busiest["cpu_percent"])
    return Watch(
        max(w.load1 for w in checked),  # type: ignore[type-var]
        dict(worst.busiest),
        sum(w.seconds for w in checked),
        max(w.others for w in checked),  # type: ignore[type-var]
    )


def ratio(numerator: float, denominator: float, *watches: Watch) -> dict[str, Any]:
    """``numerator / denominator`` with the load of the sections that timed them; ``valid`` only when all idle."""
    seen = merge(list(watches))
    value = round(numerator / denominator, 2) if denominator else None
    if not seen.checked:
        mark = "UNCHECKED"
    else:
        mark = "" if seen.idle else "LOADED"
    shown = f"{value}x" + (f" [{mark}: {seen.label()}]" if mark else f" [{seen.label()}]")
    return {"value": value, "valid": not mark, "shown": shown, **seen.to_json()}
