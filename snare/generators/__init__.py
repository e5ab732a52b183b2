"""Caption perturbations: pure functions of (parsed caption, item random generator) -> caption options.

Nothing here imports torch; spaCy is imported only by :mod:`snare.generators.parsing`.
"""
