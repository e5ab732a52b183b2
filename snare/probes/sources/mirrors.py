"""Records from the hub mirrors of ARO's data: VG-Relation / VG-Attribution rows and COCO / Flickr30k captions.

The VG mirrors hold ``image`` (the whole Visual Genome image), ``true_caption``, ``false_caption`` and, depending
on the mirror, ``relation_name``, ``attributes``, ``obj1_name``, ``obj2_name`` and ``bbox`` (``{x, y, w, h}``);
the fields missing are recovered
from ARO's caption templates (:mod:`snare.probes.sources.aro_templates`) and entries the templates do not
determine are dropped and counted. The order mirrors hold one row per Karpathy test caption (``images``,
``correct_caption``); rows sharing an image become one record, so clusters follow the image.

Images are written once, unchanged, to ``image_dir`` under their content digest (as for ``hf:`` sources), and
item keys are ``<dataset>/<row>`` (VG) or ``<dataset>/<image digest>`` (captions): the same revision always gives
the same probe set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from snare.errors import SnareError
from snare.probes.sources.aro_templates import TemplateMismatch, recover_attribution, recover_relation
from snare.probes.sources.base import BadRecords, CaptionRecord, Source, VGRecord
from snare.probes.sources.hub import HubDataset
from snare.probes.sources.images import image_bytes, store_image


def _bbox(value: Any) -> tuple[float, float, float, float] | None:
    """``{x, y, w, h}`` (or a 4-list) as a box with positive size; None when absent or unusable."""
    if isinstance(value, dict):
        value = [value.get(k) for k in ("x", "y", "w", "h")]
    if not isinstance(value, list | tuple) or len(value) != 4:
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        return None
    box = tuple(float(v) for v in value)
    return box if box[2] > 0 and box[3] > 0 else None  # type: ignore[return-value]


def vg_entry(row: dict[str, Any], kind: str) -> dict[str, Any]:
    """An ARO-style entry (``obj1_name``, ``obj2_name``, ``relation_name`` or ``attributes``) from a mirror row.

    Raises:
        TemplateMismatch: the captions do not determine the missing fields.
    """
    true, false = row.get("true_caption"), row.get("false_caption")
    if not (isinstance(true, str) and isinstance(false, str) and true.strip() and false.strip()):
        raise TemplateMismatch("empty captions")
    objects = [v if isinstance(v, str) and v else None for v in (row.get("obj1_name"), row.get("obj2_name"))]
    if kind == "vg_relation":
        rel = row.get("relation_name")
        fields = recover_relation(true, false, rel if isinstance(rel, str) and rel else None, objects)
    else:
        atts = row.get("attributes")
        ok = isinstance(atts, list) and len(atts) == 2 and all(isinstance(a, str) and a for a in atts)
        fields = recover_attribution(true, false, atts if ok else None, objects)
    return {"true_caption": true, "false_caption": false, **fields}


def load_mirror(ds: HubDataset, rows: Iterable[dict[str, Any]], image_dir: Path, *, skip_bad: bool) -> Source:
    """The records of one mirror's rows (see :func:`snare.probes.sources.hub.read_rows`).

    Template mismatches are counted in ``skipped`` by reason (they are the data, not bad input); an unreadable
    image stops the build unless ``skip_bad``.
    """
    image_dir.mkdir(parents=True, exist_ok=True)
    bad = BadRecords(skip_bad)
    records: list[Any] = []
    groups: dict[str, tuple[str, list[str]]] = {}
    stored: dict[bytes, tuple[str, str]] = {}
    n_rows = 0
    for i, row in enumerate(rows):
        n_rows += 1
        where = f"{ds.label} [{ds.split}] row {i}"
        try:
            data = image_bytes(row.get("image"))
            key = hashlib.sha256(data).digest()
            if key not in stored:  # VG rows share images: decode-check and write each one once
                stored[key] = store_image(data, image_dir)
            digest, filename = stored[key]
        except (OSError, ValueError, SyntaxError, SnareError) as exc:
            bad(where, f"image cannot be read ({exc})", "corrupt image")
            continue
        if ds.kind == "captions":
            caption = row.get("caption")
            if not isinstance(caption, str) or not caption.strip():
                bad(where, "empty caption", "empty captions")
                continue
            groups.setdefault(digest, (filename, []))[1].append(caption)
            continue
        try:
            entry = vg_entry(row, ds.kind)
        except TemplateMismatch as why:
            bad.skipped[why.reason] += 1
            continue
        box = _bbox(row.get("bbox"))
        entry.update({"image_path": filename, "row": i})
        records.append(
            VGRecord(key=f"{ds.kind}/{i:06d}", cluster=f"vg/{digest}", image=filename, bbox=box, entry=entry)
        )
    if ds.kind == "captions":
        records = [
            CaptionRecord(key=f"{ds.name}/{d}", cluster=f"{ds.name}/{d}", image=f, captions=tuple(c))
            for d, (f, c) in groups.items()
        ]
    info = {"kind": "hub", "dataset": ds.name, "repo": ds.repo, "revision": ds.revision, "split": ds.split}
    info.update({"n_rows": n_rows, "expected_rows": ds.rows})
    return Source(ds.kind, ds.name, image_dir, records, info, skipped=bad.skipped)
