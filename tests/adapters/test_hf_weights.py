"""The revision digest of a transformers folder (``sha256_folder``)."""

from __future__ import annotations

import hashlib

from snare.adapters.hf_weights import resolve, sha256_folder


def _old_digest(folder) -> str:
    """The digest as snare computed it before chat templates counted: committed results carry it."""
    digest = hashlib.sha256()
    for file in sorted(folder.iterdir()):
        if file.is_file() and file.suffix in {".json", ".txt", ".model", ".safetensors", ".bin"}:
            digest.update(f"{file.name}:{hashlib.sha256(file.read_bytes()).hexdigest()}\n".encode())
    return digest.hexdigest()


def _folder(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "blip"}')
    (folder / "vocab.txt").write_text("[PAD]\n[UNK]\n")
    (folder / "model.safetensors").write_bytes(b"weights")
    (folder / "README.md").write_text("not part of the model")
    return folder


def test_a_folder_without_a_chat_template_keeps_its_digest(tmp_path):
    folder = _folder(tmp_path)
    assert sha256_folder(folder) == _old_digest(folder)


def test_a_chat_template_is_part_of_every_adapters_revision(tmp_path):
    folder = _folder(tmp_path)
    before = resolve(str(folder)).revision
    (folder / "chat_template.jinja").write_text("{{ messages }}")
    with_template = resolve(str(folder)).revision
    (folder / "chat_template.jinja").write_text("Q: {{ messages }}")
    changed = resolve(str(folder)).revision
    assert len({before, with_template, changed}) == 3
    # the digest the vlm adapter recorded for such folders: the base digest extended by each template
    extended = hashlib.sha256(f"sha256:{_old_digest(folder)}\n".encode())
    extended.update(f"chat_template.jinja:{hashlib.sha256(b'Q: {{ messages }}').hexdigest()}\n".encode())
    assert changed == "sha256:" + extended.hexdigest()
