"""What the hardening costs: a full decode instead of ``verify()``, and fingerprint checks on load.

Usage: ``python bench/hardening.py [--images 200] [--json bench/results/hardening.json]``. Builds COCO-sized
JPEGs (640x480) in a temporary folder and a file-based probe set over them; CPU seconds (``time.process_time``),
each figure with the load while it was timed and the ratio marked unless the machine was idle (``bench/idle.py``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from idle import Watch, ratio, watch

WATCHES: dict[str, Watch] = {}  # the load while each figure was timed (bench/idle.py)


def _cpu(fn, repeat: int = 3, name: str = "") -> float:
    best = float("inf")
    with watch() as seen:
        for _ in range(repeat):
            start = time.process_time()
            fn()
            best = min(best, time.process_time() - start)
    WATCHES[name] = seen
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    from snare.probes.item import ImageRef, ProbeItem
    from snare.probes.probeset import ProbeSet
    from snare.safe_io import read_image

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "images"
        root.mkdir()
        paths = []
        for i in range(args.images):
            path = root / f"{i:05d}.jpg"
            Image.effect_noise((640, 480), 60).convert("RGB").save(path, quality=90)
            paths.append(path)

        def verify_all() -> None:
            for p in paths:
                with Image.open(p) as img:
                    img.verify()

        def decode_all() -> None:
            for p in paths:
                read_image(p)

        items = [
            ProbeItem(
                id=f"b/{i:05d}",
                task="negation_logic",
                image=ImageRef(path=p.name),
                cluster=p.name,
                options=("a dog runs", "a dog does not run"),
                labels=("o0", "o1"),
                correct=0,
            )
            for i, p in enumerate(paths)
        ]
        folder = Path(tmp) / "set"
        ProbeSet(items, name="bench", image_root=root).save(folder)
        manifest = json.loads((folder / "manifest.json").read_text())
        unverified = {k: v for k, v in manifest.items() if k != "fingerprint"}
        nofp = Path(tmp) / "set-nofp"
        nofp.mkdir()
        (nofp / "negation_logic.jsonl").write_text((folder / "negation_logic.jsonl").read_text())
        (nofp / "manifest.json").write_text(json.dumps(unverified))

        figures = {
            "images": args.images,
            "verify_s_per_image": _cpu(verify_all, name="verify") / args.images,
            "full_decode_s_per_image": _cpu(decode_all, name="decode") / args.images,
            "load_with_fingerprint_check_s": _cpu(lambda: ProbeSet.load(folder), name="load_checked"),
            "load_without_fingerprint_s": _cpu(lambda: ProbeSet.load(nofp), name="load_unchecked"),
        }
    figures["decode_over_verify"] = ratio(
        figures["full_decode_s_per_image"], figures["verify_s_per_image"], WATCHES["decode"], WATCHES["verify"]
    )["shown"]
    figures["load"] = {name: seen.label() for name, seen in WATCHES.items()}
    for key, value in figures.items():
        print(f"{key}: {value:.4g}" if isinstance(value, float) else f"{key}: {value}")
    if args.json:
        from snare.atomic import write_json

        write_json(args.json, figures)


if __name__ == "__main__":
    main()
