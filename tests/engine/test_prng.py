"""The PRNG layout is a static config choice: each layout keeps lanes independent; the layouts differ."""

import numpy as np
import pytest

from sslab.papers.yang2024.experiment import EXPERIMENT
from sslab.engine import run_lanes

SHORT = ["train.steps=100", "train.log_every=50"]


def _W(overrides):
    return run_lanes(EXPERIMENT.plan(overrides + SHORT).points(), EXPERIMENT.problem).params["W"]


@pytest.mark.parametrize("prng", ["threefry_partitionable", "threefry_classic"])
def test_lane_independent_under_each_layout(prng):
    many = _W([f"train.prng={prng}", "seed=0:12"])
    alone = _W([f"train.prng={prng}", "seed=5"])
    assert np.array_equal(many[5], alone[0])


def test_layouts_give_different_streams():
    a = _W(["train.prng=threefry_partitionable", "seed=0"])
    b = _W(["train.prng=threefry_classic", "seed=0"])
    assert not np.array_equal(a, b)
