"""Engine throughput on the CPU: de-duplicated, batched scoring vs. the original's per-item loop, and cached re-runs.

Full-size models with random weights (throughput does not depend on the weights): CLIP ViT-B/32 through
``snare.adapters.clip.OpenClip`` (a dual encoder) and BLIP's ITM head (ViT-B/16 at 384 px + BERT-base, through
``snare.adapters.blip.BlipItm`` when it exists, else ``BlipForImageTextRetrieval`` built here from a default
``BlipConfig``). The "reference" loop does what the original code does: for each item, encode its image and score
its options as one small batch (a pair scorer sees the image once per option). The engine encodes each unique
image and text once (dual) or each unique image once and each unique pair once (pair), in full batches.

Run:  .venv/bin/python bench/engine.py [--limit-dual 10] [--limit-pair 3] [--json bench/results/engine.json]
Figures and the machine they came from go in bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from idle import Watch, ratio, watch

from snare.adapters.base import Adapter, DualEncoder
from snare.engine.cache import ScoreCache
from snare.engine.evaluate import evaluate
from snare.engine.runner import EngineStats, score_items
from snare.probes.probeset import ProbeSet
from snare.probes.synthetic import synthetic_probeset


def probe_subset(limit: int) -> ProbeSet:
    """A fresh probe set each time (so no run profits from another's cached fingerprint)."""
    return synthetic_probeset().subset(limit=limit)


def reference_loop(adapter: Adapter, probes: ProbeSet) -> dict[str, np.ndarray]:
    """The original code's shape of work: one item at a time, its image re-encoded, its options in one batch."""
    scores = {}
    for it in probes.items:
        image = probes.load_image(it.image)
        if isinstance(adapter, DualEncoder):
            img = adapter.embed_images([image])[0]
            txt = adapter.embed_texts(list(it.options))
            scores[it.id] = txt @ img / np.linalg.norm(txt, axis=1) / np.linalg.norm(img)
        else:
            scores[it.id] = np.asarray(adapter.score_pairs([image] * len(it.options), list(it.options)))
    return scores


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float, Watch]:
    """The result, wall seconds, CPU seconds of this process (all its threads) and the machine's load meanwhile.

    Ratios are taken on CPU seconds, and marked unless the machine was idle while both sides ran (``idle.py``).
    """
    with watch() as seen:
        wall, cpu = time.perf_counter(), time.process_time()
        out = fn()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return out, wall, cpu, seen


def blip_vocab(folder: Path) -> Path:
    """A BERT-sized WordPiece vocabulary holding every word of the probe set (the real one needs the network)."""
    words = sorted({w for it in synthetic_probeset().items for o in it.options for w in o.lower().split()})
    vocab = ["[PAD]", *[f"[unused{i}]" for i in range(99)], "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]
    vocab += [f"[filler{i}]" for i in range(30522 - len(vocab))]
    path = folder / "vocab.txt"
    if not path.exists():  # written once: a rewritten file is a changed input, which rightly defeats replay
        path.write_text("\n".join(vocab) + "\n")
    return path


def blip_adapter(folder: Path) -> Adapter:
    try:
        from snare.adapters.blip import BlipItm
    except ImportError:
        return _fallback_blip()
    return BlipItm("random", tokenizer=str(blip_vocab(folder)))


def _fallback_blip() -> Adapter:
    """A minimal BLIP ITM pair scorer with the image-reuse hooks, for trees without snare.adapters.blip."""
    import torch
    from transformers import BlipConfig, BlipForImageTextRetrieval

    from snare.adapters.base import AdapterMeta, PairScorer

    class Blip(PairScorer):
        meta = AdapterMeta(name="blip-bench", family="blip", head="itm", default_weights="random", license="bsd-3")

        def load(self) -> None:
            torch.manual_seed(0)
            self.model = BlipForImageTextRetrieval(BlipConfig()).eval()

        def _pixels(self, images):
            arr = np.stack([np.asarray(im.convert("RGB").resize((384, 384)), np.float32) / 255 for im in images])
            return torch.from_numpy(arr).permute(0, 3, 1, 2)

        def encode_images(self, images):
            with torch.inference_mode():
                return list(self.model.vision_model(pixel_values=self._pixels(images)).last_hidden_state)

        def score_encoded(self, encoded, texts):
            ids = torch.tensor([[101, *[2000 + (hash(w) % 20000) for w in t.split()][:33], 102] for t in texts])
            emb = torch.stack(list(encoded))
            with torch.inference_mode():
                hidden = self.model.text_encoder(input_ids=ids, encoder_hidden_states=emb).last_hidden_state
                return self.model.itm_head(hidden[:, 0]).softmax(-1)[:, 1].numpy()

        def score_pairs(self, images, texts):
            return self.score_encoded(self.encode_images(images), texts)

    return Blip()


def bench(name: str, fresh: Callable[[], Adapter], limit: int, batch_size: int, workers: int) -> dict[str, Any]:
    """Per-item loop, then the engine (``score_items``) with a cold cache, then the same work from the cache.

    The cached re-run is timed twice: the engine alone, and all of ``evaluate``, which also runs the load-time
    checks of :mod:`snare.engine.checks` (a few forward passes per run) and builds the run record. Then what a
    user sees: a first ``evaluate`` of a new adapter (model build, checks, scoring) against a re-run with another
    new adapter, which replays from the cache without building the model (:mod:`snare.engine.replay`).
    """
    adapter = fresh()
    _, load_s, _, _ = timed(adapter.ensure_loaded)
    warm = probe_subset(1)
    reference_loop(adapter, ProbeSet(warm.items[:1], name="warm"))  # first-call costs out of all timings
    first, second, third, fourth = (probe_subset(limit) for _ in range(4))  # built outside the timings
    ref_scores, ref_wall, ref_s, ref_w = timed(lambda: reference_loop(adapter, first))
    with tempfile.TemporaryDirectory() as cache:
        store = ScoreCache(adapter.cache_identity(), root=cache)
        cold, engine_wall, engine_s, engine_w = timed(
            lambda: score_items(adapter, second, batch_size=batch_size, cache=store, workers=workers)
        )
        stats = EngineStats()
        _, cached_wall, cached_s, cached_w = timed(
            lambda: score_items(
                adapter, third, batch_size=batch_size, cache=ScoreCache.open(store.folder), workers=workers, stats=stats
            )
        )
        assert stats.computed == {}, "the re-run should have been served from the cache"
        rerun, rerun_wall, rerun_s, rerun_w = timed(
            lambda: evaluate(adapter, fourth, batch_size=batch_size, cache=ScoreCache.open(store.folder))
        )
        assert rerun.record.engine["computed"] == {}
    with tempfile.TemporaryDirectory() as cache:
        fifth, sixth = probe_subset(limit), probe_subset(limit)
        _, first_run_wall, first_run_s, first_w = timed(
            lambda: evaluate(fresh(), fifth, batch_size=batch_size, cache=cache)
        )
        replayed, replay_wall, replay_s, replay_w = timed(
            lambda: evaluate(fresh(), sixth, batch_size=batch_size, cache=cache)
        )
        assert replayed.record.engine["model_loaded"] is False, "the re-run should not have loaded the model"
    worst = max(float(np.max(np.abs(cold[k] - ref_scores[k]))) for k in cold)
    n_opts = sum(len(it.options) for it in first)
    return {
        "model": name,
        "kind": adapter.kind,
        "items": len(first),
        "option_scores": n_opts,
        "unique_images": len({it.image.key for it in first}),
        "unique_texts": len({o for it in first for o in it.options}),
        "unique_pairs": len({(it.image.key, o) for it in first for o in it.options}),
        "load_s": round(load_s, 2),
        "reference_s": round(ref_s, 2),
        "engine_s": round(engine_s, 2),
        "cached_engine_s": round(cached_s, 4),
        "cached_evaluate_s": round(rerun_s, 3),
        "first_run_s": round(first_run_s, 2),
        "replayed_run_s": round(replay_s, 4),
        "wall_s": {
            "first_run": round(first_run_wall, 2),
            "replayed_run": round(replay_wall, 4),
            "reference": round(ref_wall, 2),
            "engine": round(engine_wall, 2),
            "cached_engine": round(cached_wall, 4),
            "cached_evaluate": round(rerun_wall, 3),
        },
        "engine_speedup": ratio(ref_s, engine_s, ref_w, engine_w),
        "cache_speedup_engine": ratio(engine_s, cached_s, engine_w, cached_w),
        "cache_speedup_evaluate": ratio(engine_s, rerun_s, engine_w, rerun_w),
        "rerun_speedup": ratio(first_run_s, replay_s, first_w, replay_w),
        "load": {k: w.to_json() for k, w in (("reference", ref_w), ("engine", engine_w), ("first_run", first_w))},
        "max_abs_diff_vs_reference": worst,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-dual", type=int, default=10, help="items per task for CLIP")
    parser.add_argument("--limit-pair", type=int, default=3, help="items per task for BLIP")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--only", choices=["clip", "blip"], default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()

    import torch

    from snare.adapters.clip import OpenClip

    results = []
    with tempfile.TemporaryDirectory() as folder:
        if args.only in (None, "clip"):
            results.append(
                bench("clip ViT-B-32", lambda: OpenClip("random"), args.limit_dual, args.batch_size, args.workers)
            )
            print(json.dumps(results[-1]), flush=True)
        if args.only in (None, "blip"):
            results.append(
                bench("blip ITM", lambda: blip_adapter(Path(folder)), args.limit_pair, args.batch_size, args.workers)
            )
            print(json.dumps(results[-1]), flush=True)
    machine = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cpu": platform.processor() or platform.machine(),
        "timing": "CPU seconds of the benchmark process (time.process_time)",
    }
    print(
        "\n| model | items | options | unique img/txt/pair | per-item loop | engine | speed-up | cached engine "
        "| first run → re-run |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['model']} | {r['items']} | {r['option_scores']} | {r['unique_images']}/{r['unique_texts']}/"
            f"{r['unique_pairs']} | {r['reference_s']} s | {r['engine_s']} s | {r['engine_speedup']['shown']} | "
            f"{r['cached_engine_s']} s ({r['cache_speedup_engine']['shown']}); "
            f"whole evaluate {r['cached_evaluate_s']} s | "
            f"{r['first_run_s']} s → {r['replayed_run_s']} s ({r['rerun_speedup']['shown']}) |"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"machine": machine, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
