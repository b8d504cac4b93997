"""Sweeps: the local pool and a real local Ray instance give the records of an in-process run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sslab
from sslab.store import RunStore, mean_std

GRID = ["seed=0:6", "data.tau=5,7", "data.n=50,100", "train.steps=200", "train.log_every=50", "train.lane_block=4"]


def _records(res) -> pd.DataFrame:
    return res.records.sort_values(["lane", "step", "metric"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return _records(sslab.run("yang2024", GRID, store=tmp_path_factory.mktemp("inproc"), figures=False))


def test_grid_packs_lanes_into_programs():
    from sslab.papers.yang2024.experiment import EXPERIMENT
    from sslab.engine.lanes import lane_blocks
    plan = EXPERIMENT.plan(GRID)
    blocks = lane_blocks(plan.points())
    # data.n changes shapes (2 programs); seed x tau (12 lanes) share one program: 3 blocks of 4 each.
    assert len({b.group for b in blocks}) == 2 and len(blocks) == 6
    assert sum(len(b.lanes) for b in blocks) == plan.size() == 24


def test_local_pool_matches_in_process(reference, tmp_path):
    res = sslab.sweep("yang2024", GRID, store=tmp_path, workers=2, figures=False)
    pd.testing.assert_frame_equal(_records(res), reference)


def test_ray_matches_in_process(reference, tmp_path):
    pytest.importorskip("ray")
    res = sslab.sweep("yang2024", GRID, store=tmp_path, executor="ray", workers=2, figures=False)
    pd.testing.assert_frame_equal(_records(res), reference)


def test_chunking_does_not_change_results(reference, tmp_path):
    res = sslab.run("yang2024", GRID, store=tmp_path, blocks_per_chunk=4, figures=False)
    pd.testing.assert_frame_equal(_records(res), reference)


def test_query_across_two_runs_and_mean_std(tmp_path):
    sslab.run("yang2024", ["seed=0:3", "train.steps=100", "train.log_every=50"], store=tmp_path, figures=False)
    sslab.run("yang2024", ["seed=0:3", "data.tau=5,9", "train.steps=100", "train.log_every=50"], store=tmp_path, figures=False)
    store = RunStore(tmp_path)
    df = store.query("SELECT run, count(DISTINCT lane) AS lanes FROM records GROUP BY run ORDER BY lanes")
    assert df.lanes.tolist() == [3, 6]
    recs = store.query('SELECT * FROM records WHERE "data.tau" IS NOT NULL')
    stats = mean_std(recs, "w11", by=["data.tau"])
    assert stats["count"].tolist() == [3, 3]
    by_hand = recs[(recs.metric == "w11") & (recs.step == 100) & (recs["data.tau"] == 5.0)].value
    assert np.isclose(stats.loc[stats["data.tau"] == 5.0, "mean"].item(), by_hand.mean())
