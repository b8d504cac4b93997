"""Self-contained HTML pages: one per run (figures, summary, config) and one per check (a front page with the
verdict per paper, a claim matrix and a table of contents; then per paper its figures with numbered captions,
then its claims). Images are inlined (PNG and SVG as data URIs; a PDF through its PNG preview)."""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..plotting import figure_files, figure_path, read_caption
from ..store import atomic_write_text

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.5em}h2{font-size:1.25em;margin-top:2em;border-bottom:2px solid #ccc}h3{font-size:1.08em;margin-top:1.4em}
h4{font-size:1em;margin:1.2em 0 .3em}a{color:#0645ad;text-decoration:none}a:hover{text-decoration:underline}
table{border-collapse:collapse;font-size:.88em;margin:.6em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}.PASS{color:#0a0;font-weight:600}.FAIL{color:#c00;font-weight:700}.REPORT{color:#555}
figure{margin:1.2em 0 1.6em}img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.9em;color:#333;max-width:900px}figcaption b{color:#000}code,pre{background:#f6f6f6;padding:1px 4px}
.lead{font-size:1.05em}.muted{color:#666;font-size:.9em}.top{font-size:.8em;float:right;font-weight:normal}
table.matrix td{padding:0;border:2px solid #fff;text-align:center;min-width:2.6em}table.matrix th{border:2px solid #fff}
table.matrix td a{display:block;padding:4px 5px;color:#fff;font-weight:600;font-size:.85em}
table.matrix td.m-PASS{background:#2e9e44}table.matrix td.m-FAIL{background:#d1342f}table.matrix td.m-REPORT{background:#8a8f96}
table.matrix td.m-none{background:#fff}.chip{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:-1px;margin:0 .25em 0 .8em}
.verdict{font-weight:700;padding:1px 8px;border-radius:3px;color:#fff;white-space:nowrap}.v-PASS{background:#2e9e44}.v-FAIL{background:#d1342f}.v-REPORT{background:#8a8f96}
nav.toc ol{margin:.2em 0 .6em}nav.toc li{margin:.1em 0}nav.toc ol ol{font-size:.92em}
section.claim{border-left:4px solid #ddd;padding-left:.8em;margin:1em 0}section.claim.c-FAIL{border-color:#d1342f}
section.claim.c-PASS{border-color:#2e9e44}section.claim.c-REPORT{border-color:#8a8f96}
"""

_MIME = {".png": "image/png", ".svg": "image/svg+xml"}


def _e(x: Any) -> str:
    return html.escape(str(x))


def _anchor(*parts: str) -> str:
    """An id attribute value: letters, digits, '-' and '_' only."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", "-".join(parts)).strip("-")


def _figure_entry(entry: Any) -> tuple[Path, str]:
    """A figure as a paper's figure function returns it: a path, or a (path, caption) pair. A path's caption is
    the one stored in the file (:func:`sslab.plotting.set_caption`), else ''."""
    if isinstance(entry, (tuple, list)) and len(entry) == 2 and not isinstance(entry, (str, Path)):
        path, caption = Path(entry[0]), str(entry[1] or "")
    else:
        path, caption = Path(entry), ""
    if not path.exists() and figure_path(path).exists():  # a planned name.png written in another --format
        path = figure_path(path)
    return path, caption or read_caption(path)


def _img(path: str | Path, caption: str = "", number: int | None = None, anchor: str = "") -> str:
    """A <figure>: the image inline (PNG, SVG; a PDF through its PNG preview) and its numbered caption."""
    path = Path(path)
    shown = path.with_suffix(".png") if path.suffix.lower() == ".pdf" else path
    mime = _MIME.get(shown.suffix.lower(), "image/png")
    try:
        data = base64.b64encode(shown.read_bytes()).decode()
        img = f'<img alt="{_e(caption or path.stem)}" src="data:{mime};base64,{data}">'
    except OSError:
        img = f'<p class="muted">(figure file missing: {_e(shown.name)})</p>'
    head = f"<b>Figure {number}.</b> " if number is not None else ""
    extra = f' <span class="muted">(vector file: {_e(path.name)})</span>' if path.suffix.lower() in (".pdf", ".svg") else ""
    text = _e(caption) if caption else f'<span class="muted">{_e(path.stem)}</span>'
    ident = f' id="{anchor}"' if anchor else ""
    return f"<figure{ident}>{img}<figcaption>{head}{text}{extra}</figcaption></figure>"


def _table(rows: list[dict[str, Any]], columns: list[str], verdict_col: str | None = None,
           links: dict[str, str] | None = None) -> str:
    """A table; ``links`` maps a column to an anchor prefix (the cell links to ``#prefix-<value>``)."""
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = []
    for r in rows:
        cells = []
        for c in columns:
            v = _e(r.get(c, ""))
            cls = f' class="{v}"' if c == verdict_col else ""
            if links and c in links and v:
                v = f'<a href="#{_anchor(links[c], str(r.get(c, "")))}">{v}</a>'
            cells.append(f"<td{cls}>{v}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{_e(title)}</title>"
            f"<style>{CSS}</style></head><body><h1 id=\"top\">{_e(title)}</h1>{body}</body></html>")


def run_report(results: Any, path: str | Path | None = None) -> Path:
    """HTML page of one stored run: its figures (with captions), the summary per setting, and the config."""
    handle = results.handle
    cfg = handle.read_json("config")
    summary = handle.read_json("summary") if (handle.path / "summary.json").exists() else {}
    groups = summary.get("groups") or [{"setting": {}, "metrics": summary.get("metrics", {})}]
    rows = [{"setting": ", ".join(f"{k}={v}" for k, v in g.get("setting", {}).items()) or "(all lanes)", "metric": m,
             **{k: (f"{v:.6g}" if isinstance(v, float) else str(v)) for k, v in st.items()}}
            for g in groups for m, st in sorted(g.get("metrics", {}).items())]
    exp = getattr(results, "experiment", None)
    parts = [f"<p class=\"lead\">{_e(getattr(exp, 'title', '') or cfg.get('experiment', ''))}</p>"
             f"<p>Run <code>{_e(results.run_id)}</code>, status {_e(handle.status().get('status'))}, "
             f"{summary.get('lanes', '?')} lanes; diverged lanes: {_e(summary.get('diverged_lanes', {}) or 'none')}.</p>",
             "<h2>Figures</h2>"]
    parts += [_img(p, c, i) for i, (p, c) in enumerate(map(_figure_entry, figure_files(handle.figures_dir)), 1)]
    parts += ["<h2>Summary at the last step, per setting of the swept axes</h2>"
              "<p>mean, ci95 (half-width of the 95% t-interval of the mean), std (ddof = 1), min, max and n over the "
              "finite, non-diverged seeds.</p>",
              _table(rows, ["metric", "setting", "mean", "ci95", "std", "min", "max", "n"])]
    parts += ["<h2>Config</h2>", f"<pre>{_e(json.dumps(cfg, indent=1))}</pre>"]
    out = Path(path) if path else handle.report_path
    atomic_write_text(out, page(f"sslab run {results.run_id}", "".join(parts)))
    return out


# --- the check report -----------------------------------------------------------------------------

def _cell_verdict(r: Any) -> str:
    """PASS / FAIL, or REPORT for a report-only claim (or one whose rows only inform) that did not fail."""
    if r.verdict == "FAIL":
        return "FAIL"
    if getattr(r.claim, "report_only", False) or (r.rows and all(x.verdict == "REPORT" for x in r.rows)):
        return "REPORT"
    return "PASS"


def _verdict_sentence(results: list[Any]) -> str:
    gated = [r for r in results if _cell_verdict(r) != "REPORT"]
    failed = [r for r in results if r.verdict == "FAIL"]
    n_rep = len(results) - len(gated)
    text = (f"In this run {len(gated) - len(failed)} of {len(gated)} gated claims pass"
            + (f" ({n_rep} report-only item{'s' if n_rep != 1 else ''} inform without a verdict)." if n_rep else "."))
    for r in failed:
        bad = [x for x in r.rows if x.verdict == "FAIL"]
        why = r.error or (f"{bad[0].criterion}: measured {bad[0].measured}, bound {bad[0].predicted}" if bad else "")
        text += f" {r.claim.id} ({r.claim.title}) fails — {why}."
    return text


def _paper_figures(figs: dict, paper: str) -> list[tuple[Path, str]]:
    entries = list(figs.get(paper, [])) + (list(figs.get(None, [])) if len(figs) == 1 and None in figs else [])
    return [_figure_entry(e) for e in entries]


def _matrix(papers: Sequence[str], by_paper: dict[str, list[Any]], titles: dict[str, str]) -> str:
    width = max((len(by_paper[p]) for p in papers), default=0)
    rows = []
    for p in papers:
        cells = []
        for r in by_paper[p]:
            v = _cell_verdict(r)
            tip = f"{r.claim.key}: {r.claim.title} — {v}"
            cells.append(f'<td class="m-{v}" title="{_e(tip)}"><a href="#{_anchor(p, r.claim.id)}">{_e(r.claim.id)}</a></td>')
        cells += ['<td class="m-none"></td>'] * (width - len(by_paper[p]))
        rows.append(f'<tr><th><a href="#{_anchor(p)}">{_e(titles.get(p, p))}</a></th>{"".join(cells)}</tr>')
    legend = ('<p class="muted"><span class="chip" style="background:#2e9e44"></span>pass'
              '<span class="chip" style="background:#d1342f"></span>fail'
              '<span class="chip" style="background:#8a8f96"></span>report-only (no verdict)'
              ' — each cell links to the claim\'s rows; hover for its title.</p>')
    return f'<table class="matrix"><tbody>{"".join(rows)}</tbody></table>{legend}'


def check_report(results: Iterable[Any], path: str | Path, figures: Iterable[Any] | dict = (),
                 papers: dict[str, tuple[str, str]] | None = None, info: str = "") -> Path:
    """HTML page of a ``check``.

    The front page has the verdict per paper, the claim matrix (paper × claim, colour-coded, each cell linking
    to the claim's rows) and a table of contents; then, per paper, a plain-language summary, its figures first
    (numbered, each with its caption: what theory predicts and what was measured), then its claims, each with
    its rows. ``figures`` is a list, or a dict paper -> list, of figure paths or (path, caption) pairs (a path's
    caption is read from the file's metadata, :func:`sslab.plotting.set_caption`); ``papers`` maps paper ->
    (title, summary); ``info`` is a line about the run (size, workers, wall time).
    """
    results = list(results)
    figs = figures if isinstance(figures, dict) else {None: list(figures)}
    order = list(dict.fromkeys(r.claim.paper for r in results))
    by_paper = {p: [r for r in results if r.claim.paper == p] for p in order}
    titles = {p: (papers or {}).get(p, (p, ""))[0] for p in order}
    paper_figs = {p: _paper_figures(figs, p) for p in order}

    # numbering: figures in page order
    number, numbered = 0, {}
    for p in order:
        numbered[p] = []
        for fpath, cap in paper_figs[p]:
            number += 1
            numbered[p].append((number, fpath, cap))

    n_failed = sum(r.verdict == "FAIL" for r in results)
    n_gated = sum(_cell_verdict(r) != "REPORT" for r in results)
    n_rep = len(results) - n_gated
    front = [f'<p class="lead">{n_gated - n_failed} of {n_gated} gated claims pass over {len(order)} '
             f'paper{"s" if len(order) != 1 else ""}'
             + (f"; {n_rep} report-only item{'s inform' if n_rep != 1 else ' informs'} without a verdict" if n_rep else "")
             + ".</p>" + (f'<p class="muted">Run: {_e(info)}.</p>' if info else "")]
    overview = []
    for p in order:
        mine = by_paper[p]
        v = [_cell_verdict(r) for r in mine]
        fails = [r for r in mine if r.verdict == "FAIL"]
        verdict = "FAIL" if fails else ("PASS" if "PASS" in v else "REPORT")
        overview.append(
            f'<tr><td><a href="#{_anchor(p)}">{_e(titles[p])}</a></td>'
            f'<td><span class="verdict v-{verdict}" title="{"every gated claim passes" if verdict == "PASS" else ""}">'
            f'{verdict}</span></td>'
            f"<td>{v.count('PASS')}</td><td>{v.count('FAIL')}</td><td>{v.count('REPORT')}</td>"
            f"<td>{_links(p, fails)}</td>"
            f"<td>{sum(r.seconds for r in mine):.0f}</td></tr>")
    front.append("<h2 id=\"verdicts\">Verdict per paper</h2><table><thead><tr><th>paper</th><th>verdict</th>"
                 "<th>pass</th><th>fail</th><th>report-only</th><th>failing claims</th><th>claim-seconds</th>"
                 f"</tr></thead><tbody>{''.join(overview)}</tbody></table>")
    front.append("<h2 id=\"matrix\">Claim matrix</h2>" + _matrix(order, by_paper, titles))
    toc = []
    for p in order:
        sub = "".join(f'<li><a href="#{_anchor(p, "fig", str(n))}">Figure {n}</a>: {_e(_short(cap) or fp.stem)}</li>'
                      for n, fp, cap in numbered[p])
        toc.append(f'<li><a href="#{_anchor(p)}">{_e(titles[p])}</a><ol>'
                   + (f'<li><a href="#{_anchor(p, "figures")}">Figures</a><ol>{sub}</ol></li>' if sub else "")
                   + f'<li><a href="#{_anchor(p, "claims")}">Claims ({len(by_paper[p])})</a></li></ol></li>')
    front.append(f'<h2 id="contents">Contents</h2><nav class="toc"><ol>{"".join(toc)}</ol></nav>')

    parts = list(front)
    for p in order:
        mine = by_paper[p]
        title, summary = (papers or {}).get(p, (p, ""))
        parts.append(f'<h2 id="{_anchor(p)}">{_e(title)}<a class="top" href="#top">back to top</a></h2>')
        parts.append(f"<p>{_e(summary)} {_e(_verdict_sentence(mine))}</p>")
        if numbered[p]:
            parts.append(f'<h3 id="{_anchor(p, "figures")}">Figures</h3>')
            parts += [_img(fp, cap, n, _anchor(p, "fig", str(n))) for n, fp, cap in numbered[p]]
        parts.append(f'<h3 id="{_anchor(p, "claims")}">Claims</h3>')
        ov = [{"claim": r.claim.id, "title": r.claim.title, "precision": r.claim.precision, "seeds": r.claim.seeds,
               "seconds": f"{r.seconds:.1f}", "verdict": _cell_verdict(r)} for r in mine]
        parts.append(_table(ov, ["claim", "title", "precision", "seeds", "seconds", "verdict"], "verdict",
                            links={"claim": p}))
        for r in mine:
            v = _cell_verdict(r)
            rows = []
            if r.error:
                rows.append({"criterion": "claim raised", "measured": r.error, "verdict": "FAIL"})
            rows += [x.as_dict() for x in r.rows]
            cols = ["group", "criterion", "measured", "predicted", "rule", "verdict"]
            cols = [c for c in cols if c in ("criterion", "measured", "predicted", "verdict") or any(x.get(c) for x in rows)]
            parts.append(f'<section class="claim c-{v}" id="{_anchor(p, r.claim.id)}"><h4>{_e(r.claim.key)} — '
                         f'{_e(r.claim.title)} <span class="verdict v-{v}">{v}</span> '
                         f'<span class="muted">{_e(r.claim.precision)}, {r.seconds:.1f} s</span></h4>'
                         + _table(rows, cols, "verdict") + "</section>")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, page("sslab check: do the papers reproduce?", "".join(parts)))
    return out


def _links(paper: str, results: list[Any]) -> str:
    return ", ".join(f'<a href="#{_anchor(paper, r.claim.id)}">{_e(r.claim.id)}</a>' for r in results) or "—"


def _short(caption: str, words: int = 14) -> str:
    """The caption's first sentence, at most ``words`` words (for the table of contents)."""
    first = re.split(r"(?<=[.;])\s", caption.strip(), maxsplit=1)[0]
    w = first.split()
    return " ".join(w[:words]) + (" …" if len(w) > words else "")
