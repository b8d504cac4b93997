"""The "add a paper" guide (docs/ENGINE.md) holds: a paper package that lives outside src/sslab (here
tests/example_paper/toy2025) plugs in through the paper registry and is run, checked and reported like a
built-in paper."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sslab
from sslab import papers
from sslab.check import Context, run_claim, select

EXAMPLE = Path(__file__).parent / "example_paper"


@pytest.fixture
def toy(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLE))
    monkeypatch.setitem(papers.REGISTRY, "toy2025", "toy2025:PAPER")
    yield papers.paper("toy2025")
    papers._LOADED.pop("toy2025", None)


def test_registered_paper_is_found_with_its_experiment_and_claims(toy):
    assert toy.name == "toy2025" and "toy2025" in papers.papers()
    assert papers.experiment("toy2025") is toy.experiments[0]
    assert [c.key for c in select("toy2025")] == ["toy2025.T1"]
    assert "toy2025.T1" in [c.key for c in select(None)]


def test_run_and_claim_through_the_shared_machinery(toy, tmp_path):
    res = sslab.run("toy2025", ["seed=0:2", "train.steps=30"], store=tmp_path, figures=True)
    m = res.metric("m")
    assert len(m) == 2 and np.all(np.isfinite(m))
    assert res.figures and Path(res.figures[0]).stat().st_size > 0
    r = run_claim(select("toy2025.T1")[0], Context(store=tmp_path, size="quick"))
    assert r.error is None and r.verdict == "PASS" and "0/4 seeds fail" in r.rows[0].measured


def test_example_imports_only_public_sslab_modules():
    import ast

    public = {"sslab.config", "sslab.engine", "sslab.papers", "sslab.papers.rows", "sslab.plotting"}
    for f in (EXAMPLE / "toy2025").glob("*.py"):
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sslab"):
                assert node.module in public, f"{f.name} imports {node.module}"
