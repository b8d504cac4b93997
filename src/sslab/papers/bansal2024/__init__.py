"""Bansal, Kavis & Sanghavi 2024, *Understanding self-supervised learning via Gaussian mixture models*
(spec ``bansal2024``): linear InfoNCE, SimSiam and CLIP recover the Fisher subspace of a Gaussian mixture,
where PCA fails.

Read in order: :mod:`.data` (GMMs, pairs, fixed datasets, the multi-modal block model), :mod:`.model`
(linear encoders), :mod:`.metrics`, :mod:`.experiment` (config, losses, protocol, budgets, the engine
problem, float64 evaluation), :mod:`.theory` (Fisher subspace, closed forms, baselines), :mod:`.claims`
(1–9), :mod:`.grid` (the §9 reproduction grid, a report item), :mod:`.figures`, :mod:`.compose`.
"""

from ..paper import Paper
from . import claims, compose, experiment, theory

PAPER = Paper(
    name="bansal2024",
    title=claims.TITLE,
    summary=claims.SUMMARY,
    experiments=(experiment.EXPERIMENT,),
    claims=tuple(claims.CLAIMS),
    figures=claims.figures,
    data_models=(compose.DATA_MODEL,),
    encoders=(compose.ENCODER,),
    # what the claims measure, per seed, public (`sslab theory bansal2024.NAME seed=0 ...`)
    theory={"gmm": theory.gmm, "fisher": theory.fisher, "baselines": theory.baselines,
            "closed_form": theory.closed_form, "sample_closed_form": theory.sample_closed_form,
            "invariance": theory.invariance, "downstream": theory.downstream,
            "worked_example": theory.worked_example_2d},
)

__all__ = ["PAPER"]
