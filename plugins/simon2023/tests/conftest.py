"""Shared fixtures: the paper is found through its entry point when the plugin is installed, else registered here
(the source tree on sys.path), so the tests run either way."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
try:
    import sslab_simon2023  # noqa: F401  (installed, or already importable)
except ImportError:
    sys.path.insert(0, str(SRC))


@pytest.fixture(scope="session")
def paper():
    """The simon2023 Paper as sslab sees it: discovered, or registered when discovery does not find it."""
    from sslab import papers

    if "simon2023" not in papers.papers():
        from sslab_simon2023 import PAPER

        papers.register(PAPER)
    return papers.paper("simon2023")
