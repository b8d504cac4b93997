"""The check report is valid HTML with every claim row and every figure; a browser renders it."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sslab.check import Context, run_claim, select
from sslab.papers import paper
from sslab.report.html import check_report, run_report


class Collector(HTMLParser):
    """Strict-enough parse: balanced tags, table rows as cell texts, images."""

    VOID = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.rows, self.imgs, self.row, self.cell = [], [], [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.imgs.append(dict(attrs))
        if tag in self.VOID:
            return
        self.stack.append(tag)
        if tag == "tr":
            self.row = []
        if tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> after {self.stack[-3:]}"
        self.stack.pop()
        if tag in ("td", "th"):
            self.row.append(self.cell)
            self.cell = None
        if tag == "tr":
            self.rows.append(self.row)

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def parse(path: Path) -> Collector:
    c = Collector()
    c.feed(path.read_text())
    c.close()
    assert not c.stack, f"unclosed tags: {c.stack}"
    return c


@pytest.fixture(scope="module")
def small_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    ctx = Context(store=out / "runs", size="quick")
    results = [run_claim(c, ctx) for c in select("yang2024") if c.id in ("C1", "C6", "C7", "C11")]
    fig = out / "fig.png"
    import matplotlib.figure
    f = matplotlib.figure.Figure()
    f.add_subplot().plot([0, 1], [0, 1])
    f.savefig(fig)
    path = check_report(results, out / "index.html", {"yang2024": [fig]}, {"yang2024": (paper("yang2024").title, paper("yang2024").summary)})
    return path, results


def test_report_has_every_claim_row_and_figure(small_report):
    path, results = small_report
    doc = parse(path)
    cells = [tuple(r) for r in doc.rows]
    for res in results:
        for row in res.rows:
            assert any(row.criterion in c and row.measured in c and row.verdict in c for c in cells), row
    assert len(doc.imgs) == 1 and doc.imgs[0]["src"].startswith("data:image/png;base64,")
    assert "Yang et al. 2024" in path.read_text()


def test_run_report(tmp_path):
    import sslab
    res = sslab.run("yang2024", ["seed=0:2", "train.steps=100", "train.log_every=50"], store=tmp_path)
    doc = parse(run_report(res))
    assert len(doc.imgs) == len(res.figures) == 3
    assert any(r and r[0] == "w11" for r in doc.rows)


@pytest.mark.browser
def test_browser_screenshot(small_report, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        pytest.skip("no Chromium; install with: apt-get install chromium")
    path, _ = small_report
    shot = tmp_path / "report.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1200,2000",
                    path.as_uri()], check=True, timeout=120, capture_output=True)
    assert shot.exists() and shot.stat().st_size > 10_000


def test_swept_run_gets_a_sweep_plot_with_error_bars(tmp_path):
    import sslab
    res = sslab.run("yang2024", ["seed=0:3", "data.tau=5,7", "train.steps=100", "train.log_every=50"], store=tmp_path)
    names = [Path(p).name for p in res.figures]
    assert "yang2024_ssl_sweep_tau.png" in names
    assert len(names) == 2 * 3 + 1  # the §6 figures per τ, plus the sweep plot
