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


def test_check_json_csv_and_compare_round_trip(tmp_path):
    """--json writes every row with its rule and statistic; --compare against it says nothing moved; a doctored
    old table shows exactly the row that changed; an unreadable table is a one-line error."""
    import csv
    import json

    a, c = tmp_path / "a.json", tmp_path / "a.csv"
    r = runner.invoke(app, ["check", "yang2024.C1", "--workers", "1", "--runs", str(tmp_path / "runs"),
                            "--json", str(a), "--csv", str(c)])
    assert r.exit_code == 0, r.output
    table = json.loads(a.read_text())
    (claim,) = table["claims"]
    assert claim["key"] == "yang2024.C1" and claim["verdict"] == "PASS" and table["passed"] == 1
    assert claim["rows"][0]["rule"] and claim["rows"][0]["stat"]["kind"] == "value"
    lines = list(csv.DictReader(c.open()))
    assert len(lines) == len(claim["rows"]) and lines[0]["claim"] == "yang2024.C1"
    r = runner.invoke(app, ["check", "yang2024.C1", "--workers", "1", "--runs", str(tmp_path / "runs"),
                            "--compare", str(a)])
    assert r.exit_code == 0 and "nothing moved" in r.output
    claim["rows"][0]["measured"] = "9.9999"
    claim["verdict"] = "FAIL"
    b = tmp_path / "b.json"
    b.write_text(json.dumps(table))
    r = runner.invoke(app, ["check", "yang2024.C1", "--workers", "1", "--runs", str(tmp_path / "runs"),
                            "--compare", str(b)])
    assert r.exit_code == 0 and "What moved (2)" in r.output and "9.9999" in r.output
    (tmp_path / "bad.json").write_text("[1, 2]")
    r = runner.invoke(app, ["check", "yang2024.C1", "--compare", str(tmp_path / "bad.json")])
    assert r.exit_code == 2 and "not a claim table" in r.output


def test_theory_objects_are_public(tmp_path):
    import json

    r = runner.invoke(app, ["theory", "yang2024"])
    assert r.exit_code == 0 and "yang2024.ssl_minimiser" in r.output
    r = runner.invoke(app, ["theory", "yang2024.ssl_minimiser", "tau=5,7", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert [o["params"]["tau"] for o in out] == [5, 7]
    assert abs(out[1]["value"]["a"] - 3.816) < 0.01  # spec C1: a* = 3.816 at τ = 7
    r = runner.invoke(app, ["theory", "yang2024.ssl_minimiser", "nope=1"])
    assert r.exit_code == 2 and "valid choices" in r.output
