"""sslab: a lab for the theory of self-supervised learning (one lane-vectorised JAX engine, papers as packages).

The public API: :func:`run`, :func:`sweep`, :func:`load`, :func:`check` and :class:`Results` (``sslab.api``);
the engine's :class:`Problem`, :func:`train` and :func:`run_lanes` (``sslab.engine``); papers and their
declarations in ``sslab.papers``.

The top-level names are imported lazily (PEP 562): ``import sslab`` is cheap and does not import JAX, so the
command line starts fast; ``sslab.run`` imports the API (and JAX) on first use.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__version__ = "0.1.0"

#: public name -> the module that defines it
_LAZY = {
    "run": "sslab.api", "sweep": "sslab.api", "load": "sslab.api", "check": "sslab.api", "Results": "sslab.api",
    "ConfigError": "sslab.config",
    "Problem": "sslab.engine", "run_lanes": "sslab.engine", "train": "sslab.engine",
}

__all__ = ["run", "sweep", "load", "check", "Results", "train", "run_lanes", "Problem", "ConfigError"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sslab' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """``sslab.check`` is the API function, also after the submodule ``sslab.check`` was imported (importing a
    submodule sets it as an attribute of its package; eagerly importing the API used to overwrite it)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return  # the submodule stays reachable as sys.modules["sslab.<name>"]
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
