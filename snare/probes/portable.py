"""Where a probe-set folder finds its images, so that it can be moved, zipped and shared.

``snare probes build --images MODE`` decides what the manifest's ``image_root`` holds:

* ``copy`` (default): every image the items use is copied into ``OUT/images/`` under its path relative to the
  source, and ``image_root`` is ``images``; the folder is self-contained.
* ``link``: the same layout with hard links (no extra disk space on one file system; a copy where linking fails).
* ``relative``: no files; ``image_root`` is the source folder's path relative to ``OUT``, so the set keeps working
  when it is moved together with its data.
* ``absolute``: no files; the source folder's absolute path (the old behaviour; breaks when shared).

Item image paths are unchanged in every mode, and the fingerprint hashes image bytes, not where they are, so all
four modes give the same fingerprint.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath

from snare.errors import SnareError
from snare.probes.probeset import ProbeSet

IMAGE_MODES = ("copy", "link", "relative", "absolute")
IMAGES_DIR = "images"


def check_mode(mode: str) -> None:
    if mode not in IMAGE_MODES:
        raise SnareError(f"unknown --images {mode!r}; use one of: {', '.join(IMAGE_MODES)}")


def place_images(probes: ProbeSet, staging: Path, final: Path, mode: str) -> tuple[str | None, int]:
    """Put the images of ``probes`` where ``mode`` says; return the manifest's ``image_root`` and files placed.

    ``staging`` is the folder being written, ``final`` the path it will be renamed to (``relative`` is computed
    against it). A probe set whose images already sit in ``staging/images`` (Hugging Face sources) or that has no
    image files (synthetic scenes) is left as it is.

    Raises:
        SnareError: an image path that cannot be placed inside the set (absolute, or leaving the source with
            ``..``) under ``copy``/``link``; pass ``--images relative`` or ``absolute`` for those.
    """
    check_mode(mode)
    root = probes.image_root
    if root is None:
        return None, 0
    if Path(root).resolve() == (staging / IMAGES_DIR).resolve():
        return IMAGES_DIR, 0
    if mode == "absolute":
        return str(Path(root).resolve()), 0
    if mode == "relative":
        return os.path.relpath(Path(root).resolve(), final.resolve()), 0
    paths = sorted({it.image.path for it in probes if it.image.path is not None})
    for rel in paths:
        parts = PurePosixPath(rel).parts
        if PurePosixPath(rel).is_absolute() or ".." in parts:
            raise SnareError(
                f"--images {mode}: image {rel!r} is outside the source folder, so it has no place in the set; "
                "pass --images relative or --images absolute"
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
