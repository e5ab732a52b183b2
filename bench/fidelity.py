"""How much each difference from the original SNARE code moves scores, on random full-size weights (issue #18).

Four measurements, each on the first items of the built-in synthetic set (same images and captions throughout):

* **xvlm-sep**: X-VLM (Swin-B 224 + BERT-base, random) scored with ``-o score=snare`` on ``[CLS] caption`` (the
  original tokenizer, snare now) against ``[CLS] caption [SEP]`` (snare before): mean and largest absolute score
  change, and the share of items whose top-scored option changes;
* **xvlm-dropout**: the same model left in train mode, as the original left it (BERT dropout 0.1 and Swin
  drop-path 0.1, the original's rate): the spread of one pair's score over repeated calls, and how often an
  item's top option differs from eval mode;
* **blip-score**: BLIP (ViT-B/16 384 + BERT-base, random) ranked by ITM log-odds against SNARE's ITM logit + ITC
  cosine: share of items whose top option differs;
* **clip-fp16**: CLIP ViT-B/32 (random) cosines in float16 against float32 on the CPU: largest cosine change and
  share of items whose top option changes.

Random weights say how large a change is, not which way a trained model's accuracy moves. Usage:
``python bench/fidelity.py [--items N] [--json OUT]`` (needs the test extra's BERT vocabulary).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from snare.probes.synthetic import render_scene, synthetic_probeset


def _items(n: int) -> list:
    probes = synthetic_probeset()
    wanted = ("semantic_structure", "attribute_ownership", "relationship_composition")
    return [it for task in wanted for it in [x for x in probes.items if x.task == task][:n]]


def _pairs(items) -> tuple[list, list[str], list[int]]:
    images, texts, sizes = [], [], []
    for it in items:
        image = render_scene(it.image.scene)
        images += [image] * len(it.options)
        texts += list(it.options)
        sizes.append(len(it.options))
    return images, texts, sizes


def _tops(scores: np.ndarray, sizes: list[int]) -> np.ndarray:
    out, start = [], 0
    for size in sizes:
        out.append(int(np.argmax(scores[start : start + size])))
        start += size
    return np.array(out)


def _compare(a: np.ndarray, b: np.ndarray, sizes: list[int]) -> dict[str, float]:
    delta = np.abs(a - b)
    return {
        "mean_abs": float(delta.mean()),
        "max_abs": float(delta.max()),
        "top_changed": float((_tops(a, sizes) != _tops(b, sizes)).mean()),
    }


def _vocab() -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.adapters.hf_helpers import bert_vocab

    return str(bert_vocab())


def xvlm(items) -> dict[str, dict[str, float]]:
    import torch

    from snare.adapters.xvlm.adapter import XvlmItm

    adapter = XvlmItm("random", tokenizer=_vocab(), score="snare")
    adapter.ensure_loaded()
    images, texts, sizes = _pairs(items)
    now = adapter.score_pairs(images, texts)
    with_sep = adapter.tokenizer(texts, padding="longest", truncation=True, max_length=40, return_tensors="pt")
    model = adapter.model
    with torch.inference_mode():
        embeds = model.encode_image(adapter._pixels(images))
        text = model.encode_text(with_sep.input_ids, with_sep.attention_mask)
        logits = model.itm_logits(embeds, text, with_sep.attention_mask)
        itc = (model.image_features(embeds) * model.text_features(text)).sum(-1)
    before = (logits[:, 1] + itc).float().numpy()
    _add_drop_path(model.vision_encoder, 0.1)  # BERT's dropout 0.1 is in the config already
    model.train()
    torch.manual_seed(0)
    repeats = np.stack([adapter.score_pairs(images, texts) for _ in range(5)])
    model.eval()
    flips = [float((_tops(r, sizes) != _tops(now, sizes)).mean()) for r in repeats]
    return {
        "xvlm-sep": _compare(now, before, sizes),
        "xvlm-dropout": {
            "score_std_mean": float(repeats.std(axis=0).mean()),
            "score_std_max": float(repeats.std(axis=0).max()),
            "top_changed_vs_eval": float(np.mean(flips)),
            "drop_path_modules": sum(type(m).__name__ == "DropPath" for m in model.modules()),
        },
    }


def _add_drop_path(swin, rate: float) -> None:
    """Stochastic depth as the original's Swin had it: rates rising linearly from 0 to ``rate`` over the blocks."""
    from timm.layers import DropPath

    blocks = [block for layer in swin.layers for block in layer.blocks]
    for block, prob in zip(blocks, np.linspace(0, rate, len(blocks)), strict=True):
        if prob > 0:
            block.drop_path1, block.drop_path2 = DropPath(float(prob)), DropPath(float(prob))


def blip(items) -> dict[str, dict[str, float]]:
    from snare.adapters.blip import BlipItm

    images, texts, sizes = _pairs(items)
    adapter = BlipItm("random", tokenizer=_vocab())
    adapter.ensure_loaded()
    logodds = adapter.score_pairs(images, texts)
    adapter.score_kind = "snare"
    summed = adapter.score_pairs(images, texts)
    return {"blip-score": {"top_changed": float((_tops(logodds, sizes) != _tops(summed, sizes)).mean())}}


def clip(items) -> dict[str, dict[str, float]]:
    from snare.adapters.clip import OpenClip

    images, texts, sizes = _pairs(items)
    cosines = []
    for dtype in ("float32", "float16"):
        adapter = OpenClip("random", dtype=dtype, seed=0)
        adapter.ensure_loaded()
        img = adapter.embed_images(images).astype(np.float64)
        txt = adapter.embed_texts(texts).astype(np.float64)
        img /= np.linalg.norm(img, axis=1, keepdims=True)
        txt /= np.linalg.norm(txt, axis=1, keepdims=True)
        cosines.append((img * txt).sum(axis=1))
    return {"clip-fp16": _compare(cosines[0], cosines[1], sizes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=4, help="items per task (three tasks)")
    parser.add_argument("--only", choices=("xvlm", "blip", "clip"), action="append")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    items = _items(args.items)
    results: dict[str, object] = {"items": len(items), "options": sum(len(it.options) for it in items)}
    for name, measure in (("xvlm", xvlm), ("blip", blip), ("clip", clip)):
        if not args.only or name in args.only:
            results |= measure(items)
            print(json.dumps(results, indent=2), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
