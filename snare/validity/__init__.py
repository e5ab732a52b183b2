"""Validity checks of the benchmark itself: training the reference model, blind baselines, an artifact audit.

The models these checks use live below them: the reference model and the caption corpus with the adapters
(:mod:`snare.adapters.reference_model`), the pure-text models (n-gram LM, caption words, bag-of-words classifier)
in :mod:`snare.textmodels`; validity imports them, never the other way. Nothing here is imported by
``snare --help``; torch is imported only by :mod:`snare.adapters.reference_model` and
:mod:`snare.validity.train`, inside the functions that need it.
"""
