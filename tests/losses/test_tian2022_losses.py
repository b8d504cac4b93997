"""Tian 2023 α-CL losses: loop references, the gradient identity (C1) and the kernel identity (C2)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from sslab.losses import alpha_cl as acl
from sslab.losses.infonce_tian import infonce_tian


def _views(N=12, d=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(N, d)), rng.normal(size=(N, d))


def loop_loss(f1, f2, tau):
    """L = Σ_i log(1 + Σ_{j≠i} exp((d²_i − d²_ij)/τ)), written as loops."""
    N, total = len(f1), 0.0
    for i in range(N):
        di = 0.5 * np.sum((f1[i] - f2[i]) ** 2)
        xi = sum(np.exp((di - 0.5 * np.sum((f1[i] - f1[j]) ** 2)) / tau) for j in range(N) if j != i)
        total += np.log1p(xi)
    return total


def loop_cov(a1, a2, alpha):
    N, p = a1.shape
    C = np.zeros((p, p))
    for i in range(N):
        for j in range(N):
            if i != j:
                C += alpha[i, j] * np.outer(a1[i] - a1[j], a1[i] - a1[j])
        C -= sum(alpha[i, j] for j in range(N) if j != i) * np.outer(a1[i] - a2[i], a1[i] - a2[i])
    return C


@pytest.fixture(autouse=True)
def x64():
    with jax.enable_x64(True):
        yield


@pytest.mark.parametrize("tau", [0.1, 0.5, 1.0])
@pytest.mark.parametrize("N,d", [(4, 2), (12, 5)])
def test_infonce_alpha_cl_vs_loop(tau, N, d):
    f1, f2 = _views(N, d)
    np.testing.assert_allclose(acl.infonce_alpha_cl(f1, f2, tau), loop_loss(f1, f2, tau), rtol=1e-10)
    phi, psi = (lambda x: jnp.log1p(x)), (lambda x: jnp.exp(x / tau))
    np.testing.assert_allclose(acl.alpha_cl_loss(f1, f2, phi, psi), loop_loss(f1, f2, tau), rtol=1e-10)


def test_unit_norm_infonce_is_minus_log_softmax():
    """With unit-norm f, Σ_i −log softmax_ii of M (M_ii = f1_i·f2_i) equals the α-CL InfoNCE (spec §1)."""
    f1, f2 = _views()
    f1, f2 = f1 / np.linalg.norm(f1, axis=1, keepdims=True), f2 / np.linalg.norm(f2, axis=1, keepdims=True)
    tau = 0.2
    np.testing.assert_allclose(len(f1) * infonce_tian(f1, f2, tau), acl.infonce_alpha_cl(f1, f2, tau), rtol=1e-10)


def test_alpha_is_softmax_and_rows_sum():
    f1, f2 = _views()
    tau = 0.3
    a = np.asarray(acl.infonce_alpha(f1, f2, tau))
    d2i = 0.5 * np.sum((f1 - f2) ** 2, 1)
    d2ij = 0.5 * np.sum((f1[:, None] - f1[None]) ** 2, -1)
    e = np.exp((d2i[:, None] - d2ij) / tau)
    np.fill_diagonal(e, 0.0)
    xi = e.sum(1)
    np.testing.assert_allclose(a, e / (1 + xi)[:, None], rtol=1e-10)
    np.testing.assert_allclose(a.sum(1), 1 - 1 / (1 + xi), rtol=1e-10)
    assert np.all(np.diag(a) == 0)


def test_contrastive_covariance_vs_loop_and_uniform():
    f1, f2 = _views(9, 3)
    alpha = np.random.default_rng(1).random((9, 9))
    np.testing.assert_allclose(acl.contrastive_covariance(f1, f2, alpha), loop_cov(f1, f2, alpha), rtol=1e-10)
    np.testing.assert_allclose(acl.contrastive_covariance_uniform(f1, f2),
                               loop_cov(f1, f2, np.full((9, 9), 1 / 9)), rtol=1e-10)
    np.testing.assert_allclose(acl.energy(f1, f2, alpha), 0.5 * np.trace(loop_cov(f1, f2, alpha)), rtol=1e-10)


@pytest.mark.parametrize("tau", [0.1, 1.0])
def test_gradient_identity_c1(tau):
    """∇ Σ log(1+ξ) = −(1/τ) ∇E_{sg(α)} for both views (spec §1, C1)."""
    f1, f2 = _views(32, 8, seed=3)
    gL = jax.grad(lambda a, b: acl.infonce_alpha_cl(a, b, tau), argnums=(0, 1))(f1, f2)
    gE = jax.grad(lambda a, b: -acl.energy_sg(a, b, tau) / tau, argnums=(0, 1))(f1, f2)
    for x, y in zip(gL, gE):
        np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-12)


def test_stop_gradient_matters():
    """Without sg(α) the energy gradient differs: the rule is not a plain gradient of E_α(θ)."""
    f1, f2 = _views(16, 4)
    g_sg = jax.grad(lambda a: acl.energy_sg(a, f2, 0.5))(f1)
    g_full = jax.grad(lambda a: acl.energy(a, f2, acl.infonce_alpha(a, f2, 0.5)))(f1)
    assert np.linalg.norm(g_sg - g_full) > 1e-3 * np.linalg.norm(g_sg)


def test_kernel_identity_c2():
    rng = np.random.default_rng(2)
    f, phis = rng.normal(size=(20, 4)), rng.random((3, 20))
    np.testing.assert_allclose(acl.negative_term(f, phis.T @ phis), acl.kernel_negative_term(f, phis), rtol=1e-10)


def loop_infonce_tian(z1, z2, tau, sim):
    n1 = z1 / np.linalg.norm(z1, axis=1, keepdims=True)
    n2 = z2 / np.linalg.norm(z2, axis=1, keepdims=True)
    B, total = len(z1), 0.0
    for i in range(B):
        row = []
        for j in range(B):
            if sim == "dotprod":
                m = n1[i] @ (n2[i] if i == j else n1[j])
            else:
                m = -0.5 * np.sum((n1[i] - (n2[i] if i == j else n1[j])) ** 2)
            row.append(m / tau)
        row = np.array(row)
        total += np.log(np.sum(np.exp(row - row.max()))) + row.max() - row[i]
    return total / B


class TestInfoNCETian:
    @pytest.mark.parametrize("sim", ["dotprod", "negdist"])
    @pytest.mark.parametrize("B,D,tau", [(4, 3, 0.1), (10, 6, 0.5)])
    def test_vs_loop(self, sim, B, D, tau):
        z1, z2 = _views(B, D)
        np.testing.assert_allclose(infonce_tian(z1, z2, tau, sim), loop_infonce_tian(z1, z2, tau, sim), rtol=1e-10)

    def test_closed_form_aligned(self):
        """Aligned positives, orthogonal negatives: log(1 + (B − 1)e^{−1/τ})."""
        B, tau = 5, 0.1
        z = np.eye(B)
        np.testing.assert_allclose(infonce_tian(z, z, tau), np.log(1 + (B - 1) * np.exp(-1 / tau)), rtol=1e-10)

    def test_quadratic(self):
        z1, z2 = _views(6, 3)
        n1 = z1 / np.linalg.norm(z1, axis=1, keepdims=True)
        n2 = z2 / np.linalg.norm(z2, axis=1, keepdims=True)
        M = n1 @ n1.T
        np.fill_diagonal(M, np.sum(n1 * n2, 1))
        want = -(1 + 1 / 6) * np.mean(np.diag(M)) / 0.1 + np.mean(M) / 0.1
        np.testing.assert_allclose(infonce_tian(z1, z2, 0.1, loss_type="quadratic"), want, rtol=1e-10)

    def test_no_proj_forward_equals_regular(self):
        z1, z2 = _views(6, 3)
        np.testing.assert_allclose(infonce_tian(z1, z2, l2_type="no_proj"), infonce_tian(z1, z2), rtol=1e-6)

    def test_errors(self):
        with pytest.raises(ValueError, match="valid choices"):
            infonce_tian(np.eye(3), np.eye(3), similarity="cos")
