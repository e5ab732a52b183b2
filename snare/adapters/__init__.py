"""Model adapters: one module per model family, all behind the interface in :mod:`snare.adapters.base`.

Adapter modules import torch and model libraries inside methods only, so that listing models stays fast.
"""
