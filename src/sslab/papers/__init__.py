"""The paper registry: one table of papers, each a package that exports one :class:`~.paper.Paper`.

A paper is registered by one line in :data:`REGISTRY` (``name: "module:attribute"``) and imported only
when first asked for, so a paper's import cost is paid by the commands that use it. Experiments are
found through the papers that declare them. :func:`register` adds a paper object directly (tests,
notebooks).
"""

from __future__ import annotations

import importlib

from .paper import Claim, Context, DataModel, Encoder, Experiment, Paper, Row

#: name -> "module:attribute" of its Paper object (the one line a new paper adds)
REGISTRY: dict[str, str] = {
    "yang2024": "sslab.papers.yang2024:PAPER",
    "tian2022": "sslab.papers.tian2022:PAPER",
    "bansal2024": "sslab.papers.bansal2024:PAPER",
    "wenli2021": "sslab.papers.wenli2021:PAPER",
    "wenli2021_digits": "sslab.papers.wenli2021:DIGITS",
}

_LOADED: dict[str, Paper] = {}


def _load(name: str, ref: str) -> Paper:
    module, _, attr = ref.partition(":")
    obj = getattr(importlib.import_module(module), attr or "PAPER")
    if not isinstance(obj, Paper):
        raise TypeError(f"paper {name!r}: {ref} is a {type(obj).__name__}, not a sslab Paper")
    if obj.name != name:
        raise ValueError(f"paper {name!r}: {ref} declares the name {obj.name!r}")
    return obj


def papers() -> dict[str, Paper]:
    """Every registered paper by name, in registry order."""
    for name, ref in REGISTRY.items():
        if name not in _LOADED:
            _LOADED[name] = _load(name, ref)
    return {name: _LOADED[name] for name in list(REGISTRY) + [n for n in _LOADED if n not in REGISTRY]}


def paper(name: str) -> Paper:
    """One paper by name; a KeyError lists the valid names."""
    if name in _LOADED:
        return _LOADED[name]
    if name not in REGISTRY:
        raise KeyError(f"unknown paper {name!r}; valid choices: {', '.join(sorted(set(REGISTRY) | set(_LOADED)))}")
    _LOADED[name] = _load(name, REGISTRY[name])
    return _LOADED[name]


def register(p: Paper) -> Paper:
    """Add a paper object to the registry (it then behaves like a registered one)."""
    if not isinstance(p, Paper):
        raise TypeError(f"register() takes a sslab Paper, got {type(p).__name__}")
    _LOADED[p.name] = p
    return p


def experiments() -> dict[str, Experiment]:
    """Every experiment of every registered paper, by name."""
    out: dict[str, Experiment] = {}
    for p in papers().values():
        for e in p.experiments:
            if e.name in out and out[e.name] is not e:
                raise ValueError(f"experiment {e.name!r} is declared by two papers")
            out[e.name] = e
    return out


def experiment(name: str) -> Experiment:
    """One experiment by name; a KeyError lists the valid names."""
    if name in REGISTRY or name in _LOADED:  # the paper of the same name: no need to import the others
        for e in paper(name).experiments:
            if e.name == name:
                return e
    exps = experiments()
    if name not in exps:
        raise KeyError(f"unknown experiment {name!r}; valid choices: {', '.join(sorted(exps))}")
    return exps[name]


__all__ = ["REGISTRY", "papers", "paper", "register", "experiments", "experiment", "Paper", "Experiment", "Claim",
           "Row", "Context", "DataModel", "Encoder"]
