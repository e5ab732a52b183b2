"""Closing numbers for ``--protocol snare-paper`` at build time: how often the original's construction gives items
that a ranking rule can get right or wrong for reasons other than word order.

For each protocol the semantic-structure (and ``--order``: COCO-Order) items of the captions are built through
:func:`snare.probes.assemble.assemble` (a pairs source with one rendered image), then counted:

* **equal**: another option is the very string of the intended one (a degenerate shuffle the original kept);
* **spacing only**: another option has the intended one's characters in the same order and differs from it in
  white space alone (``a man , sitting`` against ``a man, sitting``): only spacing separates the two;
* **either**: the union of the two: items whose answer a model cannot get from word order;
* **spacing differs**: another option glues fewer tokens to their left neighbour than the intended one does
  (``man ,`` against ``man,``; counted with spaCy's rule-based English tokenizer, no model): the options are
  told apart by their spacing as well as by their order;
* **spacing picks it**: the intended option is the only one with the most glued tokens, so the rule "choose the
  option spaced like written English" answers the item without reading the words.

Usage: ``python bench/paper_protocol.py [CAPTIONS.txt] [--order] [--seeds N] [--json OUT]``; with several seeds
each is printed (the shares move with the draws). Without a file it generates
captions from a small grammar (as ``bench/generators.py`` does).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from snare.probes.assemble import ProbeSpec, assemble


def _squeeze(text: str) -> str:
    return "".join(text.split())


_KINDS = ("equal", "spacing_only", "either", "spacing_differs", "spacing_picks")


def _glued(tokenizer, text: str) -> int:
    """Tokens written against their left neighbour (``,`` in ``man,``, ``'s`` in ``horse's``)."""
    doc = tokenizer(text)
    return sum(1 for tok in doc[:-1] if not tok.whitespace_)


def shares(items: list, tokenizer) -> dict[str, float | int]:
    """Counts and shares of the items of each kind described in the module docstring."""
    counts = dict.fromkeys(_KINDS, 0)
    for it in items:
        intended = it.options[it.correct]
        others = [o for k, o in enumerate(it.options) if k != it.correct]
        has_equal = intended in others
        has_spacing = any(o != intended and _squeeze(o) == _squeeze(intended) for o in others)
        glued, glued_others = _glued(tokenizer, intended), [_glued(tokenizer, o) for o in others]
        counts["equal"] += has_equal
        counts["spacing_only"] += has_spacing
        counts["either"] += has_equal or has_spacing
        counts["spacing_differs"] += any(g < glued for g in glued_others)
        counts["spacing_picks"] += all(g < glued for g in glued_others)
    n = len(items)
    return {"items": n, **counts, **{f"{k}_share": v / n if n else 0.0 for k, v in counts.items()}}


def measure(captions: list[str], tasks: list[str], seed: int = 0) -> dict[str, dict]:
    """Build ``tasks`` from ``captions`` under each protocol and count per task."""
    import spacy
    from PIL import Image

    tokenizer = spacy.blank("en").tokenizer
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        Image.new("RGB", (8, 8), (120, 120, 120)).save(folder / "x.png")
        rows = [{"image": f"x{i // 5}.png", "caption": c} for i, c in enumerate(captions)]
        for name in sorted({r["image"] for r in rows}):
            (folder / name).write_bytes((folder / "x.png").read_bytes())
        pairs = folder / "captions.jsonl"
        pairs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        for protocol in ("snare", "snare-paper"):
            probes = assemble(ProbeSpec(tuple(tasks), source=str(pairs), seed=seed), protocol)
            results[protocol] = {
                task: {**shares(items, tokenizer), "candidates": probes.info["build"][task]["candidates"]}
                for task, items in probes.by_task().items()
            }
    return results


def generated_captions(n: int) -> list[str]:
    import random

    rng = random.Random(0)
    subjects = ["A man", "Two dogs", "A little girl", "The cat", "A woman's hat", "A bus"]
    verbs = ["riding", "sitting on", "next to", "holding", "looking at"]
    objects = ["a horse.", "a bench, outside.", "the beach", "a red umbrella.", "a dog's toy."]
    return [f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}" for _ in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("captions", nargs="?", type=Path, help="one caption per line (default: generated)")
    parser.add_argument("--order", action="store_true", help="also build coco_order (ARO's four shuffles)")
    parser.add_argument("--seeds", type=int, default=1, help="build with seeds 0..N-1 and print each")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    if args.captions:
        captions = [line.strip() for line in args.captions.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        captions = generated_captions(500)
    tasks = ["semantic_structure", *(["coco_order"] if args.order else [])]
    print(f"captions: {len(captions)} ({'file ' + str(args.captions) if args.captions else 'generated'})")
    results = {seed: measure(captions, tasks, seed) for seed in range(args.seeds)}
    for seed, by_protocol in results.items():
        for protocol, by_task in by_protocol.items():
            for task, r in by_task.items():
                kinds = " · ".join(f"{k.replace('_', ' ')} {r[k]} ({r[k + '_share']:.1%})" for k in _KINDS)
                print(f"seed {seed} {protocol:12s} {task:19s} {r['items']}/{r['candidates']} items · {kinds}")
    if args.json:
        from snare.atomic import write_json

        source = str(args.captions or "generated")
        write_json(args.json, {"captions": len(captions), "source": source, "by_seed": results})


if __name__ == "__main__":
    main()
