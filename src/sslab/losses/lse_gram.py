"""InfoNCE on a Gram matrix, (1/B) Σ_i [log Σ_j exp(u_i · v_j) − u_i · v_i], with its gradient fused in.

InfoNCE and CLIP with in-batch negatives (spec bansal2024 §2) spend their step on the B × B similarity
matrix S = U Vᵀ: an exponential per entry. Written plainly, autodiff takes one exponential per entry
forward and a second backward (the softmax), and XLA on CPU makes several passes over whole B × B arrays
(1 MB per lane at B = 512), bound by cache bandwidth that the two cores of a small machine share. Here the
rows are taken in chunks of about 128, so each b × B block stays in the core's cache, and one pass forms
each entry's exponential once and uses it for both the value and the gradient:

    ℓ_i = (m_i − S_ii) + log s_i,   m_i = max_j S_ij,   s_i = Σ_j exp(S_ij − m_i),   P_ij = exp(S_ij − m_i)/s_i
    ∂/∂u_i = (1/B) (Σ_j P_ij v_j − v_i)          (P V)
    ∂/∂v_j = (1/B) (Σ_i P_ij u_i − u_j)          (Pᵀ U, formed as (Uᵀ P)ᵀ, the fast order on XLA CPU)

The output is a scalar, so the backward pass only scales the stored (B × r) gradients by its cotangent.
Same value and gradient as ``jnp.mean(jax.nn.logsumexp(S, axis=1) − jnp.diag(S))`` up to float rounding
(tests compare both). CLIP's column term is the same function of Sᵀ = V Uᵀ, with the same diagonal.
Reverse mode only (``jax.custom_vjp``): fine for training, not for ``jax.jvp``/Hessians.
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
def infonce_gram(u: jax.Array, v: jax.Array) -> jax.Array:
    """(1/B) Σ_i [log Σ_j exp(u_i · v_j) − u_i · v_i] for u, v of shape (B, r): a scalar (row i's target is j = i)."""
    return _forward(u, v)[0]


def _forward(u: jax.Array, v: jax.Array):
    B, r = u.shape
    b = chunk_rows(B)

    def one(acc, xs):
        uk, vk = xs
        S = uk @ v.T
        m = S.max(axis=1, keepdims=True)
        E = jnp.exp(S - m)
        s = E.sum(axis=1, keepdims=True)  # P = E/s: the row scaling is applied to the b × r factors, not to E
        # m_i − S_ii before adding log s_i: exact cancellation of the common scale of row i
        loss = (m[:, 0] - jnp.sum(uk * vk, axis=1)) + jnp.log(s[:, 0])
        return acc + jnp.einsum("ir,ij->rj", uk / s, E), (loss, (E @ v) / s)

    acc0 = jnp.zeros((r, B), u.dtype)
    acc, (loss, Pv) = jax.lax.scan(one, acc0, (u.reshape(B // b, b, r), v.reshape(B // b, b, r)))
    du = (Pv.reshape(B, r) - v) / B
    dv = (acc.T - u) / B
    return jnp.mean(loss), (du, dv)


def _backward(res, g: jax.Array):
    du, dv = res
    return g * du, g * dv


infonce_gram.defvjp(_forward, _backward)
