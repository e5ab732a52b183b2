"""Validity checks of the benchmark itself: training the reference model, blind baselines, an artifact audit.

The models these checks use (the reference model, the blind n-gram model, their caption words and corpus) live
with the adapters (:mod:`snare.adapters.reference_model`, :mod:`snare.adapters.ngram`); validity imports them,
never the other way. Nothing here is imported by ``snare --help``; torch is imported only by
:mod:`snare.adapters.reference_model` and :mod:`snare.validity.train`, inside the functions that need it.
"""
