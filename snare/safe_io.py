"""Reading files that snare did not write: regular files only, and never more bytes than a stated bound.

Every reader of user-supplied input (images, probe-set files, submissions, manifests, weights) goes through this
module. A path that is (or links to) a device, FIFO or socket is refused *before* anything is read: ``/dev/zero``
never ends and a FIFO blocks forever, and both report ``st_size == 0``, so a size check alone would wave them
through. The file is opened non-blocking (opening a FIFO without a writer would otherwise hang), checked with
``fstat`` on the open descriptor (no window for the path to be swapped), and then read with a hard cap of
``limit + 1`` bytes, so a file that grows, or lies about its size, is still stopped at the bound.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import itertools
import json
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from snare.errors import SnareError

MB = 1024 * 1024
MAX_IMAGE_BYTES = 256 * MB  # a 16k x 16k PNG is well under this; a larger "image" is not a probe image
MAX_JSON_BYTES = 64 * MB  # manifests, identity and config files
MAX_ANNOTATION_BYTES = 1024 * MB  # COCO Karpathy JSON is ~140 MB
MAX_LINE_BYTES = 4 * MB  # one JSONL item; real items are a few hundred bytes


class UnsafeInputError(SnareError):
    """An input file is not a regular file, or is larger than snare will read."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file"
    return "not a regular file"


def check_regular(path: str | os.PathLike[str]) -> Path:
    """``path`` if it is (or links to) a regular file; otherwise a one-line :class:`UnsafeInputError`.

    For libraries that only take a path (safetensors, ``torch.load``): call this first. Raises
    ``FileNotFoundError`` unchanged so callers keep their own "not found" message.
    """
    path = Path(path)
    mode = os.stat(path).st_mode  # follows symlinks: a link to /dev/zero is judged by what it points to
    if not stat.S_ISREG(mode):
        raise UnsafeInputError(f"{path}: {_kind(mode)}; refusing to read it")
    return path


@contextlib.contextmanager
def open_regular(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Open ``path`` for binary reading if it is a regular file, without ever blocking on a FIFO.

    Raises ``FileNotFoundError``/``PermissionError`` unchanged and :class:`UnsafeInputError` for anything that is
    not a regular file (checked on the open descriptor, so a swapped symlink cannot slip through).
    """
    path = Path(path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UnsafeInputError(f"{path}: {_kind(mode)}; refusing to read it")
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
        fh = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with fh:
        yield fh


def _too_big(path: Path, limit: int, what: str) -> UnsafeInputError:
    size = f"{limit // MB} MB" if limit >= MB else f"{limit} bytes"
    return UnsafeInputError(f"{path}: larger than the {size} limit for {what}; is this the right file?")


def read_bytes(path: str | os.PathLike[str], limit: int, *, what: str = "this file") -> bytes:
    """All bytes of the regular file ``path``, or :class:`UnsafeInputError` when there are more than ``limit``."""
    path = Path(path)
    with open_regular(path) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise _too_big(path, limit, what)
    return data


def read_text(path: str | os.PathLike[str], limit: int = MAX_JSON_BYTES, *, what: str = "this file") -> str:
    """The UTF-8 text of ``path`` under the byte bound; a decoding problem is one line naming the file."""
    data = read_bytes(path, limit, what=what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnsafeInputError(f"{path}: not UTF-8 text (byte {exc.start}); is this the right file?") from None


def load_json(text: str, where: str | os.PathLike[str], error: Callable[[str], Exception], **options: Any) -> Any:
    """``json.loads(text, **options)``; malformed JSON, a ``ValueError`` of an ``object_pairs_hook`` or nesting too
    deep raises ``error`` with one line, ``<where>: not valid JSON (<why>)``."""
    try:
        return json.loads(text, **options)
    except json.JSONDecodeError as exc:
        raise error(f"{where}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except ValueError as exc:
        raise error(f"{where}: not valid JSON ({exc})") from None
    except RecursionError:
        raise error(f"{where}: not valid JSON (nested too deeply)") from None


def read_json(
    path: str | os.PathLike[str], error: Callable[[str], Exception], limit: int = MAX_JSON_BYTES, *, what: str
) -> Any:
    """The JSON value of the file ``path``, read under the byte bound; an unsafe, oversized, undecodable or
    malformed file raises ``error`` with one line naming the file (see :func:`load_json`)."""
    try:
        text = read_text(path, limit, what=what)
    except UnsafeInputError as exc:
        raise error(str(exc)) from None
    return load_json(text, path, error)


def iter_lines(
    path: str | os.PathLike[str], *, max_line: int = MAX_LINE_BYTES, max_lines: int | None = None
) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` for each line of a UTF-8 text file, each line read with a bound.

    A line longer than ``max_line`` bytes (a file of one endless line, e.g. binary data) is an error naming the
    line instead of being read whole into memory.
    """
    path = Path(path)
    with open_regular(path) as fh:
        for lineno in itertools.count(1):
            raw = fh.readline(max_line + 1)
            if not raw:
                return
            if max_lines is not None and lineno > max_lines:
                raise UnsafeInputError(f"{path}: more than {max_lines} lines; is this the right file?")
            if len(raw) > max_line and not raw.endswith(b"\n"):
                raise UnsafeInputError(f"{path}:{lineno}: line longer than {max_line // MB} MB; is this a text file?")
            try:
                yield lineno, raw.decode("utf-8")
            except UnicodeDecodeError:
                raise UnsafeInputError(f"{path}:{lineno}: not UTF-8 text") from None


def decode_image(data: bytes | BinaryIO, name: str | os.PathLike[str]) -> Any:  # -> PIL.Image.Image
    """Fully decode image bytes into an RGB image; every failure is one :class:`UnsafeInputError` naming ``name``.

    The pixels are decoded (``load``), not only the header checked (``verify``), so a truncated or corrupt JPEG is
    caught here rather than mid-run. Pillow's decompression-bomb warning is an error: a small file that claims
    a gigapixel canvas would otherwise be allocated.
    """
    import warnings

    from PIL import Image, UnidentifiedImageError

    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as img:
                img.load()
                return img.convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UnsafeInputError(
            f"image {name}: claims more than {Image.MAX_IMAGE_PIXELS:,} pixels (decompression bomb?); "
            "resize it or remove the item"
        ) from None
    except UnidentifiedImageError:
        raise UnsafeInputError(f"image {name} cannot be read: not an image file Pillow can read") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise UnsafeInputError(
            f"image {name} cannot be read: truncated or corrupt ({' '.join(str(exc).split())})"
        ) from None


def read_image(path: str | os.PathLike[str], *, limit: int = MAX_IMAGE_BYTES) -> Any:  # -> PIL.Image.Image
    """Read and fully decode the image file ``path`` (regular file, bounded size) as RGB."""
    return decode_image(read_bytes(path, limit, what="an image"), path)
