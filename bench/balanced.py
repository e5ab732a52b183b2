"""Closing numbers for ``--protocol snare-balanced``: per task and protocol, every blind model's strict accuracy
with its 95% interval (and split credit where it ties), the yield, and how often the intended option is the
uniquely shortest or longest; under ``snare-balanced`` also blind models the balancing never played against
(:func:`held_out`), and the refinement's rounds.

Probes are built through :func:`snare.probes.assemble.assemble` (as ``snare probes build`` builds them) from a
captions file (a pairs source, five captions per placeholder image, as ``bench/paper_protocol.py`` does) and from
the built-in synthetic scenes,
under ``snare`` and ``snare-balanced``, then audited by :func:`snare.validity.audit.audit_probeset` (the same
checks as ``snare audit``). Targets (issue #16): under ``snare-balanced`` each blind model within 5 points of
chance with its interval covering chance; shortest/longest rules at most chance + 5 points; yield at least 25% of
the default protocol's items.

A blind model's ties are shown three ways: strict (a tie is wrong), split credit (ties shared) and ties broken
by a seeded coin with its Wilson interval, which is what the audit's verdict judges (see docs/balanced.md).

Usage: ``python bench/balanced.py [CAPTIONS.txt] [--limit N] [--only captions|synthetic|scaling] [--json OUT]``;
without a file it generates captions from a small grammar (as ``bench/paper_protocol.py`` does); ``--only``
measures one part and keeps the others' figures in the JSON. The figures go to ``bench/results/balanced.json``
unless ``--json`` says otherwise, with each build's time in seconds (wall and CPU of this process). spaCy is
loaded by an untimed build first, so every timed build, default or balanced, pays the same (none of it).

**Scaling** (issue #28: twice the captions in at most 2.2x the time, up to 10,000): the captions file's first
``--sizes`` captions (default 1,200, 2,400, 4,800, 9,600), a size past the file's length made by repeating its
captions in order, five per placeholder image as always, so each copy lands on images of its own (caption
``i`` on image ``i // 5``: 2,400 captions fill 480 images and their copies the next 480). Both constructions
are built at each size in one run; the figures are the time per doubling and the balanced build against the
default one at each size.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from idle import watch

from snare.probes.assemble import ProbeSpec, assemble
from snare.protocols import get_protocol, is_default
from snare.validity.audit import POSITION_RULES, audit_probeset


def build(tasks: list[str], source: str, seed: int, protocol: str):
    return assemble(ProbeSpec(tuple(tasks), source=source, seed=seed), protocol)


TASKS = ["semantic_structure", "negation_logic", "attribute_ownership", "relationship_composition"]
CAPTION_TASKS = [*TASKS, "coco_order"]
SYNTHETIC_TASKS = [*TASKS, "spatial_relations"]
PROTOCOLS = ("snare", "snare-balanced")


def _acc(acc) -> dict | None:
    if acc is None:
        return None
    out = {"accuracy": acc.value, "ci": [acc.ci_low, acc.ci_high], "n": acc.n, "ties": acc.ties, "split": acc.split}
    if acc.broken is not None:
        out |= {"coin": acc.broken_value, "coin_ci": [acc.broken_ci_low, acc.broken_ci_high]}
    return out


def summarise(probes) -> dict[str, dict]:
    """Per task: n, chance, yield, and every blind model's accuracy with its interval."""
    out = {}
    for a in audit_probeset(probes):
        models = {"blind n-gram": _acc(a.blind), "bag-of-words": _acc(a.bow), "bag-of-bigrams": _acc(a.bigrams)}
        models |= {name: _acc(acc) for name, acc in a.rules.items()}
        out[a.task] = {
            "n": a.n_items,
            "chance": a.chance,
            "yield": a.yield_share,
            "default_items": a.build.get("default_items"),
            "models": models,
            "verdict": a.verdict,
        }
    return out


HELD_OUT_LMS = {  # name: (order, folds) of the held-out n-gram LMs
    "bigram LM": (2, 5),
    "trigram LM, 10 folds": (3, 10),
    "4-gram LM": (4, 5),
    "4-gram LM, 10 folds": (4, 10),
    "5-gram LM": (5, 5),
}


def held_out(probes) -> dict[str, dict]:
    """Blind models the balancing never played against, to show it did not just fit the audit's own: a bigram
    and a 4-gram LM, the audit's trigram LM and bag-of-bigrams cross-fitted over 10 folds instead of 5 (other
    partitions, other fits), and a bag-of-bigrams with a tenth of the L2 penalty. Judged as the audit judges
    (ties broken by a seeded coin)."""
    from snare.textmodels.text_classifier import L2
    from snare.validity.audit import Accuracy, blind_outcomes
    from snare.validity.classifier import cross_validated_outcomes

    out: dict[str, dict] = {}
    for task, items in probes.by_task().items():
        models = {name: blind_outcomes(items, probes.items, *how) for name, how in HELD_OUT_LMS.items()}
        if any(isinstance(outs, str) for outs in models.values()):
            raise SystemExit(f"{task}: too little text for the held-out LMs")
        models["bag-of-bigrams, 10 folds"] = cross_validated_outcomes(items, 10, order=2, with_credit=True)
        models["bag-of-bigrams, L2/10"] = cross_validated_outcomes(items, 5, order=2, with_credit=True, l2=L2 / 10)
        out[task] = {name: _acc(Accuracy.of(outs, coin=name)) for name, outs in models.items()}
    return out


def scaled(captions: list[str], n: int) -> list[str]:
    """``n`` captions: the file's, repeated in order as far as needed (each copy on images of its own)."""
    return [captions[i % len(captions)] for i in range(n)]


def warm_up(captions: list[str]) -> None:
    """An untimed default build of a few captions, so that loading spaCy is in no timed section."""
    with tempfile.TemporaryDirectory() as tmp:
        build(["negation_logic"], captions_source(captions[:50], Path(tmp)), 0, "snare")


def scaling(captions: list[str], sizes: list[int], seed: int) -> dict:
    """Both constructions at each size, one run: times, and the ratios per doubling and against the default."""
    from idle import ratio

    out: dict = {"sizes": {}, "per_step": {}, "vs_default": {}}
    watches = {}
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            source = captions_source(scaled(captions, n), Path(tmp))
            runs = {}
            for protocol in PROTOCOLS:
                cpu = time.process_time()
                with watch() as seen:
                    probes = build(CAPTION_TASKS, source, seed, protocol)
                runs[protocol] = {
                    "build_s": seen.seconds,
                    "build_cpu_s": time.process_time() - cpu,
                    "items": len(probes.items),
                    "refinement_rounds": (probes.info.get("refinement") or {}).get("rounds"),
                    "fingerprint": probes.fingerprint,
                    "load": seen.to_json(),
                }
                watches[n, protocol] = seen
                print(f"scaling {n:6d} {protocol:15s} {runs[protocol]['build_cpu_s']:7.1f} CPU-s "
                      f"{runs[protocol]['build_s']:7.1f} s ({seen.label()}) {probes.fingerprint[:19]}")  # fmt: skip
        out["sizes"][str(n)] = runs
        out["vs_default"][str(n)] = ratio(runs["snare-balanced"]["build_cpu_s"], runs["snare"]["build_cpu_s"],
                                          watches[n, "snare"], watches[n, "snare-balanced"])  # fmt: skip
        print(f"scaling {n:6d} balanced / default (CPU): {out['vs_default'][str(n)]['shown']}")
    for small, large in pairwise(sizes):
        step = {}
        for protocol in PROTOCOLS:
            a, b = out["sizes"][str(small)][protocol], out["sizes"][str(large)][protocol]
            step[protocol] = ratio(
                b["build_cpu_s"], a["build_cpu_s"], watches[small, protocol], watches[large, protocol]
            )
            print(f"scaling {small:6d} -> {large:6d} {protocol:15s} (CPU): {step[protocol]['shown']}")
        out["per_step"][f"{small}->{large}"] = step
    return out


def captions_source(captions: list[str], folder: Path) -> str:
    from PIL import Image

    Image.new("RGB", (8, 8), (120, 120, 120)).save(folder / "x.png")
    rows = [{"image": f"x{i // 5}.png", "caption": c} for i, c in enumerate(captions)]
    for name in sorted({r["image"] for r in rows}):
        (folder / name).write_bytes((folder / "x.png").read_bytes())
    pairs = folder / "captions.jsonl"
    pairs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(pairs)


def generated_captions(n: int) -> list[str]:
    import random

    rng = random.Random(0)
    subjects = ["A man", "A brown dog", "A little girl", "The white cat", "A woman", "A red bus"]
    verbs = ["riding", "sitting on", "next to", "holding", "looking at", "chasing"]
    objects = ["a horse.", "a wooden bench.", "a small boy", "a red umbrella.", "a black dog."]
    return [f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}" for _ in range(n)]


def _print(where: str, protocol: str, by_task: dict[str, dict]) -> None:
    for task, r in by_task.items():
        share = f"{r['n'] / r['default_items']:.0%} of default" if r["default_items"] else "default"
        print(f"{where:9s} {protocol:15s} {task:25s} n={r['n']:5d} ({share}) chance {r['chance']:.2f}")
        for name, m in r["models"].items():
            if m is not None and (name not in POSITION_RULES or not is_default(protocol)):
                split = ""
                if m["ties"]:
                    split = f" · split {m['split']:.3f} ({m['ties']} ties)"
                    if "coin" in m:
                        split += f" · coin {m['coin']:.3f} [{m['coin_ci'][0]:.3f}, {m['coin_ci'][1]:.3f}]"
                print(f"{'':12s}{name:24s} {m['accuracy']:.3f} [{m['ci'][0]:.3f}, {m['ci'][1]:.3f}]{split}")
        print(f"{'':12s}verdict: {r['verdict']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("captions", nargs="?", type=Path, help="one caption per line (default: generated)")
    parser.add_argument("--limit", type=int, help="use only the first N captions")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--only",
        choices=("captions", "synthetic", "scaling"),
        help="measure one part, keeping the others' figures in --json",
    )
    parser.add_argument("--sizes", default="1200,2400,4800,9600", help="caption counts for the scaling (%(default)s)")
    default_json = Path(__file__).resolve().parent / "results" / "balanced.json"
    parser.add_argument("--json", type=Path, default=default_json, help="write the figures here (%(default)s)")
    args = parser.parse_args()
    results = json.loads(args.json.read_text(encoding="utf-8")) if args.only and args.json.exists() else {}
    if args.captions:
        lines = args.captions.read_text(encoding="utf-8").splitlines()
        captions = [line.strip() for line in lines if line.strip()]
    else:
        captions = generated_captions(500)
    captions = captions[: args.limit] if args.limit else captions
    warm_up(captions)
    if args.only == "scaling":
        sizes = [int(n) for n in args.sizes.split(",")]
        results["scaling"] = {"source": str(args.captions or "generated"), **scaling(captions, sizes, args.seed)}
    if args.only in (None, "captions"):
        with tempfile.TemporaryDirectory() as tmp:
            source = captions_source(captions, Path(tmp))
            results["captions"] = {p: _run("captions", CAPTION_TASKS, source, args.seed, p) for p in PROTOCOLS}
        results["source"] = str(args.captions or "generated")
    if args.only in (None, "synthetic"):
        results["synthetic"] = {p: _run("synthetic", SYNTHETIC_TASKS, "synthetic", args.seed, p) for p in PROTOCOLS}
    from snare.atomic import write_json

    write_json(args.json, results)


def _run(where: str, tasks: list[str], source: str, seed: int, protocol: str) -> dict:
    cpu = time.process_time()
    with watch() as seen:  # bench/idle.py: the load while the build was timed
        probes = build(tasks, source, seed, protocol)
    seconds, cpu = seen.seconds, time.process_time() - cpu  # wall: the section, not the watch's wait after it
    by_task = summarise(probes)
    _print(where, protocol, by_task)
    out = {"build_s": seconds, "build_cpu_s": cpu, "load": seen.to_json(), "fingerprint": probes.fingerprint}
    out["tasks"] = by_task
    if get_protocol(protocol).construction.refine is not None:  # a refined (balanced) construction
        out["held_out"] = held_out(probes)
        out["refinement"] = probes.info.get("refinement")
        for task, models in out["held_out"].items():
            shown = " · ".join(f"{name} {m.get('coin', m['accuracy']):.3f} [{m.get('coin_ci', m['ci'])[0]:.3f}, "
                               f"{m.get('coin_ci', m['ci'])[1]:.3f}]" for name, m in models.items())  # fmt: skip
            print(f"{where:9s} {protocol:15s} {task:25s} held out: {shown}")
        print(f"{where:9s} {protocol:15s} refinement: {out['refinement']}")
    print(
        f"{where:9s} {protocol:15s} built in {seconds:.1f} s, {cpu:.1f} CPU-s ({seen.label()}) · {probes.fingerprint}"
    )
    return out


if __name__ == "__main__":
    main()
