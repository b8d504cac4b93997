"""Tian 2023 (α-CL, nonlinearity in contrastive learning): the two experiments of spec tian2022.

``tian2022`` — the token/RF simulation of the official ``bn_gen.py`` (spec §5): K receptive fields of
one-hot tokens, a per-RF bias-free layer W1[k] (β·P nodes), optional BatchNormExt, a linear top layer
W2, InfoNCE (dotprod, τ = 0.1), SGD (lr 0.02, momentum 0.9, wd 0.005), B = 128, 5000 steps, float32.
The default config is the README paper command; seeds 1–3 are lanes of one program.

``tian2022_1layer`` — the one-layer α-CL dynamics (spec §2): a unit-norm homogeneous node on L = 4
clusters, α ≡ 1/N frozen, w ← normalise(w + 0.5 (I − wwᵀ)A(w)w); initialisations are lanes.

Differences from the official loop (documented, not hidden):
- Keys: the engine splits PRNGKey(seed) into (init, data, steps); patterns and E come from the data
  key, batches from the step key folded with t, so for one seed patterns and batches do not depend on
  model or optimiser switches (spec §5 Seeds), but the split is three-way, not four-way.
- Divergence: the engine freezes a lane at the weights before the first update whose loss or result is
  non-finite (before update t); the spec restores the weights before update t−1. A flagged lane is
  reported as diverged (its rows FAIL) either way, so no verdict depends on this difference.
- Speed (same arithmetic, same random stream): W1[k]x_k for a token t is read from the table
  A[k, t] = (W1[k]E)[:, t]·mags[t] instead of multiplying a one-hot input; both views go through one
  forward pass with BN statistics per view; a log block's 500 batches are drawn at once (engine
  ``batch_ahead``: the same step keys); the view-2 re-draw ranks wildcards by counting, not sorting.
- Checkpoints: metrics are logged every ``train.log_every`` = 500 steps (the spec's t % 500 points);
  the logged ``loss`` at step s is the mean of loss_t over t ∈ [s − 500, s).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import jax
import jax.numpy as jnp

from ...config import ConfigError, OptimConfig, RunConfig, Section, TrainConfig, param, positive
from ...engine.train import Problem
from ...losses.alpha_cl import contrastive_covariance_uniform
from ...losses.infonce_tian import infonce_tian
from ...plotting import save
from ..paper import Experiment
from . import data as data_mod
from . import model as model_mod
from .figures import LABELS, loc_curves
from .metrics import loc_scores, within_rf_abs_cos

SEEDS = [1, 2, 3]


# --- §5 token/RF experiment -----------------------------------------------------------------------

@dataclass
class TianData(Section):
    """Spec §5 Distribution and Generator (official key names in the docs)."""

    name: Literal["tian2022_tokens"] = param("tian2022_tokens")
    num_tokens: int = param(20, check=positive, doc="T, vocabulary size")
    num_tokens_per_pos: int = param(5, check=positive, doc="P, allowed tokens per location")
    pattern_cnt: int = param(40, check=positive, doc="G, number of patterns (the latent z, C = G)")
    num_loc: int = param(10, check=positive, doc="K, number of receptive fields")
    pattern_len: int = param(5, check=positive, doc="ℓ, non-wildcard locations per pattern")
    aug_degree: int = param(5, doc="wildcard positions re-drawn in view 2 (≤ K − ℓ)")
    d: int | None = param(None, doc="embedding dim; null or T: one-hot E = I_T")
    mag_split: float = param(1.0, check=positive, doc="first ⌊T/2⌋ token magnitudes ÷ mag_split, rest ×")
    aug: bool = param(True, doc="false: only view 1 is forwarded, z2 = z1")

    def check(self) -> None:
        if self.aug_degree < 0 or self.aug_degree > self.num_loc - self.pattern_len:
            raise ConfigError(f"data.aug_degree={self.aug_degree} must be in [0, num_loc − pattern_len = "
                              f"{self.num_loc - self.pattern_len}]")
        if self.num_tokens_per_pos > self.num_tokens:
            raise ConfigError("data.num_tokens_per_pos must be ≤ data.num_tokens")
        if self.pattern_len > self.num_loc:
            raise ConfigError("data.pattern_len must be ≤ data.num_loc")

    @property
    def dim(self) -> int:
        return self.num_tokens if self.d is None else self.d


@dataclass
class TianModel(Section):
    """Spec §5 Model: per-RF W1[k] with multi = β·P nodes, activation, BatchNormExt switches, W2."""

    name: Literal["tian2022_rf"] = param("tian2022_rf")
    activation: Literal["relu", "linear", "leakyrelu", "sigmoid", "quadratic"] = param("relu")
    beta: int | None = param(5, doc="over-parameterisation β: multi = β·P (overrides model.multi)")
    multi: int = param(10, check=positive, doc="nodes per RF when beta is null")
    bn: bool = param(True, doc="BatchNormExt on the hidden layer")
    backprop_mean: bool = param(True, doc="false: stop-gradient through the batch mean")
    backprop_var: bool = param(False, doc="false: stop-gradient through the batch variance")
    output_d: int = param(50, check=positive, doc="output dimension of W2")
    output_nonlinearity: bool = param(False, doc="apply h to z")
    per_layer_normalize: bool = param(False, doc="after each update: W1 ÷ max_k‖W1[k]‖_F, W2 ÷ ‖W2‖_F")
    shared_low_layer: bool = param(False, doc="after each update: every W1[k] ← mean over k")


@dataclass
class TianLoss(Section):
    """Spec §5 Loss (bn_gen infoNCE)."""

    name: Literal["infonce_tian"] = param("infonce_tian")
    loss_type: Literal["infoNCE", "quadratic"] = param("infoNCE")
    similarity: Literal["dotprod", "negdist"] = param("dotprod")
    l2_type: Literal["regular", "no_l2", "no_proj"] = param("regular")
    tau: float = param(0.1, lane=True, check=positive, doc="temperature τ (official key T)")


def multi_of(c: RunConfig) -> int:
    """multi = β·P when β is set (spec §5 Model step 1)."""
    return c.model.beta * c.data.num_tokens_per_pos if c.model.beta is not None else c.model.multi


def base() -> RunConfig:
    """The README paper command (spec §5 table)."""
    return RunConfig(
        experiment="tian2022", data=TianData(), model=TianModel(), loss=TianLoss(),
        optim=OptimConfig(name="sgd", lr=0.02, momentum=0.9, weight_decay=0.005),
        # one block of lanes for the default seeds 1–3 (a block of 8 would compute 5 padded copies)
        train=TrainConfig(steps=5000, log_every=500, batch="online", batch_size=128, dtype="float32",
                          lane_block=len(SEEDS)),
        seed=1,
    )


def problem(cfg: RunConfig) -> Problem:
    """Assemble the §5 pieces for the engine."""
    D, M, Mo = cfg.data, cfg.model, cfg.loss
    dt = jnp.float64 if cfg.train.dtype == "float64" else jnp.float32
    multi = multi_of(cfg)
    fwd = dict(act=M.activation, bn=M.bn, backprop_mean=M.backprop_mean, backprop_var=M.backprop_var,
               output_nonlinearity=M.output_nonlinearity)

    def init(key, c, host):
        return model_mod.init_two_layer(key, D.num_loc, multi, D.dim, M.output_d, dt)

    def dataset(key, c, host):
        kp, ke = jax.random.split(key)
        _, patterns = data_mod.make_patterns(kp, D.num_tokens, D.num_loc, D.num_tokens_per_pos, D.pattern_cnt,
                                             D.pattern_len)
        return {"patterns": patterns, "E": data_mod.embedding(ke, D.num_tokens, D.d, dt),
                "mags": data_mod.magnitudes(D.num_tokens, D.mag_split, dt)}

    def batch(key, c, data, step):
        _, t1, t2 = data_mod.sample_tokens(key, data["patterns"], c.train.batch_size, D.num_tokens, D.aug_degree)
        return {"tokens": jnp.stack([t1, t2]) if D.aug else t1[None], "E": data["E"], "mags": data["mags"]}

    def objective(params, b, key, c):
        # both views in one forward pass; BN statistics stay per view (over the B rows of each)
        z = model_mod.two_layer_tokens(params, b["tokens"], b["E"], b["mags"], **fwd)
        return infonce_tian(z[0], z[1] if D.aug else z[0], c.loss.tau, Mo.similarity, Mo.loss_type, Mo.l2_type)

    def metrics(params, data, c):
        out = loc_scores(params["W1"], data["E"], data["patterns"], linear=M.activation == "linear")
        out["within_rf_abs_cos"] = within_rf_abs_cos(params["W1"])
        return out

    project = None
    if M.per_layer_normalize or M.shared_low_layer:
        def project(p, c):
            W1, W2 = p["W1"], p["W2"]
            if M.per_layer_normalize:
                W1 = W1 / jnp.max(jnp.linalg.norm(W1.reshape(W1.shape[0], -1), axis=1))
                W2 = W2 / jnp.linalg.norm(W2)
            if M.shared_low_layer:
                W1 = jnp.broadcast_to(W1.mean(0, keepdims=True), W1.shape)
            return {**p, "W1": W1, "W2": W2}

    return Problem(init=init, dataset=dataset, batch=batch, objective=objective, metrics=metrics, project=project,
                   batch_ahead=True)


def setting_label(plan_config: dict) -> str:
    """A figure-title label, e.g. 'relu, BN, β=5'."""
    m = plan_config["config"]["model"]
    return f"{m['activation']}, {'BN' if m['bn'] else 'no BN'}, β={m['beta']}"


def figures(results) -> list[str]:
    """loc_all / loc_other_all over training for a run."""
    path = results.handle.figures_dir / "tian2022_loc_curves.png"
    return [str(save(loc_curves(results.records, setting_label(results.plan_config)), path))]


EXPERIMENT = Experiment(
    name="tian2022",
    title="Tian 2023 — token/RF simulation: nonlinearity lets each node specialise (α-CL)",
    base=base, problem=problem, default_axes={"seed": SEEDS}, figures=figures,
    labels=LABELS, setting=setting_label,
)


# --- §2 one-layer experiment ----------------------------------------------------------------------

@dataclass
class ClusterData(Section):
    """Spec §2 data model: L clusters in R^d, N samples drawn once from PRNGKey(data_seed), shared by all lanes."""

    name: Literal["tian2022_clusters"] = param("tian2022_clusters")
    d: int = param(10, check=positive)
    L: int = param(4, check=positive, doc="number of clusters")
    N: int = param(10_000, check=positive, doc="samples (drawn once, shared by every lane)")
    data_seed: int = param(0, doc="key of the shared data draw (not a lane field)")


@dataclass
class NodeModel(Section):
    """Spec §2 node f = h(wᵀx), ‖w‖ = 1."""

    name: Literal["tian2022_node"] = param("tian2022_node")
    activation: Literal["relu", "linear", "leakyrelu"] = param("relu")


@dataclass
class UniformAlphaEnergy(Section):
    """Spec §2: α ≡ 1/N frozen; the step ascends E = ½ wᵀA(w)w, A = C_α[x̃_w]/(2N)."""

    name: Literal["alpha_cl_uniform"] = param("alpha_cl_uniform")


def one_layer_base() -> RunConfig:
    """Spec §2 optimiser: w ← normalise(w + 0.5 (I − wwᵀ)A(w)w), 300 steps, float64."""
    return RunConfig(
        experiment="tian2022_1layer", data=ClusterData(), model=NodeModel(), loss=UniformAlphaEnergy(),
        optim=OptimConfig(name="gd", lr=0.5),
        train=TrainConfig(steps=300, log_every=300, batch="full", dtype="float64", lane_block=50),
        seed=0,
    )


def shared_cluster_data(D: ClusterData, dtype=jnp.float64) -> dict:
    """The §2 draw every lane sees: cluster_data(PRNGKey(data_seed)) (call under the run's precision)."""
    return data_mod.cluster_data(jax.random.key(D.data_seed), D.d, D.L, D.N, dtype)


def one_layer_energy(w: jax.Array, x1: jax.Array, x2: jax.Array, act: str) -> jax.Array:
    """E(w) = ½ tr C_α[f]/(2N) = ½ wᵀA(w)w with f = h(Xw), α ≡ 1/N (spec §2)."""
    f1 = model_mod.node(w, x1, act)[:, None]
    f2 = model_mod.node(w, x2, act)[:, None]
    return 0.5 * jnp.trace(contrastive_covariance_uniform(f1, f2)) / (2 * x1.shape[0])


def one_layer_problem(cfg: RunConfig) -> Problem:
    """Projected ascent as engine GD: objective −(E − sg(2E)·½‖w‖²) has gradient −(I − wwᵀ)A(w)w at ‖w‖ = 1."""
    dt = jnp.float64 if cfg.train.dtype == "float64" else jnp.float32
    act = cfg.model.activation

    def init(key, c, host):
        w = jax.random.normal(key, (c.data.d,), dt)
        return {"w": w / jnp.linalg.norm(w)}

    def dataset(key, c, host):
        return shared_cluster_data(c.data, dt)

    def batch(key, c, data, step):
        return data

    def objective(params, b, key, c):
        w = params["w"]
        E = one_layer_energy(w, b["x1"], b["x2"], act)
        return -(E - jax.lax.stop_gradient(2 * E) * 0.5 * jnp.sum(w**2))

    def metrics(params, data, c):
        w = params["w"]
        alive = jnp.any(data["x1"] @ w > 0) | jnp.any(data["x2"] @ w > 0) if act == "relu" else jnp.array(True)
        return {"energy": one_layer_energy(w, data["x1"], data["x2"], act), "dead": (~alive).astype(dt)}

    def project(p, c):
        return {"w": p["w"] / jnp.linalg.norm(p["w"])}

    return Problem(init=init, dataset=dataset, batch=batch, objective=objective, metrics=metrics, project=project)


EXPERIMENT_1LAYER = Experiment(
    name="tian2022_1layer",
    title="Tian 2023 — one-layer α-CL: linear finds one pattern, ReLU one per cluster",
    base=one_layer_base, problem=one_layer_problem, default_axes={"seed": list(range(40))},
)
