"""The `sslab` command line: runs write results, errors are one line and write nothing."""

from __future__ import annotations

from typer.testing import CliRunner

from sslab.cli import app

runner = CliRunner()


def test_list():
    r = runner.invoke(app, ["list"])
    assert r.exit_code == 0 and "yang2024" in r.output
    r = runner.invoke(app, ["list", "keys", "yang2024"])
    assert r.exit_code == 0 and "data.tau" in r.output


def test_run_writes_results(tmp_path):
    r = runner.invoke(app, ["run", "yang2024", "seed=0:3", "train.steps=100", "train.log_every=10", "--runs", str(tmp_path)])
    assert r.exit_code == 0, r.output
    (run_dir,) = list(tmp_path.iterdir())
    assert (run_dir / "config.json").exists() and (run_dir / "summary.json").exists()
    assert list((run_dir / "records").glob("part-*.parquet"))
    assert len(list((run_dir / "figures").glob("*.png"))) == 3
    assert (run_dir / "report.html").read_text().count("<img") == 3
    q = runner.invoke(app, ["query", "SELECT count(DISTINCT seed) AS n FROM records", "--runs", str(tmp_path)])
    assert q.exit_code == 0 and "3" in q.output
    again = runner.invoke(app, ["run", "yang2024", "seed=0:3", "train.steps=100", "train.log_every=10", "--runs", str(tmp_path)])
    assert again.exit_code == 0 and len(list(tmp_path.iterdir())) == 1  # same config: same run, resumed


def test_bad_override_is_one_line_and_writes_nothing(tmp_path):
    for bad in (["data.tauu=3"], ["train.dtype=float16"], ["data.n=-5"], ["seed=3:1"], ["data.tau=nan"], ["oops"]):
        r = runner.invoke(app, ["run", "yang2024", *bad, "--runs", str(tmp_path)])
        assert r.exit_code == 2, (bad, r.output)
        lines = [line for line in r.output.strip().splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error:"), r.output
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


def test_check_theory_claim(tmp_path):
    r = runner.invoke(app, ["check", "yang2024.C1", "--runs", str(tmp_path), "--report", str(tmp_path / "rep")])
    assert r.exit_code == 0, r.output
    assert "PASS" in r.output
    html = (tmp_path / "rep" / "index.html").read_text()
    assert "C1" in html and "PASS" in html


def test_check_unknown_claim():
    r = runner.invoke(app, ["check", "yang2024.C42"])
    assert r.exit_code == 2 and "valid choices" in r.output


def test_optional_papers_run_only_when_named():
    """The default all-paper selection leaves out the optional papers (wenli2021 §10 digits); naming one selects it."""
    from sslab.check import optional_papers, select

    OPTIONAL = optional_papers()

    assert "wenli2021_digits" in OPTIONAL
    assert not {c.paper for c in select(None)} & set(OPTIONAL)
    assert {c.paper for c in select(None, include_optional=True)} >= set(OPTIONAL)
    assert [c.paper for c in select("wenli2021_digits")] == ["wenli2021_digits"] * 2
    r = runner.invoke(app, ["list", "claims"])
    assert "wenli2021_digits.P" in r.output and "optional" in r.output
