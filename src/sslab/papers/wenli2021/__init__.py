"""Wen & Li 2021, *Toward understanding the feature learning process of self-supervised contrastive learning*
(spec ``wenli2021``): masking augmentations decouple sparse features from dense noise.

Read in order: :mod:`.data` (sparse coding x = Mz + ξ, masking views), :mod:`.model` (soft-threshold net,
bias ramp), :mod:`.metrics`, :mod:`.experiment` (config, stop-gradient InfoNCE, protocol, the engine problem),
:mod:`.theory` (the §7 decoupling statistics), :mod:`.claims` (A–I and the ablations), :mod:`.figures`,
:mod:`.compose` (what composition may use); :mod:`.digits` and :mod:`.digits_claims` are the optional
real-data analogue of spec §10, a paper entry of its own (``wenli2021_digits``) that runs only when named.
"""

from ..paper import Paper
from . import claims, compose, digits, digits_claims, experiment

PAPER = Paper(
    name="wenli2021",
    title=claims.TITLE,
    summary=claims.SUMMARY,
    experiments=(experiment.EXPERIMENT,),
    claims=tuple(claims.CLAIMS),
    figures=claims.figures,
    data_models=(compose.DATA_MODEL,),
    encoders=(compose.ENCODER,),
)

DIGITS = Paper(
    name="wenli2021_digits",
    title=digits_claims.TITLE,
    summary=digits_claims.SUMMARY,
    experiments=(digits.EXPERIMENT,),
    claims=tuple(digits_claims.CLAIMS),
    figures=digits_claims.figures,
    optional=True,
)

__all__ = ["PAPER", "DIGITS"]
