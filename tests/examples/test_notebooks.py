"""The example notebooks (examples/*.ipynb) execute without error on a kernel from this environment, are stored
without outputs, and are exactly what examples/make_notebooks.py writes. The normal suite executes the fastest ones;
the rest are marked slow (python -m pytest -q -m slow tests/examples)."""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOTEBOOKS = sorted(p.stem for p in EXAMPLES.glob("*.ipynb"))
FAST = {"simon2023", "bansal2024"}  # a few seconds of compute each; the others take up to a minute on 2 cores


def _maker():
    spec = importlib.util.spec_from_file_location("make_notebooks", EXAMPLES / "make_notebooks.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_one_notebook_per_paper_and_compose():
    assert set(NOTEBOOKS) == {"yang2024", "tian2022", "wenli2021", "bansal2024", "simon2023", "compose"}


def test_notebooks_are_stored_without_outputs_and_match_their_source():
    built = _maker().build()
    assert sorted(built) == sorted(f"{n}.ipynb" for n in NOTEBOOKS)
    for name, text in built.items():
        on_disk = (EXAMPLES / name).read_text(encoding="utf-8")
        assert on_disk == text, f"{name} differs from examples/make_notebooks.py: run `python examples/make_notebooks.py`"
        for cell in json.loads(on_disk)["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, name


@pytest.mark.parametrize("name", [n if n in FAST else pytest.param(n, marks=pytest.mark.slow) for n in NOTEBOOKS])
def test_notebook_executes(name, tmp_path):
    nb = nbformat.read(EXAMPLES / f"{name}.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    t0 = time.time()
    client.execute()  # raises CellExecutionError (with the traceback) if a cell fails, an assert included
    seconds = time.time() - t0
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the notebook shows no figure"
    assert list(tmp_path.glob("runs/*/config.json")), "the notebook stored no run"
    print(f"{name}: {seconds:.1f} s")
