"""Images embedded in datasets (parquet cells, ``datasets`` Image features), written out once by content."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

_EXT = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "BMP": "bmp", "TIFF": "tif"}


def store_image(data: bytes, image_dir: Path) -> tuple[str, str]:
    """Check that ``data`` decodes, write it once to ``image_dir/<sha256 prefix>.<ext>``; ``(digest, file name)``.

    Raises:
        OSError, ValueError, PIL.UnidentifiedImageError: the bytes are not an image.
    """
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        fmt = img.format
        img.verify()
    digest = hashlib.sha256(data).hexdigest()[:20]
    filename = f"{digest}.{_EXT.get(fmt or '', 'img')}"
    target = image_dir / filename
    if not target.exists():
        from snare.atomic import write_bytes

        write_bytes(target, data)
    return digest, filename


def image_bytes(value: Any) -> bytes:
    """Encoded bytes of a parquet image cell (``{"bytes", "path"}``) or raw bytes; paths are not followed."""
    if isinstance(value, bytes | bytearray) and value:
        return bytes(value)
    if isinstance(value, dict) and value.get("bytes"):
        return value["bytes"]
    raise ValueError("no embedded image bytes")
