"""Malformed configs and overrides: a one-line error naming the problem, exit 2, nothing written."""

from __future__ import annotations

import string

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import sslab
from sslab.papers.rows import diverged_rows
from sslab.cli import app
from sslab.papers.yang2024.experiment import EXPERIMENT

runner = CliRunner()
KEYS = EXPERIMENT.keys()

bad_value = {
    "data.n": st.sampled_from(["-1", "0", "abc", "1.5", "", "1e3x", "nan", "3:1", "5:5"]),
    "data.d": st.sampled_from(["1", "0", "-3", "x", "2.5"]),
    "data.tau": st.sampled_from(["nan", "inf", "-inf", "-1", "0", "abc", "1/0", "10**1000", ",", "1,,2",
                                 # float ranges (issue 22): malformed, empty, impossible or out of the field's range
                                 "lin:3:11", "lin:3:11:1", "lin:3:11:x", "lin:3:3:4", "log:0:1:3", "log:1:inf:3",
                                 "lin:-1:3:3", "geo:1:2:3", "3:11", "lin:3:11:5:1", "lin:3,5", "log::1:3"]),
    "data.rho": st.sampled_from(["-0.1", "0", "nan", "zero"]),
    "data.noise": st.sampled_from(["gaussian", "", "ISOTROPIC", "1"]),
    "model.condition": st.sampled_from(["2", "-1", "a", "0.5"]),
    "model.alpha": st.sampled_from(["-1", "nan", "x"]),
    "optim.lr": st.sampled_from(["0", "-0.1", "nan", "inf", "fast", "log:1e-3:-1:5", "log:1e-3:1e-1:0",
                                 "lin:0:1:3", "log:1e-3:1e-1"]),
    "optim.name": st.sampled_from(["sgdd", "", "Adam"]),
    "optim.momentum": st.sampled_from(["0.5", "2", "-1"]),  # gd with momentum is rejected too
    "train.steps": st.sampled_from(["0", "-5", "1e9.5", "ten", "3:1"]),
    "train.log_every": st.sampled_from(["0", "3", "7", "-1"]),  # must divide steps=4000
    "train.dtype": st.sampled_from(["float16", "f32", "", "int32"]),
    "train.lane_block": st.sampled_from(["0", "-8", "x"]),
    "seed": st.sampled_from(["-1", "2147483648", "0:0", "5:2", "0:10:0", "a", "1,1", "0.5", "lin:0:10:3"]),
    "method": st.sampled_from(["ssl,sl", "rl", ""]),
}


@st.composite
def malformed(draw):
    """One malformed override, sometimes with valid ones around it, or an unknown/invalid key."""
    kind = draw(st.sampled_from(["value", "unknown", "syntax"]))
    if kind == "value":
        key = draw(st.sampled_from(sorted(bad_value)))
        bad = [f"{key}={draw(bad_value[key])}"]
    elif kind == "unknown":
        name = draw(st.text(string.ascii_lowercase, min_size=1, max_size=8))
        prefix = draw(st.sampled_from(["", "data.", "model.", "train.", "optim.", "loss.", "nope."]))
        key = prefix + name
        if key in KEYS or key in ("method", "mode", "seed"):
            key += "_x"
        bad = [f"{key}=1"]
    else:
        bad = [draw(st.sampled_from(["noequals", "=3", "data.tau", "seed==3"]))]
    good = draw(st.lists(st.sampled_from(["seed=0:2", "train.steps=100", "data.tau=5"]), max_size=2, unique=True))
    good = [g for g in good if g.split("=")[0] != bad[0].split("=")[0]]
    return good + bad


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(overrides=malformed())
def test_malformed_overrides_are_rejected_before_compute(overrides, tmp_path_factory):
    runs = tmp_path_factory.mktemp("runs")
    r = runner.invoke(app, ["run", "yang2024", *overrides, "--runs", str(runs)])
    assert r.exit_code == 2, (overrides, r.output)
    lines = [line for line in r.output.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), (overrides, r.output)
    assert not any(runs.iterdir()), f"{overrides} wrote to the store"


def test_diverged_lane_is_a_fail_row_not_a_number(tmp_path):
    res = sslab.run("yang2024", ["seed=0:2", "train.steps=50", "train.log_every=10", "optim.lr=1e30"],
                    store=tmp_path, figures=False)
    rows = diverged_rows("CX", res)
    assert rows and rows[0].verdict == "FAIL" and "seed 0" in rows[0].measured
    summary = res.handle.read_json("summary")
    assert set(summary["diverged_lanes"]) == {"0", "1"}  # JSON keys
    assert summary["metrics"] == {}  # no statistics from diverged lanes


def test_rerun_is_bit_identical(tmp_path):
    a = sslab.run("yang2024", ["seed=0:3", "train.steps=200", "train.log_every=20"], store=tmp_path / "a", figures=False)
    b = sslab.run("yang2024", ["seed=0:3", "train.steps=200", "train.log_every=20"], store=tmp_path / "b", figures=False)
    ra, rb = a.records.sort_values(["lane", "step", "metric"]), b.records.sort_values(["lane", "step", "metric"])
    assert np.array_equal(ra.value.to_numpy(), rb.value.to_numpy(), equal_nan=True)
    assert np.array_equal(a.params["W"], b.params["W"])


def test_corrupt_and_foreign_files_are_reported_and_skipped(tmp_path):
    ok = runner.invoke(app, ["run", "yang2024", "seed=0:3", "train.steps=100", "train.log_every=50",
                             "train.lane_block=2", "--runs", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    (run_dir,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    (tmp_path / "not-a-run").mkdir()
    (tmp_path / "not-a-run" / "config.json").write_text("{broken")
    (tmp_path / "stray.txt").write_text("hello")
    parts = sorted((run_dir / "records").glob("part-*.parquet"))
    parts[0].write_bytes(parts[0].read_bytes()[:100])  # truncated part
    (run_dir / "records" / "part-foreign.parquet").write_bytes(b"PAR1 garbage")
    q = runner.invoke(app, ["query", "SELECT count(DISTINCT lane) AS lanes FROM records", "--runs", str(tmp_path)])
    assert q.exit_code == 0, q.output
    assert "skipped" in q.output and "1" in q.output  # the one intact part (lane 2) is still there
    r = runner.invoke(app, ["runs", "--runs", str(tmp_path)])
    assert r.exit_code == 0 and "not-a-run" in r.output
    rep = runner.invoke(app, ["report", run_dir.name, "--runs", str(tmp_path)])
    assert rep.exit_code == 0, rep.output


# --- hostile input (issue 21): the same contract for paths, names, SQL and impossible sizes ---------

def one_line_error(r) -> str:
    lines = [line for line in r.output.strip().splitlines() if line.strip()]
    assert r.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error:"), r.output
    return lines[0]


@pytest.mark.parametrize("args,needle", [
    (["run", "yang2024", "--name", "../x"], "--name"),
    (["run", "yang2024", "--name", "a/b"], "--name"),
    (["run", "yang2024", "data.n=10000000", "seed=0"], "memory"),
    (["run", "yang2024", "train.steps=1000000000", "seed=0"], "train.log_every"),
    (["run", "yang2024", "mode=official", "train.steps=100000"], "train.steps"),
    (["query", ""], "empty query"),
    (["query", "COPY (SELECT 1) TO 'x.csv'"], "read-only SELECT"),
    (["query", "ATTACH 'x.db'"], "read-only SELECT"),
    (["query", "DROP VIEW records"], "read-only SELECT"),
    (["query", "SELECT * FROM read_csv('/etc/passwd')"], "Permission"),
    (["query", "SELECT 1; SELECT 2"], "one read-only SELECT"),
])
def test_hostile_input_is_one_line_and_writes_nothing(args, needle, tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "keep.txt").write_text("x")
    before = sorted(p.name for p in runs.rglob("*"))
    line = one_line_error(runner.invoke(app, [*args, "--runs", str(runs)]))
    assert needle in line
    assert sorted(p.name for p in runs.rglob("*")) == before
