"""2x2 minimal-change sets from a parquet mirror (BiVLC): each row holds two images and two captions, caption i
true of image i.

The row's roles are ``image_0``, ``image_1`` (embedded images), ``caption_0`` and ``caption_1``, plus any
optional columns kept as item metadata (BiVLC: ``type``, ``subtype``). Each row becomes two
:class:`~snare.probes.sources.choices.ChoiceRecord`, image ``i`` with options ``(caption_0, caption_1)`` and
caption ``i`` intended, linked by ``meta.group`` for Winoground's text, image and group scores
(:mod:`snare.reports.groups`), exactly as :mod:`snare.probes.sources.winoground` does for Winoground's files.
Images are written once under their content digest; the cluster is the row (its two images are its own).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from snare.errors import SnareError
from snare.probes.sources.base import BadRecords, Source
from snare.probes.sources.choices import KIND as CHOICE
from snare.probes.sources.choices import ChoiceRecord
from snare.probes.sources.hub import HubDataset
from snare.probes.sources.images import image_bytes, store_image

KIND = "minimal_pairs"


def load_minimal_pairs(ds: HubDataset, rows: Iterable[dict[str, Any]], image_dir: Path, *, skip_bad: bool) -> Source:
    """The records of one mirror's rows (see :func:`snare.probes.sources.hub.read_rows`); a bad row stops the
    build unless ``skip_bad`` (then counted by reason)."""
    image_dir.mkdir(parents=True, exist_ok=True)
    bad = BadRecords(skip_bad)
    records: list[ChoiceRecord] = []
    stored: dict[bytes, str] = {}
    n_rows = 0
    for n, row in enumerate(rows):
        n_rows += 1
        where = f"{ds.label} [{ds.split}] row {n}"
        captions = (row.get("caption_0"), row.get("caption_1"))
        if not all(isinstance(c, str) and c.strip() for c in captions) or captions[0] == captions[1]:
            bad(where, "the two captions must be two non-empty, different texts", "bad captions")
            continue
        try:
            files = []
            for role in ("image_0", "image_1"):
                data = image_bytes(row.get(role))
                key = hashlib.sha256(data).digest()
                if key not in stored:
                    stored[key] = store_image(data, image_dir)[1]
                files.append(stored[key])
        except (OSError, ValueError, SyntaxError, SnareError) as exc:
            bad(where, f"image cannot be read ({exc})", "corrupt image")
            continue
        group = f"{ds.name}/{n:05d}"
        extra = {k: v for k, v in row.items() if k in ds.optional_columns and isinstance(v, str | int)}
        records += [
            ChoiceRecord(
                f"{group}/image_{i}", group, files[i], captions, i, ds.name, {"group": group, "image": i, **extra}
            )
            for i in (0, 1)
        ]
    info = {"kind": "hub", "dataset": ds.name, "repo": ds.repo, "revision": ds.revision, "split": ds.split}
    info.update({"n_rows": n_rows, "expected_rows": ds.rows})
    return Source(CHOICE, ds.name, image_dir, records, info, skipped=bad.skipped)
