"""Intermediate parameter checkpoints (``train.save_every``, issue 22): in the engine, in the store, in Results."""

from __future__ import annotations

import numpy as np
import pytest

import sslab
from sslab.config import ConfigError
from sslab.engine import run_lanes
from sslab.papers.yang2024.experiment import EXPERIMENT

SHORT = ("seed=0:3", "train.log_every=25", "train.lane_block=4")


def run_yang(*overrides: str):
    return run_lanes(EXPERIMENT.plan(list(overrides)).points(), EXPERIMENT.problem)


def test_checkpoints_are_the_params_of_shorter_runs_and_change_nothing_else():
    saved = run_yang(*SHORT, "train.steps=150", "train.save_every=50")
    plain = run_yang(*SHORT, "train.steps=150")
    shorter = run_yang(*SHORT, "train.steps=50")
    assert plain.checkpoints is None and plain.checkpoint_steps is None
    np.testing.assert_array_equal(saved.checkpoint_steps, [0, 50, 100, 150])
    W = saved.checkpoints["W"]
    assert W.shape == (3, 4, *plain.params["W"].shape[1:])
    # the last checkpoint is the final params, bit for bit
    assert np.array_equal(W[:, -1], saved.params["W"])
    # an intermediate checkpoint is the final params of a shorter run (same seeds, same block size)
    assert np.array_equal(W[:, 1], shorter.params["W"])
    # step 0 is the initialisation, and training moved the parameters between checkpoints
    assert not np.array_equal(W[:, 0], W[:, 1]) and not np.array_equal(W[:, 1], W[:, 2])
    # keeping checkpoints changes no number of the run: final params, metrics and losses are bit-identical
    assert np.array_equal(saved.params["W"], plain.params["W"])
    for k in plain.metrics:
        assert np.array_equal(saved.metrics[k], plain.metrics[k], equal_nan=True), k
    assert np.array_equal(saved.loss, plain.loss) and np.array_equal(saved.diverged_at, plain.diverged_at)


@pytest.mark.parametrize("overrides,fragment", [
    (("train.steps=100", "train.log_every=20", "train.save_every=30"), "multiple of train.log_every"),
    (("train.steps=100", "train.log_every=20", "train.save_every=40"), "must divide train.steps"),
    (("train.save_every=-10",), "must be >= 0"),
])
def test_bad_save_every_is_a_one_line_error(overrides, fragment):
    with pytest.raises(ConfigError) as info:
        EXPERIMENT.plan(list(overrides))
    assert fragment in str(info.value) and "\n" not in str(info.value)


def test_checkpoints_are_stored_per_block_resumable_and_readable(tmp_path):
    args = ["seed=0:6", *SHORT[1:], "train.steps=100", "train.save_every=50"]
    res = sslab.run("yang2024", args, store=tmp_path, figures=False)
    ck, steps = res.checkpoints()
    np.testing.assert_array_equal(steps, [0, 50, 100])
    np.testing.assert_array_equal(ck["lane"], np.arange(6))
    assert ck["W"].shape[:2] == (6, 3)
    assert np.array_equal(ck["W"][:, -1], res.params["W"])
    files = sorted(p.name for p in (res.handle.path / "params").iterdir())
    assert files == ["ckpt-g000-b00000.npz", "ckpt-g000-b00001.npz", "part-g000-b00000.npz", "part-g000-b00001.npz"]
    # a lost block is recomputed on re-run, its checkpoints with it, and the rest is skipped
    before = ck["W"].copy()
    (res.handle.path / "records" / "part-g000-b00001.parquet").unlink()
    (res.handle.path / "params" / "ckpt-g000-b00001.npz").unlink()
    kept = (res.handle.path / "params" / "ckpt-g000-b00000.npz").stat().st_mtime_ns
    again = sslab.run("yang2024", args, store=tmp_path, figures=False)
    assert (again.handle.path / "params" / "ckpt-g000-b00000.npz").stat().st_mtime_ns == kept
    assert np.array_equal(again.checkpoints()[0]["W"], before)
    # a run without save_every keeps none, and says how to get them
    plain = sslab.run("yang2024", [*SHORT, "train.steps=100"], store=tmp_path, figures=False)
    with pytest.raises(KeyError, match="save_every"):
        plain.checkpoints()
