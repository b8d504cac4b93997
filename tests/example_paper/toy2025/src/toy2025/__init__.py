"""toy2025: gradient descent on ½(m − x)² converges geometrically to the sample mean (a template paper).

The whole paper in one folder: :mod:`.setup` (config sections, data model, model, the engine problem, the
experiment), :mod:`.theory` (the closed-form trajectory), :mod:`.claims`, :mod:`.figures`. It imports only
public sslab names (sslab.config, sslab.engine, sslab.losses, sslab.papers, sslab.plotting).
"""

from sslab.papers import Paper

from . import claims, setup

PAPER = Paper(
    name="toy2025",
    title="toy2025 — gradient descent on the squared loss finds the sample mean",
    summary="GD with step η on L(m) = (1/2n) Σ (m − x_i)² moves m_t − x̄ by the factor (1 − η) each step.",
    experiments=(setup.EXPERIMENT,),
    claims=tuple(claims.CLAIMS),
    figures=claims.figures,
)
