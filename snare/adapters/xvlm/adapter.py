"""The ``xvlm`` (ITM head) and ``xvlm-itc`` (contrastive head) adapters over this project's X-VLM port.

Weights (``--weights``): a local original checkpoint file (``.th``/``.pth``/``.pt``/``.bin``/``.safetensors``),
a local folder holding one such file (and optionally ``vocab.txt`` and X-VLM's ``config_bert.json`` /
``config_swin*.json``), or ``random`` (the published Swin-B 224 + BERT-base config, initialised from the run's
seed). X-VLM has no hub repository: the tags ``4m``, ``16m``, ``coco`` and ``flickr`` name the official files
and where to download them, and fail with that advice.

Options (``-o KEY=VALUE``): ``tokenizer=PATH`` (vocab.txt or tokenizer folder; default: beside the weights, else
bert-base-uncased from the Hugging Face cache), ``vision_config=swinB_224|swinB_384|swinB_480|PATH`` (default:
read off the checkpoint's window size), ``text_config=PATH``, ``max_tokens=N`` (default: the checkpoint's saved
config, else 40), and for ``xvlm`` ``score=logprob|prob|snare`` (see :class:`XvlmItm`).

This module imports no torch at import time: the registry loads it for ``snare models list``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from snare.adapters.base import AdapterMeta, DualEncoder, PairScorer
from snare.adapters.xvlm.config import (
    BERT_BASE,
    EMBED_DIM,
    IMAGE_MEAN,
    IMAGE_STD,
    MAX_TOKENS,
    VISION_CONFIGS,
    SwinConfig,
    TextConfig,
    XvlmConfig,
    read_config_file,
    vision_config_for_window,
)
from snare.errors import WeightsUnavailableError

CHECKPOINT_SUFFIXES = (".th", ".pth", ".pt", ".bin", ".safetensors")
SOURCE = "https://github.com/zengyan-97/X-VLM#checkpoints"
# name -> what the official file is; X-VLM publishes them on Google Drive, linked from the README's Checkpoints.
TAGS: dict[str, str] = {
    "4m": "the 4M-image pretrained checkpoint (4m_base_model_state_step_199999.th; the one SNARE evaluates)",
    "16m": "the 16M-image pretrained checkpoint (16m_base_model_state_step_199999.th)",
    "coco": "the COCO retrieval checkpoint (16M: the retrieval-mscoco folder; 4M: 4m-all-ft-ckpts.tar)",
    "flickr": "the Flickr30k retrieval checkpoint (16M: the retrieval-flickr folder; 4M: 4m-all-ft-ckpts.tar)",
}
_META = {
    "family": "xvlm",
    "default_weights": "4m",
    "license": "bsd-3-clause",
    "params": 213_824_187,
    "url": "https://github.com/zengyan-97/X-VLM",
    "weights_help": "PATH to an original X-VLM checkpoint or folder | random; tags 4m, 16m, coco, flickr say where "
    "to download the official files (no hub)",
    "extra": {"tags": TAGS, "tokenizer": "bert-base-uncased"},
}


def _option_int(options: dict[str, Any], key: str) -> int | None:
    value = options.get(key)
    if value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise WeightsUnavailableError(f"-o {key} takes a whole number, not {value!r}") from None
    if number < 1:
        raise WeightsUnavailableError(f"-o {key} must be at least 1, not {number}")
    return number


class _XvlmLoader:
    """Loading and preprocessing shared by both heads (a mixin before the adapter base class)."""

    replay_safe = True  # see Adapter.replay_safe

    weights: str
    seed: int
    device: str
    dtype: str
    options: dict[str, Any]
    revision: str | None

    # -- resolving what to load ---------------------------------------------------------------------------------
    def _checkpoint_path(self) -> tuple[Path | None, Path | None]:
        """(checkpoint file, folder to look for configs/vocab in); ``(None, None)`` for random weights."""
        if self.weights == "random":
            return None, None
        path = Path(self.weights).expanduser()
        if path.is_file():
            return path, path.parent
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in CHECKPOINT_SUFFIXES)
            if len(found) != 1:
                what = (
                    "no checkpoint" if not found else f"{len(found)} checkpoints ({', '.join(p.name for p in found)})"
                )
                raise WeightsUnavailableError(
                    f"--weights {path}: the folder holds {what}; X-VLM folders hold exactly one "
                    f"{'/'.join(CHECKPOINT_SUFFIXES)} file (or pass the file itself)"
                )
            return found[0], path
        if self.weights.lower() in TAGS:
            raise WeightsUnavailableError(
                f"X-VLM weights are not on the Hugging Face hub: download {TAGS[self.weights.lower()]} from {SOURCE} "
                "and pass the file with --weights PATH (or use --weights random for an untrained model)"
            )
        raise WeightsUnavailableError(
            f"--weights {self.weights!r} is not a file, a folder, 'random' or an X-VLM tag ({', '.join(TAGS)}); "
            "X-VLM loads only local original checkpoints (no hub ids)"
        )

    def _vision_config(self, folder: Path | None, state: dict[str, Any], saved: dict[str, Any]) -> SwinConfig:
        from snare.adapters.xvlm.checkpoint import window_size_of

        chosen = self.options.get("vision_config")
        if chosen in VISION_CONFIGS:
            return SwinConfig.from_dict(VISION_CONFIGS[chosen])
        if chosen:
            return SwinConfig.from_dict(read_config_file(chosen), str(chosen))
        local = sorted(folder.glob("config_swin*.json")) if folder else []
        if len(local) == 1:
            return SwinConfig.from_dict(read_config_file(local[0]), str(local[0]))
        window = window_size_of(state)
        if window is not None:
            return vision_config_for_window(window)
        if saved.get("image_res") in {224, 384, 480}:
            return SwinConfig.from_dict(VISION_CONFIGS[f"swinB_{saved['image_res']}"])
        return SwinConfig.from_dict(VISION_CONFIGS["swinB_224"])

    def _text_config(self, folder: Path | None) -> TextConfig:
        chosen = self.options.get("text_config")
        if chosen:
            return TextConfig.from_dict(read_config_file(chosen), str(chosen))
        if folder and (folder / "config_bert.json").is_file():
            return TextConfig.from_dict(read_config_file(folder / "config_bert.json"), str(folder / "config_bert.json"))
        return TextConfig.from_dict(BERT_BASE)

    def _tokenizer_source(self, folder: Path | None) -> str | Path | None:
        if self.options.get("tokenizer"):
            return self.options["tokenizer"]
        if folder and ((folder / "vocab.txt").is_file() or (folder / "tokenizer.json").is_file()):
            return folder
        return None

    # -- loading -------------------------------------------------------------------------------------------------
    def load(self) -> None:
        path, folder = self._checkpoint_path()  # before the heavy imports: bad --weights fail at once
        import torch
        from torchvision import transforms

        from snare.adapters.xvlm.model import XVLM

        state: dict[str, Any] = {}
        saved: dict[str, Any] = {}
        if path is not None:
            from snare.adapters.checkpoint import sha256_file
            from snare.adapters.xvlm.checkpoint import read_checkpoint

            state, saved = read_checkpoint(path)
            self.revision = "sha256:" + sha256_file(path)
        proj = state.get("vision_proj.weight", state.get("module.vision_proj.weight"))
        max_tokens = _option_int(self.options, "max_tokens") or int(saved.get("max_tokens") or MAX_TOKENS)
        config = XvlmConfig(
            vision=self._vision_config(folder, state, saved),
            text=self._text_config(folder),
            embed_dim=int(proj.shape[0]) if proj is not None else int(saved.get("embed_dim") or EMBED_DIM),
            max_tokens=max_tokens,
        )
        if path is not None:  # a checkpoint that does not fit fails before anything slow is built
            from snare.adapters.xvlm.checkpoint import check_fits

            with torch.device("meta"):
                check_fits(XVLM(config), state, str(path))
        from snare.adapters.xvlm.tokenizer import load_tokenizer

        self.tokenizer, self.tokenizer_source = load_tokenizer(
            self._tokenizer_source(folder), model_vocab_size=config.text.vocab_size, exact=path is not None
        )
        torch.manual_seed(self.seed)  # decides every weight when --weights random; harmless otherwise
        model = XVLM(config)
        if path is not None:
            from snare.adapters.xvlm.checkpoint import load_into

            load_into(model, state, str(path))
            del state
        self.config = config
        self.model = model.to(self.device, dtype=getattr(torch, self.dtype)).eval()
        self.transform = transforms.Compose(
            [
                transforms.Resize(
                    (config.vision.image_res, config.vision.image_res),
                    interpolation=transforms.InterpolationMode.BICUBIC,
                ),
                transforms.ToTensor(),
                transforms.Normalize(IMAGE_MEAN, IMAGE_STD),
            ]
        )

    def preprocessing(self) -> dict[str, Any]:
        config = getattr(self, "config", None)
        return {
            "image_res": config.vision.image_res if config else None,
            "window_size": config.vision.window_size if config else None,
            "resize": "square, bicubic (PIL)",
            "mean": list(IMAGE_MEAN),
            "std": list(IMAGE_STD),
            "max_tokens": config.max_tokens if config else None,
            "tokenizer": getattr(self, "tokenizer_source", None),
            "vocab_size": len(self.tokenizer) if hasattr(self, "tokenizer") else None,
            "special_tokens": self.special_tokens() if config else None,
        }

    # -- shared forward pieces ---------------------------------------------------------------------------------
    def _pixels(self, images: Sequence[Any]) -> Any:
        import torch

        dtype = next(self.model.parameters()).dtype
        return torch.stack([self.transform(img.convert("RGB")) for img in images]).to(self.device, dtype)

    def _tokens(self, texts: Sequence[str]) -> tuple[Any, Any]:
        """Ids and mask as X-VLM's tokenizer makes them: ``[CLS]`` + caption, no ``[SEP]`` (see ``encode``)."""
        from snare.adapters.xvlm.tokenizer import encode

        ids, mask = encode(self.tokenizer, texts, self.config.max_tokens)
        return ids.to(self.device), mask.to(self.device)

    def special_tokens(self) -> str:
        """The special-token layout :meth:`_tokens` feeds the model (for the preprocessing record)."""
        from snare.adapters.hf_family import token_layout

        return token_layout(lambda texts: self._tokens(texts)[0].tolist(), self.tokenizer)


class XvlmItm(_XvlmLoader, PairScorer):
    option_names = ("vision_config", "text_config", "tokenizer", "max_tokens", "score")
    """ITM head: the softmax probability that the pair matches (X-VLM's retrieval re-ranking head).

    ``-o score=`` picks the number reported: ``logprob`` (default: the log of the match probability — exactly the
    ranking of the probability, without float32 rounding every probability within 6e-8 of 1 to the same 1.0,
    which the strict rule would count as a tie), ``prob``, or ``snare`` (what SNARE's published code scores: the
    ITM match logit plus the ITC cosine similarity).
    """

    meta = AdapterMeta(
        name="xvlm",
        head="itm",
        description="X-VLM (Swin-B + BERT-base, 6 fusion layers; this project's port): ITM match probability",
        **_META,
    )
    SCORES = ("prob", "logprob", "snare")

    def __init__(self, weights: str | None = None, **kwargs: Any) -> None:
        super().__init__(weights, **kwargs)
        self.score = str(self.options.get("score", "logprob"))
        if self.score not in self.SCORES:
            raise WeightsUnavailableError(f"-o score takes {', '.join(self.SCORES)}, not {self.score!r}")

    def preprocessing(self) -> dict[str, Any]:
        return {**super().preprocessing(), "score": self.score}

    def encode_images(self, images: Sequence[Any]) -> list[Any]:
        """The vision encoder's tokens of each image (what the fusion layers cross-attend to)."""
        import torch

        with torch.inference_mode():
            embeds = self.model.encode_image(self._pixels(images))
        return list(embeds.unbind(0))

    def score_encoded(self, encoded: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        import torch

        input_ids, mask = self._tokens(texts)
        with torch.inference_mode():
            image_embeds = torch.stack(list(encoded))
            text_embeds = self.model.encode_text(input_ids, mask)
            logits = self.model.itm_logits(image_embeds, text_embeds, mask).float()
            if self.score == "prob":
                out = logits.softmax(dim=-1)[:, 1]
            elif self.score == "logprob":
                out = logits.log_softmax(dim=-1)[:, 1]
            else:
                itc = (self.model.image_features(image_embeds) * self.model.text_features(text_embeds)).sum(-1)
                out = logits[:, 1] + itc.float()
        return out.cpu().numpy()

    def score_pairs(self, images: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        # Each distinct image object is encoded once, however many captions it is paired with.
        index: dict[int, int] = {}
        distinct: list[Any] = []
        for img in images:
            if id(img) not in index:
                index[id(img)] = len(distinct)
                distinct.append(img)
        encoded = self.encode_images(distinct)
        return self.score_encoded([encoded[index[id(img)]] for img in images], texts)


class XvlmItc(_XvlmLoader, DualEncoder):
    option_names = ("vision_config", "text_config", "tokenizer", "max_tokens")
    """Contrastive head: cosine similarity of the projected, normalised first tokens (X-VLM's ITC)."""

    meta = AdapterMeta(
        name="xvlm-itc",
        head="itc-cosine",
        description="X-VLM (this project's port): contrastive (ITC) cosine similarity",
        **_META,
    )

    def embed_images(self, images: Sequence[Any]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            feats = self.model.image_features(self.model.encode_image(self._pixels(images)))
        return feats.float().cpu().numpy()

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        input_ids, mask = self._tokens(texts)
        with torch.inference_mode():
            feats = self.model.text_features(self.model.encode_text(input_ids, mask))
        return feats.float().cpu().numpy()
