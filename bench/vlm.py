"""Generative-VLM throughput on the CPU: the engine's batched yes/no forward vs. a naive per-pair generate loop.

For each architecture and size (``snare.adapters.vlm.tiny``: ``tiny`` ~0.1M parameters, ``small`` ~30M with
224 px images and 50-330 prompt tokens), random weights (throughput does not depend on them):

- **naive loop**, shaped like per-pair VQAScore harnesses: for each (image, caption) pair, the processor on that
  one pair and one ``model.generate(max_new_tokens=1, output_scores=True)`` call, the yes/no log-odds read from
  the first step's scores (the cheapest possible generate: one new token, greedy);
- **engine**: ``score_items`` over the same probe items with an empty cache, ``--batch-size`` pairs per forward
  (left-padded, one forward, logits of the last position only), each image's vision tower run once;
- **engine without image reuse**: the same with the ``encode_images``/``score_encoded`` hooks switched off
  (the vision tower runs for every pair), to show what batching alone gives.

Both read the same number; the script checks they agree (1e-4). Each path runs once on one pair and one item
before the timed runs, so one-time costs (first-call allocations, lazy imports) are left out of every timing.
Times are CPU seconds of this process (``time.process_time``): on a shared machine other processes stretch wall
time, not CPU time.

Run:  .venv/bin/python bench/vlm.py [--limit 2] [--sizes tiny,small] [--json bench/results/vlm.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from snare.adapters.base import PairScorer
from snare.adapters.vlm.adapter import Vlm
from snare.adapters.vlm.tiny import ARCHS
from snare.engine.runner import score_items
from snare.probes.synthetic import synthetic_probeset


def naive_scores(adapter: Vlm, pairs: list[tuple[Any, str]]) -> np.ndarray:
    """One processor call and one greedy one-token ``generate`` per pair."""
    import torch

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


class _NoReuse(Vlm):
    encode_images = PairScorer.encode_images
    score_encoded = PairScorer.score_encoded


def _engine(adapter: Vlm, probes: Any, batch_size: int) -> tuple[np.ndarray, float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    scores = score_items(adapter, probes, batch_size=batch_size)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return np.concatenate([scores[it.id] for it in probes.items]), wall, cpu


def bench(arch: str, size: str, limit: int, batch_size: int) -> dict[str, Any]:
    probes = synthetic_probeset().subset(limit=limit)
    adapter = Vlm("random", arch=arch, size=size)
    adapter.ensure_loaded()
    adapter.model.generation_config.pad_token_id = adapter.pad_id
    pairs = [(probes.load_image(it.image), text) for it in probes.items for text in it.options]
    plain = _NoReuse("random", arch=arch, size=size)
    plain.ensure_loaded()
    for warm in (adapter, plain):  # one-time costs (first-call allocations, lazy imports) stay out of the timings
        warm.model.generation_config.pad_token_id = warm.pad_id
        naive_scores(warm, pairs[:1])
        warm.score_pairs([pairs[0][0]], [pairs[0][1]])
        score_items(warm, probes.subset(limit=1, tasks=[probes.items[0].task]), batch_size=batch_size)
    t0, c0 = time.perf_counter(), time.process_time()
    naive = naive_scores(adapter, pairs)
    naive_wall, naive_cpu = time.perf_counter() - t0, time.process_time() - c0
    flat, engine_wall, engine_cpu = _engine(adapter, probes, batch_size)
    flat_plain, _, plain_cpu = _engine(plain, probes, batch_size)
    diff = float(max(np.max(np.abs(flat - naive)), np.max(np.abs(flat_plain - naive))))
    assert diff < 1e-4, f"{arch}/{size}: engine and naive loop disagree by {diff:.3g}"
    params = sum(p.numel() for p in adapter.model.parameters())
    row = {
        "arch": arch,
        "size": size,
        "params": params,
        "pairs": len(pairs),
        "batch_size": batch_size,
        "naive_cpu_s": round(naive_cpu, 3),
        "engine_cpu_s": round(engine_cpu, 3),
        "naive_pairs_per_cpu_s": round(len(pairs) / naive_cpu, 2),
        "engine_pairs_per_cpu_s": round(len(pairs) / engine_cpu, 2),
        "speedup_cpu": round(naive_cpu / engine_cpu, 2),
        "engine_no_reuse_cpu_s": round(plain_cpu, 3),
        "speedup_no_reuse_cpu": round(naive_cpu / plain_cpu, 2),
        "naive_wall_s": round(naive_wall, 3),
        "engine_wall_s": round(engine_wall, 3),
        "max_abs_diff": diff,
    }
    print(json.dumps(row))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=2, help="items per task of the synthetic probe set")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--archs", default=",".join(ARCHS))
    parser.add_argument("--sizes", default="tiny,small")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    import torch

    rows = [
        bench(arch, size, args.limit, args.batch_size)
        for size in args.sizes.split(",")
        for arch in args.archs.split(",")
    ]
    report = {
        "machine": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
        },
        "rows": rows,
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
