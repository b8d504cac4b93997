"""Closed form: m_t = x̄ + (m₀ − x̄)(1 − η)^t for GD with step η on L(m) = (1/2n) Σ (m − x_i)²."""

import numpy as np


def trajectory(m0: float, xbar: float, lr: float, steps) -> np.ndarray:
    return xbar + (m0 - xbar) * (1.0 - lr) ** np.asarray(steps, float)
