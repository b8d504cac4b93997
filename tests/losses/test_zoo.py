"""Loss zoo (issue 11): every VIEW_LOSSES entry vs a naive float64 loop reference, closed forms, invariances."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jax.test_util import check_grads

from sslab.losses.alpha_cl import infonce_alpha_cl
from sslab.losses.byol import ema_update
from sslab.losses.zoo import VIEW_LOSSES, ViewLoss


# --- naive references: explicit loops over samples and dimensions, float64 ---------------------------

def _dot(a, b):
    return sum(float(a[d]) * float(b[d]) for d in range(len(a)))


def _cos(a, b):
    return _dot(a, b) / math.sqrt(_dot(a, a) * _dot(b, b))


def _one_sided(q, k, tau, cosine):
    sim = _cos if cosine else _dot
    B, total = len(q), 0.0
    for i in range(B):
        s = [sim(q[i], k[j]) / tau for j in range(B)]
        m = max(s)
        total += -s[i] + m + math.log(sum(math.exp(x - m) for x in s))
    return total / B


def naive_infonce(z1, z2, p1, p2, tau, cosine=False):
    return _one_sided(z1, z2, tau, cosine)


def naive_two_sided(z1, z2, p1, p2, tau, cosine=False):
    return 0.5 * (_one_sided(z1, z2, tau, cosine) + _one_sided(z2, z1, tau, cosine))


def naive_nt_xent(z1, z2, p1, p2, tau):
    B = len(z1)
    u = [np.array(z) / math.sqrt(_dot(z, z)) for z in list(z1) + list(z2)]
    total = 0.0
    for k in range(2 * B):
        pos = (k + B) % (2 * B)
        denom = sum(math.exp(_dot(u[k], u[m]) / tau) for m in range(2 * B) if m != k)
        total += -_dot(u[k], u[pos]) / tau + math.log(denom)
    return total / (2 * B)


def naive_alpha_cl(z1, z2, p1, p2, tau):
    """−E_α/(τB), E_α = ½ tr C_α, InfoNCE α_ij = softmax prob. of negative j (spec tian2022 §1)."""
    B, r = z1.shape
    d2p = [0.5 * sum((z1[i, d] - z2[i, d]) ** 2 for d in range(r)) for i in range(B)]
    d2n = [[0.5 * sum((z1[i, d] - z1[j, d]) ** 2 for d in range(r)) for j in range(B)] for i in range(B)]
    trace = 0.0
    for i in range(B):
        w = [1.0 if j == i else math.exp((d2p[i] - d2n[i][j]) / tau) for j in range(B)]
        Z = sum(w)
        row = 0.0
        for j in range(B):
            if j != i:
                a = w[j] / Z
                row += a
                trace += a * sum((z1[i, d] - z1[j, d]) ** 2 for d in range(r))
        trace -= row * sum((z1[i, d] - z2[i, d]) ** 2 for d in range(r))
    return -0.5 * trace / (tau * B)


def naive_spectral(z1, z2, p1, p2):
    B = len(z1)
    pos = sum(_dot(z1[i], z2[i]) for i in range(B)) / B
    neg = sum(_dot(z1[i], z2[j]) ** 2 for i in range(B) for j in range(B) if i != j) / (B * (B - 1))
    return -2.0 * pos + neg


def naive_simsiam(z1, z2, p1, p2):
    B = len(z1)
    return -0.5 * sum(_cos(p1[i], z2[i]) + _cos(p2[i], z1[i]) for i in range(B)) / B


def naive_byol(z1, z2, p1, p2):
    B = len(z1)
    return sum((2 - 2 * _cos(p1[i], z2[i])) + (2 - 2 * _cos(p2[i], z1[i])) for i in range(B)) / B


def _column_stats(z, ddof):
    B, r = z.shape
    mean = [sum(z[b, d] for b in range(B)) / B for d in range(r)]
    var = [sum((z[b, d] - mean[d]) ** 2 for b in range(B)) / (B - ddof) for d in range(r)]
    return mean, var


def naive_barlow(z1, z2, p1, p2, lam, eps=1e-5):
    B, r = z1.shape
    (m1, v1), (m2, v2) = _column_stats(z1, 0), _column_stats(z2, 0)
    loss = 0.0
    for i in range(r):
        for j in range(r):
            c = sum((z1[b, i] - m1[i]) / math.sqrt(v1[i] + eps) * (z2[b, j] - m2[j]) / math.sqrt(v2[j] + eps)
                    for b in range(B)) / B
            loss += (1 - c) ** 2 if i == j else lam * c**2
    return loss


def naive_vicreg(z1, z2, p1, p2, lam, mu, nu, eps=1e-4):
    B, r = z1.shape
    inv = sum((z1[b, d] - z2[b, d]) ** 2 for b in range(B) for d in range(r)) / (B * r)
    var = cov = 0.0
    for z in (z1, z2):
        m, v = _column_stats(z, 1)
        var += 0.5 * sum(max(0.0, 1.0 - math.sqrt(v[d] + eps)) for d in range(r)) / r
        for i in range(r):
            for j in range(r):
                if i != j:
                    cov += (sum((z[b, i] - m[i]) * (z[b, j] - m[j]) for b in range(B)) / (B - 1)) ** 2 / r
    return lam * inv + mu * var + nu * cov


def naive_alignment(z1, z2, p1, p2):
    return -sum(_dot(z1[i], z2[i]) for i in range(len(z1))) / len(z1)


# Every VIEW_LOSSES entry must appear here (test_every_entry_has_a_reference) with non-default hypers to try.
REFERENCES = {
    "infonce": (naive_infonce, {"tau": 0.7}),
    "infonce_cos": (lambda *a, tau: naive_infonce(*a, tau=tau, cosine=True), {"tau": 0.3}),
    "infonce_2s": (naive_two_sided, {"tau": 0.7}),
    "infonce_cos_2s": (lambda *a, tau: naive_two_sided(*a, tau=tau, cosine=True), {"tau": 0.3}),
    "nt_xent": (naive_nt_xent, {"tau": 0.2}),
    "alpha_cl": (naive_alpha_cl, {"tau": 0.8}),
    "clip": (naive_two_sided, {"tau": 0.7}),
    "spectral": (naive_spectral, {}),
    "simsiam": (naive_simsiam, {}),
    "byol": (naive_byol, {}),
    "barlow_twins": (naive_barlow, {"lam": 0.1}),
    "vicreg": (naive_vicreg, {"lam": 2.0, "mu": 3.0, "nu": 0.5}),
    "alignment": (naive_alignment, {}),
}
NAMES = VIEW_LOSSES.names()
SHAPES = [(2, 1), (6, 4)]  # (B, r); few shapes keep compilation cheap
ROTATION_INVARIANT = [n for n in NAMES if n not in ("barlow_twins", "vicreg")]  # inner products/distances only


def views(seed, B=6, r=4, scale=1.0):
    rng = np.random.default_rng(seed)
    return tuple(scale * rng.normal(size=(B, r)) for _ in range(4))


_JIT = {name: jax.jit(VIEW_LOSSES[name].__call__) for name in VIEW_LOSSES.names()}  # one compile per shape


def call(name, z1, z2, p1, p2, **hyper):
    return float(_JIT[name](*(jnp.asarray(a) for a in (z1, z2, p1, p2)), **hyper))


def test_every_entry_has_a_reference():
    missing = sorted(set(NAMES) - set(REFERENCES))
    assert not missing, f"VIEW_LOSSES entries without a naive reference in this test: {missing}"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("B, r", SHAPES)
def test_vs_naive_reference_float64(name, B, r):
    ref, hyper = REFERENCES[name]
    loss = VIEW_LOSSES[name]
    for seed, h in enumerate([loss.hyper, hyper]):  # defaults and non-defaults
        a = views(100 * B + r + seed, B, r)
        with jax.enable_x64(True):
            got = call(name, *a, **h)
        assert got == pytest.approx(ref(*a, **{**loss.hyper, **h}), rel=1e-9, abs=1e-11)


# --- closed forms ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["infonce", "infonce_cos", "infonce_2s", "infonce_cos_2s", "clip"])
@pytest.mark.parametrize("B", [1, 4, 13])
def test_infonce_family_all_equal_is_log_B(name, B):
    z = np.tile(np.array([[0.3, -1.2, 2.0]]), (B, 1))
    for tau in (0.1, 1.0):
        assert call(name, z, z, z, z, tau=tau) == pytest.approx(math.log(B), abs=1e-5)


@pytest.mark.parametrize("B", [1, 4, 13])
def test_nt_xent_all_equal_is_log_2B_minus_1(B):
    z = np.tile(np.array([[0.3, -1.2, 2.0]]), (B, 1))
    for tau in (0.1, 1.0):
        assert call("nt_xent", z, z, z, z, tau=tau) == pytest.approx(math.log(2 * B - 1), abs=1e-5)


def test_nt_xent_orthonormal_batch():
    # u rows orthonormal, views equal: each anchor sees its positive at s = 1/τ and 2B − 2 negatives at 0
    B, tau = 3, 0.5
    z = np.eye(4)[:B] * 2.5
    expected = -1 / tau + math.log(math.exp(1 / tau) + 2 * B - 2)
    assert call("nt_xent", z, z, z, z, tau=tau) == pytest.approx(expected, rel=1e-6)


def test_infonce_2s_equals_clip():
    a = views(3)
    assert call("infonce_2s", *a, tau=0.4) == pytest.approx(call("clip", *a, tau=0.4), rel=1e-6)


def test_alpha_cl_all_equal_is_zero():
    z = np.tile(np.array([[1.0, -2.0]]), (5, 1))
    assert call("alpha_cl", z, z, z, z) == pytest.approx(0.0, abs=1e-7)


def test_alpha_cl_gradient_is_mean_infonce_gradient():
    # spec tian2022 §1 [derived]: ∇ Σ_i log(1 + ξ_i) = −(1/τ) ∇ E_{sg α}; the zoo entry is −E_{sg α}/(τB)
    z1, z2, _, _ = views(11)
    tau = 0.6
    with jax.enable_x64(True):
        z1, z2 = jnp.asarray(z1), jnp.asarray(z2)
        g = jax.jit(jax.grad(lambda a, b: VIEW_LOSSES["alpha_cl"](a, b, tau=tau), argnums=(0, 1)))(z1, z2)
        g_ref = jax.jit(jax.grad(lambda a, b: infonce_alpha_cl(a, b, tau) / a.shape[0], argnums=(0, 1)))(z1, z2)
        check_grads(jax.jit(lambda a, b: infonce_alpha_cl(a, b, tau)), (z1, z2), order=1, modes=["rev"])
    for x, y in zip(g, g_ref):
        np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12)


def test_spectral_closed_forms():
    assert call("spectral", *(np.eye(5)[:4],) * 4) == pytest.approx(-2.0, abs=1e-6)  # orthonormal pairs
    c = np.array([0.6, -0.3, 1.1])
    z = np.tile(c, (6, 1))
    n2 = float(c @ c)
    assert call("spectral", z, z, z, z) == pytest.approx(-2 * n2 + n2**2, rel=1e-6)


def _cos_pairs(rng, B, r, cosines):
    """Pairs (p_i, z_i) with cos(p_i, z_i) = cosines[i], random norms and a random common rotation."""
    Q = np.linalg.qr(rng.normal(size=(r, r)))[0]
    th = np.arccos(cosines)
    p = np.zeros((B, r))
    z = np.zeros((B, r))
    p[:, 0], p[:, 1] = np.cos(th), np.sin(th)
    z[:, 0] = 1.0
    p *= rng.uniform(0.5, 2.0, size=(B, 1))
    z *= rng.uniform(0.5, 2.0, size=(B, 1))
    return p @ Q.T, z @ Q.T


@pytest.mark.parametrize("name, per_term", [("byol", lambda c: 2 - 2 * c), ("simsiam", lambda c: -0.5 * c)])
def test_predictor_losses_closed_form(name, per_term):
    rng = np.random.default_rng(5)
    B, r = 6, 4
    c1, c2 = rng.uniform(-1, 1, B), rng.uniform(-1, 1, B)
    p1, z2 = _cos_pairs(rng, B, r, c1)
    p2, z1 = _cos_pairs(rng, B, r, c2)
    expected = np.mean(per_term(c1) + per_term(c2))
    assert call(name, z1, z2, p1, p2) == pytest.approx(expected, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("name", ["byol", "simsiam"])
def test_predictor_losses_stop_gradient_on_z(name):
    a = [jnp.asarray(x) for x in views(2)]
    grad = jax.jit(jax.grad(lambda z1, z2, p1, p2: VIEW_LOSSES[name](z1, z2, p1, p2), argnums=(0, 1, 2, 3)))
    gz1, gz2, gp1, gp2 = grad(*a)
    gz, gp = (gz1, gz2), (gp1, gp2)
    assert all(float(jnp.abs(g).max()) == 0.0 for g in gz)
    assert all(float(jnp.abs(g).max()) > 0.0 for g in gp)


def _standard_decorrelated(rng, B, r, scale=1.0):
    """Columns centred, mutually orthogonal, with biased variance scale²: √B·scale·Q, Q ⊥ 1 orthonormal."""
    X = rng.normal(size=(B, r))
    X -= X.mean(0)
    return math.sqrt(B) * scale * np.linalg.qr(X)[0]


def test_barlow_zero_at_identical_standardised_decorrelated_views():
    Z = _standard_decorrelated(np.random.default_rng(0), 16, 5)
    with jax.enable_x64(True):
        got = call("barlow_twins", Z, Z, Z, Z)
    eps = 1e-5
    assert got == pytest.approx(5 * (eps / (1 + eps)) ** 2, rel=1e-6)  # C_ii = 1/(1 + eps), C_ij = 0
    # any per-dimension affine map of one view leaves standardisation, hence the loss, unchanged (up to eps)
    W = Z * np.array([3.0, 0.5, 2.0, 1.0, 7.0]) + np.array([1.0, -2.0, 0.0, 5.0, 3.0])
    assert call("barlow_twins", Z, W, Z, W) < 1e-6


def test_barlow_identical_correlated_views():
    # equal views: C = correlation matrix R, loss ≈ λ Σ_{i≠j} R_ij² (diagonal terms vanish up to eps)
    Z = views(4, 30, 3)[0] @ np.array([[1.0, 0.5, 0.0], [0.0, 1.0, 0.3], [0.0, 0.0, 1.0]])
    R = np.corrcoef(Z.T)
    with jax.enable_x64(True):
        got = call("barlow_twins", Z, Z, Z, Z, lam=0.3)
    assert got == pytest.approx(0.3 * (np.sum(R**2) - 3), rel=1e-4)


def test_vicreg_closed_forms():
    rng = np.random.default_rng(1)
    B, r = 12, 4
    for scale in (1.0, 3.0):  # per-dim std ≥ 1 (unbiased), zero covariance, identical views: L = 0
        Z = _standard_decorrelated(rng, B, r, scale * math.sqrt((B - 1) / B))
        assert call("vicreg", Z, Z, Z, Z) == pytest.approx(0.0, abs=1e-5)
    c = np.tile(rng.normal(size=(1, r)), (B, 1))  # complete collapse: only the variance hinge, 1 − √eps
    assert call("vicreg", c, c, c, c) == pytest.approx(25.0 * (1 - math.sqrt(1e-4)), rel=1e-6)


def test_alignment_all_equal():
    c = np.array([[0.5, -1.0, 2.0]])
    z = np.tile(c, (3, 1))
    assert call("alignment", z, z, z, z) == pytest.approx(-float(np.sum(c * c)), rel=1e-6)


# --- invariances and symmetry ----------------------------------------------------------------------

@settings(max_examples=10, deadline=None)
@given(name=st.sampled_from(NAMES), shape=st.sampled_from(SHAPES), seed=st.integers(0, 2**16))
def test_joint_batch_permutation_invariance(name, shape, seed):
    B, r = shape
    a = views(seed, B, r)
    perm = np.random.default_rng(seed + 1).permutation(B)
    with jax.enable_x64(True):
        assert call(name, *(x[perm] for x in a)) == pytest.approx(call(name, *a), rel=1e-9, abs=1e-11)


@settings(max_examples=10, deadline=None)
@given(name=st.sampled_from(NAMES), shape=st.sampled_from(SHAPES), seed=st.integers(0, 2**16))
def test_dimension_permutation_invariance(name, shape, seed):
    B, r = shape
    a = views(seed, B, r)
    perm = np.random.default_rng(seed + 1).permutation(r)
    with jax.enable_x64(True):
        assert call(name, *(x[:, perm] for x in a)) == pytest.approx(call(name, *a), rel=1e-9, abs=1e-11)


@settings(max_examples=10, deadline=None)
@given(name=st.sampled_from(NAMES), shape=st.sampled_from(SHAPES), seed=st.integers(0, 2**16))
def test_symmetric_flag_matches_view_swap(name, shape, seed):
    B, r = shape
    z1, z2, p1, p2 = views(seed, B, r)
    with jax.enable_x64(True):
        same, swapped = call(name, z1, z2, p1, p2), call(name, z2, z1, p2, p1)
    if VIEW_LOSSES[name].symmetric:
        assert swapped == pytest.approx(same, rel=1e-9, abs=1e-11)


@pytest.mark.parametrize("name", [n for n in NAMES if not VIEW_LOSSES[n].symmetric])
def test_one_sided_losses_are_not_symmetric(name):
    with jax.enable_x64(True):
        z1, z2, p1, p2 = views(9)
        assert abs(call(name, z1, z2, p1, p2) - call(name, z2, z1, p2, p1)) > 1e-3


@pytest.mark.parametrize("name", ROTATION_INVARIANT)
def test_orthogonal_rotation_invariance(name):
    a = views(13)
    Q = np.linalg.qr(np.random.default_rng(14).normal(size=(4, 4)))[0]
    with jax.enable_x64(True):
        assert call(name, *(x @ Q for x in a)) == pytest.approx(call(name, *a), rel=1e-9, abs=1e-11)


@pytest.mark.parametrize("name", ["barlow_twins", "vicreg"])
def test_decorrelation_losses_are_not_rotation_invariant(name):
    a = views(13)
    a = (a[0], a[0] + 0.3 * a[1], a[2], a[3])
    Q = np.linalg.qr(np.random.default_rng(14).normal(size=(4, 4)))[0]
    with jax.enable_x64(True):
        assert abs(call(name, *(x @ Q for x in a)) - call(name, *a)) > 1e-3


@pytest.mark.parametrize("name", ["infonce_cos", "infonce_cos_2s", "nt_xent", "simsiam", "byol"])
def test_cosine_losses_are_row_scale_invariant(name):
    a = views(21)
    s = np.random.default_rng(22).uniform(0.2, 5.0, size=(4, 6, 1))  # a positive scale per row
    assert call(name, *(x * si for x, si in zip(a, s))) == pytest.approx(call(name, *a), rel=1e-5)


# --- gradients ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [n for n in NAMES if VIEW_LOSSES[n].target == "none" and n != "alpha_cl"])
def test_gradients_match_finite_differences(name):
    z1, z2, _, _ = views(31, scale=0.5)  # std < 1: VICReg's hinge is active, away from its kink
    with jax.enable_x64(True):
        check_grads(lambda a, b: _JIT[name](a, b, a, b), (jnp.asarray(z1), jnp.asarray(z2)), order=1, modes=["rev"])


@pytest.mark.parametrize("name", ["simsiam", "byol"])
def test_predictor_gradients_match_finite_differences(name):
    z1, z2, p1, p2 = (jnp.asarray(x) for x in views(32))
    with jax.enable_x64(True):
        check_grads(lambda a, b: _JIT[name](z1, z2, a, b), (p1, p2), order=1, modes=["rev"])


# --- calling convention, registry, EMA ---------------------------------------------------------------

def test_unknown_hyper_parameter_lists_valid_ones():
    z = jnp.ones((3, 2))
    with pytest.raises(ValueError, match=r"'vicreg'.*\['tau'\].*lam, mu, nu"):
        VIEW_LOSSES["vicreg"](z, z, tau=0.1)
    with pytest.raises(ValueError, match=r"valid choices: \(none\)"):
        VIEW_LOSSES["spectral"](z, z, lam=1.0)


def test_flags():
    contrastive = {n for n in NAMES if VIEW_LOSSES[n].contrastive}
    assert contrastive == {"infonce", "infonce_cos", "infonce_2s", "infonce_cos_2s", "nt_xent", "alpha_cl",
                           "clip", "spectral"}
    assert {n for n in NAMES if VIEW_LOSSES[n].needs_predictor} == {"simsiam", "byol"}
    assert VIEW_LOSSES["byol"].target == "ema" and VIEW_LOSSES["simsiam"].target == "stopgrad"
    assert "bce" not in VIEW_LOSSES
    assert all(isinstance(VIEW_LOSSES[n], ViewLoss) and VIEW_LOSSES[n].doc for n in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_vmap_over_lanes_with_traced_hypers(name):
    # two lanes, each with its own inputs and its own (traced) hyper-parameter values
    loss = VIEW_LOSSES[name]
    lanes_a = [views(40 + lane) for lane in range(2)]
    a = [jnp.asarray(np.stack(x), jnp.float32) for x in zip(*lanes_a)]
    lanes_h = {k: jnp.asarray([v, 1.5 * v], jnp.float32) for k, v in loss.hyper.items()}
    got = jax.jit(jax.vmap(lambda z1, z2, p1, p2, h: loss(z1, z2, p1, p2, **h)))(*a, lanes_h)
    ref = REFERENCES[name][0]
    for lane in range(2):
        expected = ref(*lanes_a[lane], **{k: float(v[lane]) for k, v in lanes_h.items()})
        assert float(got[lane]) == pytest.approx(expected, rel=2e-4, abs=2e-5)


def test_ema_update_vs_loop():
    rng = np.random.default_rng(0)
    target = {"W": rng.normal(size=(3, 2)), "b": [rng.normal(size=4)]}
    online = {"W": rng.normal(size=(3, 2)), "b": [rng.normal(size=4)]}
    with jax.enable_x64(True):
        new = ema_update(jax.tree_util.tree_map(jnp.asarray, target), jax.tree_util.tree_map(jnp.asarray, online), 0.9)
    for i in range(3):
        for j in range(2):
            assert float(new["W"][i, j]) == pytest.approx(0.9 * target["W"][i, j] + 0.1 * online["W"][i, j])
    np.testing.assert_allclose(new["b"][0], 0.9 * target["b"][0] + 0.1 * online["b"][0], rtol=1e-12)
    np.testing.assert_allclose(ema_update(target, online, 1.0)["W"], target["W"])  # m = 1: frozen target
    np.testing.assert_allclose(ema_update(target, online, 0.0)["W"], online["W"])  # m = 0: copy
