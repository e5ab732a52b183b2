"""Where a probe-set folder finds its images, so that it can be moved, zipped and shared.

``snare probes build --images MODE`` decides what the manifest's ``image_root`` holds:

* ``copy`` (default): every image the items use is copied into ``OUT/images/`` under its path relative to the
  source, and ``image_root`` is ``images``; the folder is self-contained.
* ``link``: the same layout with hard links (no extra disk space on one file system; a copy where linking fails).
* ``absolute``: no files; the source folder's absolute path (the old behaviour; breaks when shared).

There is no "relative to OUT" mode: a manifest whose ``image_root`` climbs out of the set with ``..`` is refused
on load (:mod:`snare.probes.manifest`, path containment), so a set either holds its images or names them absolutely.

Item image paths are unchanged in every mode, and the fingerprint hashes image bytes, not where they are, so all
three modes give the same fingerprint.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath

from snare.errors import SnareError
from snare.probes.probeset import ProbeSet

IMAGE_MODES = ("copy", "link", "absolute")
IMAGES_DIR = "images"


def check_mode(mode: str) -> None:
    if mode not in IMAGE_MODES:
        raise SnareError(f"unknown --images {mode!r}; use one of: {', '.join(IMAGE_MODES)}")


def place_images(probes: ProbeSet, staging: Path, mode: str) -> tuple[str | None, int]:
    """Put the images of ``probes`` where ``mode`` says; return the manifest's ``image_root`` and files placed.

    ``staging`` is the folder being written. A probe set whose images already sit in ``staging/images`` (Hugging
    Face sources) or that has no image files (synthetic scenes) is left as it is.

    Raises:
        SnareError: an image path that cannot be placed inside the set (absolute, or leaving the source with
            ``..``) under ``copy``/``link``; pass ``--images absolute`` for those.
    """
    check_mode(mode)
    root = probes.image_root
    if root is None:
        return None, 0
    if Path(root).resolve() == (staging / IMAGES_DIR).resolve():
        return IMAGES_DIR, 0
    if mode == "absolute":
        return str(Path(root).resolve()), 0
    paths = sorted({it.image.path for it in probes if it.image.path is not None})
    for rel in paths:
        parts = PurePosixPath(rel).parts
        if PurePosixPath(rel).is_absolute() or ".." in parts:
            raise SnareError(
                f"--images {mode}: image {rel!r} is outside the source folder, so it has no place in the set; "
                "pass --images absolute"
            )
        target = staging / IMAGES_DIR / Path(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        _place(Path(root) / Path(*parts), target, mode)
    return IMAGES_DIR, len(paths)


def _place(source: Path, target: Path, mode: str) -> None:
    if mode == "link":
        try:
            os.link(source, target)
            return
        except OSError:  # another file system, or links not allowed: a copy keeps the set whole
            pass
    shutil.copyfile(source, target)
