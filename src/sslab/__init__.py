"""sslab: a lab for the theory of self-supervised learning (one lane-vectorised JAX engine, papers as packages).

The public API: :func:`run`, :func:`sweep`, :func:`load`, :func:`check` and :class:`Results` (``sslab.api``);
the engine's :class:`Problem`, :func:`train` and :func:`run_lanes` (``sslab.engine``); papers and their
declarations in ``sslab.papers``.
"""

from .api import Results, check, load, run, sweep
from .config import ConfigError
from .engine import Problem, run_lanes, train

__all__ = ["run", "sweep", "load", "check", "Results", "train", "run_lanes", "Problem", "ConfigError"]
__version__ = "0.1.0"
