"""Generative vision-language models (LLaVA, Qwen2-VL, PaliGemma, ...) as pair scorers: ``--model vlm``.

Modules by job: :mod:`~snare.adapters.vlm.answers` (prompts and answer tokens), :mod:`~snare.adapters.vlm.scoring`
(left-padded batches, prompt masks, the two scores), :mod:`~snare.adapters.vlm.loading` (hub ids, folders, load
checks), :mod:`~snare.adapters.vlm.tiny` (tiny random architectures), :mod:`~snare.adapters.vlm.adapter`.
"""
