"""Measured quantities of stored runs (spec simon2023 §6), in float64 NumPy/pandas: trajectories per lane, step
times, step interference and the final subspace distance. Predictions live in :mod:`.theory`, never here."""

from __future__ import annotations

import numpy as np
import pandas as pd


def trajectories(records: pd.DataFrame, prefix: str, d: int) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """{lane: (steps, values)} of the metrics ``prefix1..prefixd`` (values shape (len(steps), d))."""
    names = [f"{prefix}{j + 1}" for j in range(d)]
    df = records[records.metric.isin(names)]
    out = {}
    for lane, g in df.groupby("lane"):
        wide = g.pivot_table(index="step", columns="metric", values="value").sort_index()
        out[int(lane)] = (wide.index.to_numpy(float), wide[names].to_numpy(float))
    return out


def series(records: pd.DataFrame, metric: str) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """{lane: (steps, values)} of one scalar metric."""
    df = records[records.metric == metric].sort_values("step")
    return {int(lane): (g.step.to_numpy(float), g.value.to_numpy(float)) for lane, g in df.groupby("lane")}


def lane_table(records: pd.DataFrame) -> pd.DataFrame:
    """One row per lane: seed and the swept axis columns."""
    cols = [c for c in records.columns if c not in ("run", "experiment", "step", "metric", "value")]
    return records[cols].drop_duplicates("lane").set_index("lane").sort_index()


def crossing_time(t: np.ndarray, y: np.ndarray, level: float) -> float:
    """The first t where y reaches ``level``, linear between logged points; 0 if y(0) ≥ level; NaN if never."""
    y = np.asarray(y, float)
    if y[0] >= level:
        return 0.0
    hit = np.nonzero(y >= level)[0]
    if hit.size == 0:
        return float("nan")
    i = hit[0]
    return float(t[i - 1] + (level - y[i - 1]) * (t[i] - t[i - 1]) / (y[i] - y[i - 1]))


def step_times(t: np.ndarray, lam: np.ndarray, level: float = 0.5) -> np.ndarray:
    """t_j: when the j-th eigenvalue (column j of ``lam``) first reaches ``level`` (spec §6)."""
    return np.array([crossing_time(t, lam[:, j], level) for j in range(lam.shape[1])])


def interference(t: np.ndarray, lam: np.ndarray) -> float:
    """I = max_j λ_{j+1}(t_j), t_j the time λ_j reaches 1/2, λ_{j+1} interpolated there (spec §6)."""
    tj = step_times(t, lam)
    vals = [np.interp(tj[j], t, lam[:, j + 1]) for j in range(lam.shape[1] - 1) if np.isfinite(tj[j])]
    return float(max(vals)) if vals else float("nan")


def subspace_distance(W: np.ndarray, V: np.ndarray, d: int) -> float:
    """sin θ_max between the row space of W and span(v_1..v_d): ‖(I − V_dV_dᵀ) Q_W‖₂, Q_W from a QR (spec §6)."""
    Q, _ = np.linalg.qr(np.asarray(W, float).T)
    Vd = V[:, :d]
    return float(np.linalg.norm(Q - Vd @ (Vd.T @ Q), 2))


def gram_error(W: np.ndarray, target: np.ndarray) -> float:
    """‖WᵀW − G*‖_F / ‖G*‖_F: the final representation against the closed form up to a rotation U (spec §6)."""
    W = np.asarray(W, float)
    return float(np.linalg.norm(W.T @ W - target) / np.linalg.norm(target))


def mean_ci(values) -> tuple[float, float]:
    """Mean and half-width of the two-sided 95% Student-t interval over seeds (ddof = 1)."""
    from scipy import stats

    v = np.asarray(list(values), float)
    v = v[np.isfinite(v)]
    if v.size < 2:
        return (float(v.mean()) if v.size else float("nan")), float("nan")
    return float(v.mean()), float(stats.t.ppf(0.975, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size))
