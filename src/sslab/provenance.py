"""Provenance of a run: what changes its numbers (part of the run's identity) and where it ran (recorded only).

The identity is sslab's version, a content hash of the source files the run's experiment depends on, and
the JAX/jaxlib versions: editing a paper's code, a plugin's loss or the engine, or upgrading JAX, makes a new
run instead of returning stale stored numbers. The code an experiment depends on is the engine, the config,
the losses and the paper declarations, plus the package of the experiment (its paper, or a plugin's top-level
package); composition depends on every paper that offers it data models and encoders. The machine record (git
commit of the source tree, CPU model and ISA flags, device, Python) is stored beside it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

from importlib.metadata import PackageNotFoundError, version

import jax
import jaxlib

from .papers import papers

_SSLAB = Path(__file__).resolve().parent
#: the sslab sources every run depends on: the engine, configs, losses and the paper declarations
CORE = ("engine", "config.py", "losses", "papers/paper.py", "papers/__init__.py")
ISA_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512_bf16", "avx512_fp16", "amx_tile",
             "neon", "sve")


def _py_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)


def _package_dir(module: str) -> Path | None:
    """The folder that holds everything of the module's paper or plugin (a paper package, a plugin's top package)."""
    parts = module.split(".")
    if parts[0] == "sslab":
        if len(parts) >= 3 and parts[1] == "papers":
            return _SSLAB / "papers" / parts[2]
        if len(parts) >= 2 and parts[1] == "compose":
            return _SSLAB / "compose"
        mod = sys.modules.get(module)
        return Path(mod.__file__).resolve() if mod is not None and getattr(mod, "__file__", None) else None
    top = sys.modules.get(parts[0])
    if top is None:
        return None
    paths = list(getattr(top, "__path__", []) or [])
    if paths:
        return Path(paths[0]).resolve()
    return Path(top.__file__).resolve() if getattr(top, "__file__", None) else None


def code_paths(experiment: Any) -> list[Path]:
    """Source files and folders an experiment's runs depend on."""
    paths = [_SSLAB / c for c in CORE]
    module = getattr(experiment.problem, "__module__", "") or ""
    own = _package_dir(module)
    if own is not None:
        paths.append(own)
    if module.startswith("sslab.compose"):  # composition runs every paper's data models and encoders
        for p in papers().values():
            for obj in (*p.data_models, *p.encoders):
                d = _package_dir(getattr(obj.views if hasattr(obj, "views") else obj.encode, "__module__", ""))
                if d is not None:
                    paths.append(d)
    return sorted(set(paths))


@functools.lru_cache(maxsize=None)
def _hash_files(files: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    for f in files:
        p = Path(f)
        h.update(p.name.encode())
        h.update(b"\0")
        try:
            h.update(p.read_bytes())
        except OSError:
            h.update(b"<unreadable>")
        h.update(b"\0")
    return h.hexdigest()


def code_hash(experiment: Any) -> str:
    """sha256 (hex, 16 characters) of the source files an experiment's runs depend on, in a fixed order."""
    files: list[str] = []
    for path in code_paths(experiment):
        files += [str(p) for p in _py_files(path)]
    return _hash_files(tuple(sorted(set(files))))[:16]


def sslab_version() -> str:
    try:
        return version("sslab")
    except PackageNotFoundError:  # a source tree that was not installed
        return "unknown"


def identity(experiment: Any) -> dict[str, str]:
    """What changes a run's numbers: sslab's version, the code hash, JAX and jaxlib versions."""
    return {"sslab": sslab_version(), "code": code_hash(experiment), "jax": jax.__version__,
            "jaxlib": jaxlib.__version__}


@functools.lru_cache(maxsize=None)
def _git() -> dict[str, Any]:
    try:
        head = subprocess.run(["git", "-C", str(_SSLAB), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=5)
        if head.returncode != 0:
            return {}
        dirty = subprocess.run(["git", "-C", str(_SSLAB), "status", "--porcelain", "--", str(_SSLAB)],
                               capture_output=True, text=True, timeout=5)
        return {"git": head.stdout.strip(), "git_dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return {}


@functools.lru_cache(maxsize=None)
def cpu() -> dict[str, Any]:
    """CPU model and the ISA flags that decide XLA's and BLAS's kernels (from /proc/cpuinfo on Linux)."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and model in ("", platform.machine(), platform.processor()):
                model = value.strip()
            elif key.strip() in ("flags", "Features") and not flags:
                flags = set(value.split())
    except OSError:
        pass
    return {"cpu": model, "isa": [f for f in ISA_FLAGS if f in flags], "cores": os.cpu_count()}


def machine() -> dict[str, Any]:
    """Where a run was computed (recorded, not part of its identity)."""
    try:
        device = jax.devices()[0].device_kind
    except Exception:  # noqa: BLE001 - no device query must stop a run
        device = "unknown"
    return {**_git(), **cpu(), "device": device, "platform": jax.default_backend(),
            "python": platform.python_version()}
