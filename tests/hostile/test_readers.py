"""Every reader of a file snare did not write: a FIFO or a link to ``/dev/zero`` is refused in one line before
anything is read, and a file over the reader's bound is refused instead of read whole."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from snare.errors import SnareError
from snare.safe_io import MAX_JSON_BYTES, MAX_LINE_BYTES


def _hostile(path: Path, kind: str) -> Path:
    """``path`` made a FIFO, a link to /dev/zero, or a sparse regular file one byte over the JSON bound."""
    if path.exists() or path.is_symlink():
        path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    else:
        with open(path, "wb"):
            pass
        os.truncate(path, MAX_JSON_BYTES + 1)  # a hole: nothing written, 64 MB + 1 of zeros to read
    return path


KINDS = ["fifo", "dev-zero", "oversize"]
REASON = {"fifo": "FIFO", "dev-zero": "a device", "oversize": "limit"}


def _refused(call, kind: str) -> str:
    with pytest.raises(SnareError) as err:
        call()
    message = str(err.value)
    assert "\n" not in message and REASON[kind] in message, message
    return message


@pytest.mark.parametrize("kind", KINDS)
def test_a_bert_vocab_file_for_the_hf_adapters(tmp_path, kind):
    from snare.adapters.hf_weights import load_tokenizer

    vocab = _hostile(tmp_path / "vocab.txt", kind)
    _refused(lambda: load_tokenizer(str(vocab), what="a BERT vocabulary"), kind)


@pytest.mark.parametrize("kind", KINDS)
def test_a_tokenizer_folder_for_transformers(tmp_path, kind):
    from snare.adapters.hf_weights import load_tokenizer

    folder = tmp_path / "tok"
    folder.mkdir()
    (folder / "tokenizer_config.json").write_text("{}")
    _hostile(folder / "tokenizer.json", kind)
    _refused(lambda: load_tokenizer(str(folder), what="a BERT vocabulary"), kind)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_weights_folder_file_is_refused_before_from_pretrained(tmp_path, kind):
    from snare.adapters.pretrained import load_pretrained

    (tmp_path / "config.json").write_text('{"model_type": "clip"}')
    _hostile(tmp_path / "model.safetensors", kind)
    _refused(lambda: load_pretrained(object, tmp_path, str(tmp_path)), kind)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_caption_corpus(tmp_path, kind):
    from snare.adapters.caption_corpus import read_captions

    _refused(lambda: read_captions(_hostile(tmp_path / "captions.txt", kind)), kind)


def test_a_caption_corpus_of_one_endless_line_or_too_many_lines(tmp_path, monkeypatch):
    from snare.adapters import caption_corpus

    endless = tmp_path / "endless.txt"
    with open(endless, "wb"):
        pass
    os.truncate(endless, MAX_LINE_BYTES + 1)  # binary zeros, no newline
    with pytest.raises(SnareError, match="line longer than"):
        caption_corpus.read_captions(endless)
    many = tmp_path / "many.txt"
    many.write_text("a dog\n" * 4)
    monkeypatch.setattr(caption_corpus, "MAX_CAPTIONS", 3)
    with pytest.raises(SnareError, match="more than 3 lines"):
        caption_corpus.read_captions(many)


@pytest.mark.parametrize("kind", KINDS)
def test_an_xvlm_vocab_file(tmp_path, kind):
    from snare.adapters.xvlm.tokenizer import load_tokenizer

    vocab = _hostile(tmp_path / "vocab.txt", kind)
    _refused(lambda: load_tokenizer(vocab, model_vocab_size=30522, exact=False), kind)


@pytest.mark.parametrize("kind", KINDS)
def test_an_xvlm_tokenizer_folder(tmp_path, kind):
    from snare.adapters.xvlm.tokenizer import load_tokenizer

    _hostile(tmp_path / "tokenizer.json", kind)
    _refused(lambda: load_tokenizer(tmp_path, model_vocab_size=30522, exact=False), kind)


@pytest.mark.parametrize("kind", KINDS)
def test_an_xvlm_config_file(tmp_path, kind):
    from snare.adapters.xvlm.config import read_config_file

    _refused(lambda: read_config_file(_hostile(tmp_path / "config_swinB_224.json", kind)), kind)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_an_xvlm_checkpoint(tmp_path, kind):
    from snare.adapters.xvlm.checkpoint import read_checkpoint

    _refused(lambda: read_checkpoint(_hostile(tmp_path / "xvlm.pth", kind)), kind)


@pytest.mark.parametrize("kind", KINDS)
def test_a_hf_export_manifest(tmp_path, kind):
    from snare.probes.hf_export import EXPORT_MANIFEST, load_export

    _hostile(tmp_path / EXPORT_MANIFEST, kind)
    (tmp_path / "dataset").mkdir()
    _refused(lambda: load_export(tmp_path, tmp_path / "images"), kind)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_hub_dataset_shard_or_blob(tmp_path, kind):
    from snare.probes.sources.hub import HubDataset, checksum_problems, shards

    blob = _hostile(tmp_path / ("ab" * 32), kind)  # a cache blob is named by its sha256
    if kind == "fifo":
        _refused(lambda: checksum_problems([blob]), kind)
    else:  # a link to /dev/zero resolves to "zero", which names no blob: it is skipped, never read
        assert checksum_problems([blob]) == []
    (tmp_path / "data").mkdir()
    _hostile(tmp_path / "data" / "train-00000-of-00001.parquet", kind)
    ds = HubDataset("d", "org/d", "", "train", "data/*.parquet", "captions", {"image": "image"})
    _refused(lambda: shards(tmp_path, ds), kind)


@pytest.mark.parametrize("kind", KINDS)
def test_a_reference_scores_file(tmp_path, kind):
    from snare.adapters.registry import create
    from snare.engine.checks import record_reference

    path = _hostile(tmp_path / "reference_scores.json", kind)
    _refused(lambda: record_reference(create("constant"), path), kind)


@pytest.mark.parametrize("kind", KINDS)
def test_a_score_cache_identity_named_by_a_run_record(tmp_path, kind):
    from snare.engine.cache import ScoreCache

    folder = tmp_path / "cache" / "v1" / "model"
    folder.mkdir(parents=True)
    _hostile(folder / "identity.json", kind)
    _refused(lambda: ScoreCache.open(folder), kind)


def test_an_honest_vocab_and_caption_file_still_read(tmp_path):
    from snare.adapters.caption_corpus import read_captions
    from snare.adapters.xvlm.config import read_config_file

    (tmp_path / "captions.txt").write_text("a dog runs\n\na cat sits\n")
    assert read_captions(tmp_path / "captions.txt") == ["a dog runs", "a cat sits"]
    (tmp_path / "c.json").write_text(json.dumps({"window_size": 7}))
    assert read_config_file(tmp_path / "c.json") == {"window_size": 7}
