"""The engine: a pure, lane-vectorised trainer that knows no paper, store or command line.

- :mod:`.train`: :class:`Problem` (the pure pieces of an experiment), :func:`train` (one lane, the step loop
  in ``lax.scan``), optimisers and batch helpers.
- :mod:`.lanes`: blocks of lanes, padding, the compile cache, :func:`run_lanes`.
- :mod:`.executors`: a generic map over tasks in-process, on a local process pool or on Ray.
"""

from .lanes import (LaneBlock, LaneResult, enable_compilation_cache, iter_blocks, lane_blocks, logged_metrics, run_block,
                    run_lanes)
from .train import Problem, full_batch, make_optimizer, minibatch, online, train

__all__ = ["Problem", "train", "full_batch", "minibatch", "online", "make_optimizer", "LaneBlock", "LaneResult",
           "lane_blocks", "run_block", "iter_blocks", "run_lanes", "enable_compilation_cache", "logged_metrics"]
