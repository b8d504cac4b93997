"""Tian 2023 models: the 1-layer homogeneous node (spec tian2022 §2) and the per-RF 2-layer net (§5 Model)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

ACTIVATIONS = ("relu", "linear", "leakyrelu", "sigmoid", "quadratic")


def activation(name: str):
    """h of spec §5 Model step 2 (LeakyReLU slope 0.05); ReLU has h'(0) = 0."""
    return {"relu": jax.nn.relu, "linear": lambda x: x,
            "leakyrelu": lambda x: jnp.where(x > 0, x, 0.05 * x),
            "sigmoid": jax.nn.sigmoid, "quadratic": lambda x: x**2}[name]


def gated_input(w: jax.Array, x: jax.Array, act: str) -> jax.Array:
    """x̃_w = h'(wᵀx) x for homogeneous h (linear, relu, leakyrelu), row-wise (spec §2)."""
    pre = x @ w
    slope = {"linear": jnp.ones_like(pre), "relu": (pre > 0).astype(x.dtype),
             "leakyrelu": jnp.where(pre > 0, 1.0, 0.05).astype(x.dtype)}[act]
    return slope[:, None] * x


def node(w: jax.Array, x: jax.Array, act: str) -> jax.Array:
    """f = h(wᵀx), one homogeneous node (spec §2)."""
    return activation(act)(x @ w)


def init_two_layer(key: jax.Array, K: int, multi: int, d: int, output_d: int, dtype=jnp.float32) -> dict:
    """W1 [K, multi, d] ~ U(±1/√d), W2 [output_d, K·multi] ~ U(±1/√(K·multi)) (spec §5 Model step 6)."""
    k1, k2 = jax.random.split(key)
    b1, b2 = 1.0 / jnp.sqrt(d), 1.0 / jnp.sqrt(K * multi)
    W1 = jax.random.uniform(k1, (K * multi * d,), dtype, -b1, b1).reshape(K, multi, d)
    W2 = jax.random.uniform(k2, (output_d * K * multi,), dtype, -b2, b2).reshape(output_d, K * multi)
    return {"W1": W1, "W2": W2}


def batch_norm_ext(y: jax.Array, backprop_mean: bool = True, backprop_var: bool = False) -> jax.Array:
    """ŷ = (y − μ)/√(σ² + 1e-5) per column over the rows (axis −2), biased σ², no affine; switches stop μ, σ² (spec §5 step 4)."""
    mu = jnp.mean(y, axis=-2, keepdims=True)
    var = jnp.mean((y - mu) ** 2, axis=-2, keepdims=True)
    if not backprop_mean:
        mu = jax.lax.stop_gradient(mu)
        var = jnp.mean((y - mu) ** 2, axis=-2, keepdims=True)
    if not backprop_var:
        var = jax.lax.stop_gradient(var)
    return (y - mu) * jax.lax.rsqrt(var + 1e-5)  # one rsqrt per column, not a division per entry


def two_layer(params: dict, x: jax.Array, act: str = "relu", bn: bool = True, backprop_mean: bool = True,
              backprop_var: bool = False, output_nonlinearity: bool = False) -> jax.Array:
    """z = W2 BN(h(W1[k] x_k)) with RF-major columns k·multi + r; x: (B, K, d) (spec §5 Model steps 1–5)."""
    h = activation(act)
    y = h(jnp.einsum("krd,bkd->bkr", params["W1"], x)).reshape(x.shape[0], -1)
    if bn:
        y = batch_norm_ext(y, backprop_mean, backprop_var)
    z = y @ params["W2"].T
    return h(z) if output_nonlinearity else z


def first_layer_table(W1: jax.Array, E: jax.Array, mags: jax.Array) -> jax.Array:
    """A[k, t, r] = (W1[k] E)[r, t]·mags[t]: W1[k] x_k for token t, since x_k = E[:, t]·mags[t] (spec §5 step 4)."""
    return jnp.einsum("krd,dt->ktr", W1, E * mags[None, :])


def two_layer_tokens(params: dict, tokens: jax.Array, E: jax.Array, mags: jax.Array, act: str = "relu",
                     bn: bool = True, backprop_mean: bool = True, backprop_var: bool = False,
                     output_nonlinearity: bool = False) -> jax.Array:
    """two_layer on token ids (..., B, K) by table look-up; BN statistics over B per leading index (spec §5 steps 1–5)."""
    A = first_layer_table(params["W1"], E, mags)
    K = tokens.shape[-1]
    pre = A[jnp.arange(K), tokens]  # (..., B, K, multi): W1[k] x_k
    y = activation(act)(pre).reshape(*tokens.shape[:-1], -1)
    if bn:
        y = batch_norm_ext(y, backprop_mean, backprop_var)
    z = y @ params["W2"].T
    return activation(act)(z) if output_nonlinearity else z
