"""X-VLM's tokenizer: bert-base-uncased WordPiece (lower-cased), loaded so that the vocabulary is really there.

Trap this module exists for: with transformers 5, ``BertTokenizer(vocab_file=...)`` and an offline
``from_pretrained("bert-base-uncased")`` quietly build a tokenizer of the five special tokens only, which maps
every word to ``[UNK]``. Here a vocabulary file is read into a dict and passed as ``vocab=``, a folder goes
through ``from_pretrained(folder)``, and the size of the result is checked against the file and the model.

Captions are encoded as X-VLM's own tokenizer (its modified ``tokenization_bert.py``) encodes a single sequence:
``[CLS]`` followed by the WordPieces, **no** ``[SEP]``, at most ``max_tokens`` ids in all (:func:`encode`). X-VLM's
pretraining data is built the same way, so its checkpoints never saw a ``[SEP]`` after a caption.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from snare.errors import WeightsUnavailableError

HUB_REPO = "google-bert/bert-base-uncased"
HUB_FILES = ["vocab.txt", "tokenizer_config.json", "tokenizer.json"]
SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]")


def _from_vocab_file(path: Path) -> Any:
    from transformers import BertTokenizer

    from snare.safe_io import MAX_JSON_BYTES, UnsafeInputError, read_text

    try:  # bounded; a FIFO or device is refused, not read
        lines = read_text(path, MAX_JSON_BYTES, what="a vocabulary file").splitlines()
    except (OSError, UnsafeInputError) as exc:
        raise WeightsUnavailableError(f"tokenizer vocabulary {path} cannot be read: {exc}") from None
    vocab: dict[str, int] = {}
    for index, token in enumerate(lines):
        vocab.setdefault(token.rstrip("\r"), index)
    absent = [t for t in SPECIAL if t not in vocab]
    if absent:
        raise WeightsUnavailableError(f"tokenizer vocabulary {path} is not BERT's: it lacks {', '.join(absent)}")
    tokenizer = BertTokenizer(vocab=vocab, do_lower_case=True)
    if len(tokenizer) < len(vocab):
        raise WeightsUnavailableError(
            f"tokenizer built from {path} has {len(tokenizer)} tokens, the file {len(vocab)}; transformers did "
            "not take the vocabulary"
        )
    return tokenizer


def _from_hub() -> Path:
    from snare.adapters.hub import fetch_snapshot, offline

    try:
        return fetch_snapshot(HUB_REPO, allow_patterns=HUB_FILES)
    except WeightsUnavailableError:
        raise WeightsUnavailableError(
            f"X-VLM's tokenizer ({HUB_REPO}) is not in the Hugging Face cache and the hub is unreachable"
            f"{' (HF_HUB_OFFLINE is set)' if offline() else ''}: pass a BERT vocab.txt or tokenizer folder with "
            "-o tokenizer=PATH, or put vocab.txt beside the checkpoint"
        ) from None


def load_tokenizer(source: str | Path | None, *, model_vocab_size: int, exact: bool) -> tuple[Any, str]:
    """A BERT tokenizer and a description of where it came from.

    Args:
        source: a ``vocab.txt`` file, a tokenizer folder, or ``None`` for bert-base-uncased from the hub cache.
        model_vocab_size: rows of the model's word-embedding table; the tokenizer may not exceed it.
        exact: require exactly ``model_vocab_size`` tokens (trained weights: any other vocabulary is the wrong one).
    """
    if source is None:
        path = _from_hub()
        label = HUB_REPO
    else:
        path = Path(source).expanduser()
        label = str(path)
        if not path.exists():
            raise WeightsUnavailableError(f"-o tokenizer={source}: no such file or folder")
    if not path.is_dir():  # a file: read with a bound (a FIFO or device is refused there)
        tokenizer = _from_vocab_file(path)
    elif (path / "vocab.txt").is_file() and not (path / "tokenizer.json").is_file():
        tokenizer = _from_vocab_file(path / "vocab.txt")
    else:
        from transformers import AutoTokenizer

        from snare.adapters.pretrained import check_folder_files

        check_folder_files(path)  # transformers reads the folder's files with plain open
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(path))
        except Exception as exc:
            raise WeightsUnavailableError(
                f"no BERT tokenizer in {path} ({type(exc).__name__}); pass a vocab.txt with -o tokenizer=PATH"
            ) from None
    size = len(tokenizer)
    if size <= len(SPECIAL) + 1:
        raise WeightsUnavailableError(
            f"the tokenizer from {label} has only {size} tokens (an empty vocabulary); pass bert-base-uncased's "
            "vocab.txt with -o tokenizer=PATH"
        )
    if size > model_vocab_size or (exact and size != model_vocab_size):
        raise WeightsUnavailableError(
            f"the tokenizer from {label} has {size} tokens but the model's embedding table has {model_vocab_size}; "
            "X-VLM uses bert-base-uncased (30,522): pass its vocab.txt with -o tokenizer=PATH"
        )
    return tokenizer, label


def encode(tokenizer: Any, texts: Sequence[str], max_tokens: int) -> tuple[Any, Any]:
    """``(input_ids, attention_mask)`` long tensors: ``[CLS]`` + WordPieces cut to ``max_tokens - 1``, no ``[SEP]``,
    padded with ``[PAD]`` to the longest caption of the batch (padding is masked, so the batch does not matter)."""
    import torch

    words = tokenizer(list(texts), add_special_tokens=False, truncation=True, max_length=max_tokens - 1)
    rows = [[tokenizer.cls_token_id, *ids] for ids in words["input_ids"]]
    width = max(len(row) for row in rows)
    ids = torch.full((len(rows), width), tokenizer.pad_token_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
        mask[i, : len(row)] = 1
    return ids, mask
