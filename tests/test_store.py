"""Tests for sslab.store: run directories, atomic parts, resume, SQL over runs, mean_std."""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sslab.store import (BASE_COLUMNS, RunHandle, RunStore, atomic_write_bytes, atomic_write_text,
                         mean_std, new_run_id)


def make_records(lanes, steps, metrics=("loss", "acc"), tau=None, seed0=0, offset=0.0):
    rows = []
    for lane in lanes:
        for step in steps:
            for m in metrics:
                row = {"lane": lane, "seed": seed0 + lane, "step": step, "metric": m,
                       "value": offset + lane * 10.0 + step + (0.5 if m == "acc" else 0.0)}
                if tau is not None:
                    row["data.tau"] = float(tau[lane] if isinstance(tau, dict) else tau)
                rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture
def store(tmp_path):
    return RunStore(tmp_path / "runs")


def two_runs(store):
    a = store.create("expA-20240101-000000-aaaaaaaa", {"experiment": "expA", "lr": 0.1})
    a.write_part("0", make_records([0, 1], [0, 1, 2], tau={0: 3, 1: 5}),
                 params={"w": np.arange(2 * 3, dtype=np.float32).reshape(2, 3)})
    a.write_part("1", make_records([2, 3], [0, 1, 2], tau={2: 3, 3: 5}),
                 params={"w": np.arange(2 * 3, 4 * 3, dtype=np.float32).reshape(2, 3)})
    b = store.create("expB-20240102-000000-bbbbbbbb", {"experiment": "expB", "lr": 0.2})
    b.write_part("chunk-a", make_records([0], [0, 5], metrics=("loss",)))
    b.write_part("chunk-b", make_records([1], [0, 5], metrics=("loss",)))
    return a, b


# --- ids, atomic writes ---------------------------------------------------------------------------

def test_new_run_id_deterministic():
    t = datetime(2024, 3, 5, 7, 8, 9)
    rid = new_run_id("yang", {"b": 1, "a": [1, 2]}, now=t)
    assert rid == new_run_id("yang", {"a": [1, 2], "b": 1}, now=t)
    assert rid.startswith("yang-20240305-070809-") and len(rid.split("-")[-1]) == 8
    assert rid != new_run_id("yang", {"b": 2, "a": [1, 2]}, now=t)


def test_atomic_write_leaves_no_temp(tmp_path):
    p = tmp_path / "sub" / "x.txt"
    atomic_write_text(p, "hello")
    atomic_write_bytes(p, b"world")
    assert p.read_bytes() == b"world"
    assert sorted(os.listdir(p.parent)) == ["x.txt"]


def test_atomic_write_failure_cleans_up(tmp_path):
    p = tmp_path / "x.txt"
    with pytest.raises(TypeError):
        atomic_write_bytes(p, "not bytes")  # type: ignore[arg-type]
    assert os.listdir(tmp_path) == []


def test_root_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("SSLAB_RUNS", str(tmp_path / "envruns"))
    assert RunStore().root == tmp_path / "envruns"
    assert RunStore(tmp_path / "arg").root == tmp_path / "arg"
    monkeypatch.delenv("SSLAB_RUNS")
    assert RunStore().root == Path("runs")


# --- writing / reading parts ----------------------------------------------------------------------

def test_write_and_read_parts(store):
    a, b = two_runs(store)
    assert a.parts() == ["0", "1"] and a.has_part("1") and not a.has_part("2")
    rec = a.records()
    assert len(rec) == 4 * 3 * 2
    assert list(rec.columns[:7]) == list(BASE_COLUMNS)
    assert (rec["run"] == a.run_id).all() and (rec["experiment"] == "expA").all()
    assert rec[["lane", "step", "metric"]].equals(
        rec[["lane", "step", "metric"]].sort_values(["lane", "step", "metric"]).reset_index(drop=True))
    assert rec["lane"].dtype == np.int64 and rec["value"].dtype == np.float64
    assert rec["data.tau"].dtype == np.float64
    p = a.params()
    np.testing.assert_array_equal(p["lane"], [0, 1, 2, 3])
    np.testing.assert_array_equal(p["w"], np.arange(12, dtype=np.float32).reshape(4, 3))
    assert b.params() == {}
    assert not any(n.startswith(".") for n in os.listdir(a.path / "records"))


def test_params_lane_mismatch_raises(store):
    h = store.create("r", {"x": 1})
    with pytest.raises(ValueError, match="lanes"):
        h.write_part("0", make_records([0, 1], [0]), params={"w": np.zeros((3, 2))})
    assert not h.has_part("0")


def test_missing_columns_raise(store):
    h = store.create("r", {"x": 1})
    with pytest.raises(ValueError, match="required columns"):
        h.write_part("0", pd.DataFrame({"lane": [0], "step": [0], "value": [1.0]}))
    with pytest.raises(ValueError, match="invalid part name"):
        h.write_part("../evil", make_records([0], [0]))


def test_json_status_figures(store):
    h = store.create("r", {"x": 1})
    st0 = h.status()
    assert st0["status"] == "running" and "started" in st0 and st0["parts_done"] == []
    h.write_part("0", make_records([0], [0]))
    h.write_json("summary", {"best": 1.5, "arr": np.arange(3)})
    assert h.read_json("summary.json") == {"best": 1.5, "arr": [0, 1, 2]}
    st1 = h.set_status("done", note="ok")
    assert st1["status"] == "done" and st1["parts_done"] == ["0"] and st1["note"] == "ok"
    assert st1["started"] == st0["started"] and "finished" in st1
    assert h.status()["status"] == "done"
    with pytest.raises(ValueError):
        h.set_status("weird")
    assert h.figures_dir.is_dir() and h.figures_dir == h.path / "figures"


# --- resume ---------------------------------------------------------------------------------------

def test_resume_same_config(store):
    cfg = {"experiment": "e", "model": {"d": 4, "lr": 0.1}, "axes": {"seed": [0, 1]}}
    h = store.create("e-1", cfg)
    h.write_part("0", make_records([0], [0, 1]))
    h2 = store.create("e-1", json.loads(json.dumps(cfg)))  # same config, new dict (key order irrelevant)
    assert isinstance(h2, RunHandle) and h2.path == h.path
    assert h2.has_part("0") and not h2.has_part("1")
    assert store.open("e-1").has_part("0")


def test_different_config_raises(store):
    store.create("e-1", {"model": {"d": 4}})
    with pytest.raises(ValueError, match="different config") as ei:
        store.create("e-1", {"model": {"d": 5}})
    assert "model.d" in str(ei.value) and "\n" not in str(ei.value)


def test_open_missing_lists_valid(store):
    store.create("good-run", {"x": 1})
    with pytest.raises(KeyError, match="good-run"):
        store.open("nope")


# --- crash simulation / corruption ----------------------------------------------------------------

def test_crash_leftovers_are_skipped(store):
    a, b = two_runs(store)
    rdir = a.path / "records"
    good = (rdir / "part-0.parquet").read_bytes()
    (rdir / ".part-x.parquet.tmp-1234-deadbeef").write_bytes(good[: len(good) // 2])
    (rdir / "part-bad.parquet").write_bytes(good[: len(good) // 2])  # truncated: footer missing
    (b.path / "records" / "part-junk.parquet").write_bytes(b"this is not parquet at all")
    n_good = len(a.records())
    assert n_good == 24
    assert any("part-bad.parquet" in p for p in store.problems)
    assert not a.has_part("bad") and not a.has_part("x")
    assert a.parts() == ["0", "1"]

    out = store.query("SELECT count(*) AS n FROM records")
    assert int(out["n"][0]) == 24 + 4
    assert any("part-bad.parquet" in p for p in store.problems)
    assert any("part-junk.parquet" in p for p in store.problems)
    assert not any(".tmp-" in p for p in store.problems)
    info = {r["run_id"]: r for r in store.runs()}
    assert info[a.run_id]["n_parts"] == 2 and info[a.run_id]["n_records"] == 24


def test_corrupt_config_listed_in_problems(store):
    two_runs(store)
    bad = store.root / "broken-run"
    (bad / "records").mkdir(parents=True)
    (bad / "config.json").write_text("{not json")
    (store.root / "noconfig").mkdir()
    (store.root / ".hidden").mkdir()
    runs = store.runs()
    assert [r["run_id"] for r in runs] == ["expA-20240101-000000-aaaaaaaa", "expB-20240102-000000-bbbbbbbb"]
    assert any("broken-run" in p and "invalid" in p for p in store.problems)
    assert any("noconfig" in p and "missing" in p for p in store.problems)
    assert not any(".hidden" in p for p in store.problems)
    with pytest.raises(ValueError, match="unreadable"):
        store.create("broken-run", {"x": 1})
    # the query still works and reports the same problems
    assert int(store.query("SELECT count(*) FROM runs").iloc[0, 0]) == 2
    assert any("broken-run" in p for p in store.problems)


# --- queries --------------------------------------------------------------------------------------

def test_query_across_runs(store, tmp_path):
    a, b = two_runs(store)
    runs = store.runs()
    assert [r["experiment"] for r in runs] == ["expA", "expB"]
    assert [r["n_parts"] for r in runs] == [2, 2] and [r["n_records"] for r in runs] == [24, 4]
    assert {"run_id", "experiment", "status", "started", "n_parts", "n_records", "path"} <= set(runs[0])

    counts = store.query("SELECT experiment, count(*) AS n FROM records GROUP BY 1 ORDER BY 1")
    assert counts["experiment"].tolist() == ["expA", "expB"] and counts["n"].tolist() == [24, 4]

    by_tau = store.query('SELECT "data.tau" AS tau, count(DISTINCT lane) AS lanes, avg(value) AS v '
                         "FROM records WHERE metric = 'loss' AND step = 2 AND \"data.tau\" IS NOT NULL "
                         "GROUP BY 1 ORDER BY 1")
    assert by_tau["tau"].tolist() == [3.0, 5.0] and by_tau["lanes"].tolist() == [2, 2]
    # tau=3: lanes 0,2 -> values 2, 22 ; tau=5: lanes 1,3 -> 12, 32
    assert by_tau["v"].tolist() == [12.0, 22.0]

    joined = store.query("SELECT r.status, count(*) AS n FROM records JOIN runs r ON records.run = r.run_id "
                         "GROUP BY 1")
    # created and written without holding the run's lock: nobody is computing them, so they show as interrupted
    assert joined["status"].tolist() == ["interrupted"] and joined["n"].tolist() == [28]

    csv = store.export("SELECT * FROM records ORDER BY run, lane, step, metric", tmp_path / "out" / "r.csv")
    assert len(pd.read_csv(csv)) == 28
    pqf = store.export("SELECT run, count(*) AS n FROM records GROUP BY 1", tmp_path / "out" / "r.parquet")
    assert pq.read_table(pqf).num_rows == 2
    with pytest.raises(ValueError):
        store.export("SELECT 1", tmp_path / "x.txt")


def test_query_empty_store(store):
    out = store.query("SELECT * FROM records")
    assert len(out) == 0 and list(out.columns) == list(BASE_COLUMNS)
    assert int(store.query("SELECT count(*) FROM runs").iloc[0, 0]) == 0
    assert store.runs() == []
    h = store.create("e", {"x": 1})
    assert len(h.records()) == 0 and list(h.records().columns) == list(BASE_COLUMNS)
    assert len(store.query("SELECT * FROM records")) == 0


# --- mean_std -------------------------------------------------------------------------------------

def test_mean_std_by_hand():
    rows = []
    finals = {0: 1.0, 1: 2.0, 2: 4.0, 3: 10.0, 4: 20.0}
    taus = {0: 3, 1: 3, 2: 3, 3: 5, 4: 5}
    for lane, v in finals.items():
        for step in (0, 10):
            rows.append({"run": "r", "lane": lane, "step": step, "metric": "acc",
                         "value": v if step == 10 else -v, "data.tau": taus[lane]})
            rows.append({"run": "r", "lane": lane, "step": step, "metric": "loss", "value": 99.0,
                         "data.tau": taus[lane]})
    df = pd.DataFrame(rows)
    out = mean_std(df, "acc", by=["data.tau"])
    assert out["data.tau"].tolist() == [3, 5] and out["count"].tolist() == [3, 2]
    # tau=3: [1,2,4] mean 7/3, var = ((1-7/3)^2+(2-7/3)^2+(4-7/3)^2)/2 = 7/3
    m, s = 7 / 3, math.sqrt(7 / 3)
    assert out["mean"][0] == pytest.approx(m) and out["std"][0] == pytest.approx(s)
    assert out["ci95"][0] == pytest.approx(4.302652729749464 * s / math.sqrt(3))  # t_{0.975, 2}
    # tau=5: [10,20] mean 15, sd = sqrt(50)
    assert out["mean"][1] == pytest.approx(15) and out["std"][1] == pytest.approx(math.sqrt(50))
    assert out["ci95"][1] == pytest.approx(12.706204736174707 * math.sqrt(50) / math.sqrt(2))
    at0 = mean_std(df, "acc", by=[], step=0)
    assert at0["mean"][0] == pytest.approx(-np.mean(list(finals.values()))) and at0["count"][0] == 5
    one = mean_std(df[df["lane"] == 0], "acc", by=["data.tau"])
    assert one["count"][0] == 1 and math.isnan(one["std"][0]) and math.isnan(one["ci95"][0])


def test_mean_std_on_store_records(store):
    a, _ = two_runs(store)
    out = mean_std(a.records(), "loss", by=["data.tau"])
    # last step 2: tau=3 -> lanes 0,2 -> 2, 22 ; tau=5 -> 12, 32
    assert out["mean"].tolist() == [12.0, 22.0] and out["count"].tolist() == [2, 2]
    assert out["std"].tolist() == pytest.approx([math.sqrt(200)] * 2)


# --- property test: exact round trip --------------------------------------------------------------

i64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
f64 = st.floats(allow_nan=True, allow_infinity=True, width=64)
text = st.text(max_size=8)


@st.composite
def frames(draw):
    n = draw(st.integers(min_value=0, max_value=15))
    cols = {
        "run": draw(st.lists(text, min_size=n, max_size=n)),
        "experiment": draw(st.lists(text, min_size=n, max_size=n)),
        "lane": draw(st.lists(i64, min_size=n, max_size=n)),
        "seed": draw(st.lists(i64, min_size=n, max_size=n)),
        "step": draw(st.lists(i64, min_size=n, max_size=n)),
        "metric": draw(st.lists(text, min_size=n, max_size=n)),
        "value": draw(st.lists(f64, min_size=n, max_size=n)),
    }
    df = pd.DataFrame({k: pd.Series(v, dtype=("int64" if k in ("lane", "seed", "step") else
                                               "float64" if k == "value" else "str"))
                       for k, v in cols.items()})
    if n:
        for j, kind in enumerate(draw(st.lists(st.sampled_from(["f", "i", "s"]), max_size=3))):
            name = f"cfg{j}.{kind}"
            elem = {"f": f64, "i": i64, "s": text}[kind]
            vals = draw(st.lists(elem, min_size=n, max_size=n))
            df[name] = pd.Series(vals, dtype={"f": "float64", "i": "int64", "s": "str"}[kind])
    return df


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_roundtrip_exact(df):
    root = tempfile.mkdtemp(prefix="sslab-store-")
    try:
        h = RunStore(root).create("prop", {"k": 1})
        h.write_part("p0", df)
        back = h.records()
        expect = df.sort_values(["lane", "step", "metric"], kind="mergesort").reset_index(drop=True)
        assert list(back.columns) == list(expect.columns)
        assert len(back) == len(expect)
        for c in expect.columns:
            a, b = expect[c].to_numpy(), back[c].to_numpy()
            if expect[c].dtype == np.float64:
                assert back[c].dtype == np.float64
                # bit-exact for every non-NaN value (-0.0 and inf included); NaN stays NaN (payload not kept)
                assert np.array_equal(np.isnan(a), np.isnan(b)), c
                ok = ~np.isnan(a)
                assert np.array_equal(a[ok].view(np.int64), b[ok].view(np.int64)), c
            elif expect[c].dtype == np.int64:
                assert back[c].dtype == np.int64 and np.array_equal(a, b), c
            else:
                assert [str(x) for x in a] == [str(x) for x in b], c
    finally:
        shutil.rmtree(root, ignore_errors=True)


# --- run management (issue 22): recorded-only config entries, tags, removal, gc, checkpoints ----------------

def test_overrides_are_recorded_not_identity(store):
    h = store.create("e-1", {"experiment": "e", "lr": 0.1, "overrides": ["lr=0.1"]})
    again = store.create("e-1", {"experiment": "e", "lr": 0.1, "overrides": ["lr=1/10"]})  # the same plan, other words
    assert again.path == h.path and h.config()["overrides"] == ["lr=0.1"]
    (run,) = store.runs()
    assert run["overrides"] == "lr=0.1" and run["lanes"] == 1 and run["axes"] == ""
    with pytest.raises(ValueError, match="different config"):
        store.create("e-1", {"experiment": "e", "lr": 0.2, "overrides": ["lr=0.1"]})


def test_tags_are_atomic_deduplicated_and_survive_force(store):
    import threading

    h = store.create("e-1", {"experiment": "e"})
    threads = [threading.Thread(target=h.tag, args=([f"t{i}", "shared"],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tags = h.tags()["tags"]
    assert sorted(tags) == sorted([f"t{i}" for i in range(8)] + ["shared"])  # no lost update, no duplicate
    h.tag(remove=["shared"], note="one line")
    h.write_part("0", make_records([0], [0, 1]))
    h.clear()  # --force recomputes a run; its labels stay
    assert h.tags() == {"tags": [t for t in tags if t != "shared"], "note": "one line"}
    assert not [p for p in h.path.iterdir() if p.name.startswith(".tags.json.tmp")]
    for bad in ("a b", "a,b", "", ".x", "x" * 65):
        with pytest.raises(ValueError, match="invalid tag"):
            h.tag([bad])
    with pytest.raises(ValueError, match="one line"):
        h.tag(note="two\nlines")
    (h.path / "tags.json").write_text("{broken")
    assert h.tags() == {"tags": [], "note": ""} and any("tags" in p for p in store.problems)


def test_remove_is_refused_while_locked_and_leaves_nothing(store):
    a, b = two_runs(store)
    with a.lock():
        with pytest.raises(ValueError, match="being computed"):
            store.remove(a.run_id)
        assert a.path.is_dir()
    store.remove(a.run_id)
    assert not a.path.exists() and [p.name for p in store.root.iterdir()] == [b.run_id]
    with pytest.raises(KeyError):
        store.remove("nope")


def test_collectable_is_failed_or_interrupted_and_old_enough(store):
    import time

    a, b = two_runs(store)
    c = store.create("expC-20240103-000000-cccccccc", {"experiment": "expC"})
    a.set_status("failed")
    b.set_status("done")
    # c is "running" with its lock free: interrupted
    assert {r["run_id"] for r in store.collectable()} == {a.run_id, c.run_id}
    with c.lock():  # being computed: running, not collectable
        assert {r["run_id"] for r in store.collectable()} == {a.run_id}
    assert store.collectable(older_than=3600) == []  # both started just now
    assert {r["run_id"] for r in store.collectable(older_than=3600, now=time.time() + 7200)} == {a.run_id, c.run_id}


def test_checkpoint_parts_round_trip_and_are_validated(store):
    h = store.create("e-1", {"experiment": "e"})
    for name, lanes in (("0", [0, 1]), ("1", [2])):
        ck = {"W": np.arange(len(lanes) * 3 * 2, dtype=np.float32).reshape(len(lanes), 3, 2) + 100 * lanes[0],
              "step": np.array([0, 5, 10]), "lane": np.array(lanes)}
        h.write_part(name, make_records(lanes, [0, 5, 10]), checkpoints=ck)
    ck = h.checkpoints()
    assert ck["W"].shape == (3, 3, 2) and list(ck["lane"]) == [0, 1, 2] and list(ck["step"]) == [0, 5, 10]
    with pytest.raises(ValueError, match="step"):
        h.write_part("2", make_records([3], [0]), checkpoints={"W": np.zeros((1, 3))})
    with pytest.raises(ValueError, match="shape"):
        h.write_part("2", make_records([3], [0]), checkpoints={"W": np.zeros((1, 2)), "step": np.array([0, 5, 10])})
    assert not h.has_part("2")  # a rejected part writes no records (its commit marker)
