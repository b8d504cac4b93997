"""Row log-sum-exp of a Gram matrix, lse_i = log Σ_j exp(u_i · v_j), in row chunks (the InfoNCE/CLIP kernel).

InfoNCE and CLIP with in-batch negatives (spec bansal2024 §2) spend their step on the B × B similarity
matrix S = U Vᵀ: an exponential per entry forward and backward. Written plainly, XLA on CPU makes several
passes over whole B × B arrays (1 MB per lane at B = 512, more with lanes batched), which is bound by cache
bandwidth; two processes sharing a 2-core machine then slow each other down about 2×. Here the rows are taken
in chunks of about 128, so each chunk's b × B block stays in the core's cache, and the backward pass
recomputes the chunk's softmax P = exp(S − lse) from the stored lse instead of keeping S:

    ∂lse_i/∂u_i = Σ_j P_ij v_j          (P V)
    ∂lse_i/∂v_j = P_ij u_i              (summed over i: Pᵀ U, formed as (Uᵀ P)ᵀ, the fast order on XLA CPU)

Same values as ``jax.nn.logsumexp(U @ V.T, axis=1)`` up to float rounding (a test compares values and
gradients). Reverse mode only (``jax.custom_vjp``): fine for training, not for ``jax.jvp``/Hessians.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

CHUNK = 128  # rows per chunk: 128 × 512 float32 = 256 KB, inside a core's L2


def chunk_rows(B: int, target: int = CHUNK) -> int:
    """Rows per chunk: the largest divisor of B that is ≤ target (B itself when B ≤ target or no divisor ≥ 16)."""
    if B <= target:
        return B
    b = max(d for d in range(1, target + 1) if B % d == 0)
    return b if b >= 16 else B


@jax.custom_vjp
def row_lse_gram(u: jax.Array, v: jax.Array) -> jax.Array:
    """lse_i = log Σ_j exp(u_i · v_j) for u (B, r), v (B', r); returns shape (B,)."""
    return _forward(u, v)[0]


def _chunks(u: jax.Array) -> tuple[int, int]:
    b = chunk_rows(u.shape[0])
    return u.shape[0] // b, b


def _forward(u: jax.Array, v: jax.Array):
    C, b = _chunks(u)

    def one(_, uk):
        return None, jax.nn.logsumexp(uk @ v.T, axis=1)

    lse = jax.lax.scan(one, None, u.reshape(C, b, u.shape[1]))[1].reshape(u.shape[0])
    return lse, (lse, u, v)


def _chunked_grads(u: jax.Array, v: jax.Array, weights, xs: tuple) -> tuple[jax.Array, jax.Array]:
    """(G V, Gᵀ U) for the cotangent G of S = U Vᵀ, built chunk by chunk: ``weights(S_k, *xs_k)`` gives G's rows."""
    C, b = _chunks(u)

    def one(acc, xk):
        uk, rest = xk[0], xk[1:]
        G = weights(uk @ v.T, *rest)
        return acc + jnp.einsum("ir,ij->rj", uk, G), G @ v

    acc0 = jnp.zeros((u.shape[1], v.shape[0]), u.dtype)
    acc, du = jax.lax.scan(one, acc0, (u.reshape(C, b, u.shape[1]), *(x.reshape(C, b) for x in xs)))
    return du.reshape(u.shape), acc.T


def _backward(res, g: jax.Array):
    lse, u, v = res
    # g-weighted softmax rows P = exp(S − lse)
    return _chunked_grads(u, v, lambda S, lk, gk: jnp.exp(S - lk[:, None]) * gk[:, None], (lse, g))


row_lse_gram.defvjp(_forward, _backward)


@jax.custom_vjp
def both_lse_gram(u: jax.Array, v: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Row and column log-sum-exp of S = U Vᵀ (u, v of shape (B, r)) from one chunked pass over S (CLIP).

    Columns are accumulated online over the row chunks (running maximum and rescaled sum, as in streaming
    softmax), so S is formed once forward and once backward instead of twice each.
    """
    return _both_forward(u, v)[0]


def _both_forward(u: jax.Array, v: jax.Array):
    C, b = _chunks(u)
    B2 = v.shape[0]

    def one(carry, uk):
        cmax, csum = carry
        S = uk @ v.T
        new = jnp.maximum(cmax, S.max(axis=0))
        csum = csum * jnp.exp(cmax - new) + jnp.exp(S - new[None, :]).sum(axis=0)
        return (new, csum), jax.nn.logsumexp(S, axis=1)

    init = (jnp.full((B2,), -jnp.inf, u.dtype), jnp.zeros((B2,), u.dtype))
    (cmax, csum), rows = jax.lax.scan(one, init, u.reshape(C, b, u.shape[1]))
    rows, cols = rows.reshape(u.shape[0]), cmax + jnp.log(csum)
    return (rows, cols), (rows, cols, u, v)


def _both_backward(res, g):
    rows, cols, u, v = res
    g_rows, g_cols = g

    def weights(S, rk, gk):  # row softmax weighted by g_rows plus column softmax weighted by g_cols
        return jnp.exp(S - rk[:, None]) * gk[:, None] + jnp.exp(S - cols[None, :]) * g_cols[None, :]

    return _chunked_grads(u, v, weights, (rows, g_rows))


both_lse_gram.defvjp(_both_forward, _both_backward)
