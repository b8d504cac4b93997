"""Wen & Li 2021, real-data analogue on scikit-learn's bundled digits (spec wenli2021 §10).

Data: ``sklearn.datasets.load_digits`` (1797 images of 8×8 = 64 pixels, 10 classes; bundled, nothing is
downloaded), split stratified 2/3 train / 1/3 test with ``random_state = seed``, pixels ÷ 16, minus the
per-pixel training mean. Each image n gets a fixed dense vector ξ_n ~ N(0, σ²I_64), drawn once and reused
at every step (so instance discrimination can exploit it), σ = ν·mean_n‖x_clean,n‖/√64 over the training
images; ν sweeps {0, 0.5, 1, 2}. Network, loss and optimiser are the Wen–Li ones (spec §3–§5): d1 = 64,
m = 128 soft-threshold neurons with the ramped bias b_i = κ_t·s·‖w_i‖, symmetric stop-gradient InfoNCE
(τ = 1) + (λ/2)‖W‖², plain SGD η = 0.5, λ = 1e-3, T = 3000, each step 256 training images drawn uniformly
with replacement and fresh masks. s = σ_eff/√q_v on masked views (√2·σ_eff at q = 1/2) and σ_eff on clean
inputs, σ_eff² = mean per-pixel variance of the training inputs (clean + ξ).

Metrics (spec §10): median_i ρ_i^dig = ‖U_20ᵀw_i‖²/‖w_i‖² (U_20: top-20 principal directions of the
clean training digits; a random direction has 20/64), logged during training; and, post hoc
(:func:`evaluate_lane`), the 10-class linear-probe test accuracy (``LogisticRegression(max_iter=1000)``,
C = 1, features standardised on train) on f(x_clean + ξ_n) with b_i = κ_max·σ_eff·‖w_i‖, plus the same
probe on the raw inputs x_clean + ξ_n for context. By default one run sweeps seeds 0–4 × ν × {masking,
none} as lanes of one program (``data.augment=1,0``; ``data.independent=1`` gives independent masks), sharing the split, ξ, W⁽⁰⁾ and the minibatch
indices between the two view modes of a seed and ν.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Literal

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from ...config import ConfigError, OptimConfig, RunConfig, Section, TrainConfig, in_range, nonnegative, param, positive
from ...engine.train import Problem
from ...losses.infonce_sg import infonce_sg_wenli
from ...plotting import SINGLE, WIDE, new_figure, save, style, suptitle
from ..paper import Experiment
from . import data as wl_data
from . import model as model_mod
from .experiment import InfoNCESG, view_objective
from .experiment import lane_config as wenli_lane_config
from .figures import _color

NAME = "wenli2021_digits"
SEEDS = list(range(5))
NUS = [0.0, 0.5, 1.0, 2.0]
D1 = 64  # 8×8 pixels
PAPER = "Wen & Li 2021 — digits"


def _zero_one(x) -> str | None:
    return None if x in (0.0, 1.0) else "must be 0 or 1"


@dataclass
class DigitsData(Section):
    """Spec §10: scikit-learn digits with a fixed per-image dense vector ξ_n (σ = ν·mean‖x_clean‖/√64)."""

    name: Literal["wenli2021_digits"] = param("wenli2021_digits")
    nu: float = param(1.0, lane=True, check=nonnegative, doc="dense-vector scale ν: E‖ξ‖/E‖x_clean‖ ≈ ν (spec sweep 0, 0.5, 1, 2)")
    augment: float = param(1.0, lane=True, check=_zero_one, doc="1: masked views; 0: no augmentation (x_a = x_b = x)")
    independent: float = param(0.0, lane=True, check=_zero_one, doc="0: complementary masks D, I−D; 1: independent D, D′")
    keep_prob: float = param(0.5, lane=True, check=in_range(1e-6, 1 - 1e-6), doc="keep probability q of mask D")
    mask_bits: int | None = param(None, check=in_range(1, 16),
                                  doc="random bits per mask entry (default: the fewest ≤ 16 with 2^k·q an integer)")
    test_frac: float = param(1 / 3, check=in_range(0.05, 0.95), doc="stratified test fraction of the 1797 images")
    n_pc: int = param(20, check=positive, doc="number k of top principal directions U_k in ρ^dig (spec: 20)")

    def resolve(self) -> "DigitsData":
        return dataclasses.replace(self, mask_bits=wl_data.mask_bits(self.keep_prob, self.mask_bits))

    def check(self) -> None:
        if self.n_pc > D1:
            raise ConfigError(f"data.n_pc: must be <= {D1} (the number of pixels), got {self.n_pc}")


def base() -> RunConfig:
    """Spec §10 defaults: d1 = 64, m = 128, §3 bias ramp, §4 loss, §5 optimiser (K = 256, η = 0.5, T = 3000).

    The view mode is the lane pair (data.augment, data.independent); the default axes run
    ``data.augment=1,0`` (complementary masking and the ``none`` control) for every seed and ν.
    """
    return RunConfig(
        experiment=NAME,
        data=DigitsData(),
        model=model_mod.WenLiNet(m=128),
        loss=InfoNCESG(),
        optim=OptimConfig(name="gd", lr=0.5),
        train=TrainConfig(steps=3000, log_every=100, batch="minibatch", batch_size=256, dtype="float32", lane_block=8),
    )


# --- data (host side, float64) ---------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return np.asarray(X, np.float64), np.asarray(y, np.int64)


@functools.lru_cache(maxsize=64)
def split(seed: int, test_frac: float = 1 / 3) -> dict[str, np.ndarray]:
    """Spec §10 split and scaling: stratified train/test (random_state = seed), ÷ 16, minus the train mean.

    Also returns g (standard-normal, one fixed row per image, drawn from the seed) so that ξ_n = σ·g_n
    and every ν shares the same directions; and U (64×64) the principal directions of the clean training
    digits, in order of decreasing variance.
    """
    from sklearn.model_selection import train_test_split

    X, y = _digits()
    idx = np.arange(len(X))
    tr, te = train_test_split(idx, test_size=test_frac, stratify=y, random_state=int(seed))
    Xs = X / 16.0
    mean = Xs[tr].mean(0)
    g = np.random.default_rng([int(seed), 10]).standard_normal(len(X) * D1).reshape(len(X), D1)
    _, _, Vt = np.linalg.svd(Xs[tr] - mean, full_matrices=False)
    return {"x_tr": Xs[tr] - mean, "x_te": Xs[te] - mean, "y_tr": y[tr], "y_te": y[te],
            "g_tr": g[tr], "g_te": g[te], "U": Vt.T}


def inputs(seed: int, cfg: DigitsData) -> dict[str, np.ndarray | float]:
    """Training and test inputs x_clean + ξ_n, σ (noise std), σ_eff and the top-k principal directions U_k."""
    s = split(int(seed), float(cfg.test_frac))
    sigma = float(cfg.nu) * float(np.mean(np.linalg.norm(s["x_tr"], axis=1))) / math.sqrt(D1)
    X_tr = s["x_tr"] + sigma * s["g_tr"]
    X_te = s["x_te"] + sigma * s["g_te"]
    sigma_eff = math.sqrt(float(np.mean(np.var(X_tr, axis=0))))
    return {"X_tr": X_tr, "X_te": X_te, "y_tr": s["y_tr"], "y_te": s["y_te"], "sigma": sigma,
            "sigma_eff": sigma_eff, "U": s["U"][:, : cfg.n_pc]}


# --- the engine problem -----------------------------------------------------------------------------

def _dtype(cfg: RunConfig):
    return jnp.float64 if cfg.train.dtype == "float64" else jnp.float32


def _check(cfg: RunConfig) -> None:
    if cfg.train.batch != "minibatch":
        raise ConfigError("train.batch: wenli2021_digits draws 256 training images per step; use train.batch=minibatch")
    if cfg.train.batch_size < 1:
        raise ConfigError("train.batch_size: must be >= 1 (images drawn with replacement per step)")
    if cfg.optim.name != "gd":
        raise ConfigError("optim.name: wenli2021_digits uses plain SGD (optim.name=gd); λ is loss.weight_decay")


def rho_dig(W, U):
    """ρ_i^dig = ‖U_kᵀw_i‖²/‖w_i‖² per neuron (W is d1×m, U is d1×k)."""
    return jnp.sum((U.T @ W) ** 2, axis=0) / jnp.sum(W**2, axis=0)


def problem(cfg: RunConfig) -> Problem:
    """The Wen–Li model, loss and masking views on a fixed set of training images (spec §10)."""
    _check(cfg)
    dt = _dtype(cfg)
    T = cfg.train.steps
    K = cfg.train.batch_size
    loss_fn = infonce_sg_wenli

    def host_inputs(c):
        h = inputs(int(c.seed), c.data)
        return {"X": h["X_tr"], "U": h["U"], "s": np.asarray(h["sigma_eff"])}

    def init(key, c, host):
        return model_mod.init(key, dataclasses.replace(c.model, m=c.model.m or 128), D1, dt)

    def dataset(key, c, host):
        return {"X": host["X"], "U": host["U"], "s": host["s"]}

    def batch(key, c, data, step):
        k_idx, k_mask = jax.random.split(key)
        X = data["X"][jax.random.randint(k_idx, (K,), 0, data["X"].shape[0])]
        Xa, Xb = wl_data.views(k_mask, X, c.data)
        return {"Xa": Xa, "Xb": Xb, "t": step, "s": data["s"]}

    def objective(params, b, key, c):
        d = c.data
        view_std = wl_data.view_noise_std(SimpleNamespace(keep_prob=d.keep_prob, augment=d.augment,
                                                          independent=d.independent, sigma_xi=b["s"]))
        return view_objective(params, b["Xa"], b["Xb"], b["t"], view_std, c, loss_fn, T, dt)

    def metrics(params, data, c):
        W = params["W"]
        return {"rho_dig_median": jnp.median(rho_dig(W, data["U"])),
                "wnorm_median": jnp.median(jnp.linalg.norm(W, axis=0))}

    def project(params, c):
        return {**params, "b": jnp.maximum(params["b"], 0.0)}

    return Problem(init=init, dataset=dataset, batch=batch, objective=objective, metrics=metrics,
                   host_inputs=host_inputs, project=project if cfg.model.bias_rule == "learned" else None)


# --- post-hoc evaluation (spec §10 probe) -------------------------------------------------------------

def lane_config(results, lane: int) -> RunConfig:
    """The resolved config of one lane of a stored run (base config plus the lane's axis values)."""
    return wenli_lane_config(results, lane, template=base())


def final_weights(results, lane: int) -> np.ndarray:
    idx = int(np.flatnonzero(results.params["lane"] == lane)[0])
    return np.asarray(results.params["W"][idx], np.float64)


def features(W: np.ndarray, X: np.ndarray, kappa: float, sigma_eff: float) -> np.ndarray:
    """Probe features f(x) with b_i = κ·σ_eff·‖w_i‖ (clean inputs, s = σ_eff)."""
    U = X @ W
    b = kappa * sigma_eff * np.linalg.norm(W, axis=0)
    return np.sign(U) * np.maximum(np.abs(U) - b, 0.0)


def probe_accuracy(F_tr: np.ndarray, y_tr: np.ndarray, F_te: np.ndarray, y_te: np.ndarray, seed: int = 0) -> float:
    """Spec §10 linear probe: standardise on train, LogisticRegression(max_iter=1000, C=1), test accuracy."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    sc = StandardScaler().fit(F_tr)
    clf = LogisticRegression(max_iter=1000, C=1.0, random_state=seed).fit(sc.transform(F_tr), y_tr)
    return float(clf.score(sc.transform(F_te), y_te))


def evaluate_lane(results, lane: int) -> dict:
    """Probe accuracy on f(x_clean + ξ) and on the raw inputs, and ρ^dig statistics, for one lane."""
    cfg = lane_config(results, lane)
    h = inputs(cfg.seed, cfg.data)
    W = final_weights(results, lane)
    kap = 0.0 if cfg.model.bias_rule == "zero" else float(cfg.model.kappa_max)
    F_tr, F_te = features(W, h["X_tr"], kap, h["sigma_eff"]), features(W, h["X_te"], kap, h["sigma_eff"])
    rho = np.asarray(rho_dig(W, h["U"]))
    return {"lane": int(lane), "seed": int(cfg.seed), "nu": float(cfg.data.nu), "augment": float(cfg.data.augment),
            "independent": float(cfg.data.independent),
            "acc": probe_accuracy(F_tr, h["y_tr"], F_te, h["y_te"], cfg.seed),
            "acc_raw": probe_accuracy(h["X_tr"], h["y_tr"], h["X_te"], h["y_te"], cfg.seed),
            "rho_dig_median": float(np.median(rho)), "rho_dig_random": cfg.data.n_pc / D1,
            "frac_active": float(np.mean(np.any(F_tr != 0, axis=0))),
            "sigma": h["sigma"], "sigma_eff": h["sigma_eff"]}


def evaluations(results) -> list[dict]:
    """:func:`evaluate_lane` for every lane, computed once per run and kept in the run's folder."""
    name = "digits_probe"
    try:
        return list(results.handle.read_json(name))
    except (FileNotFoundError, ValueError):
        pass
    diverged = set(results.records.query("metric == 'diverged_at' and value >= 0").lane.astype(int))
    out = [evaluate_lane(results, int(lane)) for lane in results.lanes().index if int(lane) not in diverged]
    results.handle.write_json(name, out)
    return out


def mode_label(augment: float, independent: float = 0.0) -> str:
    if augment < 0.5:
        return "no augmentation"
    return "independent masks" if independent > 0.5 else "complementary masking"


def figures(results) -> list[str]:
    """Probe accuracy and median ρ^dig against ν, per view mode (seed mean, min–max bars, seed dots)."""
    ev = pd.DataFrame(evaluations(results))
    if ev.empty:
        return []
    ev["mode"] = [mode_label(a, i) for a, i in zip(ev.augment, ev.independent)]
    c = results.plan_config["config"]
    T, m = c["train"]["steps"], c["model"]["m"]
    setting = f"d1=64, m={m}, T={T}, {ev.seed.nunique()} seed(s)"
    paths = []
    with style():
        fig, axes = new_figure(1, 2, figsize=WIDE)
        for ax, (col, ylabel) in zip(axes[0], [("acc", "10-class linear-probe test accuracy"),
                                                ("rho_dig_median", r"median$_i$ $\rho_i^{dig}$ (top-20 PC mass)")]):
            for i, (mode, g) in enumerate(ev.groupby("mode", sort=False)):
                s = g.groupby("nu")[col]
                mean, lo, hi = s.mean(), s.min(), s.max()
                ax.errorbar(mean.index, mean, yerr=[mean - lo, hi - mean], marker="o", capsize=3,
                            color=_color(mode, i), label=f"{mode} (seed mean, min–max)")
                ax.plot(g.nu, g[col], ".", color=_color(mode, i), alpha=0.5)
            if col == "acc":
                raw = ev.drop_duplicates(["seed", "nu"]).groupby("nu").acc_raw.mean()
                ax.plot(raw.index, raw, "s--", color="0.45", label="raw pixels + ξ (seed mean)")
            else:
                ax.axhline(ev.rho_dig_random.iloc[0], color="black", ls="--", lw=1.0, label="random direction (20/64)")
            ax.set_xlabel(r"dense-vector scale $\nu$ ($E\|\xi\| / E\|x_{clean}\|$)")
            ax.set_ylabel(ylabel)
            ax.legend(loc="best", fontsize=8)
        suptitle(fig, f"{PAPER}: probe accuracy and principal-subspace mass vs per-image dense vector ({setting})")
        paths.append(str(save(fig, results.handle.figures_dir / "wenli2021_digits_probe.png")))
        df = results.records
        fig, axes = new_figure(1, 1, figsize=SINGLE)
        ax = axes[0, 0]
        sub = df[df.metric == "rho_dig_median"]
        keys = [k for k in ("data.nu", "data.augment") if k in sub.columns]
        for i, (key, g) in enumerate(sub.groupby(keys) if keys else [((), sub)]):
            key = key if isinstance(key, tuple) else (key,)
            lab = dict(zip(keys, key))
            name = mode_label(float(lab.get("data.augment", c["data"]["augment"])), float(c["data"]["independent"]))
            nu = float(lab.get("data.nu", c["data"]["nu"]))
            curve = g.pivot_table(index="step", columns="seed", values="value").mean(axis=1)
            ax.plot(curve.index, curve, color=f"C{i}", ls="-" if name != "no augmentation" else "--",
                    label=f"{name}, ν={nu:g}")
        ax.set_xlabel("SGD step t")
        ax.set_ylabel(r"median$_i$ $\rho_i^{dig}$ (seed mean)")
        ax.legend(loc="best", fontsize=7, ncols=2)
        suptitle(fig, f"{PAPER}: median ρ^dig over training ({setting})")
        paths.append(str(save(fig, results.handle.figures_dir / "wenli2021_digits_rho_training.png")))
    return paths


EXPERIMENT = Experiment(
    name=NAME,
    title=f"{PAPER} (real-data analogue, spec §10): masking vs no augmentation with a fixed per-image dense vector",
    base=base,
    problem=problem,
    default_axes={"seed": SEEDS, "data.nu": NUS, "data.augment": [1.0, 0.0]},
    figures=figures,
)
