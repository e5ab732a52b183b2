"""Item review: yield, drop reasons and a fixed-seed sample of caption-derived items, for reading by eye.

Usage: ``python bench/item_review.py CAPTIONS.txt [--n 40] [--seed 15] [--tasks ...] [--fixture OUT.jsonl]``.
Builds every caption task from the captions (one record per caption, a placeholder image), prints per task the
share of captions that give an item and the drop reasons, then ``--n`` items per task drawn with ``--seed`` (the
items whose hashed ids come first, so the draw is the same on every machine). ``--fixture`` also writes the
sample as JSON lines (``verdict`` left empty for the reader); the read sample is
``tests/generators/data/item_review.jsonl``, summarised in docs/item-review.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from snare.generators.parsing import PARSER, load_nlp, parse_captions
from snare.generators.text import pre_caption
from snare.probes.item_builders import CAPTION_GENERATORS, caption_items
from snare.probes.sources.base import CaptionRecord

REVIEWED = ("semantic_structure", "coco_order", "negation_logic", "attribute_ownership", "relationship_composition")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("captions", type=Path, help="one caption per line")
    parser.add_argument("--n", type=int, default=40, help="items sampled per task")
    parser.add_argument("--seed", type=int, default=15, help="seed of the sample (the items use seed 0)")
    parser.add_argument("--tasks", nargs="*", default=list(REVIEWED), choices=sorted(CAPTION_GENERATORS))
    parser.add_argument("--fixture", type=Path, help="also write the sample as JSON lines, for verdicts")
    args = parser.parse_args()
    rows: list[dict] = []
    captions = [line.strip() for line in args.captions.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [pre_caption(c) for c in captions]
    parses = parse_captions((t for t in texts if t), load_nlp(PARSER))
    records = [
        CaptionRecord(key=f"r/{i}", cluster=f"r/{i}", image="x.jpg", captions=(c,)) for i, c in enumerate(captions)
    ]
    for task in args.tasks:
        skipped: Counter[str] = Counter()
        items = [item for r in records for item in caption_items(r, task, parses, 0, "review", skipped)]
        print(f"## {task}: {len(items)} of {len(captions)} captions ({len(items) / len(captions):.1%})")
        for why, n in skipped.most_common():
            print(f"   drop {n:5d}  {why}")
        # The items whose hashed ids come first: a generator change that drops or adds items leaves the rest of
        # the sample in place, so a re-read compares like with like.
        sample = sorted(items, key=lambda it: hashlib.sha256(f"{args.seed}/{it.id}".encode()).hexdigest())[: args.n]
        for k, item in enumerate(sample, 1):
            index = int(item.id.split("/")[1])
            rows.append({"task": task, "n": k, "line": index + 1, "caption": captions[index]})
            rows[-1].update({"options": list(item.options), "verdict": "", "note": ""})
            print(f"{k:3d}. [{item.id.split('/')[1]}]")
            for label, option in zip(item.labels, item.options, strict=True):
                print(f"       {label[:12]:12s} | {option}")
        print()
    if args.fixture:
        args.fixture.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


if __name__ == "__main__":
    main()
