"""Tiny random generative VLMs for tests and smoke runs: ``--weights random -o arch=NAME``.

Each architecture gets a model of a few hundred thousand parameters and a complete processor that snare builds
itself, offline: a byte-level BPE tokenizer (every caption tokenises, nothing maps to an unknown token) whose
vocabulary holds the answer words ``yes``/``no`` (with and without a leading space, lower- and upper-case) as
single tokens, the architecture's special tokens, and the architecture's own prompt layout:

- ``llava``: LLaVA-1.5 (CLIP vision tower, Llama) with a ``USER: <image>\\n... ASSISTANT:`` chat template;
  the processor expands ``<image>`` to one token per vision patch.
- ``qwen2-vl``: Qwen2-VL (multimodal rotary positions) with an ``<|im_start|>`` chat template; the number of
  image tokens follows each image's size and aspect ratio.
- ``paligemma``: PaliGemma (SigLIP, Gemma) with no chat template (raw prompts) and a tokenizer that adds a BOS
  token, as Gemma's does: ``encode("yes")[0]`` is the BOS id, the trap the answer-token rule avoids.

``size="small"`` builds the same layouts at a realistic width for ``bench/vlm.py`` (still random weights), and
``size="large"`` the same width with a realistic image-token count: 576 (LLaVA-1.5 at 336 px), 576-1024 (Qwen2-VL).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ARCHS = ("llava", "qwen2-vl", "paligemma")
_ANSWER_WORDS = ("yes", "no", "Yes", "No")
_LLAVA_TEMPLATE = (
    "{% for m in messages %}{% if m['role'] == 'user' %}USER: {% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}<image>\n{% elif c['type'] == 'text' %}{{ c['text'] }}{% endif %}{% endfor %} "
    "{% else %}ASSISTANT: {% for c in m['content'] %}{{ c['text'] }}{% endfor %}</s>{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}ASSISTANT:{% endif %}"
)
_QWEN_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif c['type'] == 'text' %}{{ c['text'] }}{% endif %}{% endfor %}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


@dataclass(frozen=True)
class Width:
    hidden: int
    layers: int
    heads: int
    vision_hidden: int
    vision_layers: int
    image: int  # LLaVA / PaliGemma image side in pixels
    patch: int
    qwen_tokens: tuple[int, int]  # Qwen2-VL: fewest and most image tokens (merged 2x2 patches) per image


WIDTHS = {
    "tiny": Width(32, 2, 2, 32, 2, 28, 7, (4, 16)),
    "small": Width(512, 8, 8, 384, 6, 224, 14, (4, 16)),
    # LLaVA-1.5 at 336 px: 576 image tokens (PaliGemma too); Qwen2-VL 576 to 1024
    "large": Width(512, 8, 8, 384, 6, 336, 14, (576, 1024)),
}


def byte_bpe_tokenizer(specials: list[str], *, bos: str | None = None, **named: str) -> Any:
    """A byte-level BPE tokenizer: 256 byte symbols, merges that make each answer word one token, ``specials``.

    ``bos``: a special token the post-processor prepends to every encoding (Gemma-style). ``named``: the
    tokenizer's special-token roles (``pad_token="<pad>"``, ...), each one of ``specials``.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {token: i for i, token in enumerate([*specials, *sorted(alphabet)])}
    merges: list[tuple[str, str]] = []
    for word in _ANSWER_WORDS:  # y+e, ye+s, then Ġ+yes: the ranks that make both spellings one token
        for end in range(2, len(word) + 1):
            if (pair := (word[: end - 1], word[end - 1])) not in merges:
                merges.append(pair)
            vocab.setdefault(word[:end], len(vocab))
    for word in _ANSWER_WORDS:
        merges.append(("Ġ", word))
        vocab["Ġ" + word] = len(vocab)
    core = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    core.decoder = decoders.ByteLevel()
    if bos is not None:
        core.post_processor = processors.TemplateProcessing(single=f"{bos} $A", special_tokens=[(bos, vocab[bos])])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, bos_token=bos, **named)
    tokenizer.add_special_tokens({"additional_special_tokens": [t for t in specials if t not in named.values()]})
    return tokenizer


def _llava(width: Width) -> tuple[Any, Any]:
    from transformers import LlavaConfig, LlavaProcessor
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    tok = byte_bpe_tokenizer(["<pad>", "</s>", "<s>", "<image>"], pad_token="<pad>", eos_token="</s>")
    image, patch = width.image, width.patch
    processor = LlavaProcessor(
        image_processor=CLIPImageProcessorPil(size={"shortest_edge": image}, crop_size=image),
        tokenizer=tok,
        patch_size=patch,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,
        chat_template=_LLAVA_TEMPLATE,
    )
    vision = _vision(width, image=image, patch=patch)
    config = LlavaConfig(
        vision_config={"model_type": "clip_vision_model", **vision},
        text_config={"model_type": "llama", **_text(width, len(tok)), "pad_token_id": 0, "eos_token_id": 1},
        image_token_index=tok.convert_tokens_to_ids("<image>"),
        vision_feature_select_strategy="default",
        vision_feature_layer=-1,
    )
    return config, processor


def _qwen2_vl(width: Width) -> tuple[Any, Any]:
    from transformers import Qwen2VLConfig, Qwen2VLProcessor
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil
    from transformers.models.qwen2_vl.video_processing_qwen2_vl import Qwen2VLVideoProcessor

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>", "<|image_pad|>"]
    tok = byte_bpe_tokenizer(specials, pad_token="<|endoftext|>", eos_token="<|im_end|>")
    patch = width.patch
    merged = (2 * patch) ** 2  # pixels per image token (2x2 patches merged); image sides are multiples of 2 * patch
    pixels = {"shortest_edge": width.qwen_tokens[0] * merged, "longest_edge": width.qwen_tokens[1] * merged}
    processor = Qwen2VLProcessor(
        image_processor=Qwen2VLImageProcessorPil(patch_size=patch, merge_size=2, temporal_patch_size=2, size=pixels),
        tokenizer=tok,
        video_processor=Qwen2VLVideoProcessor(patch_size=patch, merge_size=2, temporal_patch_size=2),
        chat_template=_QWEN_TEMPLATE,
    )
    head_dim = width.hidden // width.heads
    quarter = head_dim // 4
    rope = {"rope_type": "default", "mrope_section": [head_dim // 2 - 2 * quarter, quarter, quarter]}
    ids = {f"{name}_token_id": tok.convert_tokens_to_ids(f"<|{name}|>") for name in ("vision_start", "vision_end")}
    config = Qwen2VLConfig(
        text_config={
            **_text(width, len(tok)),
            "rope_parameters": rope,
            "pad_token_id": 0,
            "eos_token_id": 2,
            "bos_token_id": None,
        },
        vision_config={
            "depth": width.vision_layers,
            "embed_dim": width.vision_hidden,
            "hidden_size": width.hidden,
            "mlp_ratio": 2,
            "num_heads": width.heads,
            "patch_size": patch,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
        },
        image_token_id=tok.convert_tokens_to_ids("<|image_pad|>"),
        **ids,
    )
    return config, processor


def _paligemma(width: Width) -> tuple[Any, Any]:
    from transformers import PaliGemmaConfig, PaliGemmaProcessor
    from transformers.models.siglip.image_processing_pil_siglip import SiglipImageProcessorPil

    tok = byte_bpe_tokenizer(["<pad>", "<eos>", "<bos>", "<image>"], bos="<bos>", pad_token="<pad>", eos_token="<eos>")
    image, patch = width.image, width.patch
    image_processor = SiglipImageProcessorPil(size={"height": image, "width": image})
    image_processor.image_seq_length = (image // patch) ** 2
    processor = PaliGemmaProcessor(image_processor=image_processor, tokenizer=tok)
    config = PaliGemmaConfig(
        vision_config={"model_type": "siglip_vision_model", **_vision(width, image=image, patch=patch)},
        text_config={**_text(width, len(tok)), "model_type": "gemma", "num_key_value_heads": 1},
        image_token_index=tok.convert_tokens_to_ids("<image>"),
        projection_dim=width.hidden,
        hidden_size=width.hidden,
    )
    config.text_config.pad_token_id, config.text_config.bos_token_id = 0, 2
    return config, processor


def _text(width: Width, vocab: int) -> dict[str, Any]:
    return {
        "hidden_size": width.hidden,
        "intermediate_size": 2 * width.hidden,
        "num_hidden_layers": width.layers,
        "num_attention_heads": width.heads,
        "num_key_value_heads": width.heads,
        "head_dim": width.hidden // width.heads,
        "vocab_size": vocab,
        "max_position_embeddings": 2048,
        "tie_word_embeddings": False,
    }


def _vision(width: Width, *, image: int, patch: int) -> dict[str, Any]:
    return {
        "hidden_size": width.vision_hidden,
        "intermediate_size": 2 * width.vision_hidden,
        "num_hidden_layers": width.vision_layers,
        "num_attention_heads": width.heads,
        "image_size": image,
        "patch_size": patch,
    }


_BUILDERS = {"llava": _llava, "qwen2-vl": _qwen2_vl, "paligemma": _paligemma}


def random_parts(arch: str, size: str = "tiny") -> tuple[Any, Any]:
    """``(config, processor)`` of a random model of ``arch``; raises KeyError for an unknown arch or size."""
    return _BUILDERS[arch](WIDTHS[size])
