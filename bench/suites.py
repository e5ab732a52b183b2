"""``--suite snare`` cost on the CPU: fetch from a local hub over HTTP, then read, recover and build every task.

The local hub of the tests (``tests/probes/sources/local_hub.py``) serves the suites' four repositories, here with
N rows each in the mirrors' layout: VG rows share one rendered 500x375 JPEG per 5 rows (Visual Genome images carry
several relations), the order mirrors have 5 captions per image. Timed: ``snare data fetch`` equivalent
(``hub.fetch`` of all four), an offline re-locate from the cache, and ``build_suite`` (template recovery, image
store, spaCy parse, items), twice: cold (the first build imports spaCy) and warm (the row-bound work alone).
Network speed is not measured (loopback).

Run:  .venv/bin/python bench/suites.py [--rows 2000] [--json bench/results/suites.json]
Figures and the machine they came from go in bench/README.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from idle import watch

from tests.probes.sources.local_hub import ATTRIBUTES, CAPTIONS, RELATIONS, LocalHub, _parquet_shards


def _jpeg(seed: int) -> bytes:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 255, (375, 500, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="JPEG", quality=60)
    return buf.getvalue()


def _repos(rows: int) -> dict[str, dict[str, bytes]]:
    images = [_jpeg(i) for i in range(max(1, rows // 5))]
    rel = [RELATIONS[i % len(RELATIONS)] for i in range(rows)]
    att = [ATTRIBUTES[i % (len(ATTRIBUTES) - 1)] for i in range(rows)]  # the unambiguous ones
    img = [{"bytes": images[i // 5 % len(images)], "path": None} for i in range(rows)]
    box = [{"x": 10.0, "y": 10.0, "w": 200.0, "h": 150.0}] * rows
    vg_rel = _parquet_shards(
        {
            "image": img,
            "true_caption": [f"the {a} is {r} the {b}" for a, r, b in rel],
            "false_caption": [f"the {b} is {r} the {a}" for a, r, b in rel],
            "relation_name": [r for _, r, _ in rel],
            "bbox": box,
        },
        {"image": "image", "true_caption": "s", "false_caption": "s", "relation_name": "s", "bbox": "bbox"},
        n_shards=4,
    )
    vg_att = _parquet_shards(
        {
            "image": img,
            "true_caption": [f"the {a1} {o1} and the {a2} {o2}" for a1, o1, a2, o2 in att],
            "false_caption": [f"the {a2} {o1} and the {a1} {o2}" for a1, o1, a2, o2 in att],
        },
        {"image": "image", "true_caption": "s", "false_caption": "s"},
        n_shards=4,
    )
    captions = [f"{CAPTIONS[i % len(CAPTIONS)][:-1]} number {i}." for i in range(rows)]
    order = _parquet_shards(
        {"images": img, "correct_caption": captions}, {"images": "image", "correct_caption": "s"}, n_shards=2
    )
    return {"vg_relation": vg_rel, "vg_attribution": vg_att, "coco": order, "flickr30k": order}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000, help="rows per repository")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="snare-bench-suites-"))
    os.environ.update({"HF_HOME": str(home / "hf"), "HF_HUB_OFFLINE": "0", "SNARE_CACHE": str(home / "cache")})
    import huggingface_hub.constants

    huggingface_hub.constants.HF_HUB_OFFLINE = False
    from snare.probes.sources import hub
    from snare.probes.suites import build_suite, dataset_table, get_suite

    contents = _repos(args.rows)
    table = dataset_table()
    server_hub = LocalHub({table[n].repo: (table[n].revision, files) for n, files in contents.items()})
    server_hub.serve()
    os.environ["HF_ENDPOINT"] = server_hub.url
    size = sum(len(b) for files in contents.values() for b in files.values())
    figures: dict[str, object] = {"rows_per_repo": args.rows, "bytes_served": size, "machine": platform.platform()}
    t0 = time.perf_counter()
    for ds in get_suite("snare").datasets():
        hub.fetch(ds)
    figures["fetch_s"] = round(time.perf_counter() - t0, 2)
    os.environ["HF_HUB_OFFLINE"] = "1"
    t0 = time.perf_counter()
    for ds in get_suite("snare").datasets():
        assert hub.locate(ds) is not None
    figures["locate_offline_s"] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    with watch() as cold:
        probes = build_suite("snare", image_dir=home / "images")
    figures["build_cold_s"] = round(time.perf_counter() - t0, 2)  # includes importing spaCy (and torch) once
    t0 = time.perf_counter()
    with watch() as warm:
        again = build_suite("snare", image_dir=home / "images-again")
    figures["build_warm_s"] = round(time.perf_counter() - t0, 2)
    figures["load"] = {"build_cold": cold.label(), "build_warm": warm.label()}  # bench/idle.py
    assert again.fingerprint == probes.fingerprint
    figures["items"] = {task: len(items) for task, items in probes.by_task().items()}
    figures["rows_per_s_warm"] = round(4 * args.rows / figures["build_warm_s"], 1)  # type: ignore[operator]
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
