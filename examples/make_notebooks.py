"""Write the example notebooks (one per paper and one for composition) from the cells below.

The notebooks are stored without outputs; ``tests/examples/test_notebooks.py`` executes each of them and checks that
the files are what this script writes. After editing a cell here, run ``python examples/make_notebooks.py``.
Every notebook runs in well under a minute on a CPU: small sizes, written down with what they can and cannot show.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = """%matplotlib inline
import sslab
from IPython.display import Image, display
from sslab.papers import paper

STORE = "runs"  # the results store (a folder); a second run of a cell reopens the stored run instead of recomputing


def show(paths, name):
    \"\"\"Display the stored figure whose file name contains `name`.\"\"\"
    display(Image(filename=next(p for p in paths if name in p)))"""


def notebook(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = new_notebook(cells=[new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):  # stable ids: the files do not change when nothing changed
        cell["id"] = f"cell-{i}"
    return nb


NOTEBOOKS: dict[str, list[tuple[str, str]]] = {}

NOTEBOOKS["yang2024"] = [
    ("md", """# Yang et al. 2024 — SSL learns the label feature *and* a hidden feature

A one-layer sigmoid network with two neurons on x = y·e1 + τ·z·e2 + noise (d = 10, τ = 7). The paper's claim: SSL
(two Gaussian views, an alignment loss) learns the label feature e1 **and** the hidden feature e2 — the neurons end at
the minimiser of the population loss L̃, (±a*, b*/τ) — while supervised learning learns e1 only. This notebook runs
both at the spec's sizes (n = 100 points, T = 4000 SSL and 8000 SL steps) with 8 seeds instead of 20, so every number
below is a small-sample version of the claims C1–C5 (`sslab check yang2024` runs them)."""),
    ("code", SETUP),
    ("code", """ssl = sslab.run("yang2024", ["seed=0:8"], store=STORE)      # 8 seeds as lanes of one compiled program
sl = sslab.run("yang2024", ["method=sl", "seed=0:8"], store=STORE)
s = ssl.summary()
s[s.metric.isin(["w11", "w21", "b1", "b2", "Pe1", "Pe2"])]"""),
    ("md", """Theory: the L̃ minimiser (float64, a public theory object). The GD seed means of w1·e1, w2·e1 and b_k = τ·w_k·e2
should sit at a*, −a* and b*."""),
    ("code", """m = paper("yang2024").theory["ssl_minimiser"](tau=7.0)
print(f"theory: a* = {m.a:.3f}, b* = {m.b:.3f}")
print(f"GD:     w11 = {ssl.metric('w11').mean():.3f}, w21 = {ssl.metric('w21').mean():.3f}, "
      f"b1 = {ssl.metric('b1').mean():.3f}, b2 = {ssl.metric('b2').mean():.3f}")"""),
    ("md", """SSL against SL: ‖Pe2‖ is the norm of the hidden feature's projection onto span(w1, w2). SSL learns it, SL does
not (its ‖Pe2‖ stays near 0)."""),
    ("code", """print("median ‖Pe2‖  SSL:", round(ssl.metric("Pe2").median(), 3), "  SL:", round(sl.metric("Pe2").median(), 3))
assert ssl.metric("Pe2").median() > 0.5 > sl.metric("Pe2").median()
ssl.plot(["Pe1", "Pe2"])   # seed mean with its 95% CI band, each seed as a thin line"""),
    ("md", "The paper's figures for the SSL run, drawn from the stored records (the black crosses are the L̃ minimiser):"),
    ("code", """paths = ssl.figure()
show(paths, "final_scatter")"""),
    ("md", """A τ sweep: τ is a lane field, so 4 values × 4 seeds are one compiled program. The run figure draws the L̃
minimiser a*(τ), b*(τ) over the seeds' final weights (claim C9 at 20 seeds and T = 4000)."""),
    ("code", """sweep = sslab.run("yang2024", ["data.tau=3,5,7,9", "seed=0:4", "train.log_every=500"], store=STORE)
show(sweep.figure(), "sweep_tau")"""),
]

NOTEBOOKS["tian2022"] = [
    ("md", """# Tian 2023 — nonlinearity lets contrastive learning specialise (α-CL)

Token/receptive-field simulation: each receptive field's nodes should align with the tokens of its own patterns
(**loc_all** → 1) and not with the others (**loc_other_all** → 0) — with a nonlinear node (ReLU) and BatchNorm, not
with a linear one. The paper command trains 5000 steps and reaches loc_all ≈ 0.998 (claim C10, about a CPU-minute per
seed). Here: **600 steps, 3 seeds**, ReLU against linear. At this size neither is specialised (loc_all ≈ 0.6 vs 0.54):
what shows is the *direction* — ReLU's loc_all rises faster than linear's on every seed, and its loc_other_all falls
lower."""),
    ("code", SETUP),
    ("code", """relu = sslab.run("tian2022", ["seed=1:4", "train.steps=600", "train.log_every=100"], store=STORE)
linear = sslab.run("tian2022", ["seed=1:4", "train.steps=600", "train.log_every=100", "model.activation=linear"],
                   store=STORE)
for name, r in (("ReLU", relu), ("linear", linear)):
    print(f"{name:7s} loc_all per seed: {r.metric('loc_all').round(3).tolist()}, "
          f"loc_other_all mean {r.metric('loc_other_all').mean():.3f}")
assert (relu.metric("loc_all").to_numpy() > linear.metric("loc_all").to_numpy()).all()  # paired by seed"""),
    ("code", """relu.plot(["loc_all", "loc_other_all"])"""),
    ("md", """The one-layer model of §2 has closed-form fixed points (a float64 theory object): ReLU finds one local optimum
per cluster centre, a linear node only the top eigenvector (claims C4, C5)."""),
    ("code", """fp = paper("tian2022").theory["fixed_points"](activation="relu", n_init=20)
print("ReLU optima:", fp["n_optima"], "— basins:", [o["basin"] for o in fp["optima"]])
lin = paper("tian2022").theory["fixed_points"](activation="linear", n_init=20)
print("linear optima:", lin["n_optima"])"""),
]

NOTEBOOKS["wenli2021"] = [
    ("md", """# Wen & Li 2021 — masking decouples sparse features from dense noise

x = M z + ξ: sparse features (columns of M) under dense noise ξ. With **complementary masking** views, contrastive
learning recovers the features (coverage near 1, feature mass ρ high); **without augmentation** it follows the dense
noise. The spec's sizes are d = 32, T = 3000 (claims C–F). Here: **d = 16, T = 600, 3 seeds**, both view modes as lanes
of one program. At this size masking already covers far more of each feature than no augmentation (median coverage
≈ 0.9 against ≈ 0.55) but has not yet covered every feature (frac_covered ≈ 0.5; claim C's ≥ 0.85 needs the longer
run). Much shorter runs show the opposite, for a reason of the recipe, not of the paper: the threshold ramps to its
full height over the first third of the run (T_ramp = T/3), so at T = 200 it is at full height by step 67, before the
masking network's small weights have grown onto the features, and no augmentation looks better (median coverage ≈ 0.66
against ≈ 0.42). At T = 600 masking leads from step 50 on."""),
    ("code", SETUP),
    ("code", """res = sslab.run("wenli2021", ["seed=0:3", "data.d=16", "data.augment=1,0", "train.steps=600",
                               "train.log_every=50"], store=STORE)
s = res.summary()
s[s.metric.isin(["cov_median", "frac_covered", "rho_median"])]   # data.augment = 1: masking, 0: none"""),
    ("code", """cov = s[s.metric == "cov_median"].set_index("data.augment")["mean"]
print(f"median coverage: masking {cov[1.0]:.3f}, no augmentation {cov[0.0]:.3f}")
assert cov[1.0] > cov[0.0] + 0.2
show(res.figure(), "training")"""),
    ("md", """Claim A as a float64 theory object: masking makes the two views' dense parts uncorrelated, so the cross-view
covariance C_n has an exactly zero diagonal and approaches Γ (the feature part) at the Monte-Carlo rate."""),
    ("code", """a = paper("wenli2021").theory["decoupling"](n=20_000, d=16)
print("max |diag C_n| =", a["max_diag"], "  ‖C_n − Γ‖/e_n =", round(a["err_ratio"], 3), "  control:", round(a["control"], 3))"""),
]

NOTEBOOKS["bansal2024"] = [
    ("md", """# Bansal et al. 2024 — linear InfoNCE recovers the Fisher subspace

A Gaussian mixture with shared covariance Σ (cond(Σ) = κ = 100): linear InfoNCE trained on positive pairs learns the
Fisher subspace F = span(Σ⁻¹μ_c) (the LDA directions) without labels, where PCA fails. This notebook trains at the
spec's population-mode budget (3000 steps) with 3 seeds; shorter runs are not converged (after 300 steps the error is
still ≈ 0.96, a random subspace's level), so the budget is kept and only the number of seeds is cut."""),
    ("code", SETUP),
    ("code", """from sslab.papers.bansal2024.experiment import evaluate

res = sslab.run("bansal2024", ["seed=0:3"], store=STORE)
ev = evaluate(res)                       # spec §5 metrics in float64 from the final parameters
ev[["seed", "err", "proj", "E_F"]]       # err = sin θ_max(row space of A, F)"""),
    ("md", "Theory objects: the population baselines on the same mixtures. PCA is far from F at κ = 100; labelled LDA is close."),
    ("code", """b = paper("bansal2024").theory
for seed in range(3):
    base = b["baselines"](seed=seed)["sin_theta_max"]
    print(seed, {k: round(v, 3) for k, v in base.items()}, " InfoNCE:", round(float(ev.err[ev.seed == seed].iloc[0]), 3))
assert (ev.err < 0.1).all()"""),
    ("code", """show(res.figure(), "learning_curves")   # median and IQR over seeds (sin θ_max is a bounded error)"""),
]

NOTEBOOKS["simon2023"] = [
    ("md", """# Simon et al. 2023 — SSL learns eigenmodes one at a time (a plugin paper)

A linear embedding f(x) = Wx trained on the linearised Barlow Twins loss from a small initialisation learns the
eigenmodes of the contrastive kernel Γ one at a time, at step times the closed form predicts. The paper ships as the
plugin `plugins/simon2023` (installed beside sslab). This notebook runs the spec's default run with 3 seeds."""),
    ("code", SETUP),
    ("code", """res = sslab.run("simon2023", ["seed=0:3"], store=STORE)
res.summary()"""),
    ("md", "The closed form (a float64 theory object) gives the step times t_j; the figure overlays it on the simulation."),
    ("code", """print(sorted(paper("simon2023").theory))
show(res.figure(), "stepwise")"""),
]

NOTEBOOKS["compose"] = [
    ("md", """# Composition — any data model × encoder × loss

`compose` trains one encoder on one paper's data model (with that paper's views) under any loss of the zoo, and
logs the data model's own recovery metric (`recovery`, in [0, 1]) with collapse diagnostics. Here: Wen–Li's sparse
coding data, the symmetric-ReLU encoder and VICReg, d = 16, 300 steps, 3 seeds (a small run: recovery is still
rising)."""),
    ("code", SETUP),
    ("code", """from sslab.config import ConfigError

res = sslab.run("compose", ["data=wenli2021", "model=symrelu", "loss=vicreg", "data.d=16", "train.steps=300",
                            "train.log_every=50", "seed=0:3"], store=STORE)
s = res.summary()
s[s.metric.isin(["recovery", "diag_rankme", "diag_collapse_std"])]"""),
    ("code", """res.plot(["recovery", "diag_rankme"])"""),
    ("md", "A combination that cannot fit stops before any compute with a one-line error:"),
    ("code", """try:
    sslab.run("compose", ["data=yang2024", "model=tian_rf"], store=STORE)
except ConfigError as e:
    print(e)"""),
]


def build() -> dict[str, str]:
    """{file name: notebook JSON text} for every example notebook."""
    return {f"{name}.ipynb": nbformat.writes(notebook(cells)) + "\n" for name, cells in NOTEBOOKS.items()}


def main() -> None:
    for name, text in build().items():
        (HERE / name).write_text(text, encoding="utf-8")
        print("wrote", HERE / name)


if __name__ == "__main__":
    sys.exit(main())
