"""The package imports only public sslab modules, and the theory module reads no simulation (spec §5)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "sslab_simon2023"
PUBLIC = {"sslab.config", "sslab.engine", "sslab.papers", "sslab.papers.rows", "sslab.plotting", "sslab.losses"}


def _imports(path: Path) -> list[tuple[str, int]]:
    """(module, level) of every import statement, function-level ones included."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [(a.name, 0) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            out.append((node.module or "", node.level))
    return out


def _public(module: str) -> bool:
    return module in PUBLIC or module.startswith("sslab.losses.")


def test_package_imports_only_public_sslab_modules():
    files = sorted(PACKAGE.glob("*.py"))
    assert len(files) >= 8
    for f in files:
        for module, level in _imports(f):
            if level == 0 and (module == "sslab" or module.startswith("sslab.")):
                assert _public(module), f"{f.name} imports {module}"


def test_theory_depends_only_on_the_inputs():
    """theory.py sees the pairs and W̃ (data, model) but no run, measurement, claim or figure."""
    local = {m for m, level in _imports(PACKAGE / "theory.py") if level == 1}
    assert local <= {"data", "model"}, local
    assert not any(m.startswith("sslab") for m, level in _imports(PACKAGE / "theory.py") if level == 0)
