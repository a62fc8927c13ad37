"""Numeric (float64, particle) checks of mlcontrol §4.1–§4.2.

Tokens are particles: (4.1) runs on batches of configurations at once
(:func:`theorems.hardmax.dynamics.run_float`), softmax attention (4.2) on whole score
matrices.  Tolerances are rounding bounds (:func:`verify.stats.rounding_tol`), stated where
they are used:

- ties of scores: :func:`theorems.hardmax.dynamics.tie_tolerance` (2d operations per score plus
  the rounding the positions accumulated over k layers);
- positions after K layers: ``rounding_tol(R, terms=K (n + 3))``, R the largest token norm;
- softmax entries: ``rounding_tol(1, terms=n + 2, cond=1 + max|g|/τ)`` — the exponential
  amplifies the absolute rounding of a score g/τ by its size.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from theorems.hardmax import instances as I
from theorems.hardmax.dynamics import run_float, tie_tolerance
from theorems.hardmax.formulas import Thm41, float_scores
from verify.claims import FigureSpec, Outcome, Status
from verify.linalg import random_orthogonal
from verify.stats import rounding_tol

__all__ = [
    "float_groups",
    "cached_float_run",
    "layers_for",
    "softmax_error_closed_form",
    "check_thm41_numeric",
    "check_eq43_numeric",
    "check_halfspace_numeric",
]

_CACHE: dict = {}
#: the horizon of a float run: layers until the residuals are about this fraction of the token
#: scale.  A float run cannot separate a leader from a token converging to it once their score
#: gap falls below the rounding bound of the scores (about 1e-12 R² here); with residuals
#: ≥ 1e-6 R that happens only for a token approaching within a relative angle of about 1e-6
#: of the leader's supporting line, and the check then reports the configuration as
#: unresolved (INCONCLUSIVE), never as a failure
RESIDUAL_FLOOR = 1e-6


def layers_for(alpha: float) -> int:
    """K with :math:`(1+\\alpha)^{-K} \\approx` :data:`RESIDUAL_FLOOR`, plus the few layers
    the instances need to settle (at most 7 in exhaustive exact runs on small grids)."""
    return int(math.ceil(math.log(1 / RESIDUAL_FLOOR) / math.log(1 + alpha))) + 3


def _spd(rng: np.random.Generator, d: int = 2, cond: float = 10.0) -> np.ndarray:
    lam = 10.0 ** rng.uniform(0, math.log10(cond), size=d)
    q = random_orthogonal(rng, d)
    s = (q * lam) @ q.T
    return (s + s.T) / 2


def float_groups(ctx: Any) -> list[tuple[str, np.ndarray, np.ndarray, float]]:
    """(name, tokens (B, n, 2), A, α): the exact instances as floats, then seeded random
    configurations (tokens uniform in [−1, 1]²)."""
    out = [(inst.name, np.array([[[float(v) for v in z] for z in inst.Z]]), np.array(inst.A, dtype=float), float(inst.alpha)) for inst in I.INSTANCES]
    rng = ctx.rng("hardmax-float-configurations")
    B = ctx.pick(8, 48, 400)
    specs = [("A = Id", np.eye(2), 1.0), ("A of Figure 4.1(b)", np.array(I.A_FIG_B, dtype=float), 1.0)]
    if ctx.fidelity != "quick":
        specs.append(("random SPD A (cond ≤ 10)", _spd(rng), 0.5))
    for name, A, alpha in specs:
        out.append((f"{B} random configurations of 6 tokens, {name}, α = {alpha:g}", rng.uniform(-1, 1, size=(B, 6, 2)), A, alpha))
    return out


def cached_float_run(ctx: Any, name: str, Z: np.ndarray, M: np.ndarray, step: float, K: int):
    key = ("float", ctx.seed, ctx.fidelity, name, np.asarray(M, dtype=float).tobytes(), float(step), K)
    if key not in _CACHE:
        _CACHE[key] = run_float(Z, M, step, K)
    return _CACHE[key]


def _exact(a: np.ndarray) -> list:
    return [[Fraction(float(v)) for v in row] for row in np.atleast_2d(a)]


def _candidates(f: Any, leaders: np.ndarray, A: np.ndarray) -> np.ndarray:
    """The formulas' limit set for float leaders, computed exactly (floats are dyadic
    rationals) and rounded once."""
    key = ("cand", type(f).limit_candidates, leaders.tobytes(), A.tobytes())
    if key not in _CACHE:
        _CACHE[key] = np.array([[float(v) for v in p] for p in f.limit_candidates(_exact(leaders), _exact(A))])
    return _CACHE[key]


# --- Theorem 4.1 -----------------------------------------------------------------------------------


def check_thm41_numeric(f: Any, ctx: Any) -> Outcome:
    """Float runs of (4.1): leader sets, limits against the theorem, geometric rate 1/(1+α)."""
    table, figures = [], []
    bound = f.leaders_final_from()
    unsettled = 0
    study: dict[float, list] = {}
    for name, Z, A, alpha in float_groups(ctx):
        M = np.asarray(f.attention_form(A), dtype=float)
        s = float(f.step_size(alpha))
        K = layers_for(alpha)
        run = cached_float_run(ctx, name, Z, M, s, K)
        B, n, d = Z.shape
        R = np.max(np.linalg.norm(Z, axis=2), axis=1)
        tol_pos = np.array([rounding_tol(r, terms=K * (n + 3)) for r in R])
        rho = 1 - s
        worst, settled_here, k0s = 0.0, 0, []
        for b in range(B):
            L = run.leaders[:, b]  # (K+1, n)
            lost = np.argwhere(L[:-1] & ~L[1:])
            if lost.size:
                k, i = (int(v) for v in lost[0])
                Zk = run.positions[k + 1, b]
                gaps = (Zk - Zk[i]) @ (M @ Zk[i])  # ⟨z_j − z_i, M z_i⟩: differences first, no cancellation
                gaps[i] = -np.inf
                if gaps.max() > tie_tolerance(Zk, M, k + 1):
                    return Outcome(Status.FAIL, f"{name}, configuration {b}: leader z_{i + 1} lost its status at layer {k + 1} "
                                   f"(a score exceeds its own by {gaps.max():.3g})",
                                   counterexample={"group": name, "Z0": Z[b].tolist(), "A": A.tolist(), "alpha": alpha, "layer": k + 1, "token": i + 1},
                                   table=table)
                unsettled += 1  # a score gap below the rounding bound: not decided in float64
                continue
            same = np.all(L == L[-1], axis=1)
            k0 = int(len(same) - np.argmin(same[::-1])) if not same.all() else 0
            k0s.append(k0)
            if bound is not None and k0 > bound:
                return Outcome(Status.FAIL, f"{name}, configuration {b}: the leader set changes at layer {k0} (not final from layer {bound} as claimed)",
                               {"k0": k0}, counterexample={"group": name, "Z0": Z[b].tolist(), "A": A.tolist(), "alpha": alpha,
                                                           "leaders at layer 0": np.flatnonzero(L[0]).tolist(), f"leaders at layer {k0}": np.flatnonzero(L[k0]).tolist()},
                               table=table)
            sets_fixed = np.all(run.sets[-3:, b] == run.sets[-1, b], axis=(0, 2))
            target_fixed = np.linalg.norm(run.targets[-1, b] - run.targets[-2, b], axis=1) <= tol_pos[b]
            if not np.all(sets_fixed & target_fixed):
                unsettled += 1
                continue
            settled_here += 1
            lim = run.targets[-1, b]
            cand = _candidates(f, run.positions[-1, b][L[-1]], A)
            dist = np.min(np.linalg.norm(lim[:, None, :] - cand[None, :, :], axis=2), axis=1)
            tol_c = tol_pos[b] + rounding_tol(R[b])
            bad = np.flatnonzero(dist > tol_c)
            if bad.size:
                i = int(bad[0])
                return Outcome(Status.FAIL, f"{name}, configuration {b}: token {i + 1} converges to {np.round(lim[i], 12).tolist()}, at distance "
                               f"{dist[i]:.3g} > {tol_c:.1e} from every claimed limit", {"distance": float(dist[i]), "tol": tol_c},
                               counterexample={"group": name, "Z0": Z[b].tolist(), "A": A.tolist(), "alpha": alpha, "token": i + 1,
                                               "limit": lim[i].tolist(), "claimed limits": cand.tolist()}, table=table)
            worst = max(worst, float(np.max(dist / tol_c)))
            r = np.linalg.norm(run.positions[:, b] - lim[None], axis=2) / R[b]  # (K+1, n)
            moved = np.flatnonzero(np.any(np.linalg.norm(run.targets[1:, b] - run.targets[:-1, b], axis=2) > tol_pos[b], axis=1))
            study.setdefault(rho, []).append((r, int(moved[-1]) + 1 if moved.size else 0, tol_pos[b] / R[b]))
        table.append({"group": name, "configurations": B, "layers K": K, "settled": settled_here, "k0 (max)": max(k0s),
                      "leaders at K (mean)": f"{run.leaders[-1].sum(axis=1).mean():.2f}", "worst distance / tolerance": f"{worst:.2g}"})
    metrics: dict = {"unsettled": unsettled}
    steps = []
    for rho, rows in study.items():
        fit = _rate_fit(rows)
        if fit is None:
            continue
        slope, bound_slope, ks, err = fit
        metrics[f"rate(α={1 / rho - 1:g})"] = math.exp(slope)
        steps.append(f"α = {1 / rho - 1:g}: max residual contracts by {math.exp(slope):.12f} per layer on layers {ks[0]}–{ks[-1]} "
                     f"(reference 1/(1+α) = {rho:.12f}; allowed deviation of the log-slope {bound_slope:.1e} from rounding)")
        if abs(slope - math.log(rho)) > bound_slope:
            return Outcome(Status.FAIL, f"the residuals contract by {math.exp(slope):.10f} per layer, not 1/(1+α) = {rho:.10f}", metrics,
                           counterexample={"alpha": 1 / rho - 1, "rate": math.exp(slope)}, table=table, steps=steps)
        if ctx.figures:
            figures.append(FigureSpec(f"rate-alpha-{1 / rho - 1:g}", "lines", f"Largest distance to the limit against the layer (α = {1 / rho - 1:g})",
                                      {"x": ks.tolist(), "series": {"max_i |z_i(k) − z_i*| / R": err.tolist(),
                                                                    "reference (1+α)^(−k)": (err[0] * rho ** (ks - ks[0])).tolist()},
                                       "logy": True, "xlabel": "layer k", "ylabel": "relative distance"},
                                      "After the attention sets settle, every token contracts towards its limit by exactly 1/(1+α) per layer."))
    if ctx.figures:
        for inst in (I.FIG_A, I.FIG_B, I.BISECTOR):
            Z = np.array([[[float(v) for v in z] for z in inst.Z]])
            run = cached_float_run(ctx, inst.name, Z, np.asarray(f.attention_form(np.array(inst.A, dtype=float)), dtype=float),
                                   float(f.step_size(float(inst.alpha))), layers_for(float(inst.alpha)))
            figures.append(FigureSpec(f"tokens-{I.INSTANCES.index(inst)}", "trajectories", f"Tokens under (4.1): {inst.name}",
                                      {"series": {"hardmax dynamics": run.positions[:12, 0].tolist()}}, inst.why))
    if unsettled:
        return Outcome(Status.INCONCLUSIVE, f"{unsettled} configurations did not settle within their layers, or their leader sets "
                       "were not decided in float64", metrics, table=table, steps=steps)
    return Outcome(Status.PASS, f"{sum(int(r['configurations']) for r in table)} float configurations: leader sets nondecreasing and final, "
                   "limits within rounding of leaders or A-projections of 0 onto faces, residuals contracting by exactly 1/(1+α)",
                   metrics, table=table, steps=steps, figures=figures)


def _rate_fit(rows: list) -> tuple | None:
    """Least-squares log-slope of the largest residual on the layers where every target is
    final, with the slope deviation the rounding allows: positions and limits carry at most
    ``tol`` (relative to R) each, so :math:`|\\log\\tilde r_k - \\log r_k| \\le e = 2\\,\\mathrm{tol}/r_{\\min}`,
    and a least-squares slope moves by at most :math:`e\\sum|x - \\bar x|/\\sum(x - \\bar x)^2`."""
    start = max(r[1] for r in rows)
    K = rows[0][0].shape[0] - 1
    if K - start < 3:
        return None
    ks = np.arange(start, K + 1)
    per = [r[0][start:][:, r[0][start] > 0] for r in rows]  # residuals of the moving tokens
    per = [p.max(axis=1) for p in per if p.size]
    if not per:
        return None
    err = np.max(np.stack(per), axis=0)
    x, y = ks.astype(float), np.log(err)
    xc = x - x.mean()
    slope = float(xc @ y / (xc @ xc))
    e = 2 * max(r[2] for r in rows) / float(err.min())
    bound = e * float(np.abs(xc).sum() / (xc @ xc))
    return slope, bound, ks, err


# --- (4.2) → (4.3) -------------------------------------------------------------------------------


def softmax_error_closed_form(G: np.ndarray, tau: float, tol: float) -> float:
    """:math:`\\max_{i,\\ell}|\\pi^\\tau_{i\\ell} - \\pi^0_{i\\ell}|` in closed form.

    Row i with m maximisers and gaps :math:`\\delta_\\ell > 0` for the others:
    :math:`S = \\sum_\\ell e^{-\\delta_\\ell/\\tau}`, the maximisers get :math:`1/(m + S)`
    (error :math:`S/(m(m+S))`) and the others :math:`e^{-\\delta_\\ell/\\tau}/(m+S)`, so the
    row's error is :math:`\\max(S/m, e^{-\\delta^*/\\tau})/(m + S)`, δ* its smallest gap.
    """
    out = 0.0
    for row in np.atleast_2d(G):
        gap = row.max() - row
        top = gap <= tol
        if top.all():
            continue
        m = int(top.sum())
        e = np.exp(-gap[~top] / tau)
        S = float(e.sum())
        out = max(out, max(S / m, float(e.max())) / (m + S))
    return out


def _softmax_cases(ctx: Any) -> list[tuple[str, np.ndarray, np.ndarray]]:
    cases = [(inst.name, np.array([[float(v) for v in z] for z in inst.Z]), np.array(inst.A, dtype=float)) for inst in (I.FIG_A, I.FIG_B, I.BISECTOR)]
    rng = ctx.rng("hardmax-softmax-configurations")
    for k in range(ctx.pick(2, 6, 24)):
        A = np.eye(2) if k % 2 == 0 else np.array(I.A_FIG_B, dtype=float)
        cases.append((f"random configuration {k + 1} (5 tokens, {'A = Id' if k % 2 == 0 else 'A of Figure 4.1(b)'})", rng.uniform(-1, 1, size=(5, 2)), A))
    return cases


def check_eq43_numeric(f: Any, ctx: Any) -> Outcome:
    """Error of (4.2) against (4.3) along a ladder of temperatures, against its closed form,
    with the fitted exponential rate; a near-tie family shows that the limit is not uniform."""
    table, figures, series = [], [], {}
    ts = np.linspace(2, 24, ctx.pick(6, 12, 24))
    for name, Z, A in _softmax_cases(ctx):
        G = float_scores(Z, A)
        tol = float(tie_tolerance(Z, A, 0))
        H = f.hardmax(Z, A, tol)
        gaps = [(row.max() - row)[(row.max() - row) > tol] for row in G]
        positive = [g.min() for g in gaps if g.size]
        if not positive:
            continue
        delta = float(min(positive))
        taus = delta / ts
        errs, closed = [], []
        for tau in taus:
            err = float(np.max(np.abs(f.softmax(Z, A, tau) - H)))
            ref = softmax_error_closed_form(G, tau, tol)
            allow = rounding_tol(1.0, terms=len(Z) + 2, cond=1 + float(np.abs(G).max()) / tau)
            errs.append(err)
            closed.append(ref)
            if abs(err - ref) > allow:
                return Outcome(Status.FAIL, f"{name}, τ = {tau:.4g}: max|π^τ − π^0| = {err:.6g}, but the closed form gives {ref:.6g} "
                               f"(rounding allowance {allow:.1e}) — (4.2) does not tend to the printed (4.3)",
                               {"tau": tau, "error": err, "closed_form": ref},
                               counterexample={"case": name, "Z": Z.tolist(), "A": A.tolist(), "tau": tau, "max_error": err,
                                               "closed_form_error": ref, "hardmax": np.asarray(H).tolist()}, table=table)
        x, y = 1 / taus, np.log(errs)
        xc = x - x.mean()
        slope = float(xc @ y / (xc @ xc))
        resid = np.log(closed) + delta * x
        w = float(resid.max() - resid.min()) + 2 * max(rounding_tol(1.0, terms=len(Z) + 2, cond=1 + float(np.abs(G).max()) * t) / c for t, c in zip(x, closed))
        allowed = w / 2 * float(np.abs(xc).sum() / (xc @ xc))
        table.append({"case": name, "δ* (score gap)": f"{delta:.6g}", "τ range": f"[{taus[-1]:.3g}, {taus[0]:.3g}]",
                      "error range": f"[{min(errs):.2e}, {max(errs):.2e}]", "fitted slope of log err vs 1/τ": f"{slope:.6g}",
                      "reference −δ*": f"{-delta:.6g}", "allowed deviation": f"{allowed:.2g}"})
        if abs(slope + delta) > allowed:
            return Outcome(Status.FAIL, f"{name}: log error has slope {slope:.6g} in 1/τ, not −δ* = {-delta:.6g}", {"slope": slope},
                           counterexample={"case": name, "Z": Z.tolist(), "A": A.tolist(), "slope": slope, "delta": delta}, table=table)
        if len(series) < 4:
            series[name] = (ts.tolist(), errs)
    # near ties: δ = τ keeps the error at 2e^{-1}/(1 + 2e^{-1}) for every τ
    for tau in (1e-1, 1e-2, 1e-3):
        Z = np.array([[1.0, 0.0], [1.0 + tau, 1.0], [1.0, -1.0]])
        A = np.eye(2)
        G = float_scores(Z, A)
        tol = float(tie_tolerance(Z, A, 0))
        err = float(np.max(np.abs(f.softmax(Z, A, tau) - f.hardmax(Z, A, tol))))
        ref = softmax_error_closed_form(G, tau, tol)
        allow = rounding_tol(1.0, terms=5, cond=1 + float(np.abs(G).max()) / tau)
        table.append({"case": f"near tie: z_2 ahead of z_1, z_3 by δ = τ = {tau:g}", "δ* (score gap)": f"{tau:g}", "τ range": f"{tau:g}",
                      "error range": f"{err:.6f}", "fitted slope of log err vs 1/τ": "—", "reference −δ*": "—", "allowed deviation": f"{allow:.1e}"})
        if abs(err - ref) > allow:
            return Outcome(Status.FAIL, f"near tie, τ = δ = {tau:g}: max|π^τ − π^0| = {err:.6g}, closed form {ref:.6g}", {"tau": tau},
                           counterexample={"Z": Z.tolist(), "A": A.tolist(), "tau": tau, "max_error": err, "closed_form_error": ref}, table=table)
    if ctx.figures and series:
        figures.append(FigureSpec("softmax-error", "lines", "max|π^τ − π^0| against δ*/τ (log scale)",
                                  {"x": ts.tolist(), "series": {k: v[1] for k, v in series.items()}, "logy": True,
                                   "xlabel": "δ*/τ", "ylabel": "max error"},
                                  "Straight lines of slope −1 in δ*/τ: the error is exponentially small, e^{−δ*/τ} up to a bounded factor."))
    return Outcome(Status.PASS, f"{len(table) - 3} configurations (ties included): max|π^τ − π^0| equals its closed form to rounding on every τ, "
                   "log error linear in 1/τ with slope −δ* (the score gap); along δ = τ the error stays 2e⁻¹/(1+2e⁻¹): pointwise, not uniform",
                   {"cases": len(table) - 3}, table=table, figures=figures)


# --- Figure 4.1: the half-space ------------------------------------------------------------------------


def check_halfspace_numeric(f: Any, ctx: Any) -> Outcome:
    """Every attracting pair (i, j ∈ C_i) of random configurations and of the tokens along
    float runs of (4.1) lies in the formulas' half-space (up to rounding)."""
    rng = ctx.rng("hardmax-halfspace")
    B = ctx.pick(300, 3000, 30000)
    groups = [(f"{B} random configurations, {label}", rng.uniform(-1, 1, size=(B, 6, 2)), A, 0)
              for label, A in (("A = Id", np.eye(2)), ("A of Figure 4.1(b)", np.array(I.A_FIG_B, dtype=float)), ("random SPD A", _spd(rng)))]
    printed = Thm41()
    for inst in I.INSTANCES:
        Z = np.array([[[float(v) for v in z] for z in inst.Z]])
        A = np.array(inst.A, dtype=float)
        K = layers_for(float(inst.alpha))
        run = cached_float_run(ctx, inst.name, Z, A, float(printed.step_size(float(inst.alpha))), K)
        groups.append((f"tokens along (4.1): {inst.name}", run.positions[:, 0], A, K))
    table = []
    for name, Z, A, K in groups:
        G = float_scores(Z, A)
        tol = tie_tolerance(Z, A, K)[:, None, None]
        C = G >= G.max(axis=2, keepdims=True) - tol
        normal, offset, closed = f.halfspace(Z, A)
        margin = np.einsum("bid,bjd->bij", normal, Z) - offset[:, :, None]
        tol_m = 2 * tol  # the margin and the scores are rounded in different orders
        viol = C & ((margin < -tol_m) if closed else (margin <= tol_m))
        pairs = int(C.sum())
        boundary = int((C & (np.abs(margin) <= tol_m)).sum())
        table.append({"group": name, "attracting pairs (i, j ∈ C_i)": pairs, "on the boundary (ties, leaders)": boundary,
                      "outside": int(viol.sum()), "smallest margin / score scale": f"{float(np.min(np.where(C, margin / np.abs(G).max(axis=(1, 2), keepdims=True), np.inf))):.3g}"})
        if viol.any():
            b, i, j = (int(v) for v in np.argwhere(viol)[0])
            return Outcome(Status.FAIL, f"{name}: token z_{j + 1} attracts z_{i + 1} (C_{i + 1} = {np.flatnonzero(C[b, i]) + 1}) but lies outside the claimed "
                           f"half-space (margin {margin[b, i, j]:.3g}, tolerance {tol_m[b, 0, 0]:.1e})", {"violations": int(viol.sum())},
                           counterexample={"group": name, "A": np.asarray(A).tolist(), "z_i": Z[b, i].tolist(), "z_j": Z[b, j].tolist(),
                                           "tokens": Z[b].tolist(), "margin": float(margin[b, i, j])}, table=table)
    return Outcome(Status.PASS, f"{sum(r['attracting pairs (i, j ∈ C_i)'] for r in table)} attracting pairs in random configurations and along runs of (4.1): "
                   "all in the closed half-space ⟨Az_i, z − z_i⟩ ≥ 0, many on its boundary", {"pairs": sum(r["attracting pairs (i, j ∈ C_i)"] for r in table)},
                   table=table)
