"""Tian 2023 theory (spec tian2022 §1, §2, §4), NumPy float64.

One-layer: A(w) = C_α[x̃_w]/(2N) for α ≡ 1/N, fixed-point residuals, merging of optima, the brute-force
coverage formula. Global modulation (C = 2, M = 1): per-RF moments, the closed-form top eigenvector
s_k = b_k/(Z(d_k − λ)) with λ by bisection, δ_k, the §4 dynamics, and the Davis–Kahan bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# --- §1 identities --------------------------------------------------------------------------------


def contrastive_covariance_uniform(a1: np.ndarray, a2: np.ndarray) -> np.ndarray:
    """C_α[a] for α ≡ 1/N (i ≠ j), NumPy float64 (spec §1)."""
    N = a1.shape[0]
    s = a1.sum(0)
    return 2.0 * a1.T @ a1 - (2.0 / N) * np.outer(s, s) - ((N - 1) / N) * (a1 - a2).T @ (a1 - a2)


# --- §2 one-layer ---------------------------------------------------------------------------------


def gate(w: np.ndarray, x: np.ndarray, act: str) -> np.ndarray:
    """x̃_w = h'(wᵀx) x (spec §2; ReLU h'(0) = 0, LeakyReLU slope 0.05)."""
    pre = x @ w
    slope = {"linear": np.ones_like(pre), "relu": (pre > 0).astype(float),
             "leakyrelu": np.where(pre > 0, 1.0, 0.05)}[act]
    return slope[:, None] * x


def A_of(w: np.ndarray, x1: np.ndarray, x2: np.ndarray, act: str) -> np.ndarray:
    """A(w) = C_α[x̃_w]/(2N) with α ≡ 1/N, each view gated by its own pre-activation (spec §2 default)."""
    return contrastive_covariance_uniform(gate(w, x1, act), gate(w, x2, act)) / (2 * x1.shape[0])


def fixed_point_residual(w: np.ndarray, A: np.ndarray) -> float:
    """‖(I − wwᵀ)A w‖/‖A w‖ (spec C5)."""
    Aw = A @ w
    return float(np.linalg.norm(Aw - w * (w @ Aw)) / max(np.linalg.norm(Aw), 1e-300))


def is_dead(w: np.ndarray, x1: np.ndarray, x2: np.ndarray) -> bool:
    """wᵀx ≤ 0 for every view of every sample: A(w) = 0 (spec §2 dead points)."""
    return bool(np.all(x1 @ w <= 0) and np.all(x2 @ w <= 0))


def merge_optima(ws: np.ndarray, linear: bool, thr: float = 0.99) -> tuple[list[np.ndarray], list[int]]:
    """Each final w joins the first earlier optimum with cos > thr (|cos| if linear), else starts one (spec §2)."""
    optima: list[np.ndarray] = []
    assign: list[int] = []
    for w in ws:
        w = w / np.linalg.norm(w)
        for j, o in enumerate(optima):
            c = float(o @ w)
            if (abs(c) if linear else c) > thr:
                assign.append(j)
                break
        else:
            optima.append(w)
            assign.append(len(optima) - 1)
    return optima, assign


def found(w: np.ndarray, centres: np.ndarray, thr: float = 0.95) -> np.ndarray:
    """Boolean per cluster l: cos(w, c_l/‖c_l‖) > thr (spec §2 'finds')."""
    u = centres / np.linalg.norm(centres, axis=1, keepdims=True)
    return (u @ (w / np.linalg.norm(w))) > thr


def coverage_prediction(q: np.ndarray, n: int) -> float:
    """mean_l [1 − (1 − q_l)^n]: brute force with n independent nodes (spec §2)."""
    return float(np.mean(1.0 - (1.0 - np.asarray(q)) ** n))


# --- §4 global modulation -------------------------------------------------------------------------


@dataclass
class Moments:
    """Per-RF moments of the gated inputs: L_k, Δ_k, V[x̃_k] (each per k), p0, p1 and d, b for W."""

    L: np.ndarray  # (K, 4, 4) E_z V[x̃_k|z]
    Delta: np.ndarray  # (K, 4)
    V: np.ndarray  # (K, 4, 4) V[x̃_k]
    p0: float
    p1: float
    d: np.ndarray  # (K,)
    b: np.ndarray  # (K,)


def population_moments(W: np.ndarray, p0: float = 0.5) -> Moments:
    """§4 population moments: x̃_k = 1[w_k[t] > 0] e_t, V[x̃|z] = diag(m_z) − m_zm_zᵀ; W (..., K, 4)."""
    means = np.array([[0.5, 0.0, 0.25, 0.25], [0.0, 0.5, 0.25, 0.25]])
    p1 = 1.0 - p0
    g = (W > 0).astype(float)
    m0, m1 = g * means[0], g * means[1]
    eye = np.eye(4)
    Vz = [mz[..., None] * eye - mz[..., :, None] * mz[..., None, :] for mz in (m0, m1)]
    L = p0 * Vz[0] + p1 * Vz[1]
    Delta = m1 - m0
    V = L + p0 * p1 * Delta[..., :, None] * Delta[..., None, :]
    return _with_w(L, Delta, V, p0, p1, W)


def empirical_moments(W: np.ndarray, z: np.ndarray, tokens: np.ndarray) -> tuple[Moments, np.ndarray]:
    """Moments with 1/n normalisation and p̂_z = n_z/N; also returns x̃ (N, K, 4) (spec C8)."""
    N, K = tokens.shape
    onehot = np.eye(4)[tokens]  # (N, K, 4)
    xt = onehot * (W[None] > 0)
    p1 = float(np.mean(z))
    p0 = 1.0 - p1
    Vz, mz = [], []
    for v in (0, 1):
        s = xt[z == v]
        mu = s.mean(0)
        c = s - mu
        Vz.append(np.einsum("nki,nkj->kij", c, c) / s.shape[0])
        mz.append(mu)
    L = p0 * Vz[0] + p1 * Vz[1]
    Delta = mz[1] - mz[0]
    c = xt - xt.mean(0)
    V = np.einsum("nki,nkj->kij", c, c) / N
    return _with_w(L, Delta, V, p0, p1, W), xt


def _with_w(L, Delta, V, p0, p1, W) -> Moments:
    d = np.einsum("...ki,...kij,...kj->...k", W, L, W)
    b = np.einsum("...ki,...ki->...k", W, Delta)
    return Moments(L, Delta, V, p0, p1, d, b)


def secular_lambda(d: np.ndarray, b: np.ndarray, c: float, iters: int = 200) -> np.ndarray:
    """λ ∈ (max d, max d + c‖b‖²] solving 1 + c Σ_k b_k²/(d_k − λ) = 0 by bisection; batched over leading axes (spec §4).

    RFs with b_k = 0 do not enter the secular equation (their d_k bounds nothing); the interval uses
    the max of d over the RFs with b_k ≠ 0.
    """
    on = b**2 > 1e-300
    dmax = np.max(np.where(on, d, -np.inf), axis=-1)
    lo, hi = dmax.copy(), dmax + c * np.sum(b**2, axis=-1)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = 1.0 + c * np.sum(np.where(on, b**2 / (d - mid[..., None]), 0.0), axis=-1)
        lo, hi = np.where(g < 0, mid, lo), np.where(g < 0, hi, mid)
    return 0.5 * (lo + hi)


@dataclass
class TopLayer:
    """Closed form of the top layer: λ, s, Z and δ (spec §4)."""

    lam: np.ndarray
    s: np.ndarray
    Z: np.ndarray
    delta: np.ndarray


def top_layer(d: np.ndarray, b: np.ndarray, c: float) -> TopLayer:
    """s_k = b_k/(Z(d_k − λ)), Z > 0 with ‖s‖ = 1; δ_k = c/(Z²(d_k − λ))·Σ_{k'≠k} b_k'²/(d_k' − λ) (spec §4).

    Batched over leading axes. Degenerate case (an RF with b_k = 0 whose d_k exceeds the secular root,
    or b = 0): the top eigenvector is e_k of that RF and δ = 0.
    """
    on = b**2 > 1e-300
    lam = secular_lambda(d, b, c)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(on, b / (d - lam[..., None]), 0.0)
        r = np.where(on, b**2 / (d - lam[..., None]), 0.0)
    Z = np.linalg.norm(u, axis=-1)
    d_off = np.max(np.where(on, -np.inf, d), axis=-1)
    degenerate = (d_off > lam) | ~np.any(on, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = u / Z[..., None]
        delta = np.where(on, c / (Z[..., None] ** 2 * (d - lam[..., None])) * (r.sum(-1, keepdims=True) - r), 0.0)
    k_off = np.argmax(np.where(on, -np.inf, d), axis=-1)
    e = np.eye(d.shape[-1])[k_off]
    s = np.where(degenerate[..., None], e, s)
    delta = np.where(degenerate[..., None], 0.0, delta)
    lam = np.where(degenerate, np.maximum(d_off, lam), lam)
    return TopLayer(lam, s, Z, delta)


def modulation_gradient(W: np.ndarray, m: Moments, top: TopLayer, delta_on: bool = True) -> np.ndarray:
    """(s_k² V[x̃_k] + δ_k Δ_kΔ_kᵀ) w_k per k (spec §4 dynamics, before projection); batched."""
    g = top.s[..., None] ** 2 * np.einsum("...kij,...kj->...ki", m.V, W)
    if delta_on:
        g = g + (top.delta * m.b)[..., None] * m.Delta
    return g


def modulation_dynamics(W0: np.ndarray, steps: int = 3000, eta: float = 0.5, delta_on: bool = True) -> np.ndarray:
    """w_k ← normalise(w_k + η (I − w_kw_kᵀ)(s_k²V[x̃_k] + δ_kΔ_kΔ_kᵀ)w_k), population moments, all k at once,
    s and δ recomputed each step; W0 (R, K, 4), all R initialisations vectorised (spec C9)."""
    W = W0 / np.linalg.norm(W0, axis=-1, keepdims=True)
    for _ in range(steps):
        m = population_moments(W)
        top = top_layer(m.d, m.b, m.p0 * m.p1)
        g = modulation_gradient(W, m, top, delta_on)
        g = g - W * np.sum(W * g, axis=-1, keepdims=True)
        Wn = W + eta * g
        W = Wn / np.linalg.norm(Wn, axis=-1, keepdims=True)
    return W


def davis_kahan_bound(E: np.ndarray, lam1: float, lam2: float) -> float:
    """sin∠ ≤ 2‖E‖₂/(λ1 − λ2) (spec C8 (c))."""
    return float(2.0 * np.linalg.norm(E, 2) / (lam1 - lam2))


# --- public theory objects (Paper.theory: `sslab theory tian2022.NAME key=value`) ------------------
#
# Keyword-parameter functions returning plain dicts of floats and arrays; the claims measure exactly
# these (C1–C3, C7–C9) or compare their engine runs with them (C4, C5).


def x64(fn):
    """Run under float64 and the engine's PRNG layout (the theory claims' precision)."""
    import functools

    import jax

    @functools.wraps(fn)
    def wrapped(*a, **k):
        with jax.enable_x64(True), jax.threefry_partitionable(True):
            return fn(*a, **k)
    return wrapped


def rel_err(a, b) -> float:
    """‖a − b‖_F/‖b‖_F (spec §6 relative error)."""
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)) / np.linalg.norm(np.asarray(b)))


@x64
def gradient_identity(N: int = 32, dim: int = 8, tau: float = 0.1, seed: int = 0) -> dict:
    """C1: autograd ∇L (InfoNCE in α-CL form, both views) vs −(1/τ)∇½tr C_α[f] with α the detached softmax;
    f[i], f[i'] ~ N(0, 1) in R^dim from split(key(seed)) (spec §1 training rule)."""
    import jax
    import jax.numpy as jnp

    from ...losses import alpha_cl as acl

    k1, k2 = jax.random.split(jax.random.key(seed))
    f1 = jax.random.normal(k1, (N, dim), jnp.float64)
    f2 = jax.random.normal(k2, (N, dim), jnp.float64)
    gL = jax.grad(lambda a, b: acl.infonce_alpha_cl(a, b, tau), argnums=(0, 1))(f1, f2)
    gE = jax.grad(lambda a, b: -acl.energy_sg(a, b, tau) / tau, argnums=(0, 1))(f1, f2)
    flat = lambda g: np.concatenate([np.ravel(x) for x in g])  # noqa: E731
    return {"grad_rel_err": rel_err(flat(gE), flat(gL)), "grad_norm": float(np.linalg.norm(flat(gL)))}


@x64
def kernel_identity(N: int = 32, dim: int = 8, kernels: int = 3, seed: int = 0) -> dict:
    """C2: the negative term of C_α with α_ij = Σ_l φ_l(x[i])φ_l(x[j]), φ ~ U(0, 1), vs Σ_l 2Z_l² V_{p_l}[f]
    (spec §1 kernel case)."""
    import jax
    import jax.numpy as jnp

    from ...losses import alpha_cl as acl

    k1, k2 = jax.random.split(jax.random.key(seed))
    f = jax.random.normal(k1, (N, dim), jnp.float64)
    phis = jax.random.uniform(k2, (kernels, N), jnp.float64)
    neg = np.asarray(acl.negative_term(f, phis.T @ phis))
    ker = np.asarray(acl.kernel_negative_term(f, phis))
    return {"kernel_rel_err": rel_err(neg, ker), "negative_term": neg, "kernel_sum": ker}


@x64
def uniform_alpha_variance(N: int = 10_000, draw: int = 0) -> dict:
    """C3: C_α/(2N) with α ≡ 1/N and f = x on one §2 draw (fresh centres and samples from
    split(key(0), 16)[draw]; C3 uses draws 0–4 at N = 10⁴ and 5–9 at N = 10⁵) vs V_pop = Σ_l c_lc_lᵀ/L − μμᵀ
    + 0.01·I (spec §1 uniform case)."""
    import jax

    from . import data as data_mod

    key = jax.random.split(jax.random.key(0), 16)[draw]
    dat = data_mod.cluster_data(key, 10, 4, N)
    C = contrastive_covariance_uniform(np.asarray(dat["x1"]), np.asarray(dat["x2"])) / (2 * N)
    V = data_mod.population_covariance(np.asarray(dat["centres"]))
    return {"var_rel_err": rel_err(C, V), "C_over_2N": C, "V_pop": V}


@x64
def shared_cluster_data(data_seed: int = 0, d: int = 10, L: int = 4, N: int = 10_000) -> dict:
    """The §2 draw every one-layer run sees (cluster_data(PRNGKey(data_seed)), float64 NumPy)."""
    import jax

    from . import data as data_mod

    return {k: np.asarray(v) for k, v in data_mod.cluster_data(jax.random.key(data_seed), d, L, N).items()}


def projected_ascent(W0: np.ndarray, x1: np.ndarray, x2: np.ndarray, act: str, steps: int = 300,
                     eta: float = 0.5) -> np.ndarray:
    """The §2 optimiser in float64 NumPy: w ← normalise(w + η(I − wwᵀ)A(w)w), every row of W0 (R, d) at once.

    A(w)w is formed without A: with α ≡ 1/N, C_α[a]w = 2a₁ᵀ(a₁w) − (2/N)s(sᵀw) − ((N−1)/N)(a₁ − a₂)ᵀ((a₁ − a₂)w),
    a_v = x̃_w of view v (rows h'(wᵀx)x), s = Σ_i a₁[i]; one BLAS thread (the arrays are small).
    """
    from threadpoolctl import threadpool_limits

    W = W0 / np.linalg.norm(W0, axis=1, keepdims=True)
    N = x1.shape[0]
    c = (N - 1) / N
    with threadpool_limits(1):
        for _ in range(steps):
            p1, p2 = x1 @ W.T, x2 @ W.T  # (N, R) pre-activations
            g1, g2 = _slope(p1, act), _slope(p2, act)
            f1, f2 = g1 * p1, g2 * p2  # wᵀx̃ per view
            d12 = f1 - f2
            Aw = ((2.0 * g1 * f1 - c * g1 * d12).T @ x1 + (c * g2 * d12).T @ x2
                  - (2.0 / N) * (g1.T @ x1) * f1.sum(0)[:, None]) / (2 * N)
            G = Aw - W * np.sum(W * Aw, axis=1, keepdims=True)
            W = W + eta * G
            W = W / np.linalg.norm(W, axis=1, keepdims=True)
    return W


def _slope(pre: np.ndarray, act: str) -> np.ndarray:
    """h'(pre): 1 (linear), 1[pre > 0] (ReLU), 1 or 0.05 (LeakyReLU)."""
    if act == "linear":
        return np.ones_like(pre)
    if act == "relu":
        return (pre > 0).astype(float)
    return np.where(pre > 0, 1.0, 0.05)


def fixed_points(activation: str = "relu", n_init: int = 40, steps: int = 300, init_seed: int = 0,
                 data_seed: int = 0) -> dict:
    """The one-layer fixed points (spec §2): projected ascent in float64 NumPy from ``n_init`` initialisations
    uniform on the sphere (``np.random.default_rng(init_seed)``) on the shared §2 data, merged as the spec
    says; per optimum its energy ½wᵀA(w)w, fixed-point residual ‖(I − wwᵀ)A(w)w‖/‖A(w)w‖, whether it is the
    top eigenvector of A(w*) (|cos| > 0.99), which centres it finds (cos > 0.95) and its basin count; dead runs
    apart. C4/C5 run the same dynamics through the engine (their initialisations are engine lanes) and
    compare with these properties."""
    D = shared_cluster_data(data_seed)
    rng = np.random.default_rng(init_seed)
    W = projected_ascent(rng.normal(size=(n_init, D["x1"].shape[1])), D["x1"], D["x2"], activation, steps)
    dead = np.array([activation == "relu" and is_dead(w, D["x1"], D["x2"]) for w in W])
    optima, assign = merge_optima(W[~dead], linear=activation == "linear")
    out = []
    basin = np.bincount(np.asarray(assign, int), minlength=len(optima)) if optima else np.zeros(0, int)
    for j, o in enumerate(optima):
        A = A_of(o, D["x1"], D["x2"], activation)
        top = np.linalg.eigh(A)[1][:, -1]
        out.append({"w": o, "energy": float(0.5 * o @ A @ o), "residual": fixed_point_residual(o, A),
                    "top_eigenvector": bool(abs(float(top @ o)) > 0.99), "finds": found(o, D["centres"]),
                    "abs_cos_centres": np.abs(D["centres"] @ o) / np.linalg.norm(D["centres"], axis=1),
                    "basin": int(basin[j])})
    finds = np.array([o["finds"] for o in out]) if out else np.zeros((0, D["centres"].shape[0]), bool)
    return {"activation": activation, "n_init": n_init, "optima": out, "n_optima": len(out),
            "n_centres": int(np.any(finds, axis=0).sum()), "dead": int(dead.sum()), "centres": D["centres"]}


def c8_streams() -> list:
    """The 41 random streams of C8 (SeedSequence(0).spawn(41)): draws 0–19 at N = 2·10⁴, 20–39 at
    N = 8·10⁴, 40 with the fixed W."""
    return np.random.SeedSequence(0).spawn(41)


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


FIXED_W = np.array([[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]], float)


def global_modulation(draw: int = 0, N: int = 20_000, fixed_W: int = 0) -> dict:
    """One C8 draw of the global-modulation closed form (spec §4): §4 test data from stream ``draw`` of
    :func:`c8_streams` (C8: 0–19 at N = 2·10⁴, 20–39 at N = 8·10⁴; 40 with W = (e2, e0, e1, e0, e1, e3) when
    ``fixed_W``), empirical moments (p̂_z = n_z/N), V̂[f_1] vs D + p0p1bbᵀ, the closed-form top eigenvector s
    (λ by bisection) vs eigh, the empirical ŝ and its Davis–Kahan bound, δ_k, and the gradient
    g_k = s_kĈov[x̃_k, sᵀf_1] vs (s_k²V̂[x̃_k] + δ_kΔ_kΔ_kᵀ)w_k."""
    from . import data as data_mod

    rng = np.random.default_rng(c8_streams()[draw])
    z, tok = data_mod.modulation_tokens(rng, N)
    while True:
        W = FIXED_W if fixed_W else draw_W(rng)
        m, xt = empirical_moments(W, z, tok)
        if fixed_W or np.all(np.abs(m.b) >= 1e-6):
            break
    c = m.p0 * m.p1
    f1 = np.einsum("nki,ki->nk", xt, W)
    fc = f1 - f1.mean(0)
    Vhat = fc.T @ fc / N
    Vth = np.diag(m.d) + c * np.outer(m.b, m.b)
    top = top_layer(m.d, m.b, c)
    ev, evec = np.linalg.eigh(Vth)
    v1 = evec[:, -1]
    s = top.s
    sh = np.linalg.eigh(Vhat)[1][:, -1]
    sh = sh * np.sign(sh @ s)
    y = fc @ s
    xc = xt - xt.mean(0)
    g = s[:, None] * np.einsum("nki,n->ki", xc, y) / N
    pred = modulation_gradient(W, m, top)
    return {
        "W": W, "p0": m.p0, "p1": m.p1, "d": m.d, "b": m.b, "Delta": m.Delta, "lam": float(top.lam), "Z": float(top.Z),
        "s": s, "s_hat": sh, "delta": top.delta, "V_hat": Vhat, "V_closed_form": Vth,
        "cov_rel_err": rel_err(Vhat, Vth) * np.linalg.norm(Vth) / np.linalg.norm(Vhat),  # ‖V̂ − V‖_F/‖V̂‖_F
        "closed_form_err": float(max(abs(top.lam - ev[-1]) / ev[-1], min(np.linalg.norm(s - v1), np.linalg.norm(s + v1)))),
        "sin": float(np.sqrt(max(0.0, 1 - (sh @ s) ** 2))),
        "davis_kahan": davis_kahan_bound(Vhat - Vth, ev[-1], ev[-2]),
        "s_err": float(np.max(np.abs(sh - s))),
        "min_delta": float(np.min(top.delta)), "mean_delta": float(np.mean(top.delta)),
        "grad": g, "grad_pred": pred,
        "grad_err": float(np.max(np.linalg.norm(g - pred, axis=1)) / np.max(np.linalg.norm(g, axis=1))),
    }


def modulation_preference(n_init: int = 30, steps: int = 3000, delta_on: int = 1) -> dict:
    """C9: the §4 dynamics from W0 = default_rng(SeedSequence(0)).normal((n_init, 6, 4)) (population moments,
    s and δ recomputed each step; ``delta_on=0`` sets δ ≡ 0); an RF with max_t w_k[t] ≤ 0 at the end is dead;
    wins = live RFs whose winner argmax_t w_k[t] is a z-discriminative token (0 or 1), with exact binomial
    p-values against ½."""
    from scipy.stats import binomtest

    W0 = np.random.default_rng(np.random.SeedSequence(0)).normal(size=(n_init, 6, 4))
    W = modulation_dynamics(W0, steps=steps, delta_on=bool(delta_on))
    alive = W.max(-1) > 0
    wins, n = int(np.sum((W.argmax(-1) < 2) & alive)), int(alive.sum())
    return {"W": W, "alive": alive, "winner": W.argmax(-1), "wins": wins, "n_alive": n, "win_frac": wins / n,
            "p_one_sided": float(binomtest(wins, n, 0.5, alternative="greater").pvalue),
            "p_two_sided": float(binomtest(wins, n, 0.5).pvalue)}


@x64
def linear_two_layer(K: int = 4, d: int = 6, M: int = 3, N: int = 256, seed: int = 0) -> dict:
    """C7 (spec §3): E = ½tr C_α[f] of the two-layer RF net with one output v and frozen random α: the minimum
    |cos| between the gradients of the nodes of one RF (linear and ReLU) and E's relative change under
    W_k → QW_k, V_k → V_kQᵀ."""
    import jax
    import jax.numpy as jnp

    from ...losses import alpha_cl as acl

    ks = jax.random.split(jax.random.key(seed), 8)
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
    return {"min_grad_cos_linear": min_cos("linear"), "min_grad_cos_relu": min_cos("relu"),
            "rot_rel_change": abs(e1 - e0) / abs(e0), "E": e0, "E_rotated": e1}
