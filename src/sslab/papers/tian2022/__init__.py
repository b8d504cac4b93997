"""Tian 2023, *Understanding the role of nonlinearity in training dynamics of contrastive learning*
(spec ``tian2022``): α-CL; nonlinearity lets contrastive learning find many local optima.

Read in order: :mod:`.data` (cluster data and the token/RF generator), :mod:`.model` (one-layer node, per-RF
two-layer net, BatchNormExt), :mod:`.metrics`, :mod:`.experiment` (config, loss, protocol, the engine
problems of §2 and §5), :mod:`.theory` (fixed points, global modulation), :mod:`.claims` (C1–C14),
:mod:`.figures`, :mod:`.compose` (what composition may use).
"""

from ..paper import Paper
from . import claims, compose, experiment, theory

PAPER = Paper(
    name="tian2022",
    aliases=("tian2023",),  # the paper is Tian 2023; `sslab run|check tian2023` run tian2022 (stored under tian2022)
    title=claims.TITLE,
    summary=claims.SUMMARY,
    experiments=(experiment.EXPERIMENT, experiment.EXPERIMENT_1LAYER),
    claims=tuple(claims.CLAIMS),
    figures=claims.figures,
    data_models=(compose.DATA_MODEL,),
    encoders=(compose.ENCODER,),
    # what the claims measure, public (`sslab theory tian2022.NAME key=value`): C1, C2, C3 per draw, the one-layer
    # fixed points (C4, C5), C7, the global-modulation closed form per draw (C8) and its dynamics (C9)
    theory={"gradient_identity": theory.gradient_identity, "kernel_identity": theory.kernel_identity,
            "uniform_alpha_variance": theory.uniform_alpha_variance,
            "shared_cluster_data": theory.shared_cluster_data, "fixed_points": theory.fixed_points,
            "linear_two_layer": theory.linear_two_layer, "global_modulation": theory.global_modulation,
            "modulation_preference": theory.modulation_preference},
)

__all__ = ["PAPER"]
