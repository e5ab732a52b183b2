"""The local hub's NaturalBench and MMVP-VLM repositories, in their real file layout and column names.

``BaiqiL/NaturalBench``: ``data/train-0000i-of-00003.parquet`` written by ``datasets`` with the card's features
(``Index``, ``Image_0``, ``Image_1``, ``Question_0``, ``Image_0_Question_0``, ``Image_1_Question_0``,
``Question_1``, ``Image_0_Question_1``, ``Image_1_Question_1``, ``Question_Type``, ``Source``).
``MMVP/MMVP_VLM``: ``Questions.csv`` (``Question ID``, ``Type``, ``Statement``) and
``MLLM_VLM Images/<Type>/<Question ID>.jpg``, beside the card and ``.gitattributes`` that a fetch leaves alone.
"""

from __future__ import annotations

import io

from tests.probes.sources.local_hub import png

NATURALBENCH = [  # (question 0, question 1, type, question 0 answered affirmatively for image 0)
    ("Is the dog sleeping on the sofa?", "Is the dog awake on the sofa?", "yes_no", True),
    ("Is there a red car?", "Is there a blue car?", "yes_no", True),
    (
        "What is the man holding? A. an umbrella B. a bag",
        "What is the man holding? A. a bag B. an umbrella",
        "multiple_choice",
        True,
    ),
    ("Is the cup to the left of the plate?", "Is the cup to the right of the plate?", "yes_no", False),
]


def naturalbench_repo() -> dict[str, bytes]:
    """Four rows in three shards; the last row's first question is the one answered ``Yes`` for image 1."""
    import datasets

    datasets.disable_progress_bars()
    text = datasets.Value("string")
    feats = datasets.Features(
        {
            "Index": datasets.Value("int64"),
            "Image_0": datasets.Image(),
            "Image_1": datasets.Image(),
            "Question_0": text,
            "Image_0_Question_0": text,
            "Image_1_Question_0": text,
            "Question_1": text,
            "Image_0_Question_1": text,
            "Image_1_Question_1": text,
            "Question_Type": text,
            "Source": text,
        }
    )
    cols: dict[str, list] = {name: [] for name in feats}
    for k, (q0, q1, kind, straight) in enumerate(NATURALBENCH):
        yes, no = ("Yes", "No") if kind == "yes_no" else ("A", "B")
        first, second = (yes, no) if straight else (no, yes)
        values = [k, *({"bytes": png(25 * k + 40 * i, (36, 30)), "path": None} for i in (0, 1)), q0, first, second]
        values += [q1, second, first, kind, "Flickr30K" if k % 2 else "DOCCI"]
        for name, value in zip(feats, values, strict=True):
            cols[name].append(value)
    ds = datasets.Dataset.from_dict(cols, features=feats)
    files = {}
    for i in range(3):
        buf = io.BytesIO()
        ds.shard(3, i, contiguous=True).to_parquet(buf)
        files[f"data/train-{i:05d}-of-00003.parquet"] = buf.getvalue()
    return files


MMVP_VLM = [  # (pattern, statement of the odd id, statement of the even id)
    ("Camera Perspective", "the photo is taken from above", "the photo is taken from below"),
    ("Camera Perspective", "the car is seen from the front", "the car is seen from the side"),
    ("Color", "the flower is red", "the flower is yellow"),
    ("Color", "the bus is blue", "the bus is white"),
]


def jpg(shade: int, size: tuple[int, int] = (32, 32)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (shade % 256, (3 * shade) % 256, 90)).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def mmvp_vlm_repo() -> dict[str, bytes]:
    """Four pairs of two patterns: ``Questions.csv`` rows ``2k-1``, ``2k`` and their images."""
    lines = ["Question ID,Type,Statement"]
    files: dict[str, bytes] = {}
    for k, (pattern, odd, even) in enumerate(MMVP_VLM):
        for qid, statement in ((2 * k + 1, odd), (2 * k + 2, even)):
            lines.append(f"{qid},{pattern},{statement}")
            files[f"MLLM_VLM Images/{pattern}/{qid}.jpg"] = jpg(30 * qid)
    files["Questions.csv"] = ("\n".join(lines) + "\n").encode()
    files["README.md"] = b"---\nlicense: mit\n---\n# MMVP-VLM Benchmark Datacard\n"
    files[".gitattributes"] = b"*.jpg filter=lfs diff=lfs merge=lfs -text\n"
    return files
