"""Claims A–I of Wen & Li 2021 (spec wenli2021 §8) as automatic checks, plus the §8 ablation suite X1–X7
(report-only items: ``sslab check wenli2021.X1``, or all of them with ``sslab check --report``).

Thresholds are the spec's; predicted values come from the §7 formulas evaluated on the run's own M;
every measured number comes from running the code. Every row states its decision rule. Seed-wise claims
(C–F) pass when the condition holds in at least 4 of the 5 seeds (``at_least``: k/5 with its 95%
Clopper–Pearson interval, the worst seed, and every seed's value); claim I gates seed medians (with the
order-statistic interval [min, max] over the 5 seeds, coverage 1 − 2⁻⁴ = 93.75% for the median); G reports
seed means with their 95% t-interval. A and B are float64 theory objects (:mod:`.theory`: ``decoupling``,
``neuron_correlation``) called with the spec's sizes. Quick size: training claims run T = 2000 (the spec's
quicker development setting; the ramp scales with T), A uses n ∈ {10⁴, 10⁵} (its n = 10⁶ dense-block row is
full size only) and B uses n = 10⁵ pairs.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from . import data as data_mod
from . import experiment as exp_mod
from . import metrics as met
from . import theory as th
from ..paper import FAIL, PASS, REPORT, Claim, Context, Row
from ..rows import at_least, bound, by_construction, diverged_rows, fmt, mean_ci, report, seed_values
from . import figures as wf

P = "wenli2021"

TITLE = "Wen & Li 2021 — Toward understanding the feature learning process of self-supervised contrastive learning"
SUMMARY = (
    "The paper studies contrastive learning on sparse-coding data, where each input is a few sparse "
    "features plus a larger dense noise part that is different for every sample. It argues that with "
    "suitable augmentations such as random masking, contrastive learning picks up the sparse features, "
    "because masking makes the dense part of the two views uncorrelated while the features stay "
    "correlated ('feature decoupling'); without augmentation the network is drawn to the dense noise, "
    "which is enough to tell samples apart. Only the abstract is available, so sslab implements a "
    "documented concrete instance of this setting: it checks the decoupling identity and the per-neuron "
    "view correlations against exact formulas, trains a one-layer soft-threshold network with and without "
    "complementary masking over several seeds, and checks that masking recovers every sparse feature with "
    "sparse, noise-free neurons while no augmentation does not; downstream regression quality, the role "
    "of the threshold, the trend in dimension and several ablations are reported alongside."
)

MASK, NONE = 1.0, 0.0
MODE_NAME = {MASK: "complementary", NONE: "none"}
NEED = 4  # seed-wise claims: ≥ 4 of 5 seeds


# --- shared runs ----------------------------------------------------------------------------------

def _steps(ctx: Context) -> list[str]:
    return ["train.steps=2000"] if ctx.quick else []


def paired(ctx: Context, d: int | None = None):
    """Default recipe, `complementary` and `none` as lanes of one program, seeds 0–4 (claims C–G, I)."""
    extra = [f"data.d={d}"] if d is not None and d != 32 else []
    return ctx.run(P, ["seed=0:5", "data.augment=1,0"] + extra + _steps(ctx))


def zero_bias(ctx: Context):
    """`complementary` with bias_rule = zero (claim H)."""
    return ctx.run(P, ["seed=0:5", "model.bias_rule=zero"] + _steps(ctx))


def values(results, metric: str, step: int | None = None, augment: float | None = None) -> dict[int, float]:
    """{seed: value} of one logged metric at ``step`` (default: last), optionally for one view mode."""
    return seed_values(results, metric, step, None if augment is None else {"data.augment": float(augment)})


def lanes_of(results, augment: float | None = None) -> dict[int, int]:
    """{seed: lane} of a run, optionally for one view mode."""
    t = results.lanes()
    if augment is not None and "data.augment" in t.columns:
        t = t[np.isclose(t["data.augment"].astype(float), augment)]
    return {int(s): int(lane) for lane, s in t.seed.items()}


def evaluation(ctx: Context, results, lane: int) -> dict:
    """Spec §6 post-hoc metrics of one lane (cached per run and lane)."""
    return ctx.memo(("wenli2021_eval", results.run_id, lane), lambda: exp_mod.evaluate_lane(results, lane))


# --- row builders ---------------------------------------------------------------------------------

def _per_seed_values(vals: dict[int, float], digits: int = 3) -> str:
    return ", ".join(f"s{s}: {fmt(v, digits)}" for s, v in sorted(vals.items()))


def seedwise(claim: str, criterion: str, vals: dict[int, float], op: str, limit: float, group: str = "",
             need: int = NEED, digits: int = 3) -> Row:
    """Seed-wise criterion (spec §5): passes when ``value <op> limit`` holds in at least ``need`` seeds. The
    :func:`~sslab.papers.rows.at_least` row (k/n with its 95% Clopper–Pearson interval, the worst seed), with every
    seed's value appended (spec §8 Output: "measured value per seed, plus the aggregate used")."""
    row = at_least(claim, criterion, vals, op, limit, need, group, digits)
    row.measured += f"; per seed: {_per_seed_values(vals, digits)}"
    return row


def interval(claim: str, criterion: str, value: float, lo: float, hi: float, group: str = "", digits: int = 4) -> Row:
    """lo ≤ value ≤ hi for one number."""
    ok = bool(np.isfinite(value) and lo <= value <= hi)
    return Row(claim, criterion, fmt(value, digits), f"∈ [{fmt(lo, digits)}, {fmt(hi, digits)}]", PASS if ok else FAIL,
               group, rule=f"{fmt(lo, digits)} ≤ value ≤ {fmt(hi, digits)}", stat={"kind": "value", "value": float(value)})


def within(claim: str, criterion: str, value: float, target: float, tol: float, group: str = "") -> Row:
    """|value − target| ≤ tol (target from theory)."""
    ok = bool(np.isfinite(value) and abs(value - target) <= tol)
    return Row(claim, criterion, f"{fmt(value)} (|Δ| = {fmt(abs(value - target))})", f"{fmt(target)} ± {fmt(tol)}",
               PASS if ok else FAIL, group, rule=f"|value − {fmt(target)}| ≤ {fmt(tol)} (target: exact §7.3 value)",
               stat={"kind": "value", "value": float(value)})


MEDIAN_METHOD = "order statistics [min, max] over the seeds (coverage 1 − 2^(1−n) for the median)"


def median_text(vals: dict[int, float], digits: int = 3) -> str:
    v = np.asarray(list(vals.values()), float)
    cover = 1 - 2.0 ** (1 - len(v))
    return (f"median {fmt(float(np.median(v)), digits)} ([{fmt(float(v.min()), digits)}, {fmt(float(v.max()), digits)}]: "
            f"{cover:.1%} order-statistic CI, n = {len(v)})")


def median_bound(claim: str, criterion: str, vals: dict[int, float], op: str, limit: float, group: str = "",
                 digits: int = 3) -> Row:
    """The seed median <op> limit (claim I's statistic), with the order-statistic interval [min, max] of the median
    (a helper: :mod:`sslab.papers.rows` has no median row)."""
    v = np.asarray(list(vals.values()), float)
    m = float(np.median(v))
    ok = bool(np.all(np.isfinite(v)) and _OPS[op](m, limit))
    return Row(claim, criterion, median_text(vals, digits), f"seed median {op} {fmt(limit, digits)}", PASS if ok else FAIL,
               group, rule=f"seed median {op} {fmt(limit, digits)}",
               values={str(s): float(x) for s, x in vals.items()},
               stat={"kind": "median", "value": m, "lo": float(v.min()), "hi": float(v.max()), "n": len(v),
                     "method": MEDIAN_METHOD})


def report_mean(claim: str, criterion: str, vals: dict[int, float], expectation: str, group: str = "",
                digits: int = 3) -> Row:
    """A report row: the seed mean ± its 95% t-interval, every seed's value, and the expectation as text."""
    row = mean_ci(claim, criterion, vals, group=group, digits=digits, gate=False)
    row.measured += f"; per seed: {_per_seed_values(vals, digits)}"
    row.predicted = expectation
    return row


_OPS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}


# --- A: exact decoupling identity -----------------------------------------------------------------
# Spec sizes: A accumulates n ∈ {10⁴, 10⁵, 10⁶} pairs, B 4·10⁵ pairs, both on the seed-0 M at d = 32
# (the theory objects take other sizes: `sslab theory wenli2021.decoupling n=... d=...`).

A_NS = (10_000, 100_000, 1_000_000)
A_NS_QUICK = (10_000, 100_000)
B_N, B_N_QUICK = 400_000, 100_000
SPEC_SEED = 0


def default_data(d: int = 32) -> data_mod.WenLiData:
    return data_mod.WenLiData(d=d).resolve()


def decoupling_stats(ns: tuple[int, ...], seed: int = SPEC_SEED, batch: int = 10_000, q: float = 0.5,
                     d: int = th.SPEC_D) -> dict[int, dict]:
    """Spec §8 A on nested prefixes of one stream (:func:`.theory.decoupling_path`)."""
    return th.decoupling_path(ns, seed=seed, d=d, q=q, batch=batch)


def claim_a(ctx: Context) -> list[Row]:
    """E[x_a x_bᵀ] = Γ: the dense part cancels exactly (spec §7.1–7.2, 7.4)."""
    ns = A_NS_QUICK if ctx.quick else A_NS
    st = ctx.memo(("wenli2021_A", ns), lambda: decoupling_stats(ns))
    rows: list[Row] = []
    for n in ns:
        g = f"n={n:.0e}"
        rows.append(by_construction("A", "max |diag(C_n)| == 0", fmt(st[n]["max_diag"]),
                                    "complementary views see disjoint coordinates, (x_a)_k (x_b)_k = 0 for every sample",
                                    ok=st[n]["max_diag"] == 0.0, group=g))
        rows.append(interval("A", "‖C_n − Γ‖_F / e_n", st[n]["err_ratio"], 0.9, 1.1, g))
        rows.append(interval("A", "none control: ‖P⊥Ĉ_nP⊥‖_F / (σ_ξ²√(d1−d))", st[n]["control"], 0.97, 1.03, g))
    big = max(ns)
    if big >= 1_000_000:
        rows.append(bound("A", "|‖P⊥C_nP⊥‖_F − ‖P⊥ΓP⊥‖_F|", abs(st[big]["dense"] - st[big]["dense_gamma"]), "<=", 0.01,
                          f"n={big:.0e}", note=f"{fmt(st[big]['dense'])} vs {fmt(st[big]['dense_gamma'])}"))
    else:
        rows.append(report("A", f"‖P⊥C_nP⊥‖_F vs ‖P⊥ΓP⊥‖_F at n={big:.0e}",
                           f"{fmt(st[big]['dense'])} vs {fmt(st[big]['dense_gamma'])}",
                           "gated (≤ 0.01) at n = 10⁶, full size only"))
    return rows


# --- B: neuron-level decoupling -------------------------------------------------------------------

def neuron_corr_stats(n: int, seed: int = SPEC_SEED, batch: int = 10_000, n_dense: int = 32,
                      d: int = th.SPEC_D) -> dict:
    """Spec §8 B (:func:`.theory.neuron_correlation`)."""
    return th.neuron_correlation(n, seed=seed, d=d, n_dense=n_dense, batch=batch)


def claim_b(ctx: Context) -> list[Row]:
    """Per-neuron view correlation: features correlated, dense directions not (spec §7.3)."""
    n = B_N_QUICK if ctx.quick else B_N
    st = ctx.memo(("wenli2021_B", n), lambda: neuron_corr_stats(n))
    c, no, t = st["complementary"], st["none"], st["thresholded"]
    g = f"n={n:.0e}"
    return [
        interval("B", "complementary: mean feature corr", c["feature"], 0.15, 0.30, g),
        within("B", "complementary: mean feature corr vs exact §7.3", c["feature"], c["feature_exact"], 0.01, g),
        bound("B", "complementary: |mean dense corr|", abs(c["dense"]), "<=", 0.06, g),
        within("B", "complementary: mean dense corr vs exact §7.3", c["dense"], c["dense_exact"], 0.01, g),
        bound("B", "none: mean feature corr", no["feature"], ">=", 0.999, g),
        bound("B", "none: mean dense corr", no["dense"], ">=", 0.999, g),
        bound("B", "thresholded − unthresholded mean feature corr", t["feature"] - c["feature"], ">", 0.0, g,
              note=f"{fmt(t['feature'])} vs {fmt(c['feature'])}"),
        bound("B", "|unthresholded| − |thresholded| mean dense corr", abs(c["dense"]) - abs(t["dense"]), ">", 0.0, g,
              note=f"{fmt(t['dense'])} vs {fmt(c['dense'])}"),
    ]


# --- C–F: training ---------------------------------------------------------------------------------

def claim_c(ctx: Context) -> list[Row]:
    """Masking recovers every feature."""
    r = paired(ctx)
    return diverged_rows("C", r) + [
        seedwise("C", "complementary: min_j coverage_j", values(r, "cov_min", augment=MASK), ">=", 0.85),
        seedwise("C", "complementary: frac_covered", values(r, "frac_covered", augment=MASK), ">=", 0.85),
    ]


def claim_d(ctx: Context) -> list[Row]:
    """Learned neurons are sparse in the feature basis with little dense mass."""
    r = paired(ctx)
    return [
        seedwise("D", "complementary: median ρ", values(r, "rho_median", augment=MASK), ">=", 0.8),
        seedwise("D", "complementary: median PR", values(r, "pr_median", augment=MASK), "<=", 5.0),
    ]


def claim_e(ctx: Context) -> list[Row]:
    """Early dynamics (t = 500): features grow with masking, noise grows without."""
    r = paired(ctx)
    w0 = values(r, "wnorm_median", 0, augment=NONE)
    w500 = values(r, "wnorm_median", 500, augment=NONE)
    return [
        seedwise("E", "complementary: median ρ at t=500", values(r, "rho_median", 500, augment=MASK), ">=", 0.8),
        seedwise("E", "none: median ρ at t=500", values(r, "rho_median", 500, augment=NONE), "<=", 0.6),
        seedwise("E", "none: median ‖w_i‖ at t=500 / at t=0", {s: w500[s] / w0[s] for s in w0}, ">=", 10.0),
    ]


def claim_f(ctx: Context) -> list[Row]:
    """No augmentation fails at matched budget."""
    r = paired(ctx)
    wn, wm = values(r, "wnorm_median", augment=NONE), values(r, "wnorm_median", augment=MASK)
    return [
        seedwise("F", "none: frac_covered", values(r, "frac_covered", augment=NONE), "<=", 0.1),
        seedwise("F", "none: median coverage", values(r, "cov_median", augment=NONE), "<=", 0.7),
        seedwise("F", "none: median PR", values(r, "pr_median", augment=NONE), ">=", 6.0),
        seedwise("F", "none / complementary final median ‖w_i‖", {s: wn[s] / wm[s] for s in wn}, ">=", 5.0),
    ]


# --- G, H: report-only ------------------------------------------------------------------------------

def r2_table(ctx: Context) -> dict[str, dict[int, float]]:
    """Spec §6 R² per seed: masking network, no-augmentation network, raw x."""
    r = paired(ctx)
    out: dict[str, dict[int, float]] = {"masking": {}, "none": {}, "raw": {}}
    for aug, name in ((MASK, "masking"), (NONE, "none")):
        for s, lane in lanes_of(r, aug).items():
            ev = evaluation(ctx, r, lane)
            out[name][s] = ev["r2"]
            out["raw"][s] = ev["r2_raw"]
    return out


def claim_g(ctx: Context) -> list[Row]:
    """Downstream benefit: ridge R² of z (report-only; acceptance bounds live in the acceptance tests). Seed means
    with their 95% t-interval; the differences are paired per seed (same M, same evaluation samples)."""
    t = r2_table(ctx)
    diff = lambda a, b: {s: t[a][s] - t[b][s] for s in t[a]}  # noqa: E731
    return [
        report_mean("G", "R²_mask", t["masking"], "clearly above R²_raw and R²_none"),
        report_mean("G", "R²_none", t["none"], "little or no gain over R²_raw"),
        report_mean("G", "R²_raw", t["raw"], "baseline: ridge on raw x"),
        report_mean("G", "R²_mask − R²_raw (paired by seed)", diff("masking", "raw"), "clearly positive"),
        report_mean("G", "R²_none − R²_raw (paired by seed)", diff("none", "raw"), "≈ 0"),
    ]


def claim_h(ctx: Context) -> list[Row]:
    """The bias (threshold) is necessary: with b = 0 span(M) is learned but single features are not resolved."""
    r = zero_bias(ctx)
    rho, frac, pr = values(r, "rho_median"), values(r, "frac_covered"), values(r, "pr_median")
    return diverged_rows("H", r) + [
        report_median("H", "bias_rule=zero: median ρ", rho, "stays high (span(M) learned, dense part suppressed)"),
        report_median("H", "bias_rule=zero: frac_covered", frac, "few or no features covered"),
        report_median("H", "bias_rule=zero: median PR", pr, "far above claim D's (≤ 5)"),
    ]


def report_median(claim: str, criterion: str, vals: dict[int, float], expectation: str, group: str = "") -> Row:
    """A report row: the seed median with its order-statistic interval, and every seed's value."""
    v = np.asarray(list(vals.values()), float)
    return Row(claim, criterion, f"{median_text(vals)}; per seed: {_per_seed_values(vals)}", expectation, REPORT, group,
               rule="report only", values={str(s): float(x) for s, x in vals.items()},
               stat={"kind": "median", "value": float(np.median(v)), "lo": float(v.min()), "hi": float(v.max()),
                     "n": len(v), "method": MEDIAN_METHOD})


# --- I: scaling -------------------------------------------------------------------------------------

def scaling_ds(ctx: Context) -> tuple[int, ...]:
    return (16, 32) if ctx.quick else (16, 32, 64)


def claim_i(ctx: Context) -> list[Row]:
    """Scaling trend in d: masking keeps recovering features, `none` keeps failing (medians over seeds)."""
    rows: list[Row] = []
    med, per = {}, {}
    for d in scaling_ds(ctx):
        r = paired(ctx, d)
        rows += diverged_rows("I", r, f"d={d}")
        per[d] = {k: values(r, k, augment=MASK) for k in ("cov_min", "frac_covered", "rho_median", "pr_median")}
        med[d] = {k: float(np.median(list(v.values()))) for k, v in per[d].items()}
        none_frac, none_pr = values(r, "frac_covered", augment=NONE), values(r, "pr_median", augment=NONE)
        rows.append(median_bound("I", "none: median frac_covered", none_frac, "<=", 0.1, f"d={d}"))
        rows.append(report("I", "median PR: complementary, none",
                           f"{median_text(per[d]['pr_median'])}; {median_text(none_pr)}",
                           "reported, not gated", f"d={d}"))
    ds = scaling_ds(ctx)
    for prev, d in zip(ds, ds[1:]):
        for k, label in (("cov_min", "min coverage"), ("frac_covered", "frac_covered"), ("rho_median", "median ρ")):
            drop = med[prev][k] - med[d][k]
            rows.append(Row("I", f"complementary: median {label} drop from d={prev}",
                            f"{fmt(drop)} (seed medians {fmt(med[prev][k], 3)} → {fmt(med[d][k], 3)}; d={prev}: "
                            f"{median_text(per[prev][k])}; d={d}: {median_text(per[d][k])})",
                            "<= 0.0500", PASS if np.isfinite(drop) and drop <= 0.05 else FAIL, f"d={d}",
                            rule=f"seed median at d={prev} − seed median at d={d} ≤ 0.05",
                            values={f"d={prev}": med[prev][k], f"d={d}": med[d][k]},
                            stat={"kind": "value", "value": float(drop)}))
    return rows


# --- §8 ablation suite (separate from the default claim run) ----------------------------------------

def _ablation_run(ctx: Context, *overrides: str):
    return ctx.run(P, ["seed=0:5", *overrides] + _steps(ctx))


def ablation_independent(ctx: Context) -> list[Row]:
    """X1: independent masks do not cancel the dense part (§7.2): expect failure like `none` (gated, ≥ 4/5 seeds)."""
    r = _ablation_run(ctx, "views=independent")
    return diverged_rows("X1", r) + [
        seedwise("X1", "independent: frac_covered", values(r, "frac_covered"), "<=", 0.1),
        report("X1", "independent: median ρ, median PR (seed medians)",
               f"{median_text(values(r, 'rho_median'))}; {median_text(values(r, 'pr_median'))}"),
    ]


def _summary(r, label: str, claim: str, expectation: str = "", where: dict | None = None) -> Row:
    df = r.records
    for col, v in (where or {}).items():
        df = df[np.isclose(df[col].astype(float), v)]
    last = df[df.step == df.step.max()]
    med = lambda k: float(np.median(last[last.metric == k].value))  # noqa: E731
    n = int(last[last.metric == "cov_min"].seed.nunique())
    return report(claim, f"{label}: min coverage, frac_covered, median ρ, median PR (medians over {n} seeds)",
                  f"{fmt(med('cov_min'), 3)}, {fmt(med('frac_covered'), 3)}, {fmt(med('rho_median'), 3)}, "
                  f"{fmt(med('pr_median'), 3)}", expectation)


def ablation_cosine(ctx: Context) -> list[Row]:
    """X2: cosine similarity instead of the dot product (report)."""
    r = _ablation_run(ctx, "loss.similarity=cosine")
    return diverged_rows("X2", r) + [_summary(r, "cosine similarity", "X2", "worse worst-feature coverage than dot")]


def ablation_keep_prob(ctx: Context) -> list[Row]:
    """X3: keep probability q ∈ {0.25, 0.5, 0.75} (report)."""
    r = _ablation_run(ctx, "data.keep_prob=0.25,0.5,0.75")
    return diverged_rows("X3", r) + [_summary(r, f"keep_prob={q}", "X3", where={"data.keep_prob": q})
                                     for q in (0.25, 0.5, 0.75)]


def ablation_width(ctx: Context) -> list[Row]:
    """X4: width m ∈ {d, 2d, 4d, 8d} (report)."""
    rows: list[Row] = []
    for m in (32, 64, 128, 256):
        r = _ablation_run(ctx, f"model.m={m}")
        rows += diverged_rows("X4", r, f"m={m}") + [_summary(r, f"m={m}", "X4")]
    return rows


def ablation_mean(ctx: Context) -> list[Row]:
    """X5: direction_combine = mean (halves the two direction terms; report)."""
    r = _ablation_run(ctx, "loss.direction_combine=mean")
    return diverged_rows("X5", r) + [_summary(r, "direction_combine=mean", "X5")]


def ablation_noise_stress(ctx: Context) -> list[Row]:
    """X6: noise stress σ_ξ² = ν·d·p/d1, ν ∈ {1, 4, 12}, masking and `none` (report)."""
    rows: list[Row] = []
    for nu in (1, 4, 12):
        r = _ablation_run(ctx, "data.augment=1,0", f"data.noise_ratio={nu}")
        rows += diverged_rows("X6", r, f"ν={nu}")
        rows += [_summary(r, f"ν={nu}, {MODE_NAME[a]}", "X6", where={"data.augment": a}) for a in (MASK, NONE)]
    return rows


def ablation_lowrank(ctx: Context) -> list[Row]:
    """X7: low-rank dense noise in span(M^⊥), masking and `none` (a negative control; report)."""
    r = _ablation_run(ctx, "data.augment=1,0", "data.noise=lowrank")
    return diverged_rows("X7", r) + [
        _summary(r, f"low-rank dense noise, {MODE_NAME[a]}", "X7",
                 "masking does not cancel correlated dense features (negative control)", where={"data.augment": a})
        for a in (MASK, NONE)]


CLAIMS: list[Claim] = [
    Claim("A", P, "Exact decoupling identity E[x_a x_bᵀ] = Γ", claim_a, "float64", slow=True, seeds="0 (M)", cost=7),
    Claim("B", P, "Neuron-level decoupling of view correlations", claim_b, "float64", seeds="0 (M)", cost=4),
    Claim("C", P, "Masking recovers every feature", claim_c, slow=True, seeds="0–4", cost=35),
    Claim("D", P, "Masked neurons are sparse in the feature basis", claim_d, slow=True, seeds="0–4", cost=1, after=('C',)),
    Claim("E", P, "Early dynamics: features grow with masking, noise without", claim_e, slow=True, seeds="0–4", cost=1, after=('C',)),
    Claim("F", P, "No augmentation fails at matched budget", claim_f, slow=True, seeds="0–4", cost=1, after=('C',)),
    Claim("G", P, "Downstream ridge R² (report)", claim_g, "float32 (R² float64)", slow=True, seeds="0–4", cost=2, after=('C',)),
    Claim("H", P, "The bias is necessary (report)", claim_h, slow=True, seeds="0–4", cost=18),
    Claim("I", P, "Scaling trend in d", claim_i, slow=True, seeds="0–4 (quick: d ∈ {16, 32})", cost=130),
]

# §8 ablation suite, "a separate suite, not part of the default claim run": report-only items, run with
# `sslab check --report` or by name (`sslab check wenli2021.X1`); X1 carries the spec's one gated row.
ABLATIONS: list[Claim] = [
    Claim("X1", P, "Ablation: independent masks fail like no augmentation", ablation_independent, slow=True,
          seeds="0–4", report_only=True, cost=35),
    Claim("X2", P, "Ablation (report): cosine similarity", ablation_cosine, slow=True, seeds="0–4", report_only=True,
          cost=35),
    Claim("X3", P, "Ablation (report): keep probability q ∈ {0.25, 0.5, 0.75}", ablation_keep_prob, slow=True,
          seeds="0–4", report_only=True, cost=60),
    Claim("X4", P, "Ablation (report): width m ∈ {d, 2d, 4d, 8d}", ablation_width, slow=True, seeds="0–4",
          report_only=True, cost=120),
    Claim("X5", P, "Ablation (report): mean of the two directions", ablation_mean, slow=True, seeds="0–4",
          report_only=True, cost=35),
    Claim("X6", P, "Ablation (report): noise stress ν ∈ {1, 4, 12}", ablation_noise_stress, slow=True, seeds="0–4",
          report_only=True, cost=150),
    Claim("X7", P, "Ablation (report): low-rank dense noise (negative control)", ablation_lowrank, slow=True,
          seeds="0–4", report_only=True, cost=70),
]


# --- figures for the check report ---------------------------------------------------------------------

def figures(ctx: Context, outdir) -> list[Path]:
    """Coverage histogram with vs without masking; median ρ and median ‖w_i‖ over training; R² bars."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    r = paired(ctx)
    T = int(r.records.step.max())
    setting = f"d=32, d1=256, m=128, T={T}, seeds 0–4"
    cov = {label: np.concatenate([evaluation(ctx, r, lane)["coverage"] for lane in lanes_of(r, aug).values()])
           for aug, label in ((MASK, "complementary masking"), (NONE, "no augmentation"))}
    df = r.records
    groups = {label: df[np.isclose(df["data.augment"].astype(float), aug)]
              for aug, label in ((MASK, "complementary masking"), (NONE, "no augmentation"))}
    out = [
        wf.save(wf.coverage_histogram(cov, setting), outdir / "wenli2021_coverage_hist.png"),
        wf.save(wf.metric_over_training(df, "rho_median", groups, setting, r"median$_i$ $\rho_i$ (feature mass)",
                                        "median feature mass ρ over training", hline=(0.8, "claim D bound 0.8")),
                outdir / "wenli2021_rho_over_training.png"),
        wf.save(wf.metric_over_training(df, "wnorm_median", groups, setting, r"median$_i$ $\|w_i\|$",
                                        "median weight norm over training", logy=True),
                outdir / "wenli2021_wnorm_over_training.png"),
    ]
    t = r2_table(ctx)
    out.append(wf.save(wf.r2_bars({"raw x": list(t["raw"].values()),
                                   "complementary masking": list(t["masking"].values()),
                                   "no augmentation": list(t["none"].values())}, setting),
                       outdir / "wenli2021_r2_bars.png"))
    return out
