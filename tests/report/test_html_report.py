"""The check report is valid HTML with a front page (verdicts, claim matrix, contents whose links resolve), every
claim row, and per paper its figures with numbered captions before its claims; a browser renders it."""

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
    """Strict-enough parse: balanced tags, unique ids, table rows as cell texts, images, links, captions, and the
    order of headings, figures, sections and tables."""

    VOID = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.rows, self.imgs, self.row, self.cell = [], [], [], None, None
        self.ids, self.hrefs, self.order, self.captions, self.caption = set(), [], [], [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            assert a["id"] not in self.ids, f"duplicate id {a['id']}"
            self.ids.add(a["id"])
        if tag == "a" and a.get("href", "").startswith("#"):
            self.hrefs.append(a["href"][1:])
        if tag in ("h2", "h3", "figure", "section", "table"):
            self.order.append((tag, a.get("id", ""), a.get("class", "")))
        if tag == "figcaption":
            self.caption = ""
        if tag == "img":
            self.imgs.append(a)
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
        if tag == "figcaption":
            self.captions.append(self.caption)
            self.caption = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        if self.caption is not None:
            self.caption += data


def parse(path: Path) -> Collector:
    c = Collector()
    c.feed(path.read_text())
    c.close()
    assert not c.stack, f"unclosed tags: {c.stack}"
    return c


def _made_up_results():
    """Two claims of a made-up paper: one whose row fails, one report-only (the front page must show both)."""
    from sslab.check import ClaimResult
    from sslab.papers.paper import Claim, Row

    fails = Claim(id="F1", paper="made_up", title="a claim that fails", measure=lambda ctx: [])
    informs = Claim(id="R1", paper="made_up", title="report only", measure=lambda ctx: [], report_only=True)
    return [ClaimResult(fails, [Row("F1", "error below 0.05", "0.2", "< 0.05", "FAIL", rule="every seed < 0.05")], 0.1),
            ClaimResult(informs, [Row("R1", "a number", "1.0", "", "REPORT")], 0.1)]


def _figure(path, caption=None):
    import matplotlib.figure

    from sslab.plotting import save, set_caption
    f = matplotlib.figure.Figure()
    f.add_subplot().plot([0, 1], [0, 1])
    if caption:
        set_caption(f, caption)
    return save(f, path)


@pytest.fixture(scope="module")
def small_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    ctx = Context(store=out / "runs", size="quick")
    results = [run_claim(c, ctx) for c in select("yang2024") if c.id in ("C1", "C6", "C7", "C11")]
    results += _made_up_results()
    figs = {"yang2024": [_figure(out / "fig_a.png", "Theory: the line y = x. Measured: y = x."),
                         (_figure(out / "fig_b.png"), "A caption handed over with the path.")],
            "made_up": [_figure(out / "fig_c.png")]}
    papers = {"yang2024": (paper("yang2024").title, paper("yang2024").summary), "made_up": ("A made-up paper", "")}
    return check_report(results, out / "index.html", figs, papers, info="quick size"), results


def test_report_has_every_claim_row_and_figure(small_report):
    path, results = small_report
    doc = parse(path)
    cells = [tuple(r) for r in doc.rows]
    for res in results:
        for row in res.rows:
            assert any(row.criterion in c and row.measured in c and row.verdict in c for c in cells), row
    assert len(doc.imgs) == 3 and all(i["src"].startswith("data:image/png;base64,") for i in doc.imgs)
    assert "Yang et al. 2024" in path.read_text()


def test_front_page_has_verdicts_matrix_and_contents_that_link(small_report):
    path, results = small_report
    doc = parse(path)
    h2 = [i for tag, i, _ in doc.order if tag == "h2"]
    assert h2[:3] == ["verdicts", "matrix", "contents"]  # the front page comes before any paper
    assert not set(doc.hrefs) - doc.ids, f"links to missing anchors: {set(doc.hrefs) - doc.ids}"
    for r in results:  # every claim has its own anchor, linked from the matrix and the overview
        assert f"{r.claim.paper}-{r.claim.id}" in doc.ids and f"{r.claim.paper}-{r.claim.id}" in doc.hrefs
    verdicts = {row[0]: row[1] for row in doc.rows if len(row) == 7 and row[0] != "paper"}
    assert verdicts["A made-up paper"] == "FAIL"
    yang = [r for r in results if r.claim.paper == "yang2024"]
    assert verdicts[paper("yang2024").title] == ("FAIL" if any(r.verdict == "FAIL" for r in yang) else "PASS")
    text = path.read_text()
    assert 'class="m-FAIL"' in text and 'class="m-REPORT"' in text and "quick size" in text


def test_each_paper_shows_figures_first_with_numbered_captions(small_report):
    path, _ = small_report
    doc = parse(path)
    kinds = [(tag, i) for tag, i, _ in doc.order if tag in ("h2", "figure", "section")]
    for paper_id in ("yang2024", "made_up"):
        rest = kinds[kinds.index(("h2", paper_id)) + 1:]
        end = next((k for k, (tag, _) in enumerate(rest) if tag == "h2"), len(rest))
        tags = [tag for tag, _ in rest[:end]]
        assert "figure" in tags and "section" in tags
        assert max(i for i, t in enumerate(tags) if t == "figure") < min(i for i, t in enumerate(tags) if t == "section")
    assert [c.split(".")[0] for c in doc.captions] == ["Figure 1", "Figure 2", "Figure 3"]
    assert "Theory: the line y = x." in doc.captions[0]  # read from the PNG's metadata
    assert "A caption handed over with the path." in doc.captions[1]  # a (path, caption) pair
    assert "fig_c" in doc.captions[2]  # no caption: the file name


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_report_inlines_vector_figures(fmt, tmp_path):
    from sslab.plotting import using_format
    with using_format(fmt):
        fig = _figure(tmp_path / "fig.png", "A vector figure.")
    assert fig.suffix == f".{fmt}" and fig.exists()
    doc = parse(check_report(_made_up_results(), tmp_path / "index.html", {"made_up": [fig]}))
    mime = "image/svg+xml" if fmt == "svg" else "image/png"  # a PDF is shown through its PNG preview
    assert len(doc.imgs) == 1 and doc.imgs[0]["src"].startswith(f"data:{mime};base64,")
    assert "A vector figure." in doc.captions[0] and f"fig.{fmt}" in doc.captions[0]


def test_run_report(tmp_path):
    import sslab
    res = sslab.run("yang2024", ["seed=0:2", "train.steps=100", "train.log_every=50"], store=tmp_path)
    doc = parse(run_report(res))
    assert len(doc.imgs) == len(res.figures) == 3
    assert len(doc.captions) == 3 and all(c.startswith("Figure ") and "seed" in c for c in doc.captions)
    assert any(r and r[0] == "w11" for r in doc.rows)


@pytest.mark.browser
def test_browser_screenshot(small_report, tmp_path):
    """Chromium renders the front page: the matrix's green, red and grey cells are on screen (the screenshot is
    kept as report_front_page.png beside the report for a person to look at)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        pytest.skip("no Chromium; install with: apt-get install chromium")
    path, _ = small_report
    shot = path.parent / "report_front_page.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
                    "--window-size=1200,1000", path.as_uri()], check=True, timeout=120, capture_output=True)
    assert shot.exists() and shot.stat().st_size > 10_000
    import numpy as np
    from PIL import Image
    with Image.open(shot) as im:
        px = np.asarray(im.convert("RGB")).reshape(-1, 3).astype(int)

    def count(rgb):
        return int((np.abs(px - np.array(rgb)).sum(axis=1) < 30).sum())

    assert count((0x2E, 0x9E, 0x44)) > 200, "no green (pass) cells on the front page"
    assert count((0xD1, 0x34, 0x2F)) > 200, "no red (fail) cells on the front page"
    assert count((0x8A, 0x8F, 0x96)) > 100, "no grey (report-only) cells on the front page"
    print(f"screenshot: {shot}")


def test_swept_run_gets_a_sweep_plot_with_theory_and_error_bars(tmp_path):
    import sslab
    from sslab.plotting import read_caption
    res = sslab.run("yang2024", ["seed=0:3", "data.tau=5,7", "train.steps=100", "train.log_every=50"], store=tmp_path)
    names = {Path(p).name: p for p in res.figures}
    assert "yang2024_ssl_sweep_tau.png" in names
    assert len(names) == 2 * 3 + 1  # the §6 figures per τ, plus the sweep plot
    caption = read_caption(names["yang2024_ssl_sweep_tau.png"])
    assert "Theory" in caption and "95%" in caption
