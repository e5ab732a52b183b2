"""SNARE: probe what vision-language pretrained models understand of language."""

__version__ = "0.1.0"
