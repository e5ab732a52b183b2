"""Caption perturbations: pure functions of (parsed caption, item random generator) -> caption options.

Nothing here imports torch; spaCy is imported only by :mod:`snare.generators.parsing`.
"""

# Bump when any generator's output for the same caption, seed and spaCy model changes: it is recorded in every
# probe-set manifest, next to the spaCy model and version.
GENERATOR_VERSION = "snare-generators/3"
