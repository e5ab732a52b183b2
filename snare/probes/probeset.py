"""A probe set: items plus how to fetch their images, with a content fingerprint, stored as JSONL + manifest.

On disk a probe set is a folder with one ``<task>.jsonl`` file per task (one canonical JSON item per line,
sorted by id) and ``manifest.json`` (fingerprint, counts, seed, generator version, source, skipped items).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from snare.errors import ProbeFormatError
from snare.output_shape import OutputShape
from snare.probes.item import ImageRef, ProbeItem
from snare.probes.manifest import check_counts, check_items, crop_box, parse_manifest
from snare.safe_io import UnsafeInputError, read_json

FORMAT = "snare-probeset/1"
MANIFEST = "manifest.json"
# what --overwrite requires of a folder it replaces: a snare probe set (manifest of this format, task files,
# images) or a --format hf export (its manifest and the datasets folder), nothing else
PROBESET_SHAPES = (
    OutputShape(MANIFEST, {"format": FORMAT}, ("*.jsonl", "images/**")),
    OutputShape("snare_manifest.json", {"format": FORMAT, "exported_as": "hf"}, ("dataset/**",)),
)


def _leads_out(path: Path, root: Path) -> bool:
    """Whether ``path`` is (or goes through) a link to a regular file outside ``root``. A link to a device, FIFO or
    nothing is left to the reader, whose one line says what it is."""
    import stat

    if path.resolve().is_relative_to(root):
        return False
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _one_line(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "item"
    return f"{where}: {first['msg']}"


class ProbeSet:
    """An ordered, validated collection of probe items and the means to load their images."""

    def __init__(
        self,
        items: Iterable[ProbeItem],
        *,
        name: str,
        image_root: str | Path | None = None,
        info: dict[str, Any] | None = None,
    ) -> None:
        self.items: list[ProbeItem] = sorted(items, key=lambda it: (it.task, it.id))
        self.name = name
        self.image_root = Path(image_root) if image_root is not None else None
        self.info: dict[str, Any] = dict(info or {})
        # sha256 per image file (or scene), read once per run: it serves the image check, the fingerprint and
        # the score cache's keys. Shared with subsets, which resolve the same paths.
        self._digests: dict[str, str] = {}
        # Set by load() for a set whose images live in its own folder (a relative image_root): an image may not be
        # a link that leads out of that folder, since a shared set could otherwise read any file it names.
        self.confined_root: Path | None = None
        dupes = [k for k, n in Counter(it.id for it in self.items).items() if n > 1]
        if dupes:
            raise ProbeFormatError(f"probe set {name!r} has duplicate item ids, e.g. {dupes[0]!r}")

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[ProbeItem]:
        return iter(self.items)

    @property
    def tasks(self) -> list[str]:
        return sorted({it.task for it in self.items})

    def by_task(self) -> dict[str, list[ProbeItem]]:
        out: dict[str, list[ProbeItem]] = {}
        for it in self.items:
            out.setdefault(it.task, []).append(it)
        return out

    def subset(self, *, tasks: Iterable[str] | None = None, limit: int | None = None) -> ProbeSet:
        """The first ``limit`` items (in id order) of each selected task; the fingerprint is recomputed."""
        wanted = set(tasks) if tasks is not None else None
        kept: list[ProbeItem] = []
        for task, items in self.by_task().items():
            if wanted is None or task in wanted:
                kept.extend(items if limit is None else items[:limit])
        info = {**self.info, "subset_of": self.checked_fingerprint()[0], "limit": limit}
        subset = ProbeSet(kept, name=self.name, image_root=self.image_root, info=info)
        subset.confined_root = self.confined_root
        subset._digests = self._digests
        return subset

    # -- images ---------------------------------------------------------------------------------------------
    def image_path(self, ref: ImageRef) -> Path:
        """Where the item's image file is: ``ref.path`` under the image root.

        A path must stay inside the root: an absolute path or one that climbs out with ``..`` is an error, so a
        probe set from elsewhere can only make snare read files of its own image folder.
        """
        assert ref.path is not None
        path = Path(ref.path)
        if path.is_absolute() or ".." in path.parts:
            raise ProbeFormatError(
                f"image path {ref.path!r} is absolute or climbs out with '..'; image paths are relative to "
                "the probe set's image root (rebuild the set with relative paths)"
            )
        full = self.image_root / path if self.image_root is not None else path
        if self.confined_root is not None and _leads_out(full, self.confined_root):
            raise ProbeFormatError(
                f"image {ref.path!r} is a link that leads out of the probe set's image folder; a shared set carries "
                "its images (rebuild it, or replace the link with the file)"
            )
        return full

    def load_image(self, ref: ImageRef):  # -> PIL.Image.Image
        """The item's image as RGB, cropped to its bounding box when it has one, then mirrored when ``ref.flip``.

        The file is read under :mod:`snare.safe_io`'s bounds and decoded in full; the box must overlap the image
        and stay under Pillow's pixel limit (outside parts are padded black, as ARO's ``crop`` does). Mirroring
        the crop gives the pixels of the mirrored image cropped to the mirrored box (``x' = W - x - w``).
        """
        from PIL import Image

        from snare.safe_io import read_image

        if ref.scene is not None:
            from snare.probes.scenes import render_scene

            img = render_scene(ref.scene)
        else:
            path = self.image_path(ref)
            with _read_errors(path, "check --image-root or the source folder"):
                img = read_image(path)
            if ref.bbox is not None:
                img = img.crop(crop_box(ref.bbox, img.size, path))
        return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT) if ref.flip else img

    def image_digest(self, ref: ImageRef) -> str:
        """sha256 of the image's content: file bytes, or for synthetic scenes the versioned scene spec.

        Synthetic scenes are rendered with plain integer arithmetic, so their spec fully determines the pixels.
        A file is read once per probe set (memoised by path; :meth:`image_problem` fills the memo too).
        """
        if ref.scene is not None:
            return hashlib.sha256(b"scene\x00" + ref.scene.encode("utf-8")).hexdigest()
        path = self.image_path(ref)
        if str(path) not in self._digests:
            self._digests[str(path)] = hashlib.sha256(self._image_bytes(path)).hexdigest()
        return self._digests[str(path)]

    def _image_bytes(self, path: Path) -> bytes:
        from snare.safe_io import MAX_IMAGE_BYTES, read_bytes

        with _read_errors(path, "check --image-root"):
            return read_bytes(path, MAX_IMAGE_BYTES, what="an image")  # bounded; devices and FIFOs refused

    def image_problem(self, ref: ImageRef) -> str | None:
        """Why an image cannot be used, or None. A file is read once and decoded in full (``verify`` passes a
        truncated JPEG) from the bytes that also give its digest, so the fingerprint and the cache keys need not
        read it again."""
        if ref.path is None:
            return None  # synthetic scenes are rendered from their spec; they cannot be missing
        from snare.safe_io import UnsafeInputError, decode_image

        path = self.image_path(ref)
        try:
            data = self._image_bytes(path)
            decode_image(data, path)
        except (ProbeFormatError, UnsafeInputError) as exc:
            if str(exc).startswith("image not found"):
                return f"image missing: {ref.path}"
            why = str(exc)
            for prefix in (f"image {path} cannot be read: ", f"image {path}: ", f"{path}: "):
                why = why.removeprefix(prefix)
            return f"image unreadable: {ref.path} ({why})"
        self._digests[str(path)] = hashlib.sha256(data).hexdigest()
        return None

    @cached_property
    def fingerprint(self) -> str:
        """sha256 over the canonical items and the content of every distinct image file they use.

        Independent of dict order, item order, batch size and machine; image paths enter only through the items,
        image bytes through their digests, so moving the image folder keeps the fingerprint.
        """
        h = hashlib.sha256(FORMAT.encode() + b"\n")
        for it in sorted(self.items, key=lambda i: (i.task, i.id)):
            h.update(it.canonical().encode("utf-8") + b"\n")
        digests: dict[str, str] = {}
        for it in self.items:
            file_key = it.image.path or it.image.scene or ""
            if file_key not in digests:
                digests[file_key] = self.image_digest(ImageRef(path=it.image.path, scene=it.image.scene))
        for key in sorted(digests):
            h.update(f"{key}\x00{digests[key]}\n".encode())
        return "sha256:" + h.hexdigest()

    def checked_fingerprint(self) -> tuple[str | None, bool]:
        """``(fingerprint, True)``, or the manifest's recorded one and False when an image is missing or unreadable.

        For views of a set whose broken images are reported item by item (``--allow-partial``, ``probes show``).
        """
        try:
            return self.fingerprint, True
        except ProbeFormatError:
            return self.info.get("fingerprint"), False

    # -- disk -----------------------------------------------------------------------------------------------
    def manifest(self) -> dict[str, Any]:
        counts = Counter(it.task for it in self.items)
        return {
            "format": FORMAT,
            "name": self.name,
            "fingerprint": self.fingerprint,
            "n_items": len(self.items),
            "tasks": dict(sorted(counts.items())),
            "image_root": str(self.image_root) if self.image_root is not None else None,
            **{k: v for k, v in self.info.items() if k not in {"format", "name", "fingerprint", "n_items", "tasks"}},
        }

    def write_into(self, folder: str | Path) -> None:
        """Write the JSONL files and manifest into an existing (staging) folder."""
        from snare.atomic import write_json, write_text

        folder = Path(folder)
        for task, items in self.by_task().items():
            write_text(folder / f"{task}.jsonl", "".join(it.canonical() + "\n" for it in items))
        write_json(folder / MANIFEST, self.manifest())

    def save(self, folder: str | Path, *, overwrite: bool = False) -> Path:
        """Write the probe set to ``folder`` atomically: either the whole set appears or nothing does."""
        from snare.atomic import staged_directory

        with staged_directory(folder, overwrite=overwrite, kind=PROBESET_SHAPES, what="probe set") as staging:
            self.write_into(staging)
        return Path(folder)

    @classmethod
    def load(cls, folder: str | Path, *, image_root: str | Path | None = None) -> ProbeSet:
        """Load and validate a probe-set folder; every problem is one line naming the file."""
        folder = Path(folder)
        manifest_path = folder / MANIFEST
        if folder.exists() and not folder.is_dir():
            raise ProbeFormatError(
                f"{folder} is a file, not a probe-set folder (one with manifest.json; build one: snare probes build)"
            )
        if not folder.is_dir():
            raise ProbeFormatError(f"probe set folder not found: {folder}")
        if not manifest_path.exists():
            raise ProbeFormatError(
                f"{folder} is not a probe set: {MANIFEST} is missing (build one: snare probes build)"
            )
        manifest = read_json(manifest_path, ProbeFormatError, what="a manifest")
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ProbeFormatError(f"{manifest_path}: not a {FORMAT} manifest")
        typed = parse_manifest(manifest, manifest_path)
        items: list[ProbeItem] = []
        for task in typed.tasks:
            path = folder / f"{task}.jsonl"
            if not path.exists():  # a device or FIFO here is refused by the bounded reader, not called missing
                raise ProbeFormatError(f"{path}: missing (the manifest lists task {task!r})")
            items.extend(_read_jsonl(path, task))
        check_counts(typed, Counter(it.task for it in items), manifest_path)
        root = image_root if image_root is not None else typed.image_root
        if root is not None and not Path(root).is_absolute():
            root = folder / root
        info = {k: v for k, v in manifest.items() if k not in {"image_root", "n_items", "tasks", "name"}}
        probes = cls(items, name=typed.name or folder.name, image_root=root, info=info)
        if image_root is None and root is not None and not Path(typed.image_root or "").is_absolute():
            probes.confined_root = Path(root).resolve()
        check_items(probes, manifest, manifest_path)
        return probes


def _read_jsonl(path: Path, task: str) -> Iterator[ProbeItem]:
    from snare.safe_io import UnsafeInputError, iter_lines

    try:
        for lineno, line in iter_lines(path):
            if not line.strip():
                continue
            try:
                item = ProbeItem.model_validate(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ProbeFormatError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
            except ValidationError as exc:
                raise ProbeFormatError(f"{path}:{lineno}: {_one_line(exc)}") from None
            if item.task != task:
                raise ProbeFormatError(f"{path}:{lineno}: item of task {item.task!r} in the {task!r} file")
            yield item
    except UnsafeInputError as exc:
        raise ProbeFormatError(str(exc)) from None


@contextmanager
def _read_errors(path: Path, hint: str) -> Iterator[None]:
    """Reading an image file: a missing, unsafe or unreadable file becomes one :class:`ProbeFormatError` line."""
    try:
        yield
    except FileNotFoundError:
        raise ProbeFormatError(f"image not found: {path} ({hint})") from None
    except UnsafeInputError as exc:
        raise ProbeFormatError(str(exc)) from None
    except OSError as exc:
        raise ProbeFormatError(f"image {path} cannot be read: {exc.strerror or exc}") from None
