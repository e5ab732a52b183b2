"""Images embedded in datasets (parquet cells, ``datasets`` Image features), written out once by content."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

_EXT = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "BMP": "bmp", "TIFF": "tif"}


def store_image(data: bytes, image_dir: Path) -> tuple[str, str]:
    """Check that ``data`` decodes, write it once to ``image_dir/<sha256 prefix>.<ext>``; ``(digest, file name)``.

    Every pixel is decoded (:func:`snare.safe_io.decode_image`): a header check alone passes a truncated JPEG.

    Raises:
        snare.errors.SnareError: the bytes are not an image, cannot be decoded, or claim too many pixels (one line,
            never Pillow's own message with its ``<_io.BytesIO ...>``).
        OSError: the image cannot be written.
    """
    from PIL import Image

    from snare.safe_io import decode_image

    digest = hashlib.sha256(data).hexdigest()[:20]
    decode_image(data, digest)  # first: opening alone raises Pillow's own errors (a bomb, "<_io.BytesIO ...>")
    with Image.open(io.BytesIO(data)) as img:
        fmt = img.format
    filename = f"{digest}.{_EXT.get(fmt or '', 'img')}"
    target = image_dir / filename
    if not target.exists():
        from snare.atomic import write_bytes

        write_bytes(target, data)
    return digest, filename


def image_bytes(value: Any) -> bytes:
    """Encoded bytes of a parquet image cell (``{"bytes", "path"}``) or raw bytes, at most
    :data:`snare.safe_io.MAX_IMAGE_BYTES`; paths are never followed (a mirror's images are embedded)."""
    from snare.safe_io import MAX_IMAGE_BYTES

    if isinstance(value, dict):
        value = value.get("bytes")
    if not isinstance(value, bytes | bytearray) or not value:
        raise ValueError("no embedded image bytes")
    if len(value) > MAX_IMAGE_BYTES:
        raise ValueError(f"image larger than {MAX_IMAGE_BYTES // (1 << 20)} MB")
    return bytes(value)
