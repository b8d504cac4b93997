"""Zero rows (a soft-thresholded embedding switched off) keep every zoo loss finite, value and gradient."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from sslab.losses.normalize import cosine, l2_normalize, safe_norm
from sslab.losses.zoo import VIEW_LOSSES


def test_safe_norm_equals_norm_away_from_zero():
    z = np.random.default_rng(0).normal(size=(7, 5))
    np.testing.assert_allclose(safe_norm(jnp.asarray(z)), np.linalg.norm(z, axis=-1), rtol=1e-5)
    np.testing.assert_allclose(l2_normalize(jnp.asarray(z)), z / np.linalg.norm(z, axis=-1, keepdims=True), rtol=1e-5)
    a, b = z[:3], z[3:6]
    ref = [a[i] @ b[i] / (np.linalg.norm(a[i]) * np.linalg.norm(b[i])) for i in range(3)]
    np.testing.assert_allclose(cosine(jnp.asarray(a), jnp.asarray(b)), ref, rtol=1e-5)


def test_zero_row_normalises_to_zero_with_zero_gradient():
    z = jnp.zeros((2, 3))
    assert jnp.all(l2_normalize(z) == 0)
    g = jax.grad(lambda x: jnp.sum(l2_normalize(x) @ jnp.ones(3)))(z)
    assert jnp.all(jnp.isfinite(g))


@pytest.mark.parametrize("name", VIEW_LOSSES.names())
def test_zoo_loss_finite_with_a_zero_row(name):
    loss = VIEW_LOSSES[name]
    rng = np.random.default_rng(1)
    z1, z2 = (jnp.asarray(rng.normal(size=(6, 4)), jnp.float32) for _ in range(2))
    z1 = z1.at[2].set(0.0)  # one embedding switched off entirely

    def f(a):
        return loss(a, z2, a, z2) if loss.needs_predictor else loss(a, z2)

    assert jnp.isfinite(f(z1))
    assert jnp.all(jnp.isfinite(jax.grad(f)(z1)))
