"""Simon, Knutins, Ziyin, Geisz, Fetterman, Albrecht 2023, *On the Stepwise Nature of Self-Supervised Learning*
(spec ``docs/papers/simon2023.md``), as an sslab plugin paper: a linear embedding trained from small
initialisation on the linearised Barlow Twins loss learns the eigenmodes of the contrastive kernel one at a time.

Read in order: :mod:`.data` (positive pairs, Γ), :mod:`.model` (f(x) = Wx, initialisation), :mod:`.losses`,
:mod:`.experiment` (config, protocol, the engine problem), :mod:`.theory` (closed forms), :mod:`.measure`,
:mod:`.claims` (C1–C5), :mod:`.figures`. Imports only public sslab modules.
"""

from sslab.papers import Paper

from . import claims, experiment, theory

PAPER = Paper(
    name="simon2023",
    title=claims.TITLE,
    summary=claims.SUMMARY,
    experiments=(experiment.EXPERIMENT,),
    claims=tuple(claims.CLAIMS),
    figures=claims.figures,
    theory=theory.PUBLIC,
)

__all__ = ["PAPER"]
