"""Claims on a process pool: same rows as in one process, declared order, report-only items, run lock."""

from __future__ import annotations

import threading
import time

import pytest

from sslab.check import Context, run_claim, select
from sslab.check import run_claims
from sslab.store import RunStore

CHEAP = ["yang2024.C1", "yang2024.C6", "yang2024.C7", "tian2022.C4"]  # float64 theory claims, deterministic


def test_pool_matches_one_process_and_keeps_declared_order(tmp_path):
    claims = [select(k)[0] for k in CHEAP]
    seq = [run_claim(c, Context(store=RunStore(tmp_path / "a"))) for c in claims]
    order = []
    par = run_claims(claims, Context(store=RunStore(tmp_path / "b")), workers=2,
                     on_result=lambda r: order.append(r.claim.key))
    assert sorted(order) == sorted(CHEAP)  # completion order
    assert [r.claim.key for r in par] == CHEAP
    for s, p in zip(seq, par):
        assert p.error is None and s.error is None
        assert [r.as_dict() for r in p.rows] == [r.as_dict() for r in s.rows]
        assert p.verdict == s.verdict


def test_report_only_claims_need_report_or_a_name():
    assert "grid" not in [c.id for c in select("bansal2024")]
    assert "grid" not in [c.id for c in select(None)]
    assert "grid" in [c.id for c in select("bansal2024", report=True)]
    assert [c.id for c in select("bansal2024.grid")] == ["grid"]


def test_run_lock_makes_a_second_caller_wait_and_reuse(tmp_path, monkeypatch):
    """While one caller holds a run's lock, run() on the same plan blocks, then returns the finished run
    without computing it again."""
    import sslab.runner as api
    from sslab.papers import experiment

    store = RunStore(tmp_path)
    exp = experiment("yang2024")
    plan = exp.plan(["seed=0:2", "train.steps=20", "train.log_every=10"])
    first = api.run_plan(exp, plan, store=store, figures=False)
    handle = first.handle
    handle.set_status("running")  # as if another process were still computing it
    computed = []
    monkeypatch.setattr(api, "_compute", lambda *a, **k: computed.append(1))
    out = {}

    def second():
        out["r"] = api.run_plan(exp, plan, store=store, figures=False)

    with handle.lock():
        t = threading.Thread(target=second)
        t.start()
        time.sleep(0.5)
        assert t.is_alive(), "run_plan did not wait for the lock"
        handle.set_status("done")
    t.join(10)
    assert not t.is_alive() and not computed
    assert out["r"].run_id == first.run_id


def test_workers_option_rejects_zero():
    from typer.testing import CliRunner

    from sslab.cli import app

    r = CliRunner().invoke(app, ["check", "yang2024.C1", "--workers", "0"])
    assert r.exit_code == 2 and "--workers" in r.output
    r = CliRunner().invoke(app, ["check", "yang2024.C1"], env={"SSLAB_CHECK_WORKERS": "two"})
    assert r.exit_code == 2 and "SSLAB_CHECK_WORKERS" in r.output


def test_schedule_respects_after_and_critical_path():
    from sslab.papers import Claim
    from sslab.check import priorities, schedule

    def noop(ctx):
        return []

    a = Claim("A", "p", "a", noop, cost=10)
    b = Claim("B", "p", "b", noop, cost=50, after=("A",))
    c = Claim("C", "p", "c", noop, cost=30)
    d = Claim("D", "p", "d", noop, cost=1, after=("Z",))  # Z is not selected: no wait
    claims = [a, b, c, d]
    assert priorities(claims) == {"p.A": 60, "p.B": 50, "p.C": 30, "p.D": 1}
    assert [x.id for x in schedule(claims, set(), set())] == ["A", "C", "D"]  # B waits for A
    assert [x.id for x in schedule(claims, {"p.A"}, {"p.A", "p.C"})] == ["B", "D"]
