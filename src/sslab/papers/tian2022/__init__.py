"""Tian 2023, *Understanding the role of nonlinearity in training dynamics of contrastive learning*
(spec ``tian2022``): α-CL; nonlinearity lets contrastive learning find many local optima.

Read in order: :mod:`.data` (cluster data and the token/RF generator), :mod:`.model` (one-layer node, per-RF
two-layer net, BatchNormExt), :mod:`.metrics`, :mod:`.experiment` (config, loss, protocol, the engine
problems of §2 and §5), :mod:`.theory` (fixed points, global modulation), :mod:`.claims` (C1–C14),
:mod:`.figures`, :mod:`.compose` (what composition may use).
"""

from ..paper import Paper
from . import claims, compose, experiment

PAPER = Paper(
    name="tian2022",
    title=claims.TITLE,
    summary=claims.SUMMARY,
    experiments=(experiment.EXPERIMENT, experiment.EXPERIMENT_1LAYER),
    claims=tuple(claims.CLAIMS),
    figures=claims.figures,
    data_models=(compose.DATA_MODEL,),
    encoders=(compose.ENCODER,),
)

__all__ = ["PAPER"]
