"""Generative-VLM throughput on the CPU: a naive per-pair loop vs. the engine, without and with prefix reuse.

For each architecture and size (``snare.adapters.vlm.tiny``: ``tiny`` ~0.1M parameters, ``small`` ~30M with
224 px images, 256 image tokens for LLaVA / PaliGemma and 4-16 for Qwen2-VL, ``large`` the same width with 576
image tokens (LLaVA-1.5 at 336 px; PaliGemma too) and 576-1024 (Qwen2-VL)), random weights (throughput does not
depend on them):

- **naive loop**, shaped like per-pair VQAScore harnesses: for each (image, caption) pair, the processor on that
  one pair and one ``model.generate(max_new_tokens=1, output_scores=True)`` call, the yes/no log-odds read from
  the first step's scores (``--score likelihood``: one unbatched forward per pair, ``score_pairs``);
- **engine**: ``score_items`` over the same probe items with an empty cache, ``--batch-size`` pairs per forward
  (left-padded, logits of the last position only), each image's vision tower run once, the whole prompt through
  the language model for every pair (``share_prefixes = False``);
- **engine + prefix reuse**: the same with each image's prompt prefix through the language model once and every
  caption scored as a continuation over its key/value cache (``snare/adapters/vlm/prefix.py``; PaliGemma's
  yes/no keeps the unshared forward, so its two engine columns time the same work).

All three read the same numbers; the script checks they agree (1e-4). Each path runs once on one pair and one
item before the timed runs, so one-time costs are left out. Times are CPU seconds of this process
(``time.process_time``), the fastest of ``--repeats`` runs. Every timed section is watched by ``bench/idle.py``:
its load average and busiest other process are reported next to each figure, and a ratio is marked ``LOADED``
unless the machine was idle (load average <= 0.5, no other process above 5% of a core) while both sides ran.
The share of language-model work spent on shared prefixes is counted in tokens (attention's quadratic term
aside): ``prefix_share_unshared``, the share of the engine's language-model tokens that are some image's prefix;
``lm_tokens_saved``, the share prefix reuse does not run.

Run:  .venv/bin/python bench/vlm.py [--limit 1] [--sizes tiny,small,large] [--threads 1] [--json bench/results/vlm.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from idle import Watch, ratio, watch

from snare.adapters.vlm.adapter import Vlm
from snare.adapters.vlm.prefix import PrefixCache
from snare.adapters.vlm.tiny import ARCHS
from snare.engine.runner import score_items
from snare.probes.synthetic import synthetic_probeset


def naive_scores(adapter: Vlm, pairs: list[tuple[Any, str]]) -> np.ndarray:
    """One processor call and one greedy one-token ``generate`` per pair (likelihood: one forward per pair)."""
    import torch

    if adapter.score == "likelihood":
        return np.asarray([adapter.score_pairs([image], [caption])[0] for image, caption in pairs], dtype=np.float32)
    yes, no = list(adapter.answer_ids.yes), list(adapter.answer_ids.no)
    out = []
    for image, caption in pairs:
        enc = adapter.processor(images=[image.convert("RGB")], text=[adapter.prompt_of(caption)], return_tensors="pt")
        enc = {k: v for k, v in enc.items() if k != "labels"}
        with torch.inference_mode():
            gen = adapter.model.generate(
                **enc, max_new_tokens=1, do_sample=False, output_scores=True, return_dict_in_generate=True
            )
        logp = gen.scores[0][0].float().log_softmax(-1)
        out.append(float(logp[yes].logsumexp(0) - logp[no].logsumexp(0)))
    return np.asarray(out, dtype=np.float32)


Timed = tuple[np.ndarray, float, float, Watch]


def _timed(run: Any) -> Timed:
    with watch() as seen:
        t0, c0 = time.perf_counter(), time.process_time()
        scores = run()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return scores, wall, cpu, seen


def _engine(adapter: Vlm, probes: Any, batch_size: int, share: bool) -> Timed:
    adapter.share_prefixes = share
    adapter.prefix_cache = PrefixCache()

    def run() -> np.ndarray:
        scores = score_items(adapter, probes, batch_size=batch_size)
        return np.concatenate([scores[it.id] for it in probes.items])

    return _timed(run)


def _best(runs: list[Timed]) -> Timed:
    """The scores, the smallest wall and CPU times of repeated runs, and the run with the smallest CPU time's load."""
    fastest = min(runs, key=lambda r: r[2])
    return runs[0][0], min(r[1] for r in runs), fastest[2], fastest[3]


def _tokens(adapter: Vlm) -> dict[str, Any]:
    cache = adapter.prefix_cache
    if not cache.unshared_tokens:
        return {"prefix_share_unshared": None, "lm_tokens_saved": None, "lm_tokens": None}
    return {
        "prefix_share_unshared": round(1 - cache.continuation_tokens / cache.unshared_tokens, 3),
        "lm_tokens_saved": round(cache.share(), 3),
        "lm_tokens": {
            "unshared": cache.unshared_tokens,
            "prefixes": cache.prefix_tokens,
            "continuations": cache.continuation_tokens,
            "prefixes_computed": cache.computed,
        },
    }


def bench(arch: str, size: str, limit: int, batch_size: int, repeats: int = 1, score: str = "yesno") -> dict[str, Any]:
    probes = synthetic_probeset().subset(limit=limit)
    adapter = Vlm("random", arch=arch, size=size, score=score)
    adapter.ensure_loaded()
    adapter.model.generation_config.pad_token_id = adapter.pad_id
    pairs = [(probes.load_image(it.image), text) for it in probes.items for text in it.options]
    one = probes.subset(limit=1, tasks=[probes.items[0].task])
    naive_scores(adapter, pairs[:1])  # one-time costs (first-call allocations, lazy imports) stay out of the timings
    for share in (False, True):
        _engine(adapter, one, batch_size, share)
    naive = _best([_timed(lambda: naive_scores(adapter, pairs)) for _ in range(repeats)])
    plain = _best([_engine(adapter, probes, batch_size, False) for _ in range(repeats)])
    shared = _best([_engine(adapter, probes, batch_size, True) for _ in range(repeats)])
    diff = float(max(np.max(np.abs(plain[0] - naive[0])), np.max(np.abs(shared[0] - naive[0]))))
    assert diff < 1e-4, f"{arch}/{size}: engine and naive loop disagree by {diff:.3g}"
    n = len(pairs)
    row = {
        "arch": arch,
        "size": size,
        "score": score,
        "params": sum(p.numel() for p in adapter.model.parameters()),
        "pairs": n,
        "batch_size": batch_size,
        "repeats": repeats,
        "prefix_reuse": adapter.shares_prefixes or adapter.unshared_reason,
    }
    for name, (_, wall, cpu, seen) in (("naive", naive), ("engine", plain), ("prefix", shared)):
        row[name] = {
            "cpu_s": round(cpu, 3),
            "pairs_per_cpu_s": round(n / cpu, 2),
            "wall_s": round(wall, 3),
            "load": seen.to_json(),
        }
    row["speedup_engine"] = ratio(naive[2], plain[2], naive[3], plain[3])
    row["speedup_prefix"] = ratio(naive[2], shared[2], naive[3], shared[3])
    row["prefix_over_engine"] = ratio(plain[2], shared[2], plain[3], shared[3])
    row.update(_tokens(adapter), max_abs_diff=diff)
    print(json.dumps(row), flush=True)
    return row


def _table(rows: list[dict[str, Any]]) -> None:
    print(
        "| arch | size | pairs/CPU-s naive -> engine -> prefix reuse | engine / naive | prefix / naive | "
        "LM tokens on prefixes | load (naive, engine, prefix) |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        rates = " -> ".join(str(r[k]["pairs_per_cpu_s"]) for k in ("naive", "engine", "prefix"))
        loads = ", ".join(str(r[k]["load"]["load1"]) for k in ("naive", "engine", "prefix"))
        print(
            f"| {r['arch']} | {r['size']} | {rates} | {r['speedup_engine']['shown']} | "
            f"{r['speedup_prefix']['shown']} | {r['prefix_share_unshared']} | {loads} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=2, help="items per task of the synthetic probe set")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=1, help="time each path this often, keep the fastest")
    parser.add_argument("--archs", default=",".join(ARCHS))
    parser.add_argument("--sizes", default="tiny,small")
    parser.add_argument("--score", default="yesno", choices=("yesno", "likelihood"))
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    rows = [
        bench(arch, size, args.limit, args.batch_size, args.repeats, args.score)
        for size in args.sizes.split(",")
        for arch in args.archs.split(",")
    ]
    _table(rows)
    report = {
        "machine": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "cpus": os.cpu_count(),
        },
        "rows": rows,
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
