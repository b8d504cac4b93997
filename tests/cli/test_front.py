"""The command line's front (issue 22): fast start (no JAX for --help, --version, list), the cached list index,
--json everywhere a list is printed, `list keys` with real defaults and logged metrics, unwrapped output off a
terminal, completion."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from typer.testing import CliRunner

from sslab import __version__
from sslab.cli import app

runner = CliRunner()


def sslab_in_subprocess(args: list[str], env: dict) -> dict:
    """Run the command in a fresh interpreter; report its output and whether JAX (or a paper) was imported."""
    code = ("import sys, io, contextlib\n"
            "from sslab.cli import app\n"
            "buf = io.StringIO()\n"
            "with contextlib.redirect_stdout(buf):\n"
            "    try:\n"
            f"        app({args!r}, prog_name='sslab')\n"
            "    except SystemExit as e:\n"
            "        code = e.code\n"
            "import json\n"
            "print(json.dumps({'out': buf.getvalue(), 'code': code, 'jax': 'jax' in sys.modules,\n"
            "                  'papers': 'sslab.papers' in sys.modules}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_help_version_and_list_import_no_jax(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "SSLAB_INDEX": ""}
    for args in (["--help"], ["--version"]):
        r = sslab_in_subprocess(args, env)
        assert r["code"] in (0, None) and not r["jax"] and not r["papers"], (args, r)
    assert sslab_in_subprocess(["--version"], env)["out"].strip() == f"sslab {__version__}"
    first = sslab_in_subprocess(["list", "claims", "--json"], env)  # builds the index (imports the papers)
    assert first["jax"] and (tmp_path / "cache" / "sslab" / "list-index.json").is_file()
    for what in ("experiments", "papers", "claims"):  # then every list form comes from it, without JAX
        cached = sslab_in_subprocess(["list", what, "--json"], env)
        assert not cached["jax"] and not cached["papers"], what
        live = runner.invoke(app, ["list", what, "--json"])  # this process has the registry: read live
        assert json.loads(cached["out"]) == json.loads(live.stdout), what
    # a stale key (any source edit, install or uninstall changes it) rebuilds the index
    index = tmp_path / "cache" / "sslab" / "list-index.json"
    stale = json.loads(index.read_text())
    stale["key"] = "old"
    stale["index"]["papers"] = []
    index.write_text(json.dumps(stale))
    rebuilt = sslab_in_subprocess(["list", "papers", "--json"], env)
    assert rebuilt["jax"] and any(p["name"] == "yang2024" for p in json.loads(rebuilt["out"]))


def test_list_json_forms():
    exps = json.loads(runner.invoke(app, ["list", "--json"]).stdout)
    by = {e["name"]: e for e in exps}
    assert by["yang2024"]["paper"] == "yang2024" and "method" in by["yang2024"]["presets"]
    assert by["tian2022"]["aliases"] == ["tian2023"] and "compose" in by
    papers = {p["name"]: p for p in json.loads(runner.invoke(app, ["list", "papers", "--json"]).stdout)}
    from sslab.papers import paper
    assert papers["yang2024"]["claims"] == len(paper("yang2024").claims) and papers["wenli2021_digits"]["optional"]
    claims = json.loads(runner.invoke(app, ["list", "claims", "--json"]).stdout)
    assert any(c["key"] == "yang2024.C5" and c["precision"] for c in claims)
    assert any(c["report_only"] for c in claims) and any(c["optional"] for c in claims)


def test_list_keys_shows_axis_defaults_metrics_and_only_keys_that_can_change():
    r = runner.invoke(app, ["list", "keys", "yang2024", "--json"])
    assert r.exit_code == 0, r.output
    info = json.loads(r.stdout)
    keys = {k["key"]: k for k in info["keys"]}
    assert keys["seed"]["default"] == "0:20" and keys["seed"]["axis"] and keys["seed"]["lane"]
    assert keys["data.tau"]["default"] == 7.0 and not keys["data.tau"]["axis"]
    assert "data.name" not in keys and "model.name" not in keys and "experiment" not in keys
    assert {"w11", "w22", "b1", "Pe1"} <= set(info["metrics"]) and info["also_logged"] == ["loss", "diverged_at"]
    assert keys["train.save_every"]["default"] == 0
    # composition swaps sections by name: there data.name is a real key
    compose = {k["key"] for k in json.loads(runner.invoke(app, ["list", "keys", "compose", "--json"]).stdout)["keys"]}
    assert {"data.name", "loss.name"} <= compose
    text = runner.invoke(app, ["list", "keys", "tian2023"])  # the alias works here too
    assert text.exit_code == 0 and "seed\t" in text.stdout and "loc_all" in text.stdout
    # off a terminal the table is tab-separated, one line per key, however long its doc
    lines = runner.invoke(app, ["list", "keys", "yang2024"]).stdout.splitlines()
    assert lines[0] == "key\tdefault\tlane\tdoc"
    assert next(line for line in lines if line.startswith("seed\t")).startswith("seed\t0:20 (axis)\tyes\t")
    assert any(len(line) > 80 for line in lines)


def test_check_json_to_stdout(tmp_path):
    r = runner.invoke(app, ["check", "yang2024.C1", "--workers", "1", "--runs", str(tmp_path), "--json", "-"])
    assert r.exit_code == 0, r.output
    table = json.loads(r.stdout)  # stdout is the JSON table alone; the claim tables went to stderr
    assert table["claims"][0]["key"] == "yang2024.C1" and "Overview" in r.stderr
    r = runner.invoke(app, ["list"])  # and the console writes to stdout again afterwards
    assert "yang2024" in r.stdout


def test_completion_is_offered():
    r = runner.invoke(app, ["--help"])
    assert r.exit_code == 0 and "--install-completion" in r.output and "--version" in r.output
