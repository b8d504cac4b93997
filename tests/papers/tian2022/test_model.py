"""Tian 2023 components: token generator statistics, BatchNormExt switches, metrics, modulation closed form."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from sslab.papers.tian2022 import data as dm
from sslab.papers.tian2022.metrics import loc_scores, within_rf_abs_cos
from sslab.papers.tian2022 import model as mm
from sslab.papers.tian2022 import theory as th


def test_patterns_structure():
    T, K, P, G, ell = 20, 10, 5, 40, 5
    allowed, pat = dm.make_patterns(jax.random.key(0), T, K, P, G, ell)
    allowed, pat = np.asarray(allowed), np.asarray(pat)
    assert allowed.shape == (K, P) and all(len(set(r)) == P for r in allowed)
    assert np.all((pat >= 0).sum(1) == ell)
    for g in range(G):
        for k in range(K):
            assert pat[g, k] == -1 or pat[g, k] in allowed[k]


def test_generator_statistics():
    """Pattern positions keep the token; exactly aug_degree wildcards re-drawn (may repeat); uniform on T."""
    T, K, P, G, ell, a, B = 8, 10, 2, 10, 5, 5, 20000
    _, pat = dm.make_patterns(jax.random.key(1), T, K, P, G, ell)
    idx, t1, t2 = (np.asarray(x) for x in dm.sample_tokens(jax.random.key(2), pat, B, T, a))
    p = np.asarray(pat)[idx]
    assert np.all(t1[p >= 0] == p[p >= 0]) and np.all(t2[p >= 0] == p[p >= 0])
    changed = (t1 != t2).sum(1)
    assert changed.max() <= a
    np.testing.assert_allclose(changed.mean(), a * (1 - 1 / T), rtol=0.02)
    np.testing.assert_allclose(np.bincount(t1[p < 0], minlength=T) / (p < 0).sum(), 1 / T, atol=0.01)
    np.testing.assert_allclose(np.bincount(idx, minlength=G) / B, 1 / G, atol=0.01)


def test_embedding_and_mags():
    assert np.allclose(dm.embedding(jax.random.key(0), 6, None), np.eye(6))
    E = np.asarray(dm.embedding(jax.random.key(0), 6, 4))
    np.testing.assert_allclose(np.linalg.norm(E, axis=0), 1, rtol=1e-6)
    np.testing.assert_allclose(dm.magnitudes(4, 2.0), [0.5, 0.5, 2, 2])
    x = dm.embed(jnp.array([[1, 3]]), jnp.eye(4), dm.magnitudes(4, 2.0))
    np.testing.assert_allclose(x[0, 1], [0, 0, 0, 2])


def test_batchnorm_switches():
    """backprop_var=false: gradient equals treating σ² as a constant; backprop_mean=false likewise for μ."""
    with jax.enable_x64(True):
        y = jax.random.normal(jax.random.key(0), (16, 3), jnp.float64)
        c = jax.random.normal(jax.random.key(1), (16, 3), jnp.float64)
        mu, var = y.mean(0), y.var(0)
        f = lambda yy, bm, bv: jnp.sum(c * mm.batch_norm_ext(yy, bm, bv))  # noqa: E731
        g_nov = jax.grad(f)(y, True, False)
        want = jax.grad(lambda yy: jnp.sum(c * (yy - yy.mean(0)) / jnp.sqrt(var + 1e-5)))(y)
        np.testing.assert_allclose(g_nov, want, rtol=1e-10)
        g_nom = jax.grad(f)(y, False, False)
        np.testing.assert_allclose(g_nom, c / np.sqrt(var + 1e-5), rtol=1e-10)
        g_full = jax.grad(f)(y, True, True)
        assert np.linalg.norm(g_full - g_nov) > 1e-6
        out = mm.batch_norm_ext(y)
        np.testing.assert_allclose(out.mean(0), 0, atol=1e-12)
        np.testing.assert_allclose(out.var(0), var / (var + 1e-5), rtol=1e-10)


def test_two_layer_rf_major():
    p = mm.init_two_layer(jax.random.key(0), 3, 2, 4, 5)
    x = jax.random.normal(jax.random.key(1), (7, 3, 4))
    z = mm.two_layer(p, x, "relu", bn=False)
    y = np.concatenate([np.maximum(np.asarray(x[:, k]) @ np.asarray(p["W1"][k]).T, 0) for k in range(3)], 1)
    np.testing.assert_allclose(z, y @ np.asarray(p["W2"]).T, rtol=1e-5)
    assert np.all(np.abs(p["W1"]) <= 0.5) and np.all(np.abs(p["W2"]) <= 1 / np.sqrt(6))


def test_metrics_hand_made():
    """Each node one-hot on a candidate token: loc_all = 1/(1+ε-ish) ≈ 1, loc_other_all = 0."""
    T, K, M = 4, 2, 2
    patterns = jnp.array([[0, -1], [1, 2]])  # cand_0 = {0, 1}, cand_1 = {2}
    W1 = jnp.zeros((K, M, T)).at[0, 0, 0].set(1).at[0, 1, 1].set(1).at[1, 0, 2].set(1).at[1, 1, 2].set(1)
    s = loc_scores(W1, jnp.eye(T), patterns)
    np.testing.assert_allclose(s["loc_all"], 1 / (1 + 1e-3), rtol=1e-6)
    np.testing.assert_allclose(s["loc_other_all"], 0, atol=1e-7)
    # within-RF |cos|: RF 0 orthogonal rows (0), RF 1 identical rows (1) → mean 0.5
    np.testing.assert_allclose(within_rf_abs_cos(W1), 0.5, rtol=1e-6)
    # uniform weights: every ratio = 1/(√T + ε) for cand and other alike
    s2 = loc_scores(jnp.ones((K, M, T)), jnp.eye(T), patterns)
    np.testing.assert_allclose(s2["loc_all"], 1 / (2 + 1e-3), rtol=1e-6)
    np.testing.assert_allclose(s2["loc_other_all"], 1 / (2 + 1e-3), rtol=1e-6)
    # linear: |w|
    s3 = loc_scores(-W1, jnp.eye(T), patterns, linear=True)
    np.testing.assert_allclose(s3["loc_all"], s["loc_all"], rtol=1e-6)


def test_metrics_empty_candidate_dropped():
    patterns = jnp.array([[0, -1]])  # location 1 has no candidate
    s = loc_scores(jnp.ones((2, 1, 3)), jnp.eye(3), patterns)
    assert float(s["n_empty_cand"]) == 1 and float(s["n_empty_other"]) == 0


def test_global_modulation_closed_form():
    rng = np.random.default_rng(0)
    for _ in range(5):
        d, b, c = rng.random(6), rng.normal(size=6), 0.25
        top = th.top_layer(d, b, c)
        V = np.diag(d) + c * np.outer(b, b)
        ev, evec = np.linalg.eigh(V)
        np.testing.assert_allclose(top.lam, ev[-1], rtol=1e-12)
        assert min(np.linalg.norm(top.s - evec[:, -1]), np.linalg.norm(top.s + evec[:, -1])) < 1e-9
        assert np.all(top.delta >= -1e-12)
        # division-free form of the δ term
        s = top.s
        for k in range(6):
            np.testing.assert_allclose(top.delta[k] * b[k], c * s[k] * (s @ b - s[k] * b[k]), rtol=1e-9, atol=1e-14)


def test_population_moments_match_sampling():
    W = np.array([[1.0, 0.5, -1, 0.2]] * 6)
    m = th.population_moments(W)
    z, tok = dm.modulation_tokens(np.random.default_rng(0), 200_000)
    e, _ = th.empirical_moments(W, z, tok)
    np.testing.assert_allclose(e.V, m.V, atol=3e-3)
    np.testing.assert_allclose(e.Delta, m.Delta, atol=5e-3)


def test_coverage_formula():
    assert th.coverage_prediction([1.0, 0.0], 3) == 0.5
    np.testing.assert_allclose(th.coverage_prediction([0.5], 2), 0.75)


def test_stable_rank_is_double_argsort():
    """The sort-free rank equals the stable argsort(argsort(·)) it replaces, ties included."""
    rng = np.random.default_rng(0)
    s = rng.integers(0, 4, (200, 10)).astype(np.float32)  # many ties
    s[:, ::3] = 2.0  # the non-wildcard score
    want = np.argsort(np.argsort(s, axis=1, kind="stable"), axis=1, kind="stable")
    np.testing.assert_array_equal(dm.stable_rank(jnp.asarray(s)), want)


def _np_forward(W1, W2, tokens, E, mags, act, bn, out_nl):
    """Hand-written NumPy §5 forward of each view separately: x = E[:, t]·mags[t], y = h(W1[k]x_k), BN over B, z = W2ŷ."""
    h = {"relu": lambda v: np.maximum(v, 0), "linear": lambda v: v, "quadratic": lambda v: v**2}[act]
    out = []
    for tok in tokens:  # one view at a time
        x = E.T[tok] * mags[tok][..., None]  # (B, K, d)
        y = np.concatenate([h(x[:, k] @ W1[k].T) for k in range(W1.shape[0])], axis=1)
        if bn:
            y = (y - y.mean(0)) / np.sqrt(y.var(0) + 1e-5)
        z = y @ W2.T
        out.append(h(z) if out_nl else z)
    return np.stack(out)


@pytest.mark.parametrize("act,bn,out_nl", [("relu", True, False), ("linear", False, False), ("quadratic", True, True)])
def test_two_layer_tokens_matches_numpy(act, bn, out_nl):
    """The table look-up forward (both views at once, BN per view) equals the one-hot/embedding forward of spec §5."""
    T, K, d, B, out_d = 8, 4, 6, 16, 5
    p = mm.init_two_layer(jax.random.key(0), K, 3, d, out_d)
    E = dm.embedding(jax.random.key(1), T, d)  # random unit columns (d ≠ T)
    mags = dm.magnitudes(T, 2.0)
    tokens = jax.random.randint(jax.random.key(2), (2, B, K), 0, T)
    z = mm.two_layer_tokens(p, tokens, E, mags, act, bn=bn, output_nonlinearity=out_nl)
    want = _np_forward(*(np.asarray(a, np.float64) for a in (p["W1"], p["W2"])), np.asarray(tokens),
                       np.asarray(E, np.float64), np.asarray(mags, np.float64), act, bn, out_nl)
    np.testing.assert_allclose(z, want, rtol=2e-4, atol=2e-4)
    # and it agrees with two_layer on embedded inputs, view by view
    for v in range(2):
        x = dm.embed(tokens[v], E, mags)
        np.testing.assert_allclose(z[v], mm.two_layer(p, x, act, bn=bn, output_nonlinearity=out_nl), rtol=1e-4, atol=1e-5)


SMALL = ["data.num_tokens=8", "data.num_tokens_per_pos=2", "data.pattern_cnt=6", "data.num_loc=4",
         "data.pattern_len=2", "data.aug_degree=2", "model.beta=1", "model.output_d=6", "train.batch_size=16",
         "train.steps=1", "train.log_every=1", "seed=1"]


def _one_update(*overrides):
    from sslab.papers.tian2022.experiment import EXPERIMENT
    from sslab.engine import train

    cfg = EXPERIMENT.plan(SMALL + list(overrides)).points()[0]
    params, _ = train(jax.random.key(cfg.seed), cfg, EXPERIMENT.problem(cfg))
    return {k: np.asarray(v, np.float64) for k, v in params.items()}


def test_per_layer_normalize_and_shared_low_layer_after_update():
    """After an update (same init and batch): per_layer_normalize divides W1 by max_k‖W1[k]‖_F and W2 by ‖W2‖_F;
    shared_low_layer sets every W1[k] to the mean over k (spec §5 Optimiser, NumPy reference)."""
    plain = _one_update()
    W1, W2 = plain["W1"], plain["W2"]
    assert np.ptp(np.linalg.norm(W1.reshape(len(W1), -1), axis=1)) > 1e-3  # the switches have work to do

    pln = _one_update("model.per_layer_normalize=true")
    np.testing.assert_allclose(pln["W1"], W1 / max(np.linalg.norm(W1[k]) for k in range(len(W1))), rtol=1e-5)
    np.testing.assert_allclose(pln["W2"], W2 / np.linalg.norm(W2), rtol=1e-5)

    shared = _one_update("model.shared_low_layer=true")
    np.testing.assert_allclose(shared["W1"], np.broadcast_to(W1.mean(0), W1.shape), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(shared["W2"], W2, rtol=1e-6)
