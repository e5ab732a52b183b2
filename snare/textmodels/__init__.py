"""Pure-text models: scorers of captions that never see an image, importable from every stage (a leaf package).

Construction (balancing), the audit and the blind-baseline adapters all need text-only models; they live here so
that none of them has to reach up the data flow for one. A module here imports nothing of snare but
:mod:`snare.errors`.
"""
