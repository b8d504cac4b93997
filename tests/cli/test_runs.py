"""Run management from the command line (issue 22): `sslab runs` (columns, filters, --json), `rm`, `gc`, tags and
notes, and Ctrl-C on `sweep` and `check`."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta

import pytest
from typer.testing import CliRunner

from sslab.cli import app
from sslab.store import RunStore

runner = CliRunner()
ARGS = ["seed=0:2", "train.steps=20", "train.log_every=10", "data.tau=lin:3:5:2"]


def invoke(*args: str, ok: bool = True):
    r = runner.invoke(app, list(args))
    if ok:
        assert r.exit_code == 0, r.output
    return r


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One real run (tagged), and copies of it in every other state: failed, interrupted (status running, lock
    free), an old failed one, and one stored before overrides were recorded."""
    root = tmp_path_factory.mktemp("runs")
    invoke("run", "yang2024", *ARGS, "--tag", "first", "--no-figures", "--no-report", "--runs", str(root))
    (done,) = [p for p in root.iterdir() if p.is_dir()]
    for name, status, days in (("failed-run", "failed", 0), ("interrupted-run", "running", 0),
                               ("old-failed-run", "failed", 10), ("legacy-run", "done", 0)):
        d = root / name
        shutil.copytree(done, d)
        (d / "tags.json").unlink()
        started = (datetime.now().astimezone() - timedelta(days=days)).isoformat(timespec="seconds")
        (d / "status.json").write_text(json.dumps({"status": status, "started": started}))
    cfg = json.loads((root / "legacy-run" / "config.json").read_text())
    del cfg["overrides"]
    (root / "legacy-run" / "config.json").write_text(json.dumps(cfg))
    return root, done.name


def rows(output: str) -> dict[str, dict]:
    """The tab-separated table `sslab runs` prints when stdout is not a terminal, by run id."""
    head, *lines = output.strip().splitlines()
    cols = head.split("\t")
    return {r["run_id"]: r for r in (dict(zip(cols, line.split("\t"))) for line in lines)}


def test_runs_shows_experiment_overrides_axes_lanes_status_provenance_and_age(store):
    root, done = store
    out = rows(invoke("runs", "--runs", str(root)).stdout)
    assert set(out) == {done, "failed-run", "interrupted-run", "old-failed-run", "legacy-run"}
    r = out[done]
    assert r["experiment"] == "yang2024" and r["status"] == "done" and r["lanes"] == "4"
    assert r["overrides"] == " ".join(ARGS) and r["axes"] == "data.tau×2 seed×2"
    assert r["tags"] == "first" and r["sslab"] == "0.1.0" and len(r["code"]) == 10
    assert r["age"].endswith(("s", "m")) and out["old-failed-run"]["age"] == "10d"
    assert out["interrupted-run"]["status"] == "interrupted" and out["failed-run"]["status"] == "failed"
    assert out["legacy-run"]["overrides"] == "(not recorded)" and out["legacy-run"]["axes"] == "data.tau×2 seed×2"
    # one line per run however long, when stdout is not a terminal (no wrapping at 80 columns)
    assert max(len(line) for line in invoke("runs", "--runs", str(root)).stdout.splitlines()) > 80


def test_runs_filters_and_json(store):
    root, done = store
    assert set(rows(invoke("runs", "--status", "failed", "--runs", str(root)).stdout)) == {"failed-run", "old-failed-run"}
    assert set(rows(invoke("runs", "--tag", "first", "--runs", str(root)).stdout)) == {done}
    assert rows(invoke("runs", "--experiment", "tian2022", "--runs", str(root)).stdout) == {}
    assert len(rows(invoke("runs", "--experiment", "yang2024", "--runs", str(root)).stdout)) == 5
    data = json.loads(invoke("runs", "--json", "--runs", str(root)).stdout)
    mine = next(d for d in data if d["run_id"] == done)
    assert mine["overrides"] == ARGS and mine["axes"] == {"seed": [0, 1], "data.tau": [3.0, 5.0]}
    assert mine["tags"] == ["first"] and mine["code"] and mine["sslab"] == "0.1.0" and mine["age_seconds"] >= 0
    bad = invoke("runs", "--status", "finished", "--runs", str(root), ok=False)
    assert bad.exit_code == 2 and "valid choices" in bad.output


def test_old_runs_without_recorded_overrides_resume(store, tmp_path):
    """The command's words are recorded, not part of the identity: a run stored without them is the same run."""
    root, done = store
    legacy = tmp_path / "runs"
    shutil.copytree(root / done, legacy / done)
    cfg = json.loads((legacy / done / "config.json").read_text())
    del cfg["overrides"]
    (legacy / done / "config.json").write_text(json.dumps(cfg))
    r = invoke("run", "yang2024", "train.steps=20", "data.tau=3,5", "seed=0,1", "train.log_every=10", "--no-figures",
               "--no-report", "--runs", str(legacy))
    assert [p.name for p in legacy.iterdir()] == [done] and done in r.output


def test_tags_and_notes(store):
    root, done = store
    invoke("tag", done, "paper-fig", "--note", "for figure 3", "--runs", str(root))
    invoke("tag", done, "--remove", "first", "--runs", str(root))
    assert json.loads((root / done / "tags.json").read_text()) == {"tags": ["paper-fig"], "note": "for figure 3"}
    q = invoke("query", "SELECT r.run_id, r.tags, r.note FROM runs r JOIN tags t USING (run_id) WHERE t.tag = 'paper-fig'",
               "--runs", str(root))
    assert done in q.stdout and "for figure 3" in q.stdout
    for args in (["tag", done, "no spaces"], ["tag", done, "a,b"], ["tag", "nope", "x"],
                 ["run", "yang2024", "--tag", "bad tag"]):
        r = invoke(*args, "--runs", str(root), ok=False)
        lines = [line for line in r.output.strip().splitlines() if line.strip()]
        assert r.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error:"), (args, r.output)
    invoke("tag", done, "first", "--remove", "paper-fig", "--note", "", "--runs", str(root))
    assert RunStore(root).open(done).tags() == {"tags": ["first"], "note": ""}


def test_rm_and_gc_never_touch_a_locked_run(store, tmp_path):
    root, done = store
    work = tmp_path / "runs"
    shutil.copytree(root, work)
    s = RunStore(work)
    with s.open("interrupted-run").lock():  # a process computing it: shows running, is never removed
        assert rows(invoke("runs", "--runs", str(work)).stdout)["interrupted-run"]["status"] == "running"
        r = invoke("rm", "interrupted-run", "--runs", str(work), ok=False)
        assert r.exit_code == 1 and "being computed" in r.output
        r = invoke("gc", "--runs", str(work))
        assert "removed failed-run" in r.stdout and "removed old-failed-run" in r.stdout
        assert (work / "interrupted-run").is_dir()
    assert sorted(p.name for p in work.iterdir()) == sorted([done, "interrupted-run", "legacy-run"])
    invoke("rm", "legacy-run", "--runs", str(work))
    assert not (work / "legacy-run").exists()
    r = invoke("rm", "nope", done, "--runs", str(work), ok=False)  # every id is checked before anything goes
    assert r.exit_code == 2 and (work / done).is_dir()


def test_gc_dry_run_and_older_than(store, tmp_path):
    root, _ = store
    work = tmp_path / "runs"
    shutil.copytree(root, work)
    before = sorted(p.name for p in work.iterdir())
    r = invoke("gc", "--dry-run", "--runs", str(work))
    assert {"would remove failed-run", "would remove old-failed-run", "would remove interrupted-run"} <= {
        line.split("  ")[0] for line in r.stdout.splitlines()}
    assert sorted(p.name for p in work.iterdir()) == before
    r = invoke("gc", "--older-than", "7d", "--runs", str(work))
    assert "removed old-failed-run" in r.stdout and "1 run(s) removed" in r.stdout
    assert (work / "failed-run").is_dir() and not (work / "old-failed-run").exists()
    r = invoke("gc", "--older-than", "soon", "--runs", str(work), ok=False)
    assert r.exit_code == 2 and "--older-than" in r.output


def test_ctrl_c_on_sweep_and_check_says_how_to_resume(monkeypatch, tmp_path):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    import importlib
    monkeypatch.setattr(importlib.import_module("sslab.runner"), "run_plan", interrupted)
    monkeypatch.setattr(importlib.import_module("sslab.check"), "run_claims", interrupted)  # sslab.check is the API function
    r = invoke("sweep", "yang2024", "seed=0:2", "train.steps=20", "train.log_every=10", "--runs", str(tmp_path), ok=False)
    assert r.exit_code == 130 and "re-running the same command resumes" in r.output
    r = invoke("check", "yang2024.C1", "--workers", "1", "--runs", str(tmp_path), ok=False)
    assert r.exit_code == 130 and "re-running the same command resumes" in r.output


def test_an_interrupted_computation_is_left_resumable_not_failed(monkeypatch, tmp_path):
    """Ctrl-C inside the runner leaves the run 'running' (so `runs` shows it interrupted, and gc treats it as such),
    where any other error marks it failed."""
    import sslab
    import sslab.runner

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sslab.runner, "run_chunk", stop)
    with pytest.raises(KeyboardInterrupt):
        sslab.run("yang2024", ["seed=0:2", "train.steps=20", "train.log_every=10"], store=tmp_path, figures=False)
    (run,) = RunStore(tmp_path).runs()
    assert run["status"] == "interrupted"
