"""Small sources in the real formats, written by the tests (images are drawn here, never downloaded)."""

from __future__ import annotations

import json
from pathlib import Path

CAPTIONS = [
    "A man riding a horse on the beach.",
    "Two dogs are sitting on a couch.",
    "The brown dog chases a white cat.",
    "A little girl holding a kitten next to a blue fence.",
    "A woman is riding a motorcycle down the street.",
]


def write_image(path: Path, shade: int = 0, size: tuple[int, int] = (40, 30)) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (shade, 120, 200 - shade)).save(path)


def write_karpathy(root: Path, n_images: int = 3, dataset: str = "coco", split: str = "test") -> Path:
    folder = "val2014" if dataset == "coco" else "flickr30k-images"
    name = f"coco_karpathy_{split}.json" if dataset == "coco" else f"flickr30k_{split}.json"
    records = []
    for i in range(n_images):
        image = f"{folder}/img{i}.jpg"
        write_image(root / image, shade=i * 20)
        records.append({"image": image, "caption": CAPTIONS[i:] + CAPTIONS[:i]})
    (root / name).write_text(json.dumps(records))
    return root / name


def vg_relation_entries() -> list[dict]:
    base = {"image_path": "1.jpg", "bbox_x": 2, "bbox_y": 3, "bbox_w": 20, "bbox_h": 10}
    rows = [
        ("eating", "horse", "grass"),
        ("on", "lemon", "wagon"),
        ("next to", "cup", "plate"),
        ("below", "shelf", "lamp"),
    ]
    return [
        {
            **base,
            "image_path": f"{i % 2}.jpg",
            "relation_name": rel,
            "obj1_name": a,
            "obj2_name": b,
            "true_caption": f"the {a} is {rel} the {b}",
            "false_caption": f"the {b} is {rel} the {a}",
        }
        for i, (rel, a, b) in enumerate(rows)
    ]


def vg_attribution_entries() -> list[dict]:
    base = {"image_path": "0.jpg", "bbox_x": 0, "bbox_y": 0, "bbox_w": 30, "bbox_h": 20}
    rows = [("white", "plate", "brown", "table"), ("red", "car", "green", "tree")]
    return [
        {
            **base,
            "attributes": [a1, a2],
            "obj1_name": o1,
            "obj2_name": o2,
            "true_caption": f"the {a1} {o1} and the {a2} {o2}",
            "false_caption": f"the {a2} {o1} and the {a1} {o2}",
        }
        for a1, o1, a2, o2 in rows
    ]


def write_aro(root: Path, relation: list[dict] | None = None, attribution: list[dict] | None = None) -> Path:
    for i in range(2):
        write_image(root / "images" / f"{i}.jpg", shade=i * 50)
    (root / "visual_genome_relation.json").write_text(json.dumps(relation or vg_relation_entries()))
    (root / "visual_genome_attribution.json").write_text(json.dumps(attribution or vg_attribution_entries()))
    return root


def write_pairs(root: Path, fmt: str = "jsonl") -> Path:
    rows = [("a.png", CAPTIONS[0]), ("b.png", CAPTIONS[2]), ("a.png", CAPTIONS[1])]
    for name in ("a.png", "b.png"):
        write_image(root / name, shade=len(name))
    path = root / f"pairs.{fmt}"
    if fmt == "jsonl":
        path.write_text("".join(json.dumps({"image": i, "caption": c}) + "\n" for i, c in rows))
    else:
        import csv

        with open(path, "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["image", "caption"])
            writer.writerows(rows)
    return path


def write_hf(root: Path, n: int = 3) -> Path:
    """A ``save_to_disk`` dataset with an Image column and a caption column (one caption list per row)."""
    import datasets
    from PIL import Image

    images = [Image.new("RGB", (16, 12), (i * 40, 10, 10)) for i in range(n)]
    ds = datasets.Dataset.from_dict(
        {"image": images, "sentences": [CAPTIONS[i : i + 2] for i in range(n)]},
        features=datasets.Features(
            {"image": datasets.Image(), "sentences": datasets.Sequence(datasets.Value("string"))}
        ),
    )
    datasets.DatasetDict({"test": ds}).save_to_disk(str(root))
    return root
