"""Validity checks of the benchmark itself: a trained reference model, blind baselines, an artifact audit.

Nothing here is imported by ``snare --help``; torch is imported only by :mod:`snare.validity.reference_model`
and :mod:`snare.validity.train`, which the CLI and adapters import inside their functions.
"""
