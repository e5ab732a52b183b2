"""X-VLM (Zeng et al., 2022), this project's own port: Swin-B vision encoder (timm), BERT-base text encoder whose
last six layers cross-attend to the image (transformers BERT modules), contrastive projections and an ITM head.

Modules: :mod:`~snare.adapters.xvlm.config` (the published configs, as data), :mod:`~snare.adapters.xvlm.model`
(the network), :mod:`~snare.adapters.xvlm.checkpoint` (reading the original checkpoints, the key mapping),
:mod:`~snare.adapters.xvlm.adapter` (the ``xvlm`` and ``xvlm-itc`` adapters). Only ``config`` and ``adapter`` are
safe to import without torch; the registry imports ``adapter`` alone.
"""
