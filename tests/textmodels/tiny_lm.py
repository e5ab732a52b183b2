"""Tiny random causal LMs and word-level tokenizers that the tests build (no weights from anywhere)."""

from __future__ import annotations

from pathlib import Path

WORDS = ["a", "the", "man", "woman", "dog", "horse", "riding", "holding", "on", "in", "beach", "street"]
WORDS += ["red", "blue", "is", "not", "and", "of"]


def tokenizer(*, bos: bool = True, adds_bos: bool = False, words: list[str] = WORDS):
    """A word-level fast tokenizer: ``<pad> <unk> <s> </s>`` then ``words``. ``bos``: declares ``<s>`` as BOS
    (else only an EOS, as GPT-2); ``adds_bos``: its post-processor puts ``<s>`` first, as Llama's does."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {w: i for i, w in enumerate(["<pad>", "<unk>", "<s>", "</s>", *words])}
    core = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    core.decoder = decoders.WordPiece(prefix="##")  # joins word tokens with spaces
    if adds_bos:
        core.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 2)])
    specials = {"pad_token": "<pad>", "unk_token": "<unk>", "eos_token": "</s>"}
    return PreTrainedTokenizerFast(tokenizer_object=core, **specials, **({"bos_token": "<s>"} if bos else {}))


def model(vocab_size: int, seed: int = 0, max_positions: int = 64):
    """A seeded random two-layer Llama of width 16, in eval mode."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=max_positions,
        bos_token_id=2,
        eos_token_id=3,
        pad_token_id=0,
    )
    torch.manual_seed(seed)
    return LlamaForCausalLM(config).eval()


def save(folder: Path, *, bos: bool = True, adds_bos: bool = False, vocab_size: int | None = None) -> Path:
    """A ``from_pretrained`` folder holding a tiny random LM and its tokenizer; returns ``folder``."""
    tok = tokenizer(bos=bos, adds_bos=adds_bos)
    model(vocab_size or len(tok)).save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder
