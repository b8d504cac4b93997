"""The paper registry: papers are packages that export one :class:`~.paper.Paper`, found through the Python
entry-point group ``sslab.papers``.

The built-in papers register through the same group as any plugin (``[project.entry-points."sslab.papers"]``
in a ``pyproject.toml``: ``name = "module:attribute"``), so there is one way in. A paper is imported only when
first asked for. A paper that fails to import or declares itself wrongly is left out with a one-line
problem naming it and its distribution (:func:`problems`); it never breaks the other papers or the command
line. :func:`register` adds a paper object directly (notebooks); :func:`refresh` rereads the entry points
(after a plugin was installed into a running process).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib.metadata import entry_points

from .paper import Claim, Context, DataModel, Encoder, Experiment, Paper, Row

GROUP = "sslab.papers"
BUILTIN = "sslab"  # the distribution of the built-in papers


@dataclass(frozen=True)
class Source:
    """Where a paper comes from: its entry point's value and the distribution that declares it."""

    ref: str  # "module:attribute"
    distribution: str  # "sslab" (built in), a plugin's distribution name, or "" (registered in this process)

    @property
    def builtin(self) -> bool:
        return self.distribution == BUILTIN


_SOURCES: dict[str, Source] = {}
_LOADED: dict[str, Paper] = {}
_PROBLEMS: dict[str, str] = {}
_DISCOVERED: list[bool] = [False]


def _discover() -> None:
    if _DISCOVERED[0]:
        return
    _DISCOVERED[0] = True
    for ep in entry_points(group=GROUP):
        dist = getattr(getattr(ep, "dist", None), "name", None) or "?"
        if ep.name in _SOURCES:
            if _SOURCES[ep.name].ref != ep.value:
                _PROBLEMS[ep.name] = (f"paper {ep.name!r} is declared twice ({_SOURCES[ep.name].distribution}: "
                                      f"{_SOURCES[ep.name].ref}; {dist}: {ep.value}); using the first")
            continue
        _SOURCES[ep.name] = Source(ep.value, dist)


def _load(name: str) -> Paper | None:
    src = _SOURCES[name]
    try:
        module, _, attr = src.ref.partition(":")
        obj = importlib.import_module(module.strip())
        for part in (attr.strip() or "PAPER").split("."):
            obj = getattr(obj, part)
        if not isinstance(obj, Paper):
            raise TypeError(f"{src.ref} is a {type(obj).__name__}, not a sslab.papers.Paper")
        if obj.name != name:
            raise ValueError(f"{src.ref} declares the name {obj.name!r}, registered as {name!r}")
    except Exception as e:  # noqa: BLE001 - a broken plugin must not break the other papers
        detail = str(e).splitlines()[0] if str(e) else ""
        _PROBLEMS[name] = (f"paper {name!r} ({src.distribution}: {src.ref}) is left out: "
                           f"{type(e).__name__}{': ' + detail if detail else ''}")
        return None
    _LOADED[name] = obj
    return obj


def sources() -> dict[str, Source]:
    """Every declared paper and where it comes from (built-in papers first, then plugins, by name)."""
    _discover()
    return dict(sorted(_SOURCES.items(), key=lambda kv: (not kv[1].builtin, kv[0])))


def papers() -> dict[str, Paper]:
    """Every paper that loads, by name: built-in papers first, then plugins, then papers registered here."""
    out: dict[str, Paper] = {}
    for name in sources():
        p = _LOADED.get(name) or (None if name in _PROBLEMS else _load(name))
        if p is not None:
            out[name] = p
    out.update({n: p for n, p in _LOADED.items() if n not in out})
    return out


def paper(name: str) -> Paper:
    """One paper by name or alias (``Paper.aliases``); a KeyError says why it is missing (unknown name, or a
    plugin that failed to load)."""
    if name in _LOADED:
        return _LOADED[name]
    _discover()
    if name in _SOURCES and name not in _PROBLEMS and _load(name) is not None:
        return _LOADED[name]
    if name in _PROBLEMS:
        raise KeyError(_PROBLEMS[name])
    canonical = aliases().get(name)
    if canonical is not None:
        return _LOADED[canonical]
    raise KeyError(f"unknown paper {name!r}; valid choices: {', '.join(sorted(set(_SOURCES) | set(_LOADED)))}")


def aliases() -> dict[str, str]:
    """Every alias of a loaded paper -> the paper's name (an alias that is some paper's name, or that two papers
    declare, is ignored: the names stay unambiguous). Loads every paper."""
    loaded = papers()
    out: dict[str, str] = {}
    taken = set(loaded) | set(_SOURCES)
    for p in loaded.values():
        for a in p.aliases:
            if a in taken or a in out:
                _PROBLEMS.setdefault(f"alias:{a}", f"alias {a!r} of paper {p.name!r} is ignored: the name is taken")
                out.pop(a, None)
                taken.add(a)
                continue
            out[a] = p.name
    return out


def canonical(name: str) -> str:
    """The paper or experiment name an alias stands for (``tian2023`` -> ``tian2022``); other names unchanged."""
    if name in _LOADED or name in _SOURCES:
        return name
    _discover()
    if name in _SOURCES:
        return name
    return aliases().get(name, name)


def problems() -> list[str]:
    """One line per paper that was declared but could not be used."""
    papers()
    return list(_PROBLEMS.values())


def register(p: Paper) -> Paper:
    """Add a paper object to the registry of this process (it then behaves like a declared one)."""
    if not isinstance(p, Paper):
        raise TypeError(f"register() takes a sslab.papers.Paper, got {type(p).__name__}")
    _LOADED[p.name] = p
    _PROBLEMS.pop(p.name, None)
    return p


def refresh() -> None:
    """Forget what was discovered and loaded, so the entry points are read again."""
    _DISCOVERED[0] = False
    for d in (_SOURCES, _LOADED, _PROBLEMS):
        d.clear()


def experiments() -> dict[str, Experiment]:
    """Every experiment of every paper, by name."""
    out: dict[str, Experiment] = {}
    for p in papers().values():
        for e in p.experiments:
            if e.name in out and out[e.name] is not e:
                raise ValueError(f"experiment {e.name!r} is declared by two papers")
            out[e.name] = e
    return out


def experiment(name: str) -> Experiment:
    """One experiment by name, or by an alias of the paper whose experiment has the paper's name (``tian2023`` is
    the experiment ``tian2022``); a KeyError lists the valid names."""
    try:  # the paper of the same name first: no need to import the others
        p = paper(name)
        for e in p.experiments:
            if e.name in (name, p.name if name in p.aliases else None):
                return e
    except KeyError:
        pass
    exps = experiments()
    if name not in exps:
        raise KeyError(f"unknown experiment {name!r}; valid choices: {', '.join(sorted(exps))}")
    return exps[name]


__all__ = ["GROUP", "Source", "sources", "papers", "paper", "aliases", "canonical", "problems", "register", "refresh", "experiments",
           "experiment", "Paper", "Experiment", "Claim", "Row", "Context", "DataModel", "Encoder"]
