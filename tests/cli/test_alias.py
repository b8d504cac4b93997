"""Paper aliases (issue 22): `tian2023` names the paper and experiment `tian2022`; runs and claims keep the
canonical name."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sslab import papers
from sslab.cli import app
from sslab.papers import Paper

runner = CliRunner()


def test_alias_resolves_to_the_paper_and_its_experiment():
    assert papers.paper("tian2023") is papers.paper("tian2022")
    assert papers.experiment("tian2023") is papers.experiment("tian2022")
    assert papers.canonical("tian2023") == "tian2022" and papers.canonical("yang2024") == "yang2024"
    assert "tian2023" not in papers.experiments()  # listed once, under its name
    with pytest.raises(KeyError, match="unknown paper"):
        papers.paper("tian2024")


def test_invalid_alias_is_refused():
    with pytest.raises(ValueError, match="aliases"):
        Paper(name="x2025", title="x", aliases=("x2025",))
    with pytest.raises(ValueError, match="aliases"):
        Paper(name="x2025", title="x", aliases=("not an identifier",))


def test_run_and_check_accept_the_alias_and_store_the_canonical_name(tmp_path):
    r = runner.invoke(app, ["run", "tian2023", "seed=0", "train.steps=4", "train.log_every=2", "--no-figures",
                            "--no-report", "--runs", str(tmp_path)])
    assert r.exit_code == 0, r.output
    (run_dir,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert run_dir.name.startswith("tian2022-")
    assert json.loads((run_dir / "config.json").read_text())["experiment"] == "tian2022"
    r = runner.invoke(app, ["check", "tian2023.C5", "--dry-run"])
    assert r.exit_code == 0 and "tian2022.C5" in r.output and "1 claim(s)" in r.output, r.output
    r = runner.invoke(app, ["check", "tian2023", "--dry-run"])
    assert r.exit_code == 0 and r.output.count("tian2022.C") == len(papers.paper("tian2022").claims) - sum(
        c.report_only for c in papers.paper("tian2022").claims)
