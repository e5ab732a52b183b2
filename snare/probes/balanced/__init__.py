"""``--protocol snare-balanced``: probe sets whose every task needs the image.

SugarCrepe-style adversarial refinement (Hsieh et al. 2023) for each SNARE task: several candidate negatives
per item (:mod:`.candidates`), scored by blind text-only models (:mod:`.blind`), then one negative per item, or
none, chosen so that each blind model's score gap between intended and negative option is balanced around zero
(:mod:`.select`). Every balanced item is binary (intended vs. one negative; chance 50%), with the intended
option's position drawn per item. :mod:`.build` ties the steps together and records what survived; the
``balanced`` construction of :mod:`snare.protocols` names it, and :func:`snare.probes.assemble.assemble` calls it.
"""
