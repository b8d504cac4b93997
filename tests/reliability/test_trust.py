"""Trustworthy results (issue 21): provenance in the run id, statistics by setting, pre-flight estimates,
fail-fast on hostile input, query safety, interrupted and damaged runs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import sslab
from sslab import provenance
from sslab.cli import app
from sslab.papers import experiment
from sslab.runner import PreflightError, preflight, run_plan
from sslab.store import RunStore, mean_std

runner = CliRunner()
SMALL = ["train.steps=40", "train.log_every=20"]


def one_line_error(r) -> str:
    lines = [line for line in r.output.strip().splitlines() if line.strip()]
    assert r.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error:"), r.output
    return lines[0]


# --- provenance -----------------------------------------------------------------------------------

def test_run_identity_includes_the_code_and_versions(tmp_path, monkeypatch):
    a = sslab.run("yang2024", ["seed=0:2", *SMALL], store=tmp_path, figures=False)
    cfg = json.loads((a.handle.path / "config.json").read_text())
    assert set(cfg["provenance"]) == {"sslab", "code", "jax", "jaxlib"} and len(cfg["provenance"]["code"]) == 16
    assert {"cpu", "isa", "device", "python"} <= set(cfg["machine"])
    assert sslab.run("yang2024", ["seed=0:2", *SMALL], store=tmp_path, figures=False).run_id == a.run_id
    monkeypatch.setattr(provenance, "code_hash", lambda exp: "0" * 16)  # as if the paper's code were edited
    b = sslab.run("yang2024", ["seed=0:2", *SMALL], store=tmp_path, figures=False)
    assert b.run_id != a.run_id and b.handle.path.is_dir()
    runs = RunStore(tmp_path).query("SELECT run_id, code, sslab, jax, cpu FROM runs ORDER BY code")
    assert len(runs) == 2 and runs.code.tolist()[0] == "0" * 16 and runs.cpu.notna().all()


def test_code_hash_covers_the_papers_own_files():
    yang, tian = experiment("yang2024"), experiment("tian2022")
    paths = [str(p) for p in provenance.code_paths(yang)]
    assert any(p.endswith("papers/yang2024") for p in paths) and not any(p.endswith("papers/tian2022") for p in paths)
    assert any(p.endswith("engine") for p in paths) and any(p.endswith("losses") for p in paths)
    assert provenance.code_hash(yang) != provenance.code_hash(tian)


def test_force_recomputes(tmp_path, monkeypatch):
    import sslab.runner as R
    exp = experiment("yang2024")
    plan = exp.plan(["seed=0:2", *SMALL])
    run_plan(exp, plan, store=tmp_path, figures=False)
    calls = []
    real = R._compute
    monkeypatch.setattr(R, "_compute", lambda *a, **k: calls.append(1) or real(*a, **k))
    run_plan(exp, plan, store=tmp_path, figures=False)
    assert calls == []  # stored: not recomputed
    res = run_plan(exp, plan, store=tmp_path, figures=False, force=True)
    assert calls == [1] and len(res.records.lane.unique()) == 2


# --- statistics by setting ------------------------------------------------------------------------

def test_summary_is_grouped_by_every_swept_setting(tmp_path):
    res = sslab.run("yang2024", ["data.tau=3,7", "seed=0:3", *SMALL], store=tmp_path, figures=False)
    s = res.handle.read_json("summary")
    assert s["axes"] == ["data.tau"] and "metrics" not in s  # never one pooled table across τ
    assert [g["setting"] for g in s["groups"]] == [{"data.tau": 3.0}, {"data.tau": 7.0}]
    w11 = res.records[(res.records.metric == "w11") & (res.records.step == 40)]
    for g in s["groups"]:
        v = w11[w11["data.tau"] == g["setting"]["data.tau"]].value
        assert g["lanes"] == 3 and g["metrics"]["w11"]["n"] == 3
        assert g["metrics"]["w11"]["mean"] == pytest.approx(v.mean())


def test_configs_view_has_every_resolved_field_of_every_lane(tmp_path):
    sslab.run("yang2024", ["data.tau=3,7", "seed=0:2", *SMALL], store=tmp_path, figures=False)
    sslab.run("yang2024", ["data.n=50", "seed=0:2", *SMALL], store=tmp_path, figures=False)
    store = RunStore(tmp_path)
    c = store.query('SELECT run, lane, seed, "data.n", "data.tau", "data.rho", "optim.lr" FROM configs ORDER BY run, lane')
    assert len(c) == 6 and c["data.n"].notna().all() and c["data.tau"].notna().all() and c["data.rho"].notna().all()
    assert sorted(c["data.n"].unique().tolist()) == [50, 100]
    # the README's query: group across runs by a setting that only one of them swept
    q = store.query('SELECT c."data.tau" AS tau, count(*) AS lanes FROM records r JOIN configs c USING (run, lane) '
                    "WHERE r.metric = 'w11' AND r.step = 40 GROUP BY 1 ORDER BY 1")
    assert q.tau.tolist() == [3.0, 7.0] and q.lanes.tolist() == [2, 4]  # τ = 7 is also the default of run two


def test_mean_std_counts_a_seed_once(tmp_path):
    a = sslab.run("yang2024", ["seed=0:3", *SMALL], store=tmp_path, figures=False, name="a")
    sslab.run("yang2024", ["seed=0:3", *SMALL], store=tmp_path, figures=False, name="b")  # the same lanes again
    recs = RunStore(tmp_path).query("SELECT * FROM records WHERE metric = 'w11'")
    stats = mean_std(recs, "w11")
    assert stats["count"].item() == 3
    assert stats["mean"].item() == pytest.approx(a.metric("w11").mean())
    sslab.run("yang2024", ["seed=0:3", "data.n=50", *SMALL], store=tmp_path, figures=False, name="c")
    recs = RunStore(tmp_path).query("SELECT * FROM records WHERE metric = 'w11'")
    with pytest.raises(ValueError, match="by= does not name"):
        mean_std(recs, "w11")  # n = 100 and n = 50 lanes share seeds: pooling would count each seed twice


# --- pre-flight -----------------------------------------------------------------------------------

def test_preflight_estimates_and_refuses_before_any_compute(tmp_path):
    exp = experiment("yang2024")
    pf = preflight(exp, exp.plan(["seed=0:40"]))
    assert pf.lanes == 40 and pf.blocks == 2 and pf.programs[0]["padded"] == 0 and pf.problem() is None
    small = sslab.run("yang2024", ["seed=0", *SMALL], store=tmp_path / "small", figures=False).records
    logged = small[small.metric != "diverged_at"].metric.nunique()  # the metrics and the loss a lane records
    assert pf.records == 40 * 4001 * logged
    with pytest.raises(PreflightError, match="train.lane_block=1"):
        sslab.run("yang2024", ["data.n=10000000", "seed=0"], store=tmp_path / "big")
    with pytest.raises(PreflightError, match="train.log_every"):
        sslab.run("yang2024", ["train.steps=1000000000", "seed=0"], store=tmp_path / "big")
    assert [p.name for p in tmp_path.iterdir()] == ["small"]


def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path):
    r = runner.invoke(app, ["run", "yang2024", "seed=0:3", *SMALL, "--dry-run", "--runs", str(tmp_path / "runs")])
    assert r.exit_code == 0, r.output
    assert "3 lane(s) in 1 block(s) of 1 compiled program(s)" in r.output and "ETA:" in r.output
    assert "estimated peak memory" in r.output and not (tmp_path / "runs").exists()
    r = runner.invoke(app, ["run", "yang2024", "data.n=10000000", "seed=0", "--dry-run"])
    assert r.exit_code == 0 and "would stop" in r.output
    r = runner.invoke(app, ["check", "yang2024", "--dry-run"])
    assert r.exit_code == 0 and "yang2024.C10" in r.output and "ETA about" in r.output


def test_a_million_seeds_plan_in_seconds_and_warn():
    exp = experiment("yang2024")
    plan = exp.plan(["seed=0:1000000"])  # validation checks one seed per setting: arithmetic, not a minute
    assert plan.size() == 1_000_000
    pf = preflight(exp, plan)
    assert pf.problem() and "records" in pf.problem()


# --- hostile input: one line, exit 2, nothing written ---------------------------------------------

def test_bad_runs_folders_and_outputs(tmp_path, monkeypatch):
    f = tmp_path / "file"
    f.write_text("x")
    assert "is a file" in one_line_error(runner.invoke(app, ["runs", "--runs", str(f)]))
    assert "is a file" in one_line_error(runner.invoke(app, ["run", "yang2024", "--runs", str(f)]))
    assert "no runs folder" in one_line_error(runner.invoke(app, ["runs", "--runs", str(tmp_path / "missing")]))
    monkeypatch.setenv("SSLAB_RUNS", str(tmp_path / "nowhere"))
    assert "$SSLAB_RUNS" in one_line_error(runner.invoke(app, ["runs"]))
    monkeypatch.delenv("SSLAB_RUNS")
    assert "cannot write" in one_line_error(runner.invoke(app, ["run", "yang2024", "--runs", "/proc/sslab-x"]))
    (tmp_path / "r").mkdir()
    r = runner.invoke(app, ["query", "SELECT 1 AS a", "--runs", str(tmp_path / "r"), "--csv", "/missing/dir/x.csv"])
    assert "does not exist" in one_line_error(r)
    import sslab.cli as cli
    monkeypatch.setattr(cli, "_writable", lambda folder: False)  # a read-only folder (root ignores chmod)
    assert "read-only" in one_line_error(runner.invoke(app, ["run", "yang2024", "--runs", str(tmp_path / "r")]))


def test_an_existing_name_with_another_config_is_refused(tmp_path):
    ok = runner.invoke(app, ["run", "yang2024", "seed=0", *SMALL, "--name", "mine", "--runs", str(tmp_path),
                             "--no-figures", "--no-report"])
    assert ok.exit_code == 0, ok.output
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    line = one_line_error(runner.invoke(app, ["run", "yang2024", "seed=1", *SMALL, "--name", "mine",
                                              "--runs", str(tmp_path)]))
    assert "already exists with a different config" in line
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before


def test_query_prints_data_verbatim(tmp_path):
    (tmp_path / "r").mkdir()
    r = runner.invoke(app, ["query", "SELECT '[bold red]x[/]' AS a, ':x:' AS b, '[ray]' AS c", "--runs",
                            str(tmp_path / "r")])
    assert r.exit_code == 0 and "[bold red]x[/]" in r.output and ":x:" in r.output and "[ray]" in r.output


# --- interrupted, damaged and diverged runs -------------------------------------------------------

def test_killed_run_shows_interrupted_and_resumes(tmp_path):
    res = sslab.run("yang2024", ["seed=0:2", *SMALL], store=tmp_path, figures=False)
    res.handle.set_status("running")  # as a SIGKILL leaves it: nobody holds its lock
    (row,) = RunStore(tmp_path).runs()
    assert row["status"] == "interrupted"
    r = runner.invoke(app, ["runs", "--runs", str(tmp_path)])
    assert "interrupted" in r.output
    again = sslab.run("yang2024", ["seed=0:2", *SMALL], store=tmp_path, figures=False)
    assert again.run_id == res.run_id and RunStore(tmp_path).runs()[0]["status"] == "done"


def test_a_damaged_part_is_recomputed_on_rerun(tmp_path):
    args = ["seed=0:4", "train.lane_block=2", *SMALL]
    res = sslab.run("yang2024", args, store=tmp_path, figures=False)
    want = res.records.sort_values(["lane", "step", "metric"]).value.to_numpy()
    part = sorted((res.handle.path / "records").glob("part-*.parquet"))[0]
    part.write_bytes(part.read_bytes()[:100])  # truncated
    again = sslab.run("yang2024", args, store=tmp_path, figures=False)
    got = again.records.sort_values(["lane", "step", "metric"]).value.to_numpy()
    assert again.records.lane.nunique() == 4 and np.array_equal(got, want)


def test_finite_blow_up_is_flagged_and_an_all_diverged_run_exits_nonzero(tmp_path):
    args = ["compose", "data=bansal2024", "optim.lr=1e6", "seed=0:2", "train.steps=20", "train.log_every=10"]
    r = runner.invoke(app, ["run", *args, "--runs", str(tmp_path), "--no-figures", "--no-report"])
    assert r.exit_code == 1 and "every lane diverged" in r.output
    (run_dir,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    recs = pd.concat(pd.read_parquet(p) for p in (run_dir / "records").glob("part-*.parquet"))
    div = recs[recs.metric == "diverged_at"].value
    assert (div >= 0).all()  # the losses stayed finite (no NaN), yet both lanes are flagged
    loss = recs[recs.metric == "loss"].value
    assert np.isfinite(loss).all() and loss.abs().max() > 1e6


def test_lanes_computed_by_another_run_are_reused_bit_for_bit(tmp_path, monkeypatch):
    """A block whose every lane a finished run already computed (same config, block size and code) is copied from
    it; the run's records and params equal a fresh computation's."""
    import sslab.runner as R
    args = ["train.lane_block=2", *SMALL]
    sslab.run("yang2024", ["seed=0:4", *args], store=tmp_path / "s", figures=False)
    computed = []
    real = R.run_chunk
    monkeypatch.setattr(R, "run_chunk", lambda task: computed.extend(b.lanes for b, _ in task.blocks) or real(task))
    shared = sslab.run("yang2024", ["seed=2:6", *args], store=tmp_path / "s", figures=False)
    assert computed == [(2, 3)]  # seeds 2, 3 (lanes 0, 1) came from the first run; seeds 4, 5 were computed
    fresh = sslab.run("yang2024", ["seed=2:6", *args], store=tmp_path / "fresh", figures=False)
    key = ["lane", "step", "metric"]
    a, b = shared.records.sort_values(key), fresh.records.sort_values(key)
    assert np.array_equal(a.value.to_numpy(), b.value.to_numpy(), equal_nan=True)
    assert (a.seed.to_numpy() == b.seed.to_numpy()).all() and (a.run == shared.run_id).all()
    assert np.array_equal(shared.params["W"], fresh.params["W"]) and list(shared.params["lane"]) == [0, 1, 2, 3]
