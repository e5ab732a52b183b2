"""Embedded images are written once, under their content digest, and only when they decode."""

from __future__ import annotations

import pytest

from snare.errors import SnareError
from snare.probes.sources.images import image_bytes, store_image
from tests.probes.sources.local_hub import png


def test_store_image_names_files_by_content_and_writes_each_once(tmp_path):
    data = png(10)
    digest, name = store_image(data, tmp_path)
    assert name == f"{digest}.png" and (tmp_path / name).read_bytes() == data
    (tmp_path / name).write_bytes(data)  # same content, same name: nothing rewritten, nothing duplicated
    assert store_image(data, tmp_path) == (digest, name) and len(list(tmp_path.iterdir())) == 1
    assert store_image(png(11), tmp_path)[1] != name
    with pytest.raises(SnareError, match="not an image file"):  # one line, never Pillow's "<_io.BytesIO ...>"
        store_image(b"not an image", tmp_path)
    with pytest.raises(SnareError, match="cannot be read"):  # a header that promises pixels that are not there
        store_image(png(12)[:-40], tmp_path)


def test_image_bytes_takes_embedded_bytes_and_never_follows_paths():
    assert image_bytes({"bytes": b"abc", "path": "x.jpg"}) == b"abc" and image_bytes(b"abc") == b"abc"
    for cell in ({"bytes": None, "path": "/etc/passwd"}, "/etc/passwd", None, b""):
        with pytest.raises(ValueError):
            image_bytes(cell)
