"""Wen & Li 2021, *Toward understanding the feature learning process of self-supervised contrastive learning*
(spec ``wenli2021``): masking augmentations decouple sparse features from dense noise.

Read in order: :mod:`.data` (sparse coding x = Mz + ξ, masking views), :mod:`.model` (soft-threshold net,
bias ramp), :mod:`.metrics`, :mod:`.experiment` (config, stop-gradient InfoNCE, protocol, the engine problem),
:mod:`.theory` (the §7 identities and the public theory objects: the dictionary, the claim A and B
statistics at any size), :mod:`.claims` (A–I and the report-only ablations X1–X7), :mod:`.figures`,
:mod:`.compose` (what composition may use); :mod:`.digits` and :mod:`.digits_claims` are the optional
real-data analogue of spec §10, a paper entry of its own (``wenli2021_digits``) that runs only when named.
"""

from ..paper import Paper
from . import claims, compose, digits, digits_claims, experiment, theory

PAPER = Paper(
    name="wenli2021",
    title=claims.TITLE,
    summary=claims.SUMMARY,
    experiments=(experiment.EXPERIMENT,),
    # A–I run by default; the §8 ablations X1–X7 are report-only items (`check --report`, or named)
    claims=tuple(claims.CLAIMS + claims.ABLATIONS),
    figures=claims.figures,
    data_models=(compose.DATA_MODEL,),
    encoders=(compose.ENCODER,),
    # the objects claims A and B measure, float64, at any size: `sslab theory wenli2021.OBJECT key=value --json`
    theory={"dictionary": theory.dictionary, "decoupling": theory.decoupling,
            "neuron_correlation": theory.neuron_correlation},
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
