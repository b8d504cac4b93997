"""Claims C1–C14 of Tian 2023 (spec tian2022 §6) as automatic checks.

C1–C9 are theory (float64, seed 0 split per draw or initialisation); C4–C6 train the one-layer node
through the engine (initialisations are lanes of ``tian2022_1layer``); C10–C14 train the token/RF
network through the engine (``tian2022``, float32, seeds 1–3 as lanes). Predicted values and bounds are
the spec's or computed independently by ``sslab.theory.tian2022``; every measured number is computed.
"""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from scipy.stats import binomtest

from ...losses import alpha_cl as acl
from ...plotting import save
from ..paper import FAIL, PASS, Claim, Context, Row
from ..rows import bound, diverged_rows, fmt, per_seed, report
from . import data as data_mod
from . import experiment as exp
from . import figures as tf
from . import theory as th

P = "tian2022"
P1 = "tian2022_1layer"

TITLE = "Tian 2023 — Understanding the role of nonlinearity in training dynamics of contrastive learning"
SUMMARY = (
    "The paper writes contrastive losses such as InfoNCE as coordinate ascent on an energy built from a "
    "'contrastive covariance' whose pairwise weights α are frozen at each step. With a linear network "
    "the energy is a PCA-like objective and only the leading pattern can be learned; with a ReLU-type "
    "nonlinearity the gating turns cluster means into variance, so one node can settle on any of several "
    "patterns, and in a two-layer network with several receptive fields a global latent variable "
    "modulates which local patterns are learned. Here the gradient, kernel and variance identities are "
    "checked numerically, the one-layer fixed points are found by vectorised projected ascent, the "
    "global-modulation closed form is compared with simulation, and the official token/receptive-field "
    "experiment is re-run through the shared engine, including the linear, over-parameterisation, "
    "batch-norm and no-augmentation variants."
)


def _x64(fn):
    """Run a theory function under float64 and the engine's PRNG layout."""
    def wrapped(*a, **k):
        with jax.enable_x64(True), jax.threefry_partitionable(True):
            return fn(*a, **k)
    return wrapped


def rel(a, b) -> float:
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)) / np.linalg.norm(np.asarray(b)))


# --- C1–C3: α-CL identities ------------------------------------------------------------------------

@_x64
def c1(ctx: Context) -> list[Row]:
    """∇L (InfoNCE, both views) = −(1/τ)∇E_{sg(α)} (spec §1 training rule)."""
    k1, k2 = jax.random.split(jax.random.key(0))
    f1 = jax.random.normal(k1, (32, 8), jnp.float64)
    f2 = jax.random.normal(k2, (32, 8), jnp.float64)
    tau = 0.1
    gL = jax.grad(lambda a, b: acl.infonce_alpha_cl(a, b, tau), argnums=(0, 1))(f1, f2)
    gE = jax.grad(lambda a, b: -acl.energy_sg(a, b, tau) / tau, argnums=(0, 1))(f1, f2)
    err = rel(np.concatenate([np.ravel(g) for g in gE]), np.concatenate([np.ravel(g) for g in gL]))
    return [bound("C1", "grad_rel_err", err, "<", 1e-6)]


@_x64
def c2(ctx: Context) -> list[Row]:
    """Kernel α: negative term = Σ_l 2Z_l² V_{p_l}[f] (spec §1)."""
    k1, k2 = jax.random.split(jax.random.key(0))
    f = jax.random.normal(k1, (32, 8), jnp.float64)
    phis = jax.random.uniform(k2, (3, 32), jnp.float64)
    alpha = phis.T @ phis
    err = rel(acl.negative_term(f, alpha), acl.kernel_negative_term(f, phis))
    return [bound("C2", "kernel_rel_err", err, "<", 1e-10)]


def c3_errors(n: int, draws: int, offset: int) -> list[float]:
    """var_rel_err of C_α/(2N), α ≡ 1/N, vs V_pop for ``draws`` fresh §2 draws (keys offset..offset+draws of split(key(0)))."""
    keys = jax.random.split(jax.random.key(0), 16)
    out = []
    for i in range(offset, offset + draws):
        dat = data_mod.cluster_data(keys[i], 10, 4, n)
        C = th.contrastive_covariance_uniform(np.asarray(dat["x1"]), np.asarray(dat["x2"])) / (2 * n)
        out.append(rel(C, data_mod.population_covariance(np.asarray(dat["centres"]))))
    return out


@_x64
def c3(ctx: Context) -> list[Row]:
    """Uniform α: C_α/(2N) → V_{x0}[E_aug[f|x0]] (spec §1 uniform case)."""
    e4, e5 = c3_errors(10_000, 5, 0), c3_errors(100_000, 5, 5)
    m4, m5 = float(np.median(e4)), float(np.median(e5))
    return [
        bound("C3", "var_rel_err at N=1e5 (max over 5 draws)", max(e5), "<", 0.05),
        Row("C3", "median var_rel_err N=1e4 / N=1e5", f"{fmt(m4)} / {fmt(m5)} = {fmt(m4 / m5)}", ">= 2",
            PASS if m4 >= 2 * m5 else FAIL),
    ]


# --- C4–C6: one-layer ------------------------------------------------------------------------------

def one_layer(ctx: Context, act: str, seeds: str):
    return ctx.run(P1, [f"model.activation={act}", f"seed={seeds}"])


def finals(results) -> np.ndarray:
    """Final w per lane, in seed order."""
    lanes = results.lanes()
    order = np.argsort(lanes.loc[np.asarray(results.params["lane"]), "seed"].to_numpy())
    return np.asarray(results.params["w"], np.float64)[order]


def shared_data(ctx: Context) -> dict:
    return ctx.memo("c_data", _x64(lambda: {k: np.asarray(v) for k, v in
                                             exp.shared_cluster_data(exp.ClusterData()).items()}))


def c4(ctx: Context) -> list[Row]:
    """Linear 1-layer: every run ends at ±(top eigenvector of A) (spec §2)."""
    D = shared_data(ctx)
    r = one_layer(ctx, "linear", "0:50")
    W = finals(r)
    A = th.A_of(W[0], D["x1"], D["x2"], "linear")
    top = np.linalg.eigh(A)[1][:, -1]
    frac = float(np.mean(np.abs(W @ top) > 0.99))
    u = D["centres"] / np.linalg.norm(D["centres"], axis=1, keepdims=True)
    return diverged_rows("C4", r) + [
        bound("C4", "frac_top_eig", frac, ">=", 0.98),
        report("C4", "|cos(top eigenvector, c_l)|, l = 1..4", ", ".join(fmt(abs(float(c))) for c in u @ top),
               "one pattern (or a mixture) only"),
    ]


def relu_optima(ctx: Context):
    D = shared_data(ctx)
    r = one_layer(ctx, "relu", "0:40")
    W = finals(r)
    dead = np.array([th.is_dead(w, D["x1"], D["x2"]) for w in W])
    optima, assign = th.merge_optima(W[~dead], linear=False)
    return r, W, dead, optima, np.asarray(assign)


def c5(ctx: Context) -> list[Row]:
    """ReLU 1-layer: one local maximum per cluster (spec §2)."""
    D = shared_data(ctx)
    r, W, dead, optima, assign = relu_optima(ctx)
    L = D["centres"].shape[0]
    finds = [th.found(o, D["centres"]) for o in optima]
    n_centres = int(np.any(np.array(finds), axis=0).sum()) if finds else 0
    res, top = [], []
    for o in optima:
        A = th.A_of(o, D["x1"], D["x2"], "relu")
        res.append(th.fixed_point_residual(o, A))
        top.append(abs(float(np.linalg.eigh(A)[1][:, -1] @ o)) > 0.99)
    basin = np.bincount(assign, minlength=len(optima))
    which = [int(np.argmax(f)) if f.any() else -1 for f in finds]
    return diverged_rows("C5", r) + [
        bound("C5", "n_optima (distinct, non-dead)", len(optima), ">=", L),
        bound("C5", "optima that find a centre", sum(bool(f.any()) for f in finds), ">=", len(optima),
              note=f"of {len(optima)}"),
        bound("C5", "n_centres", n_centres, "==", L),
        bound("C5", "max_residual", max(res) if res else float("nan"), "<", 1e-3),
        report("C5", "basin counts by centre (‖c‖ = 2 → 1), dead runs",
               ", ".join(f"c{l + 1}: {int(sum(basin[j] for j in range(len(optima)) if which[j] == l))}" for l in range(L))
               + f"; dead {int(dead.sum())}", "larger centres have larger basins"),
        report("C5", "optima that are the top eigenvector of A(w*)", f"{sum(top)}/{len(top)}"),
    ]


def c6(ctx: Context) -> list[Row]:
    """Brute force: coverage(n) = mean_l[1 − (1 − q̂_l)^n] (spec §2)."""
    D = shared_data(ctx)
    n_q, reps, ns = (100, 30, (1, 2, 4, 8)) if ctx.quick else (400, 100, (1, 2, 4, 8, 16))
    rq = one_layer(ctx, "relu", f"0:{n_q}")
    Wq = finals(rq)
    q = np.mean([th.found(w, D["centres"]) for w in Wq], axis=0)
    total = reps * sum(ns)
    rc = one_layer(ctx, "relu", f"{10_000}:{10_000 + total}")  # independent initialisations
    Wc = finals(rc)
    cov, pred, i = [], [], 0
    for n in ns:
        got = []
        for _ in range(reps):
            got.append(np.mean(np.any([th.found(w, D["centres"]) for w in Wc[i:i + n]], axis=0)))
            i += n
        cov.append(float(np.mean(got)))
        pred.append(th.coverage_prediction(q, n))
    mono = all(b >= a - 0.02 for a, b in zip(cov, cov[1:]))
    gap = max(abs(c - p) for c, p in zip(cov, pred))
    table = ", ".join(f"n={n}: {fmt(c, 3)} vs {fmt(p, 3)}" for n, c, p in zip(ns, cov, pred))
    return diverged_rows("C6", rq) + diverged_rows("C6", rc) + [
        Row("C6", "coverage(n) non-decreasing (±0.02)", table, "non-decreasing", PASS if mono else FAIL),
        bound("C6", "max_n |coverage − prediction|", gap, "<=", 0.05),
        report("C6", "q̂_l", ", ".join(fmt(float(v), 3) for v in q)),
    ]


# --- C7: linear 2-layer cannot specialise -----------------------------------------------------------

@_x64
def c7(ctx: Context) -> list[Row]:
    """Linear h: all nodes of an RF receive parallel gradients; O(M) rotations leave E unchanged (spec §3)."""
    K, d, M, N = 4, 6, 3, 256
    ks = jax.random.split(jax.random.key(0), 8)
    x0 = jax.random.normal(ks[0], (N, K * d))
    x1 = (x0 + 0.1 * jax.random.normal(ks[1], (N, K * d))).reshape(N, K, d)
    x2 = (x0 + 0.1 * jax.random.normal(ks[2], (N, K * d))).reshape(N, K, d)
    W = jax.random.normal(ks[3], (K, M, d))
    v = jax.random.normal(ks[4], (K * M,))
    alpha = jax.random.uniform(ks[5], (N, N)) * (1 - jnp.eye(N))

    def E(W, v, act):
        h = (lambda z: z) if act == "linear" else jax.nn.relu
        f = lambda x: (h(jnp.einsum("kmd,nkd->nkm", W, x)).reshape(N, -1) @ v)[:, None]  # noqa: E731
        return acl.energy(f(x1), f(x2), alpha)

    def min_cos(act):
        g = np.asarray(jax.grad(E)(W, v, act))
        u = g / np.linalg.norm(g, axis=-1, keepdims=True)
        c = np.abs(np.einsum("kmd,knd->kmn", u, u))
        return float(np.min(c[:, ~np.eye(M, dtype=bool)]))

    Q = np.stack([np.linalg.qr(np.asarray(jax.random.normal(k, (M, M))))[0] for k in jax.random.split(ks[6], K)])
    Wr = jnp.einsum("kij,kjd->kid", Q, W)
    vr = jnp.einsum("kj,kij->ki", v.reshape(K, M), Q).reshape(-1)  # V_k Qᵀ
    e0, e1 = float(E(W, v, "linear")), float(E(Wr, vr, "linear"))
    return [
        bound("C7", "linear min_grad_cos", min_cos("linear"), ">", 1 - 1e-8, digits=10),
        bound("C7", "rot_rel_change", abs(e1 - e0) / abs(e0), "<", 1e-10),
        bound("C7", "control: ReLU min_grad_cos", min_cos("relu"), "<", 0.99),
    ]


# --- C8, C9: global modulation ---------------------------------------------------------------------

def draw_W(rng: np.random.Generator, K: int = 6) -> np.ndarray:
    """w_k uniform on S³, redrawn until max_t w_k[t] > 0 (spec C8)."""
    W = np.empty((K, 4))
    for k in range(K):
        while True:
            w = rng.normal(size=4)
            w /= np.linalg.norm(w)
            if w.max() > 0:
                W[k] = w
                break
    return W


def c8_draw(rng: np.random.Generator, N: int, W: np.ndarray | None = None) -> dict:
    """One C8 draw: data, W, empirical moments, closed form and the five measured quantities."""
    z, tok = data_mod.modulation_tokens(rng, N)
    while True:
        Wd = draw_W(rng) if W is None else W
        m, xt = th.empirical_moments(Wd, z, tok)
        if W is not None or np.all(np.abs(m.b) >= 1e-6):
            break
    c = m.p0 * m.p1
    f1 = np.einsum("nki,ki->nk", xt, Wd)
    fc = f1 - f1.mean(0)
    Vhat = fc.T @ fc / N
    Vth = np.diag(m.d) + c * np.outer(m.b, m.b)
    top = th.top_layer(m.d, m.b, c)
    ev, evec = np.linalg.eigh(Vth)
    v1 = evec[:, -1]
    s = top.s
    sh = np.linalg.eigh(Vhat)[1][:, -1]
    sh = sh * np.sign(sh @ s)
    # gradient: g_k = s_k Ĉov[x̃_k, sᵀf_1]
    y = fc @ s
    xc = xt - xt.mean(0)
    g = s[:, None] * np.einsum("nki,n->ki", xc, y) / N
    pred = th.modulation_gradient(Wd, m, top)
    return {
        "cov_rel_err": rel(Vhat, Vth) * np.linalg.norm(Vth) / np.linalg.norm(Vhat),
        "closed_form_err": max(abs(top.lam - ev[-1]) / ev[-1], min(np.linalg.norm(s - v1), np.linalg.norm(s + v1))),
        "sin": float(np.sqrt(max(0.0, 1 - (sh @ s) ** 2))),
        "dk": th.davis_kahan_bound(Vhat - Vth, ev[-1], ev[-2]),
        "s_err": float(np.max(np.abs(sh - s))),
        "min_delta": float(np.min(top.delta)),
        "mean_delta": float(np.mean(top.delta)),
        "grad_err": float(np.max(np.linalg.norm(g - pred, axis=1)) / np.max(np.linalg.norm(g, axis=1))),
        "s": s,
    }


def c8(ctx: Context) -> list[Row]:
    """Global modulation: V[f_1] = D + p0p1bbᵀ and its closed-form top eigenvector (spec §4)."""
    draws = 20
    ss = np.random.SeedSequence(0).spawn(2 * draws + 1)
    a = [c8_draw(np.random.default_rng(ss[i]), 20_000) for i in range(draws)]
    b = [c8_draw(np.random.default_rng(ss[draws + i]), 80_000) for i in range(draws)]
    col = lambda rs, k: np.array([r[k] for r in rs])  # noqa: E731
    m_a, m_b = float(np.median(col(a, "cov_rel_err"))), float(np.median(col(b, "cov_rel_err")))
    dk_ok = int(np.sum(col(a, "sin") <= col(a, "dk")))
    fixed = np.array([[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]], float)
    f = c8_draw(np.random.default_rng(ss[-1]), 20_000, W=fixed)
    return [
        bound("C8", "(a) cov_rel_err (max over 20 draws, N=2e4)", float(col(a, "cov_rel_err").max()), "<", 0.03),
        Row("C8", "(a) median cov_rel_err N=8e4 / N=2e4", f"{fmt(m_b)} / {fmt(m_a)} = {fmt(m_b / m_a)}", "<= 0.7",
            PASS if m_b <= 0.7 * m_a else FAIL),
        bound("C8", "(b) closed_form_err (max over draws)", float(col(a, "closed_form_err").max()), "<=", 1e-9),
        Row("C8", "(c) Davis–Kahan sin∠(ŝ, s) ≤ 2‖V̂ − V‖₂/(λ1 − λ2)", f"{dk_ok}/{draws} draws hold", "every draw",
            PASS if dk_ok == draws else FAIL),
        bound("C8", "(c) s_err (median over draws)", float(np.median(col(a, "s_err"))), "<=", 0.02),
        bound("C8", "(d) min_delta (min over draws)", float(col(a, "min_delta").min()), ">=", -1e-12),
        bound("C8", "(e) grad_err (max over draws)", float(col(a, "grad_err").max()), "<", 0.03),
        report("C8", "mean δ over k and draws", fmt(float(col(a, "mean_delta").mean()))),
        report("C8", "|s_0|, |s_5| at W = (e2, e0, e1, e0, e1, e3)", f"{fmt(abs(f['s'][0]))}, {fmt(abs(f['s'][5]))}",
               "near 0 (z-independent tokens)"),
    ]


def c9(ctx: Context) -> list[Row]:
    """Modulation favours z-discriminative tokens; without δ no preference (spec §4 dynamics)."""
    rng = np.random.default_rng(np.random.SeedSequence(0))
    W0 = rng.normal(size=(30, 6, 4))
    rows = []
    for delta_on in (True, False):
        W = th.modulation_dynamics(W0, steps=3000, delta_on=delta_on)
        alive = W.max(-1) > 0
        wins = int(np.sum((W.argmax(-1) < 2) & alive))
        n = int(alive.sum())
        if delta_on:
            p = binomtest(wins, n, 0.5, alternative="greater").pvalue
            rows.append(Row("C9", "win_frac_01 (δ on), one-sided binomial p", f"{wins}/{n} = {fmt(wins / n)}, p = {fmt(p)}",
                            "> 0.5 with p < 0.01", PASS if wins / n > 0.5 and p < 0.01 else FAIL))
        else:
            p = binomtest(wins, n, 0.5).pvalue
            rows.append(Row("C9", "win_frac_01 (δ ≡ 0), two-sided binomial p", f"{wins}/{n} = {fmt(wins / n)}, p = {fmt(p)}",
                            "p > 0.01", PASS if p > 0.01 else FAIL))
    return rows


# --- C10–C14: token/RF training --------------------------------------------------------------------

def rf_run(ctx: Context, overrides: list[str]):
    """The paper command with overrides, seeds 1–3 as one block of 3 lanes (quick: 1000 steps)."""
    extra = ["train.steps=1000"] if ctx.quick else []
    return ctx.run(P, ["seed=1:4"] + extra + list(overrides))


def last(results, metric: str) -> dict[int, float]:
    df = results.records
    df = df[(df.metric == metric) & (df.step == df.step.max())]
    return {int(r.seed): float(r.value) for r in df.itertuples()}


def loss_last1000(results) -> dict[int, float]:
    """Mean loss_t over the last 1000 steps (mean of the last two 500-step block means)."""
    df = results.records
    df = df[(df.metric == "loss") & (df.step > df.step.max() - 1000)]
    return {int(s): float(g.value.mean()) for s, g in df.groupby("seed")}


def c10(ctx: Context) -> list[Row]:
    """Paper command: ReLU + BN specialises (spec §5 reference log)."""
    r = rf_run(ctx, [])
    return diverged_rows("C10", r) + [
        per_seed("C10", "loc_all", last(r, "loc_all"), ">=", 0.99),
        per_seed("C10", "loc_other_all", last(r, "loc_other_all"), "<=", 0.02),
        per_seed("C10", "loss_last1000 ≥ 1.2", loss_last1000(r), ">=", 1.2),
        per_seed("C10", "loss_last1000 ≤ 1.7", loss_last1000(r), "<=", 1.7),
    ]


def c11(ctx: Context) -> list[Row]:
    """Nonlinearity is needed: loc_all(ReLU) > loc_all(linear) on every seed."""
    relu, lin = rf_run(ctx, []), rf_run(ctx, ["model.activation=linear"])
    a, b = last(relu, "loc_all"), last(lin, "loc_all")
    rows = diverged_rows("C11", relu) + diverged_rows("C11", lin)
    rows.append(per_seed("C11", "loc_all(ReLU) − loc_all(linear)", {s: a[s] - b[s] for s in a}, ">", 0.0))
    for name, r in (("relu", relu), ("linear", lin)):
        rows.append(report("C11", f"{name}: loc_all, loc_other_all, within-RF |cos| (seed mean)",
                           ", ".join(fmt(float(np.mean(list(last(r, m).values()))))
                                     for m in ("loc_all", "loc_other_all", "within_rf_abs_cos"))))
    return rows


BETAS = (1, 2, 3, 5, 10)


def c12(ctx: Context) -> list[Row]:
    """Over-parameterisation: seed-mean loc_all non-decreasing in β (±0.02)."""
    means, rows = [], []
    for beta in BETAS:
        r = rf_run(ctx, [f"model.beta={beta}"])
        rows += diverged_rows("C12", r, f"β={beta}")
        la, lo = np.mean(list(last(r, "loc_all").values())), np.mean(list(last(r, "loc_other_all").values()))
        means.append(float(la))
        rows.append(report("C12", f"β={beta}: seed-mean loc_all, loc_other_all", f"{fmt(float(la))}, {fmt(float(lo))}"))
    ok = all(b >= a - 0.02 for a, b in zip(means, means[1:]))
    rows.insert(0, Row("C12", "seed-mean loc_all non-decreasing in β (±0.02)",
                       ", ".join(f"β={b}: {fmt(m)}" for b, m in zip(BETAS, means)), "non-decreasing", PASS if ok else FAIL))
    return rows


VARIANTS = {
    "leakyrelu+BN": ["model.activation=leakyrelu"],
    "quadratic+BN": ["model.activation=quadratic"],
    "relu, no BN": ["model.bn=false"],
    "linear, no BN": ["model.activation=linear", "model.bn=false"],
    "linear+BN, β=1": ["model.activation=linear", "model.beta=1"],
    "G=10": ["data.pattern_cnt=10"],
    "G=20": ["data.pattern_cnt=20"],
    "P=2, T=8": ["data.num_tokens_per_pos=2", "data.num_tokens=8"],
}


def seed_mean(r, m: str) -> float:
    return float(np.mean(list(last(r, m).values())))


def c13(ctx: Context) -> list[Row]:
    """Variants (report only): activations, BN, G and P (spec C13)."""
    ref = {"relu+BN": rf_run(ctx, []), "linear+BN": rf_run(ctx, ["model.activation=linear"])}
    res = {**ref, **{k: rf_run(ctx, v) for k, v in VARIANTS.items()}}
    la = {k: seed_mean(r, "loc_all") for k, r in res.items()}
    lo = {k: seed_mean(r, "loc_other_all") for k, r in res.items()}
    rows = [report("C13", f"{k}: seed-mean loc_all, loc_other_all", f"{fmt(la[k])}, {fmt(lo[k])}") for k in res]
    nonlin = ("relu+BN", "leakyrelu+BN", "quadratic+BN", "relu, no BN")
    rows.append(report("C13", "every nonlinear activation beats linear+BN on loc_all",
                       "yes" if all(la[k] > la["linear+BN"] for k in nonlin) else "no", "yes"))
    rows.append(report("C13", "ReLU+BN has the lowest loc_other_all", min(lo, key=lo.get), "relu+BN"))
    rows.append(report("C13", "BN lowers loc_other_all for ReLU",
                       f"{fmt(lo['relu+BN'])} (BN) vs {fmt(lo['relu, no BN'])} (no BN)", "BN lower"))
    rows.append(report("C13", "specialisation persists for G, P variants (loc_all)",
                       ", ".join(f"{k}: {fmt(la[k])}" for k in ("G=10", "G=20", "P=2, T=8")), "high, like C10"))
    return rows


def c14(ctx: Context) -> list[Row]:
    """No augmentation (report only)."""
    r0, r1 = rf_run(ctx, []), rf_run(ctx, ["data.aug=false"])
    out = []
    for name, r in (("aug=true (C10)", r0), ("aug=false", r1)):
        out.append(report("C14", f"{name}: loc_all, loc_other_all, loss_last1000 (seed mean)",
                          f"{fmt(seed_mean(r, 'loc_all'))}, {fmt(seed_mean(r, 'loc_other_all'))}, "
                          f"{fmt(float(np.mean(list(loss_last1000(r).values()))))}",
                          "loc_other_all rises sharply without augmentation" if name == "aug=false" else ""))
    return out


CLAIMS: list[Claim] = [
    Claim("C1", P, "α-CL gradient identity: ∇InfoNCE = −(1/τ)∇E_sg(α)", c1, "float64", seeds="0", cost=1),
    Claim("C2", P, "Kernel α: the negative term is a sum of variances", c2, "float64", seeds="0", cost=4),
    Claim("C3", P, "Uniform α: C_α/(2N) is the variance of E_aug[f|x0]", c3, "float64", seeds="0", cost=4),
    Claim("C4", P, "Linear 1-layer is PCA", c4, "float64", seeds="inits 0–49", cost=3),
    Claim("C5", P, "ReLU 1-layer has many optima, one per cluster", c5, "float64", seeds="inits 0–39", cost=3),
    Claim("C6", P, "Brute force: coverage = 1 − (1 − q)^n", c6, "float64", slow=True, seeds="inits 0–399, 10000+", cost=60),
    Claim("C7", P, "Linear 2-layer cannot specialise", c7, "float64", seeds="0", cost=3),
    Claim("C8", P, "Global-modulation closed form", c8, "float64", seeds="SeedSequence(0)", cost=2),
    Claim("C9", P, "Modulation favours z-discriminative tokens", c9, "float64", seeds="SeedSequence(0)", cost=13),
    Claim("C10", P, "Paper command: ReLU + BN specialises", c10, slow=True, seeds="1–3", cost=14),
    Claim("C11", P, "Nonlinearity is needed", c11, slow=True, seeds="1–3", cost=13, after=('C10',)),
    Claim("C12", P, "Over-parameterisation helps", c12, slow=True, seeds="1–3", cost=47, after=('C10',)),
    Claim("C13", P, "Variants (report)", c13, slow=True, seeds="1–3", cost=70, after=('C10', 'C11')),
    Claim("C14", P, "No augmentation (report)", c14, slow=True, seeds="1–3", cost=12, after=('C10',)),
]


# --- figures ---------------------------------------------------------------------------------------

def figures(ctx: Context, outdir) -> list[Path]:
    """loc_all/loc_other_all by activation and BN; loc_all vs β; the 1-layer optima vs cluster centres."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    settings = {"relu+BN": [], "linear+BN": ["model.activation=linear"], "relu, no BN": ["model.bn=false"],
                "linear, no BN": ["model.activation=linear", "model.bn=false"]}
    table = {k: (seed_mean(rf_run(ctx, v), "loc_all"), seed_mean(rf_run(ctx, v), "loc_other_all"))
             for k, v in settings.items()}
    out = [outdir / "tian2022_loc_by_setting.png", outdir / "tian2022_loc_vs_beta.png",
           outdir / "tian2022_1layer_optima.png"]
    steps = int(rf_run(ctx, []).records.step.max())
    setting = f"T = {steps} steps{', quick size' if ctx.quick else ''}, seeds 1–3"
    save(tf.loc_by_setting(table, setting), out[0])
    betas = {b: [v for v in last(rf_run(ctx, [f"model.beta={b}"]), "loc_all").values()] for b in BETAS}
    save(tf.loc_vs_beta(betas, setting), out[1])
    D = shared_data(ctx)
    cos = {act: finals(one_layer(ctx, act, "0:40" if act == "relu" else "0:50")) @ (
        D["centres"] / np.linalg.norm(D["centres"], axis=1, keepdims=True)).T for act in ("linear", "relu")}
    save(tf.one_layer_optima(cos), out[2])
    return out
