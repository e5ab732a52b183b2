"""Benchmark: semantic-structure probe generation, snare's way vs. the original's way.

snare: ``pre_caption``, one batched ``nlp.pipe`` with only tok2vec+tagger, shared parses, items built in memory.
reference: what SNARE's code does per caption: the full spaCy pipeline called once per perturbation function
that parses (two of the three shuffles; the third splits on spaces), options joined by single spaces.

Usage: ``python bench/generators.py [CAPTIONS.txt] [--reference-n 300] [--yields]``. Without a file it generates
captions from a small grammar. ``--yields`` also reports, per task, the share of captions that yield an item and
the reasons for the others (with the parser-level pipeline). Model loading is excluded from both timings.
Rates are per CPU second of this process (``time.process_time``), which a busy shared machine disturbs far
less than wall time; wall-clock rates are printed beside them. The comparison is per core: OpenBLAS (which
snare's pipeline uses for its matrix products) is held to one thread unless ``OPENBLAS_NUM_THREADS`` is set, as
spaCy's default BLIS kernels, which the reference runs on, are single-threaded. Both timed sections are watched by
``bench/idle.py``: the load is printed next to each rate and the ratio is marked LOADED unless the machine was idle.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from idle import ratio, watch

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads OpenBLAS; see the docstring

from snare.generators.parsing import PARSER, TAGGER, load_nlp, parse_captions
from snare.generators.text import pre_caption
from snare.probes.item_builders import caption_items
from snare.probes.sources.base import CaptionRecord
from snare.probes.tasks import TASKS

_POS = {
    "noun": ("NN", "NNS", "NNP", "NNPS"),
    "adj": ("JJ", "JJR", "JJS"),
    "verb": ("VB", "VBD", "VBG", "VBN", "VBP", "VBZ"),
}


def generated_captions(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    subjects = ["a man", "two dogs", "a little girl", "a red bus", "an old woman", "a black cat", "three birds"]
    verbs = ["riding", "holding", "sitting on", "standing next to", "looking at", "walking past"]
    objects = ["a horse", "a wooden bench", "a blue umbrella", "the beach", "a busy street", "a green field"]
    tails = ["", " on a sunny day", " in the city", " near the water", " at night"]
    return [
        f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}{rng.choice(tails)}".capitalize() + "."
        for _ in range(n)
    ]


def _clock() -> tuple[float, float]:
    return time.process_time(), time.perf_counter()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    cpu, wall = _clock()
    return cpu - start[0], wall - start[1]


def snare_way(captions: list[str], nlp) -> tuple[tuple[float, float], int, Counter]:
    start = _clock()
    texts = [pre_caption(c) for c in captions]
    parses = parse_captions((t for t in texts if t), nlp, batch_size=256)
    skipped: Counter[str] = Counter()
    items = []
    for i, caption in enumerate(captions):
        record = CaptionRecord(key=f"bench/{i}", cluster=f"bench/{i}", image=f"{i}.jpg", captions=(caption,))
        items.extend(caption_items(record, "semantic_structure", parses, 0, "bench", skipped))
    return _since(start), len(items), skipped


def reference_way(captions: list[str], nlp) -> tuple[float, float]:
    def shuffle_by_class(caption: str, classes: tuple[str, ...], inverse: bool) -> str:
        doc = nlp(caption)  # the full pipeline, once per perturbation function, as the original
        text = [t.text for t in doc]
        tags = [t.tag_ for t in doc]
        for cls in classes:
            wanted = [i for i, tag in enumerate(tags) if (tag in _POS[cls]) != inverse]
            moved = [text[i] for i in wanted]
            random.shuffle(moved)
            for i, w in zip(wanted, moved, strict=True):
                text[i] = w
        return " ".join(text)

    start = _clock()
    for caption in captions:
        options = [pre_caption(caption)]
        options.append(pre_caption(shuffle_by_class(caption, ("noun", "verb", "adj"), False)))
        options.append(pre_caption(shuffle_by_class(caption, ("noun",), True)))
        words = caption.split(" ")
        random.shuffle(words)
        options.append(pre_caption(" ".join(words)))
    return _since(start)


def yields(captions: list[str]) -> None:
    nlp = load_nlp(PARSER)
    texts = [pre_caption(c) for c in captions]
    parses = parse_captions((t for t in texts if t), nlp)
    record = [
        CaptionRecord(key=f"y/{i}", cluster=f"y/{i}", image="x.jpg", captions=(c,)) for i, c in enumerate(captions)
    ]
    for task in [t.name for t in TASKS.values() if t.caption_options is not None]:
        skipped: Counter[str] = Counter()
        made = sum(len(caption_items(r, task, parses, 0, "bench", skipped)) for r in record)
        print(f"  {task:26s} {made / len(captions):6.1%} yield an item; skipped: {dict(skipped.most_common(4))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("captions", nargs="?", type=Path, help="one caption per line (default: generated)")
    parser.add_argument("--n", type=int, default=2400, help="generated captions when no file is given")
    parser.add_argument("--reference-n", type=int, default=300, help="captions timed in the reference loop")
    parser.add_argument("--yields", action="store_true", help="also report per-task yields and skip reasons")
    args = parser.parse_args()
    if args.captions:
        captions = [line.strip() for line in args.captions.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        captions = generated_captions(args.n)
    import spacy

    fast_nlp = load_nlp(TAGGER)
    full_nlp = spacy.load(fast_nlp.meta["lang"] + "_" + fast_nlp.meta["name"])  # every component, as the original
    with watch() as fast_watch:
        seconds, n_items, skipped = snare_way(captions, fast_nlp)
    ref_captions = captions[: args.reference_n]
    with watch() as ref_watch:
        ref_seconds = reference_way(ref_captions, full_nlp)
    fast_rate, ref_rate = len(captions) / seconds[0], len(ref_captions) / ref_seconds[0]
    fast_wall, ref_wall = len(captions) / seconds[1], len(ref_captions) / ref_seconds[1]
    print(f"captions: {len(captions)} ({'file ' + str(args.captions) if args.captions else 'generated'})")
    print(f"snare:     {fast_rate:9.1f} captions/CPU-s ({fast_wall:.1f}/s wall; {n_items} items; {fast_watch.label()})")
    print(f"reference: {ref_rate:9.1f} captions/CPU-s ({ref_wall:.1f}/s wall; {ref_watch.label()})")
    print(f"ratio:     {ratio(fast_rate, ref_rate, fast_watch, ref_watch)['shown']} per CPU second")
    degenerate = sum(n for why, n in skipped.items() if why.startswith("degenerate"))
    print(
        f"degenerate (no different permutation, item dropped): {degenerate} of {len(captions)} "
        f"({degenerate / len(captions):.2%}): {dict(skipped)}"
    )
    if args.yields:
        yields(captions)


if __name__ == "__main__":
    main()
