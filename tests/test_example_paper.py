"""The "add a paper" guide (docs/ENGINE.md) holds: a paper package that lives outside src/sslab (here
tests/example_paper/toy2025) plugs in through the entry-point group ``sslab.papers`` -- the door of the
built-in papers -- and is run, checked and reported like a built-in paper."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sslab
from sslab import papers
from sslab.check import Context, run_claim, select

EXAMPLE = Path(__file__).parent / "example_paper" / "toy2025"


def declare(tmp_path, monkeypatch, name: str, ref: str, dist: str = "toy-plugin") -> None:
    """An installed distribution, as pip leaves one: a dist-info folder with the entry point, on sys.path."""
    info = tmp_path / "site" / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[sslab.papers]\n{name} = {ref}\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    papers.refresh()


@pytest.fixture
def toy(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLE / "src"))
    declare(tmp_path, monkeypatch, "toy2025", "toy2025:PAPER")
    yield papers.paper("toy2025")
    monkeypatch.undo()
    papers.refresh()


def test_declared_paper_is_found_with_its_experiment_and_claims(toy):
    assert toy.name == "toy2025" and "toy2025" in papers.papers()
    assert papers.sources()["toy2025"].distribution == "toy-plugin" and not papers.sources()["toy2025"].builtin
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


def test_example_is_what_sslab_new_paper_writes():
    """The checked-in example is the template's output, so the guide's example and `sslab new paper` agree."""
    from sslab.scaffold import paper_files

    files = paper_files("toy2025")
    assert sorted(files) == sorted(str(p.relative_to(EXAMPLE)) for p in EXAMPLE.rglob("*") if p.is_file()
                                   and "__pycache__" not in p.parts)
    for rel, text in files.items():
        assert (EXAMPLE / rel).read_text(encoding="utf-8") == text, rel


def test_example_imports_only_public_sslab_modules():
    import ast

    public = {"sslab", "sslab.config", "sslab.engine", "sslab.losses", "sslab.papers", "sslab.papers.rows",
              "sslab.plotting"}
    for f in EXAMPLE.rglob("*.py"):
        for node in ast.walk(ast.parse(f.read_text())):
            names = [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 else (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for n in names:
                if n and n.split(".")[0] == "sslab":
                    assert n in public or n.startswith("sslab.losses."), f"{f.name} imports {n}"
