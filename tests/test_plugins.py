"""The open door (docs/PLUGINS.md): papers come in through the entry-point group ``sslab.papers``; a broken
plugin is one warning line and never breaks the other papers or the command line; ``sslab new paper`` writes a
plugin that installs with pip and passes ``sslab check`` out of the box."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sslab import papers
from sslab.cli import app

runner = CliRunner()
BIN = Path(sys.executable).parent


def declare(tmp_path: Path, monkeypatch, lines: dict[str, str], dist: str = "broken-plugin") -> None:
    """An installed distribution as pip leaves one: a dist-info folder with entry points, on sys.path."""
    info = tmp_path / "site" / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[sslab.papers]\n" + "".join(f"{k} = {v}\n" for k, v in lines.items()))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    papers.refresh()


@pytest.fixture
def broken(tmp_path, monkeypatch):
    declare(tmp_path, monkeypatch, {"nomodule": "no_such_module_xyz:PAPER", "notapaper": "json:dumps",
                                    "misnamed": "sslab.papers.yang2024:PAPER"})
    yield
    monkeypatch.undo()
    papers.refresh()


def test_builtin_papers_come_through_the_entry_point_group():
    papers.refresh()
    src = papers.sources()
    for name in ("yang2024", "tian2022", "wenli2021", "wenli2021_digits", "bansal2024"):
        assert src[name].builtin and src[name].ref.startswith("sslab.papers."), name
    assert set(papers.papers()) >= {"yang2024", "tian2022", "wenli2021", "bansal2024"}


def test_broken_plugins_are_one_warning_line_each_and_break_nothing(broken, tmp_path):
    r = runner.invoke(app, ["list", "papers"])
    assert r.exit_code == 0, r.output
    assert "yang2024" in r.output and "bansal2024" in r.output
    warnings = [line for line in r.output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 3, r.output
    for name in ("nomodule", "notapaper", "misnamed"):
        (w,) = [line for line in warnings if f"'{name}'" in line]
        assert "broken-plugin" in w and "left out" in w
    assert "ModuleNotFoundError" in r.output and "not a sslab.papers.Paper" in r.output
    r = runner.invoke(app, ["check", "nomodule"])
    assert r.exit_code == 2 and "left out" in r.output and len(r.output.strip().splitlines()) == 1
    r = runner.invoke(app, ["check", "yang2024.C1", "--workers", "1", "--runs", str(tmp_path / "runs")])
    assert r.exit_code == 0, r.output


def test_new_paper_installs_with_pip_and_passes_check(tmp_path):
    """`sslab new paper mytheory --dir D && pip install -e D/mytheory && sslab check mytheory`, then its own test."""
    env = {**os.environ, "SSLAB_RUNS": str(tmp_path / "runs")}
    sslab = [str(BIN / "sslab")]
    pip = [sys.executable, "-m", "pip"]
    subprocess.run(pip + ["uninstall", "-y", "-q", "sslab-mytheory"], capture_output=True)
    out = subprocess.run(sslab + ["new", "paper", "mytheory", "--dir", str(tmp_path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    try:
        inst = subprocess.run(pip + ["install", "-q", "--no-deps", "--no-build-isolation", "--no-index", "-e",
                                     str(tmp_path / "mytheory")], capture_output=True, text=True)
        assert inst.returncode == 0, inst.stderr[-2000:]
        chk = subprocess.run(sslab + ["check", "mytheory", "--workers", "1"], capture_output=True, text=True, env=env)
        assert chk.returncode == 0 and "1/1 claims pass" in chk.stdout, chk.stdout[-2000:] + chk.stderr[-2000:]
        lst = subprocess.run(sslab + ["list", "papers"], capture_output=True, text=True)
        assert "plugin: sslab-mytheory" in lst.stdout
        own = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                              str(tmp_path / "mytheory" / "tests")], capture_output=True, text=True, env=env,
                             cwd=tmp_path)
        assert own.returncode == 0, own.stdout[-2000:]
    finally:
        subprocess.run(pip + ["uninstall", "-y", "-q", "sslab-mytheory"], capture_output=True)


def test_new_paper_rejects_bad_names_and_existing_folders(tmp_path):
    r = runner.invoke(app, ["new", "paper", "My-Theory", "--dir", str(tmp_path)])
    assert r.exit_code == 2 and "lower-case" in r.output
    (tmp_path / "taken").mkdir()
    r = runner.invoke(app, ["new", "paper", "taken", "--dir", str(tmp_path)])
    assert r.exit_code == 2 and "already exists" in r.output
    r = runner.invoke(app, ["new", "plugin", "x", "--dir", str(tmp_path)])
    assert r.exit_code == 2 and "valid choices: paper" in r.output


def test_plugin_losses_join_composition_through_their_entry_point(tmp_path, monkeypatch):
    """A distribution's [sslab.losses] entry point adds a two-view loss that compose trains like a zoo loss; a
    broken one is one warning line."""
    from sslab.compose import compose as C

    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "myloss.py").write_text(
        "from sslab.losses.infonce import infonce\n"
        "from sslab.losses.zoo import ViewLoss\n"
        "LOSS = ViewLoss('my_infonce', lambda z1, z2, p1, p2, tau: infonce(z1, z2, tau=tau), hyper={'tau': 0.7},"
        " contrastive=True)\n"
        "ODD = ViewLoss('odd', lambda z1, z2, p1, p2, gamma: 0.0, hyper={'gamma': 1.0})\n")
    monkeypatch.syspath_prepend(str(tmp_path / "mod"))
    info = tmp_path / "site" / "loss_plugin-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: loss-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[sslab.losses]\nmy_infonce = myloss:LOSS\nodd = myloss:ODD\n"
                                           "gone = nowhere:LOSS\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setattr(C, "_PLUGIN_LOSSES", {})
    monkeypatch.setattr(C, "LOSS_PROBLEMS", [])
    assert "my_infonce" in C.view_losses() and "odd" not in C.view_losses()
    assert len(C.LOSS_PROBLEMS) == 2 and any("hyper-parameters ['gamma']" in p for p in C.LOSS_PROBLEMS)
    (cfg,) = C.EXPERIMENT.plan(["loss=my_infonce", "data=bansal2024", "seed=0", "train.steps=2",
                                "train.log_every=1", "train.batch_size=8"]).points()
    assert cfg.loss.name == "my_infonce" and cfg.loss.tau == 0.7
    from sslab.engine import run_lanes
    res = run_lanes([cfg], C.problem)
    assert res.diverged_at[0] == -1 and np.isfinite(res.loss).all()
    r = runner.invoke(app, ["list", "keys", "compose"])
    assert "my_infonce" in r.output
