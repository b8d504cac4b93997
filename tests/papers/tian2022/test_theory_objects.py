"""Tian 2023 public theory objects (Paper.theory): what the claims measure, checked against independent
computations and the spec's criteria; reachable from `sslab theory`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from sslab.cli import app
from sslab.papers.tian2022 import PAPER
from sslab.papers.tian2022 import theory as th

runner = CliRunner()


def test_paper_declares_theory_objects():
    assert {"gradient_identity", "kernel_identity", "uniform_alpha_variance", "shared_cluster_data", "fixed_points",
            "linear_two_layer", "global_modulation", "modulation_preference"} <= set(PAPER.theory)


def test_projected_ascent_step_is_the_spec_update():
    """One vectorised step equals w ← normalise(w + 0.5(I − wwᵀ)A(w)w) with A(w) = C_α[x̃_w]/(2N) formed explicitly."""
    D = th.shared_cluster_data(N=500)
    W0 = np.random.default_rng(3).normal(size=(4, 10))
    for act in ("relu", "linear", "leakyrelu"):
        got = th.projected_ascent(W0, D["x1"], D["x2"], act, steps=1)
        for w0, g in zip(W0, got):
            w = w0 / np.linalg.norm(w0)
            A = th.A_of(w, D["x1"], D["x2"], act)
            Aw = A @ w
            want = w + 0.5 * (Aw - w * (w @ Aw))
            np.testing.assert_allclose(g, want / np.linalg.norm(want), rtol=1e-10, atol=1e-12)


def test_fixed_points_relu_one_per_cluster_linear_one_pattern():
    """Spec §2 / C5 on the theory object: ReLU ends at ≥ L distinct fixed points (residual < 1e-3), each finding a
    centre, all L centres found; linear ends at ±(top eigenvector of A) from every initialisation."""
    relu = th.fixed_points(activation="relu", n_init=40)
    L = relu["centres"].shape[0]
    assert relu["n_optima"] >= L and relu["n_centres"] == L
    assert all(o["residual"] < 1e-3 and o["finds"].any() for o in relu["optima"])
    assert sum(o["basin"] for o in relu["optima"]) + relu["dead"] == 40
    lin = th.fixed_points(activation="linear", n_init=20)
    assert lin["n_optima"] == 1 and lin["optima"][0]["top_eigenvector"] and lin["optima"][0]["basin"] == 20


def test_global_modulation_matches_an_independent_eigendecomposition():
    g = th.global_modulation(draw=0, N=20_000)
    V = np.diag(g["d"]) + g["p0"] * g["p1"] * np.outer(g["b"], g["b"])
    w, U = np.linalg.eigh(V)
    assert abs(g["lam"] - w[-1]) / w[-1] < 1e-9
    assert min(np.linalg.norm(g["s"] - U[:, -1]), np.linalg.norm(g["s"] + U[:, -1])) < 1e-9
    assert g["closed_form_err"] <= 1e-9 and g["min_delta"] >= -1e-12 and g["sin"] <= g["davis_kahan"]
    f = th.global_modulation(draw=40, N=20_000, fixed_W=1)
    np.testing.assert_array_equal(f["W"], th.FIXED_W)


def test_identities_and_linear_two_layer():
    assert th.gradient_identity()["grad_rel_err"] < 1e-6
    assert th.kernel_identity()["kernel_rel_err"] < 1e-10
    t = th.linear_two_layer()
    assert t["min_grad_cos_linear"] > 1 - 1e-8 and t["rot_rel_change"] < 1e-10 and t["min_grad_cos_relu"] < 0.99


def test_uniform_alpha_variance_shrinks_with_N():
    """The spec's C3 rate, on the theory object: the error at N = 10⁵ is below the error at N = 10⁴ (same draw)."""
    small = th.uniform_alpha_variance(N=10_000, draw=0)
    big = th.uniform_alpha_variance(N=100_000, draw=0)
    assert big["var_rel_err"] < small["var_rel_err"] and big["var_rel_err"] < 0.05


@pytest.mark.parametrize("name, args, key", [("global_modulation", ["draw=3"], "closed_form_err"),
                                              ("fixed_points", ["activation=relu", "n_init=8"], "n_optima")])
def test_theory_cli(name, args, key):
    r = runner.invoke(app, ["theory", "tian2022"])
    assert r.exit_code == 0 and f"tian2022.{name}" in r.output
    r = runner.invoke(app, ["theory", f"tian2022.{name}", *args, "--json"])
    assert r.exit_code == 0, r.output
    assert key in json.loads(r.output)[0]["value"]
