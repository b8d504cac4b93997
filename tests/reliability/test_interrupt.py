"""SIGKILL a run at random points and restart it: the final records equal an uninterrupted run's."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sslab.store import RunStore

ARGS = ["run", "yang2024", "seed=0:128", "train.steps=6000", "train.log_every=200", "train.lane_block=4",
        "--no-figures", "--no-report"]


SWEEP = ["sweep", *ARGS[1:], "--workers", "2"]


def _cmd(runs: Path, args: list[str] = ARGS) -> list[str]:
    return [sys.executable, "-c", "from sslab.cli import main; main()", *args, "--runs", str(runs)]


def _env(tmp: Path) -> dict:
    env = dict(os.environ)
    env["SSLAB_JAX_CACHE"] = str(tmp / "jax_cache")  # compiled programs survive the kills
    return env


def _records(runs: Path) -> pd.DataFrame:
    store = RunStore(runs)
    (run,) = store.runs()
    df = store.open(run["run_id"]).records()
    return df.sort_values(["lane", "step", "metric"]).reset_index(drop=True)


def _check_consistent(runs: Path) -> None:
    """After any kill: every committed part is readable, and no record appears twice."""
    store = RunStore(runs)
    for run in store.runs():
        df = store.open(run["run_id"]).records()
        assert not df.duplicated(["lane", "step", "metric"]).any()


def _kill_and_resume(tmp: Path, kills: int, seed: int, args: list[str] = ARGS) -> pd.DataFrame:
    runs = tmp / "interrupted"
    rng = random.Random(seed)
    killed = 0
    for _ in range(kills):
        proc = subprocess.Popen(_cmd(runs, args), env=_env(tmp), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(rng.uniform(2.0, 6.0))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the whole process group: workers of a sweep too
            killed += 1
        proc.wait()
        if runs.exists():
            _check_consistent(runs)
    done = subprocess.run(_cmd(runs, args), env=_env(tmp), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert killed >= 1, "no run was interrupted; the test did not test anything"
    return _records(runs)


def _uninterrupted(tmp: Path) -> pd.DataFrame:
    runs = tmp / "clean"
    done = subprocess.run(_cmd(runs), env=_env(tmp), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return _records(runs)


def test_kill_and_resume_gives_identical_records(tmp_path):
    clean = _uninterrupted(tmp_path)
    resumed = _kill_and_resume(tmp_path, kills=3, seed=0)
    pd.testing.assert_frame_equal(clean, resumed)


def test_kill_and_resume_sweep_on_local_pool(tmp_path):
    clean = _uninterrupted(tmp_path)
    resumed = _kill_and_resume(tmp_path, kills=2, seed=2, args=SWEEP)
    pd.testing.assert_frame_equal(clean, resumed)


@pytest.mark.slow
def test_kill_and_resume_20_times(tmp_path):
    clean = _uninterrupted(tmp_path)
    resumed = _kill_and_resume(tmp_path, kills=20, seed=1)
    pd.testing.assert_frame_equal(clean, resumed)
