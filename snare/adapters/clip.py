"""CLIP through open_clip: cosine similarity of L2-normalised image and text embeddings.

Weights (``--weights``): an open_clip pretrained tag of the architecture (``openai``, ``laion2b_s34b_b79k``…),
``hf-hub:ORG/NAME`` (an open_clip repository on the hub), a local checkpoint file (safetensors or a
``torch.load(weights_only=True)``-readable state dict, e.g. NegCLIP), or ``random`` (the architecture from its
config, initialised with the run's seed). The architecture is ``-o arch=NAME`` (default ``ViT-B-32``).

The activation (GELU vs QuickGELU) comes from the pretrained tag's own config (``quick_gelu``) or the explicit
``-o quick_gelu=true|false``; for local checkpoints and random weights the architecture config decides unless the
flag is given. It is recorded in :meth:`describe` either way, never guessed silently from a name.

A transformers model (``CLIPModel``/``SigLIP``: a hub id ``ORG/NAME`` without ``hf-hub:``, or a ``from_pretrained``
folder) runs through :mod:`snare.adapters.clip_hf` instead; ``-o arch`` and ``-o quick_gelu`` do not apply to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from snare.adapters.base import AdapterMeta, DualEncoder
from snare.errors import WeightsUnavailableError


def _as_bool(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise WeightsUnavailableError(f"-o quick_gelu takes true or false, not {value!r}")


# open_clip's hub repository of each architecture's "openai" tag (open_clip.get_pretrained_cfg(arch, "openai")
# ["hf_hub"]; a test checks the table against it), so an offline run is refused before open_clip is imported
OPENAI_REPOS = {
    "RN50": "timm/resnet50_clip.openai",
    "RN101": "timm/resnet101_clip.openai",
    "ViT-B-32": "timm/vit_base_patch32_clip_224.openai",
    "ViT-B-16": "timm/vit_base_patch16_clip_224.openai",
    "ViT-L-14": "timm/vit_large_patch14_clip_224.openai",
    "ViT-L-14-336": "timm/vit_large_patch14_clip_336.openai",
}


class OpenClip(DualEncoder):
    option_names = ("arch", "quick_gelu")
    replay_safe = True  # see Adapter.replay_safe
    meta = AdapterMeta(
        name="clip",
        family="clip",
        head="itc-cosine",
        default_weights="openai",
        license="mit",
        description="CLIP (open_clip); default OpenAI ViT-B/32",
        url="https://github.com/mlfoundations/open_clip",
        weights_help="open_clip tag | hf-hub:ORG/NAME | PATH | random (-o arch=ViT-B-32) | transformers id or folder",
        extra={"arch": "ViT-B-32"},
    )

    def __init__(self, weights: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("arch", self.meta.extra["arch"])
        super().__init__(weights, **kwargs)
        self.arch: str = self.options["arch"]
        self.quick_gelu: bool | None = _as_bool(self.options.get("quick_gelu"))
        self._preprocess_cfg: dict[str, Any] = {}
        self._hf = None

    # -- loading --------------------------------------------------------------------------------------------
    def hub_repo(self) -> str | None:
        return OPENAI_REPOS.get(self.arch) if self.weights == "openai" else None

    def load(self) -> None:
        from snare.adapters import clip_hf

        if clip_hf.handles(self.weights):  # a transformers CLIPModel/SigLIP id or folder: the other backend
            self._hf: clip_hf.TransformersClip | None = clip_hf.TransformersClip(
                self.weights, device=self.device, dtype=self.dtype, seed=self.seed
            )
            self._hf.load()
            self.revision = self._hf.revision
            self.options.pop("arch", None)  # the folder's config decides the architecture
            return
        self._load_open_clip()

    def _load_open_clip(self) -> None:
        import open_clip
        import torch

        if self.arch not in open_clip.list_models():
            from snare.errors import suggest

            raise WeightsUnavailableError(
                f"open_clip has no architecture {self.arch!r}.{suggest(self.arch, open_clip.list_models())}"
            )
        model_name, state, quick_gelu = self._weights_source(open_clip)
        weights = self.weights
        force = {"force_quick_gelu": True} if quick_gelu else {}
        import logging

        # open_clip logs "initialized randomly" when pretrained is None; snare loads the weights itself below.
        logging.getLogger().setLevel(max(logging.getLogger().level, logging.ERROR))
        model = open_clip.create_model(model_name, pretrained=None, precision="fp32", device="cpu", **force)
        if state is not None:
            from snare.adapters.checkpoint import load_strict

            load_strict(model, state, weights)
        if self._preprocess_cfg:  # the tag's own normalisation and resize, as open_clip applies them
            model.visual.preprocess_cfg = {**model.visual.preprocess_cfg, **self._preprocess_cfg}
        self.activation = self._activation_of(model)
        self.model = model.to(self.device, dtype=getattr(torch, self.dtype)).eval()
        self.transform = open_clip.transform.image_transform_v2(
            open_clip.transform.PreprocessCfg(**model.visual.preprocess_cfg), is_train=False
        )
        self.tokenizer = open_clip.get_tokenizer(model_name)
        from snare.adapters import clip_text

        self.text_trimmed = clip_text.can_trim(self.model) and clip_text.trimming_agrees(
            self.model, self.tokenizer, self.dtype
        )

    def _weights_source(self, open_clip: Any) -> tuple[str, dict[str, Any] | None, bool | None]:
        """``(open_clip model name, state dict to load or None, QuickGELU or None)`` for ``--weights``; records the
        revision and, for a pretrained tag, its own preprocessing."""
        import torch

        weights = self.weights
        local = Path(weights).expanduser()
        state: dict[str, Any] | None = None
        quick_gelu = self.quick_gelu
        model_name = self.arch
        if weights == "random":
            torch.manual_seed(self.seed)
        elif local.exists():
            from snare.adapters.checkpoint import read_state_dict, sha256_file

            state = read_state_dict(local)
            self.revision = "sha256:" + sha256_file(local)
        elif weights.startswith("hf-hub:"):
            from snare.adapters.hub import fetch_file, revision_of

            repo = weights.removeprefix("hf-hub:")
            config_path = fetch_file(repo, ["open_clip_config.json"])
            weights_path = fetch_file(repo, ["open_clip_model.safetensors", "open_clip_pytorch_model.bin"])
            self.revision = revision_of(weights_path)
            model_name = "hf-hub:" + repo
            del config_path  # fetched so that open_clip finds it in the cache
        elif weights in open_clip.list_pretrained_tags_by_model(self.arch):
            from snare.adapters.checkpoint import read_state_dict
            from snare.adapters.hub import fetch_file, revision_of

            cfg = open_clip.get_pretrained_cfg(self.arch, weights)
            if quick_gelu is None:
                quick_gelu = bool(cfg.get("quick_gelu", False))
            repo = "/".join(cfg["hf_hub"].strip("/").split("/")[:2])
            names = (
                [cfg["hf_hub_filename"]]
                if cfg.get("hf_hub_filename")
                else ["open_clip_model.safetensors", "open_clip_pytorch_model.bin"]
            )
            path = fetch_file(repo, names)
            self.revision = revision_of(path)
            state = read_state_dict(path)
            self._preprocess_cfg = {k: cfg[k] for k in ("mean", "std", "interpolation", "resize_mode") if k in cfg}
        else:
            tags = ", ".join(open_clip.list_pretrained_tags_by_model(self.arch)) or "none"
            raise WeightsUnavailableError(
                f"--weights {weights!r} is not a file, an hf-hub: id, 'random', or an open_clip tag of {self.arch} "
                f"(tags: {tags})"
            )
        return model_name, state, quick_gelu

    @staticmethod
    def _activation_of(model: Any) -> str:
        from open_clip.transformer import QuickGELU

        return "quick_gelu" if any(isinstance(m, QuickGELU) for m in model.modules()) else "gelu"

    def preprocessing(self) -> dict[str, Any]:
        if self._hf is not None and hasattr(self._hf, "model"):
            return self._hf.preprocessing()
        cfg = dict(getattr(getattr(getattr(self, "model", None), "visual", None), "preprocess_cfg", {}) or {})
        return {
            "arch": self.arch,
            "activation": getattr(self, "activation", None),
            "image": cfg,
            "context_length": getattr(getattr(self, "tokenizer", None), "context_length", None),
            # see snare.adapters.clip_text: same embeddings, less work; recorded as the arithmetic differs slightly
            "text_padding": "trimmed" if getattr(self, "text_trimmed", False) else "full",
        }

    # -- scoring --------------------------------------------------------------------------------------------
    def embed_images(self, images: Sequence[Any]) -> np.ndarray:
        import torch

        if self._hf is not None:
            return self._hf.embed_images(images)

        dtype = next(self.model.parameters()).dtype
        pixels = torch.stack([self.transform(img) for img in images]).to(self.device, dtype)
        with torch.inference_mode():
            feats = self.model.encode_image(pixels)
        return feats.float().cpu().numpy()

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        if self._hf is not None:
            return self._hf.embed_texts(texts)

        tokens = self.tokenizer(list(texts)).to(self.device)
        with torch.inference_mode():
            if self.text_trimmed:
                from snare.adapters.clip_text import encode_text_trimmed

                feats = encode_text_trimmed(self.model, tokens)
            else:
                feats = self.model.encode_text(tokens)
        return feats.float().cpu().numpy()
