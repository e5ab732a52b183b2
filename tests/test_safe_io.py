import io
import os
import threading

import pytest
from PIL import Image

from snare.safe_io import UnsafeInputError, check_regular, iter_lines, read_bytes, read_image, read_text


def _jpeg(path, size=(64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.effect_noise(size, 50).convert("RGB").save(buf, "JPEG")  # noise: enough data to cut in the middle
    path.write_bytes(buf.getvalue())
    return buf.getvalue()


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_devices_and_links_to_them_are_refused_before_reading(tmp_path, device):
    link = tmp_path / "image.jpg"
    link.symlink_to(device)
    for path in (device, link):
        with pytest.raises(UnsafeInputError, match="a device, not a regular file"):
            read_bytes(path, 1 << 20)
        with pytest.raises(UnsafeInputError, match="a device"):
            check_regular(path)


def test_a_fifo_without_writer_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    result: list[BaseException] = []

    def _read() -> None:
        try:
            read_text(fifo)
        except BaseException as exc:
            result.append(exc)

    reader = threading.Thread(target=_read, daemon=True)
    reader.start()
    reader.join(30)
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert isinstance(result[0], UnsafeInputError) and "FIFO" in str(result[0])
    with pytest.raises(UnsafeInputError, match="FIFO"):
        list(iter_lines(fifo))


def test_folder_is_named_as_a_folder(tmp_path):
    with pytest.raises(UnsafeInputError, match="a folder, not a file"):
        read_bytes(tmp_path, 10)


def test_read_is_capped_whatever_the_size_claims(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b"x" * 101)
    assert read_bytes(path, 101) == b"x" * 101
    with pytest.raises(UnsafeInputError, match="larger than the 100 bytes limit"):
        read_bytes(path, 100)


def test_endless_line_is_refused_and_lines_are_numbered(tmp_path):
    path = tmp_path / "items.jsonl"
    path.write_bytes(b"{}\n" + b"a" * 50)
    with pytest.raises(UnsafeInputError, match=r"items.jsonl:2: line longer"):
        list(iter_lines(path, max_line=20))
    path.write_bytes(b"one\ntwo\n")
    assert list(iter_lines(path)) == [(1, "one\n"), (2, "two\n")]
    path.write_bytes(b"ok\n\xff\xfe\n")
    with pytest.raises(UnsafeInputError, match=r"items.jsonl:2: not UTF-8"):
        list(iter_lines(path))


def test_truncated_jpeg_fails_decode_though_verify_passes(tmp_path):
    path = tmp_path / "cut.jpg"
    data = _jpeg(path)
    path.write_bytes(data[: len(data) // 2])
    with Image.open(path) as img:
        img.verify()  # the header is intact: the old check passed this file
    with pytest.raises(UnsafeInputError, match="truncated or corrupt"):
        read_image(path)
    good = tmp_path / "good.jpg"
    _jpeg(good)
    assert read_image(good).size == (64, 48)


def test_decompression_bomb_is_refused_before_decoding(tmp_path, monkeypatch):
    path = tmp_path / "bomb.png"
    Image.new("L", (200, 200)).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # a 40,000-pixel image is then a "bomb"
    with pytest.raises(UnsafeInputError, match="decompression bomb"):
        read_image(path)


def test_read_json_turns_every_bad_file_into_one_line_of_the_callers_error(tmp_path):
    from snare.safe_io import load_json, read_json

    class Bad(Exception):
        pass

    good, broken, deep = tmp_path / "good.json", tmp_path / "broken.json", tmp_path / "deep.json"
    good.write_text('{"a": [1, 2]}')
    broken.write_text('{"a": 1,\n  oops}')
    deep.write_text("[" * 100_000 + "]" * 100_000)
    assert read_json(good, Bad, what="a test file") == {"a": [1, 2]}
    for path, why in [(broken, "line 2 column 3"), (deep, "nested too deeply"), (tmp_path, "a folder")]:
        with pytest.raises(Bad, match=why) as caught:
            read_json(path, Bad, what="a test file")
        assert len(str(caught.value).splitlines()) == 1 and str(path) in str(caught.value)
    with pytest.raises(Bad, match="not valid JSON \\(no\\)"):
        load_json("{}", "x", Bad, object_hook=lambda _: (_ for _ in ()).throw(ValueError("no")))
