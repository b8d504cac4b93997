"""Bansal et al. 2024 public theory objects (Paper.theory): the per-seed Fisher subspace, closed forms and
baselines the claims measure, checked against the spec's statements and independent computations."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.linalg
from typer.testing import CliRunner

from sslab.cli import app
from sslab.papers.bansal2024 import PAPER
from sslab.papers.bansal2024 import data as dm
from sslab.papers.bansal2024 import metrics as met
from sslab.papers.bansal2024 import theory as th

runner = CliRunner()


def test_paper_declares_theory_objects():
    assert {"gmm", "fisher", "baselines", "closed_form", "sample_closed_form", "invariance", "downstream",
            "worked_example"} <= set(PAPER.theory)


def test_fisher_is_the_range_of_sigma_inverse_S_B():
    """§3: F = range(Σ⁻¹S_B), computed here from Σ⁻¹(μ_c − μ̄) directly."""
    g = th.gmm(seed=2)
    F = th.fisher(seed=2)
    direct = th.orth(np.linalg.solve(g["Sigma"], (g["mu"] - g["pi"] @ g["mu"]).T)[:, :3])
    assert met.sin_theta_max(F["U_F"], direct) < 1e-8
    assert g["rank_S_B"] == 3 and g["mean_pairwise_mahalanobis"] == pytest.approx(3.0, rel=1e-12)
    w = scipy.linalg.eigh(g["S_B"], g["Sigma"], eigvals_only=True)
    np.testing.assert_allclose(F["generalized_eigenvalues"], np.sort(w)[::-1][:3], rtol=1e-10)


@pytest.mark.parametrize("delta", [0.0, 0.5, 0.9])
def test_population_closed_form_equals_F_with_the_predicted_eigenvalues(delta):
    """§4: Mv = λCv ⇔ S_Bv = λ/(1 − δ − λ)Σv, so the closed form is F and λ_M = (1 − δ)λ/(1 + λ)."""
    cf = th.closed_form(seed=1, delta=delta)
    lam = th.fisher(seed=1)["generalized_eigenvalues"]
    assert cf["sin_theta_max"] <= 1e-8
    np.testing.assert_allclose(cf["eigenvalues"], (1 - delta) * lam / (1 + lam), rtol=1e-9)


def test_baselines_at_kappa_1_recover_F():
    """Spec claim 2 sanity: at κ = 1 (Σ = I) PCA and the mean span are F (< 0.05), the closed form exactly."""
    e = th.baselines(seed=0, kappa=1.0)["sin_theta_max"]
    assert e["PCA"] < 0.05 and e["mean span"] < 0.05 and e["closed form"] < 1e-8 and e["random"] > 0.5


def test_sample_closed_form_uses_the_run_pairs_and_improves_with_n():
    """The fixed-dataset estimators are computed on the same n pairs a fixed-dataset run trains on (§4), and
    the closed form's error falls with n (about 1/√n: 64× the pairs)."""
    small, big = th.sample_closed_form(seed=0, n=2000), th.sample_closed_form(seed=0, n=128_000)
    s = dm.fixed_dataset(0, dm.BansalData(mode="fixed", n=2000))
    M, C = th.empirical_alignment_matrices(s["x"], s["xp"])
    np.testing.assert_allclose(small["subspaces"]["closed form"], th.whitened_alignment(M, C, 3))
    assert big["sin_theta_max"]["closed form"] < small["sin_theta_max"]["closed form"]
    assert big["sin_theta_max"]["LDA"] < small["sin_theta_max"]["LDA"]


def test_invariance_object():
    inv = th.invariance(seed=0)
    assert inv["cond_T"] <= 10 and inv["identity_rel_err"] < 1e-10 and inv["fisher_map_err"] < 1e-8


def test_theory_cli_sweeps_seeds():
    r = runner.invoke(app, ["theory", "bansal2024"])
    assert r.exit_code == 0 and "bansal2024.sample_closed_form" in r.output
    r = runner.invoke(app, ["theory", "bansal2024.closed_form", "seed=0,1", "delta=0.5", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert [o["params"]["seed"] for o in out] == [0, 1] and all(o["value"]["sin_theta_max"] <= 1e-8 for o in out)
    r = runner.invoke(app, ["theory", "bansal2024.worked_example", "s2=1", "c=0.9", "--json"])
    assert r.exit_code == 0 and round(json.loads(r.output)[0]["value"]["angle_pc1_fisher"], 1) == 72.5
