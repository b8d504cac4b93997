"""Self-contained HTML pages: one per run (config, summary, figures) and one per check (claim tables)."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any, Iterable

from ..store import atomic_write_text

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.9em;margin:.6em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}.PASS{color:#0a0;font-weight:600}.FAIL{color:#c00;font-weight:700}.REPORT{color:#555}
img{max-width:100%;border:1px solid #eee;margin:.5em 0}code,pre{background:#f6f6f6;padding:1px 4px}
"""


def _img(path: str | Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode()
    return f'<figure><img alt="{html.escape(Path(path).stem)}" src="data:image/png;base64,{data}"></figure>'


def _table(rows: list[dict[str, Any]], columns: list[str], verdict_col: str | None = None) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for r in rows:
        cells = []
        for c in columns:
            v = html.escape(str(r.get(c, "")))
            cls = f' class="{v}"' if c == verdict_col else ""
            cells.append(f"<td{cls}>{v}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>")


def run_report(results: Any, path: str | Path | None = None) -> Path:
    """HTML page of one stored run: config, axes, summary over lanes, and its figures."""
    handle = results.handle
    cfg = handle.read_json("config")
    summary = handle.read_json("summary") if (handle.path / "summary.json").exists() else {}
    groups = summary.get("groups") or [{"setting": {}, "metrics": summary.get("metrics", {})}]
    rows = [{"setting": ", ".join(f"{k}={v}" for k, v in g.get("setting", {}).items()) or "(all lanes)", "metric": m,
             **{k: (f"{v:.6g}" if isinstance(v, float) else str(v)) for k, v in st.items()}}
            for g in groups for m, st in sorted(g.get("metrics", {}).items())]
    parts = [f"<p>Run <code>{html.escape(results.run_id)}</code>, status {html.escape(str(handle.status().get('status')))}, "
             f"{summary.get('lanes', '?')} lanes; diverged lanes: {html.escape(str(summary.get('diverged_lanes', {})) or 'none')}.</p>",
             "<h2>Summary at the last step, per setting of the swept axes</h2>"
             "<p>mean, ci95 (half-width of the 95% t-interval of the mean), std (ddof = 1), min, max and n over the "
             "finite, non-diverged seeds.</p>",
             _table(rows, ["metric", "setting", "mean", "ci95", "std", "min", "max", "n"]), "<h2>Figures</h2>"]
    parts += [_img(p) for p in sorted(handle.figures_dir.glob("*.png"))]
    parts += ["<h2>Config</h2>", f"<pre>{html.escape(json.dumps(cfg, indent=1))}</pre>"]
    out = Path(path) if path else handle.report_path
    atomic_write_text(out, page(f"sslab run {results.run_id}", "".join(parts)))
    return out


def _verdict_sentence(results: list[Any]) -> str:
    failed = [r for r in results if r.verdict == "FAIL"]
    text = f"In this run {len(results) - len(failed)} of {len(results)} claims pass."
    for r in failed:
        bad = [x for x in r.rows if x.verdict == "FAIL"]
        why = r.error or (f"{bad[0].criterion}: measured {bad[0].measured}, bound {bad[0].predicted}" if bad else "")
        text += f" {r.claim.id} ({r.claim.title}) fails — {why}."
    return text


def check_report(results: Iterable[Any], path: str | Path, figures: Iterable[str | Path] | dict = (),
                 papers: dict[str, tuple[str, str]] | None = None) -> Path:
    """HTML page of a ``check``: per paper, a plain-language summary, the claim tables and the figures.

    ``figures`` is a list of PNG paths, or a dict paper -> list; ``papers`` maps paper -> (title, summary).
    """
    results = list(results)
    figs = figures if isinstance(figures, dict) else {None: list(figures)}
    parts = []
    for paper in dict.fromkeys(r.claim.paper for r in results):
        mine = [r for r in results if r.claim.paper == paper]
        title, summary = (papers or {}).get(paper, (paper, ""))
        parts.append(f'<h2 id="{html.escape(paper)}">{html.escape(title)}</h2>')
        parts.append(f"<p>{html.escape(summary)} {html.escape(_verdict_sentence(mine))}</p>")
        overview = [{"claim": r.claim.id, "title": r.claim.title, "precision": r.claim.precision, "seeds": r.claim.seeds,
                     "seconds": f"{r.seconds:.1f}", "verdict": r.verdict} for r in results if r.claim.paper == paper]
        parts.append(_table(overview, ["claim", "title", "precision", "seeds", "seconds", "verdict"], "verdict"))
        rows = []
        for r in results:
            if r.claim.paper != paper:
                continue
            if r.error:
                rows.append({"claim": r.claim.id, "criterion": "claim raised", "measured": r.error, "verdict": "FAIL"})
            rows += [x.as_dict() for x in r.rows]
        parts.append(_table(rows, ["claim", "group", "criterion", "measured", "predicted", "verdict"], "verdict"))
        paper_figs = list(figs.get(paper, [])) + (list(figs.get(None, [])) if len(figs) == 1 and None in figs else [])
        if paper_figs:
            parts.append("<h3>Figures</h3>")
            parts += [_img(p) for p in paper_figs]
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, page("sslab check: do the papers reproduce?", "".join(parts)))
    return out
