"""`sslab run compose ...`, `sslab list keys compose`, and the notebook API on a composed run."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

import sslab
from sslab.cli import app
from sslab.losses.zoo import VIEW_LOSSES

runner = CliRunner()


def test_list_keys_compose_shows_sections_and_loss_hyper_parameters():
    r = runner.invoke(app, ["list", "keys", "compose"])
    assert r.exit_code == 0, r.output
    for key in ("data.tau", "model.r", "model.predictor", "loss.tau", "train.batch_size"):
        assert key in r.output
    out = " ".join(r.output.split())
    assert "data=NAME swaps the data section; choices: bansal2024, tian2022, wenli2021, yang2024" in out
    assert "symrelu" in out and all(name in out for name in VIEW_LOSSES.names())


def test_rejected_combination_is_one_line_and_writes_nothing(tmp_path):
    r = runner.invoke(app, ["run", "compose", "data=yang2024", "model=tian_rf", "--runs", str(tmp_path)])
    assert r.exit_code == 2, r.output
    lines = [line for line in r.output.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "model=tian_rf" in lines[0], r.output
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


def test_run_compose_wenli_symrelu_vicreg_and_the_results_api(tmp_path):
    loss = "vicreg" if "vicreg" in VIEW_LOSSES else "infonce"
    args = ["data=wenli2021", f"loss={loss}", "model=symrelu", "data.d=4", "train.steps=6", "train.log_every=3",
            "train.batch_size=16", "seed=0:2"]
    r = runner.invoke(app, ["run", "compose", *args, "--runs", str(tmp_path)])
    assert r.exit_code == 0, r.output
    (run_dir,) = list(tmp_path.iterdir())
    assert (run_dir / "figures" / "compose_curves.png").exists()
    res = sslab.load(run_dir.name, tmp_path)
    # summary(): mean and std over seeds at the last step, recomputed here from the tidy records
    s = res.summary().set_index("metric")
    df = res.records
    rec = df[(df.metric == "recovery") & (df.step == 6)].value.to_numpy()
    assert s.loc["recovery", "mean"] == pytest.approx(rec.mean())
    assert s.loc["recovery", "std"] == pytest.approx(rec.std(ddof=1))
    assert s.loc["recovery", "n"] == 2
    # plot(): one panel per metric, one line per setting with a seed band
    fig = res.plot(["recovery", "loss"], path=tmp_path / "curves.png")
    assert len(fig.axes) == 2 and (tmp_path / "curves.png").exists()
    with pytest.raises(KeyError, match="not in run"):
        res.plot("nope")
    # figure(): regenerate the experiment's own figures
    (run_dir / "figures" / "compose_curves.png").unlink()
    assert [p.endswith("compose_curves.png") for p in res.figure()] == [True]
    assert (run_dir / "figures" / "compose_curves.png").exists()
