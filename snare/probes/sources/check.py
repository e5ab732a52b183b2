"""``snare data check``: is a data source the one the papers scored?

For each annotation file found (COCO/Flickr30k Karpathy JSON, ARO's Visual Genome files, or a JSONL/CSV file of
(image, caption) rows given by name) the check reports its
sha256, its item/image/caption counts against the counts the papers' data hold, every image that is missing or
cannot be decoded, and duplicate or empty captions. The files are read as they are, without the loaders'
clean-up (which skips such records), so that nothing is hidden.

Reference counts, each verified against a published copy of the same file (see :data:`EXPECTED`); counts we
could not verify are left out rather than guessed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from snare.errors import SnareError
from snare.probes.sources.aro import FILES as ARO_FILES
from snare.probes.sources.aro import IMAGE_DIR as ARO_IMAGE_DIR
from snare.probes.sources.karpathy import FILES as KARPATHY_FILES

MAX_LISTED = 20  # problems listed one by one per kind; the rest are counted

# Counts of the files as the papers' code downloads them. "whatsup_all" is ServiceNow's HF copy of ARO's four
# datasets (splits VG_Relation 23,937, VG_Attribution 28,748, COCO_Order 25,010 = one item per test caption).
EXPECTED: dict[str, dict[str, Any]] = {
    ARO_FILES["vg_relation"]: {
        "counts": {"items": 23937},
        "source": "ARO VG-Relation; HF dataset ServiceNow/whatsup_all, split VG_Relation",
    },
    ARO_FILES["vg_attribution"]: {
        "counts": {"items": 28748},
        "source": "ARO VG-Attribution; HF dataset ServiceNow/whatsup_all, split VG_Attribution",
    },
    KARPATHY_FILES["coco"].format(split="test"): {
        "counts": {"images": 5000, "captions": 25010},
        "source": "COCO Karpathy test: 5,000 images; ARO COCO-Order has one item per caption (25,010)",
    },
    KARPATHY_FILES["flickr30k"].format(split="test"): {
        "counts": {"images": 1000},
        "source": "Flickr30k Karpathy test: 1,000 images (caption count not verified, so not checked)",
    },
}


class DataCheckError(SnareError):
    """SOURCE is not something ``snare data check`` can read."""


def sha256_of(path: Path) -> str:
    from snare.safe_io import open_regular

    h = hashlib.sha256()
    with open_regular(path) as fh:  # a FIFO or device here would hang the check
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _normalized(caption: str) -> str:
    """Captions compare case- and white-space-insensitively (``pre_caption`` lower-cases and re-spaces them)."""
    return re.sub(r"\s+", " ", caption.strip().lower())


@dataclass
class FileReport:
    """What one annotation file holds and everything found wrong with it."""

    path: Path
    kind: str  # "karpathy", "aro" or "pairs"
    sha256: str
    counts: dict[str, int] = field(default_factory=dict)
    expected: dict[str, int] = field(default_factory=dict)
    expected_source: str | None = None
    missing_images: list[str] = field(default_factory=list)
    unreadable_images: list[str] = field(default_factory=list)
    duplicate_captions: list[str] = field(default_factory=list)
    empty_captions: list[str] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)

    @property
    def count_mismatches(self) -> dict[str, tuple[int, int]]:
        """``name -> (found, expected)`` for every reference count this file misses."""
        return {k: (self.counts.get(k, 0), v) for k, v in self.expected.items() if self.counts.get(k) != v}

    @property
    def ok(self) -> bool:
        return not (
            self.count_mismatches
            or self.missing_images
            or self.unreadable_images
            or self.duplicate_captions
            or self.empty_captions
            or self.malformed
        )

    def problems(self) -> dict[str, int]:
        """How many problems of each kind (what the summary line prints)."""
        found = {
            "count mismatches": len(self.count_mismatches),
            "missing images": len(self.missing_images),
            "unreadable images": len(self.unreadable_images),
            "duplicate captions": len(self.duplicate_captions),
            "empty captions": len(self.empty_captions),
            "malformed records": len(self.malformed),
        }
        return {k: v for k, v in found.items() if v}

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "kind": self.kind,
            "sha256": self.sha256,
            "counts": self.counts,
            "expected": self.expected,
            "expected_source": self.expected_source,
            "count_mismatches": {k: {"found": f, "expected": e} for k, (f, e) in self.count_mismatches.items()},
            "problems": self.problems(),
            "missing_images": self.missing_images[:MAX_LISTED],
            "unreadable_images": self.unreadable_images[:MAX_LISTED],
            "duplicate_captions": self.duplicate_captions[:MAX_LISTED],
            "empty_captions": self.empty_captions[:MAX_LISTED],
            "malformed": self.malformed[:MAX_LISTED],
            "ok": self.ok,
        }


def _check_images(report: FileReport, root: Path, images: Iterable[str]) -> None:
    from snare.safe_io import UnsafeInputError, read_image

    for name in sorted(set(images)):
        path = root / name
        if not path.exists():
            report.missing_images.append(name)
            continue
        try:
            read_image(path)  # decode every pixel: verify() alone passes a truncated JPEG
        except UnsafeInputError as exc:
            report.unreadable_images.append(f"{name} ({str(exc).split(': ', 1)[-1]})")
        except OSError as exc:
            report.unreadable_images.append(f"{name} ({exc.strerror or type(exc).__name__})")


def _read(path: Path) -> list[Any]:
    from snare.safe_io import MAX_ANNOTATION_BYTES, read_text

    try:
        data = json.loads(read_text(path, MAX_ANNOTATION_BYTES, what="an annotation file"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataCheckError(f"{path}: not readable JSON ({exc}); re-download the annotation file") from None
    if not isinstance(data, list):
        raise DataCheckError(f"{path}: expected a JSON list of records")
    return data


def check_karpathy(path: Path) -> FileReport:
    """A Karpathy-format file: ``[{"image": ..., "caption": [...]}]``, images relative to the file's folder."""
    report = FileReport(path, "karpathy", sha256_of(path))
    images: list[str] = []
    n_captions = 0
    for i, rec in enumerate(_read(path)):
        if not isinstance(rec, dict) or not isinstance(rec.get("image"), str) or "caption" not in rec:
            report.malformed.append(f"record {i}: needs 'image' (a path) and 'caption'")
            continue
        captions = [rec["caption"]] if isinstance(rec["caption"], str) else rec["caption"]
        if not isinstance(captions, list) or not all(isinstance(c, str) for c in captions):
            report.malformed.append(f"record {i}: 'caption' is not a list of strings")
            continue
        images.append(rec["image"])
        n_captions += len(captions)
        seen = Counter(_normalized(c) for c in captions)
        report.empty_captions.extend(f"{rec['image']} (caption {k})" for k, c in enumerate(captions) if not c.strip())
        report.duplicate_captions.extend(f"{rec['image']}: {text!r} ×{n}" for text, n in seen.items() if n > 1 and text)
    report.counts = {"images": len(set(images)), "records": len(images), "captions": n_captions}
    repeated = [name for name, n in Counter(images).items() if n > 1]
    report.malformed.extend(f"image {name} listed in more than one record" for name in repeated)
    _check_images(report, path.parent, images)
    return report


def check_aro(path: Path) -> FileReport:
    """One of ARO's Visual Genome files; images under ``images/`` beside it."""
    report = FileReport(path, "aro", sha256_of(path))
    images: list[str] = []
    items: Counter[tuple[Any, ...]] = Counter()
    for i, rec in enumerate(_read(path)):
        if not isinstance(rec, dict) or not isinstance(rec.get("image_path"), str):
            report.malformed.append(f"record {i}: needs 'image_path'")
            continue
        images.append(rec["image_path"])
        for key in ("true_caption", "false_caption"):
            if not isinstance(rec.get(key), str) or not rec[key].strip():
                report.empty_captions.append(f"record {i} ({key})")
        box = tuple(rec.get(k) for k in ("bbox_x", "bbox_y", "bbox_w", "bbox_h"))
        items[(rec["image_path"], box, _normalized(str(rec.get("true_caption", ""))))] += 1
    report.duplicate_captions.extend(
        f"{image} {list(box)}: {caption!r} ×{n}" for (image, box, caption), n in items.items() if n > 1 and caption
    )
    report.counts = {"items": sum(items.values()), "images": len(set(images))}
    _check_images(report, path.parent / ARO_IMAGE_DIR, images)
    return report


def check_pairs(path: Path) -> FileReport:
    """A JSONL or CSV file of (image, caption) rows, as ``snare probes build --source FILE`` reads it."""
    from snare.probes.sources.pairs import load_pairs

    report = FileReport(path, "pairs", sha256_of(path))
    try:
        source = load_pairs(path, skip_bad=True)
    except SnareError as exc:
        raise DataCheckError(str(exc)) from None
    for where, problem, reason in source.bad_rows:
        (report.empty_captions if reason == "empty captions" else report.malformed).append(f"{where}: {problem}")
    n_captions = 0
    for record in source.records:
        n_captions += len(record.captions)
        seen = Counter(_normalized(c) for c in record.captions)
        report.duplicate_captions.extend(f"{record.image}: {t!r} ×{n}" for t, n in seen.items() if n > 1 and t)
    report.counts = {"images": len(source.records), "rows": source.info["n_rows"], "captions": n_captions}
    _check_images(report, source.root, [r.image for r in source.records])
    return report


def check_source(source: str | Path) -> list[FileReport]:
    """Check every known annotation file in a folder, or one given file; raise when there is none. Which files a
    folder may hold, and how each is checked, is declared by the source forms (:func:`snare.probes.sources.checker`)."""
    from snare.probes.sources import check_names, checker

    source = Path(source)
    if not source.exists():
        raise DataCheckError(f"{source}: not found; pass a data folder or an annotation file")
    names = check_names()
    files = [source] if source.is_file() else [source / name for name in names if (source / name).is_file()]
    if not files:
        raise DataCheckError(f"{source}: no annotation file found (looked for {', '.join(sorted(names))})")
    reports = []
    for path in files:
        check = checker(path)
        if check is None:
            raise DataCheckError(f"{path}: not a source file snare data check knows (see: snare probes build --help)")
        report = check(path)
        reference = EXPECTED.get(path.name)
        if reference is not None:
            report.expected = {k: v for k, v in reference["counts"].items() if k in report.counts}
            report.expected_source = reference["source"]
        reports.append(report)
    return reports
