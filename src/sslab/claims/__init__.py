"""Claims of every paper, selectable as ``paper`` or ``paper.Cn``."""

from __future__ import annotations

from .base import FAIL, PASS, REPORT, Claim, ClaimResult, Context, Row, run_claim

PAPERS: dict[str, list[Claim]] = {}

# Papers whose claims run only when named (``sslab check wenli2021_digits``), not in the default all-paper
# check: the Wen–Li digits analogue is the spec's "optional experiment" (wenli2021 §10), report-only.
OPTIONAL: tuple[str, ...] = ("wenli2021_digits",)


def _load() -> dict[str, list[Claim]]:
    if not PAPERS:
        from . import bansal2024, tian2022, wenli2021, wenli2021_digits, yang2024
        PAPERS["yang2024"] = yang2024.CLAIMS
        PAPERS["tian2022"] = tian2022.CLAIMS
        PAPERS["bansal2024"] = bansal2024.CLAIMS
        PAPERS["wenli2021"] = wenli2021.CLAIMS
        PAPERS["wenli2021_digits"] = wenli2021_digits.CLAIMS
    return PAPERS


def select(target: str | None = None, include_optional: bool = False, report: bool = False) -> list[Claim]:
    """Claims for a paper (``yang2024``), one claim (``yang2024.C5`` or ``yang2024:C5``), or all.

    "All" leaves out the :data:`OPTIONAL` papers unless ``include_optional``; naming one selects it.
    A paper's report-only items (``Claim.report_only``, e.g. Bansal's §9 grid) are left out unless
    ``report`` (``check --report``) or named.
    """
    papers = _load()
    if not target:
        return [c for p, cs in papers.items() if include_optional or p not in OPTIONAL for c in cs
                if report or not c.report_only]
    paper, _, cid = target.replace(":", ".").partition(".")
    if paper not in papers:
        raise KeyError(f"unknown paper {paper!r}; valid choices: {', '.join(sorted(papers))}")
    if not cid:
        return [c for c in papers[paper] if report or not c.report_only]
    chosen = [c for c in papers[paper] if c.id.lower() == cid.lower()]
    if not chosen:
        raise KeyError(f"unknown claim {target!r}; valid choices: {', '.join(c.key for c in papers[paper])}")
    return chosen


def paper_text(paper: str) -> tuple[str, str]:
    """(title, plain-language summary) of a paper's claims module."""
    _load()
    from importlib import import_module
    mod = import_module(f"{__name__}.{paper}")
    return getattr(mod, "TITLE", paper), getattr(mod, "SUMMARY", "")


def figures_for(paper: str, ctx: Context, outdir) -> list:
    """The report figures of one paper (from runs in ``ctx``, computing any that are missing)."""
    _load()
    from importlib import import_module
    mod = import_module(f"{__name__}.{paper}")
    return list(mod.figures(ctx, outdir)) if hasattr(mod, "figures") else []


__all__ = ["OPTIONAL", "paper_text", "figures_for", "Claim", "ClaimResult", "Context", "Row", "run_claim", "select", "PASS", "FAIL", "REPORT", "PAPERS"]
