"""docs/API.md: every Python example runs as written (slow: five small runs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "API.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)


@pytest.mark.slow
@pytest.mark.parametrize("i", range(len(BLOCKS)))
def test_api_doc_example_runs(i, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(BLOCKS[i], f"docs/API.md[{i}]", "exec"), {})
    assert list(tmp_path.glob("runs/*/config.json"))


def test_api_doc_has_one_example_per_paper_and_compose():
    text = "\n".join(BLOCKS)
    for exp in ("yang2024", "tian2022", "wenli2021", "bansal2024", "compose"):
        assert f'sslab.run("{exp}"' in text
