"""sslab: a lab for the theory of self-supervised learning (one lane-vectorised JAX engine, four papers)."""

from .api import Results, load, run, sweep
from .config import ConfigError
from .train.engine import Problem, run_lanes, train

__all__ = ["run", "sweep", "load", "Results", "train", "run_lanes", "Problem", "ConfigError"]
__version__ = "0.1.0"
