"""Yang et al. 2024, *Understanding representation learnability of nonlinear self-supervised learning*
(spec ``yang2024``): a one-layer, two-neuron sigmoid SSL model learns the label feature e1 *and* the hidden
feature e2; supervised learning learns only e1.

Read in order: :mod:`.data` (data model, views), :mod:`.model` (network, initialisation), :mod:`.metrics`,
:mod:`.experiment` (config, loss, protocol, the engine problem), :mod:`.official` (the official scripts' draw
order and a per-point reference loop), :mod:`.theory` (the L̃ and SL minimisers, the mechanism),
:mod:`.claims` (C1–C11), :mod:`.figures`, :mod:`.compose` (what composition may use).
"""

from ..paper import Paper
from . import claims, compose, experiment, official, theory

PAPER = Paper(
    name="yang2024",
    title=claims.TITLE,
    summary=claims.SUMMARY,
    experiments=(experiment.EXPERIMENT,),
    claims=tuple(claims.CLAIMS),
    figures=claims.figures,
    data_models=(compose.DATA_MODEL,),
    encoders=(compose.ENCODER,),
    # every object a claim measures outside a training run (C1, C6, C7, C9, C11), float64 and public:
    # `sslab theory yang2024.OBJECT key=value --json`
    theory={"ssl_minimiser": theory.ssl_minimiser, "sl_minimiser": theory.sl_minimiser,
            "mechanism": theory.mechanism, "same_sign_point": theory.same_sign_point,
            "tau_sweep": theory.tau_sweep, "official_reference": official.official_reference},
)

__all__ = ["PAPER"]
