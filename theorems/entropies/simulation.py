"""Numeric evidence for otdiff §5.2 on grids and along geodesics.

- (16): the flow div(ρ∇δf) with δf computed numerically from the discretised functional
  (central difference in ε of h·Σg(ρ_i + εe_i), divided by h) against the claimed
  div(g̃'(ρ)∇ρ), by finite differences on two grids (Richardson estimate of the FD error).
- Porous medium: the second moment's rate d/dt∫x²ρ = −2∫xρ∂ₓg'(ρ)dx of the flow (by parts),
  positive for a diffusion; quadrature error by grid halving.
- McCann: f(α_t) along dilation geodesics of uniform laws and along Bures geodesics between
  Gaussians, where f has a closed form; convexity by second differences against rounding.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from verify.claims import FigureSpec, Outcome, Status
from verify.linalg import brenier_map
from verify.stats import EPS, rounding_tol
from theorems.entropies.derivation import CANDIDATES, _conditions_hold
from theorems.entropies.formulas import S

__all__ = [
    "TEST_ENTROPIES",
    "check_relation_numeric",
    "check_porous_numeric",
    "check_examples_numeric",
    "check_mccann_numeric",
    "gaussian_entropy",
    "check_porous_jko",
]

#: Entropies for the (16) check: the paper's example, a square, a non-integer power, a cube.
TEST_ENTROPIES = [("s log s", S * sp.log(S)), ("s^2", S**2), ("s^(3/2)", S ** sp.Rational(3, 2)), ("s^3/2", S**3 / 2)]


def _fn(expr: sp.Expr):
    return sp.lambdify(S, expr, "numpy")


def _density(x: np.ndarray) -> np.ndarray:
    """A two-component Gaussian mixture profile (mass 1), away from 0 on the grid."""
    return 0.6 * np.exp(-0.5 * (x + 1.0) ** 2 / 0.5) / np.sqrt(np.pi) + 0.4 * np.exp(-0.5 * (x - 1.5) ** 2 / 0.8) / np.sqrt(1.6 * np.pi)


def _flows(f: Any, g: sp.Expr, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.linspace(-4, 4, n)
    h = x[1] - x[0]
    rho = _density(x)
    gfun = _fn(g)
    eps = 1e-6 * rho
    # δf from the discretised functional F_h(ρ) = hΣg(ρ_i): ∂F_h/∂ρ_i / h, by central differences.
    delta = (gfun(rho + eps) - gfun(rho - eps)) / (2 * eps)
    wgf = np.gradient(rho * np.gradient(delta, h), h)
    gt = _fn(f.gtilde_prime(g))(rho) * np.ones_like(rho)
    claimed = np.gradient(gt * np.gradient(rho, h), h)
    # Noise of δf: rounding of g (EPS·|g|/ε) and the ε² truncation (ε²·|g^(3)|/6), through two
    # first differences (factor ρ/h², and 4 for the stencils' sums).
    g3 = np.abs(_fn(sp.diff(g, S, 3))(rho) * np.ones_like(rho))
    noise = float(np.max(4 * rho / h**2 * (EPS * np.abs(gfun(rho)) / eps + eps**2 * g3 / 6)))
    return x, wgf, claimed, noise


def check_relation_numeric(f: Any, ctx: Any) -> Outcome:
    """For g ∈ {s log s, s², s^{3/2}, s³/2} and a two-component mixture density on [−4, 4]: the
    flow of (16) with δf from the discretised functional against div(g̃'(ρ)∇ρ) with the
    formula's g̃'.  Grids of n and 2n − 1 points; the FD error of the difference is bounded by
    (4/3)|D_n − D_{2n−1}| (second order), plus the ε-differencing of δf."""
    n = ctx.pick(801, 1601, 3201)
    rows, worst = [], (0.0, None)
    for name, g in TEST_ENTROPIES:
        x, w1, c1, _ = _flows(f, g, n)
        x2, w2, c2, noise = _flows(f, g, 2 * n - 1)
        d1, d2 = (w1 - c1)[2:-2], (w2 - c2)[::2][2:-2]
        bound = 4 / 3 * np.abs(d1 - d2) + 2 * noise
        ratio = np.abs(d2) / bound
        i = int(np.argmax(ratio))
        rows.append({"g": name, "max |flow − claimed|": float(np.abs(d2).max()), "max flow": float(np.abs(w2).max()), "worst / bound": float(ratio[i])})
        if ratio[i] > worst[0]:
            worst = (float(ratio[i]), {"g": name, "x": float(x[2:-2][i]), "div(rho grad delta f)": float(w2[::2][2:-2][i]), "claimed": float(c2[::2][2:-2][i])})
    metrics = {"n": n, "worst_over_bound": worst[0]}
    if worst[0] <= 1:
        return Outcome(Status.PASS, f"the flow of (16) = Δg̃(ρ) for 4 entropies on a mixture density (worst {worst[0]:.2g}× the FD bound)", metrics, table=rows)
    return Outcome(Status.FAIL, f"the flow of (16) differs from Δg̃(ρ) ({worst[1]['g']}: {worst[0]:.3g}× the FD bound)", metrics, counterexample=worst[1], table=rows)


def _m2_rate(g: sp.Expr, n: int) -> float:
    """d/dt ∫x²ρ for the flow of (16) from ρ = N(0, 1): −2∫xρ∂ₓg'(ρ)dx (trapezoid on [−9, 9])."""
    x = np.linspace(-9, 9, n)
    rho = np.exp(-x**2 / 2) / np.sqrt(2 * np.pi)
    gp = sp.diff(g, S)
    # ∂ₓg'(ρ) = g''(ρ)ρ', evaluated in closed form (ρ' = −xρ) so that the tails stay accurate.
    integrand = -2 * x * rho * _fn(sp.diff(gp, S))(rho) * np.ones_like(rho) * (-x * rho)
    return float(np.trapezoid(integrand, x))


def check_porous_numeric(f: Any, ctx: Any) -> Outcome:
    """For p ∈ {5/4, 3/2, 7/4, 2, 5/2, 3, 4} inside the formula's range, the flow of (16) with
    g = s^{p−1}/(p−1) started from N(0, 1): a (slow) diffusion spreads mass, d/dt∫x²ρ > 0.  The
    rate by quadrature on 2n and n points; the quadrature error bound is their difference."""
    n = ctx.pick(2001, 4001, 8001)
    rows, bad = [], None
    for p in (sp.Rational(5, 4), sp.Rational(3, 2), sp.Rational(7, 4), sp.Integer(2), sp.Rational(5, 2), sp.Integer(3), sp.Integer(4)):
        if not f.admissible(p):
            continue
        g = f.g(p)
        r1, r2 = _m2_rate(g, n), _m2_rate(g, 2 * n - 1)
        err = abs(r1 - r2) + rounding_tol(abs(r2) + 1, terms=n)
        rows.append({"p": str(p), "d/dt ∫x²ρ": r2, "quadrature error": err})
        if r2 <= err and bad is None:
            bad = {"p": str(p), "g": str(g), "d/dt int x^2 rho": r2, "error bound": err,
                   "meaning": "no spreading (f is the mass)" if abs(r2) <= err else "mass concentrates: backward diffusion"}
    metrics = {"n": n, "p_tested": len(rows)}
    if bad is None:
        return Outcome(Status.PASS, f"for every tested p in {f.range_text}, the flow spreads N(0, 1) (second moment increases)", metrics, table=rows)
    return Outcome(Status.FAIL, f"p = {bad['p']} ({f.range_text}): {bad['meaning']}, d/dt∫x²ρ = {bad['d/dt int x^2 rho']:.3g}", metrics, counterexample=bad, table=rows)


def gaussian_entropy(name: str, g: sp.Expr, sigma: np.ndarray) -> float:
    """f(N(0, Σ)) = ∫g(ρ)dx in closed form for g = s^q and s log s."""
    d = sigma.shape[0]
    logdet = float(np.linalg.slogdet(sigma)[1])
    if name == "s log s":
        return -0.5 * d * np.log(2 * np.pi * np.e) - 0.5 * logdet
    if not (isinstance(g, sp.Pow) and g.base == S and g.exp.is_number):
        raise ValueError(f"g must be s log s or a power s^q for the closed form, got {g}")
    q = float(g.exp)
    return (2 * np.pi) ** (d * (1 - q) / 2) * q ** (-d / 2) * np.exp(0.5 * (1 - q) * logdet)


def _bures_path(s0: np.ndarray, s1: np.ndarray, ts: np.ndarray) -> list[np.ndarray]:
    t_map = brenier_map(s0, s1)
    out = []
    for t in ts:
        m = (1 - t) * np.eye(len(s0)) + t * t_map
        out.append(m @ s0 @ m.T)
    return out


def _second_differences(vals: np.ndarray) -> np.ndarray:
    return vals[:-2] - 2 * vals[1:-1] + vals[2:]


def check_mccann_numeric(f: Any, ctx: Any) -> Outcome:
    """For every candidate g that meets the formula's conditions in dimension d ≤ 3: second
    differences of t ↦ f(α_t) on 41 times along dilation geodesics of uniform laws (densities
    1/2, 3/2, 3) and, for the power laws and s log s, along Bures geodesics between random
    Gaussians; each must be ≥ −(rounding bound)."""
    rng = ctx.rng()
    ts = np.linspace(0, 1, 41)
    rows, worst = [], None
    for d in (1, 2, 3):
        pairs = []
        for _ in range(ctx.pick(2, 4, 10)):
            a, b = rng.standard_normal((d, d)), rng.standard_normal((d, d))
            pairs.append((a @ a.T + 0.3 * np.eye(d), b @ b.T + 0.3 * np.eye(d)))
        for name, g in CANDIDATES:
            ok, _ = _conditions_hold(f, g, d)
            if not ok:
                continue
            gfun = sp.lambdify(S, g, "numpy")
            curves = [(f"uniform r = {r}", np.array([(1 + t) ** d * gfun(r / (1 + t) ** d) for t in ts])) for r in (0.5, 1.5, 3.0)]
            if name != "piecewise g_pw":
                curves += [(f"Bures pair {k}", np.array([gaussian_entropy(name, g, s) for s in _bures_path(s0, s1, ts)])) for k, (s0, s1) in enumerate(pairs)]
            for label, vals in curves:
                sd = _second_differences(vals)
                tol = rounding_tol(float(np.abs(vals).max()), terms=4 * d)
                i = int(np.argmin(sd))
                rows.append({"d": d, "g": name, "geodesic": label, "min second difference": float(sd[i]), "rounding bound": tol})
                if sd[i] < -tol and worst is None:
                    worst = {"d": d, "g": name, "geodesic": label, "t": float(ts[i + 1]), "second difference": float(sd[i]), "bound": tol}
    metrics = {"curves": len(rows)}
    figures = []
    if ctx.figures:
        s0, s1 = np.diag([2.0, 0.3]), np.array([[0.5, 0.4], [0.4, 1.5]])
        series = {f"{name}": [gaussian_entropy(name, g, s) for s in _bures_path(s0, s1, ts)] for name, g in CANDIDATES if name in ("s^2", "s log s")}
        series["g_pw, uniform r = 3/2 (d = 2; McCann's condition fails)"] = [(1 + t) ** 2 * float(sp.lambdify(S, CANDIDATES[3][1], "numpy")(1.5 / (1 + t) ** 2)) for t in ts]
        figures.append(FigureSpec("mccann-geodesics", "lines", "t ↦ f(α_t) along geodesics (convex where McCann's condition holds)",
                                  {"x": ts.tolist(), "series": series, "xlabel": "t", "ylabel": "f(α_t)"},
                                  caption="Bures geodesic between N(0, diag(2, 0.3)) and N(0, [[0.5, 0.4], [0.4, 1.5]]); the piecewise g_pw along a dilation is concave."))
    if worst is None:
        return Outcome(Status.PASS, f"f(α_t) convex along all {len(rows)} geodesics where the conditions hold (second differences ≥ −rounding)", metrics, table=rows[:12], figures=figures)
    return Outcome(Status.FAIL, f"conditions hold for g = {worst['g']} (d = {worst['d']}) but f(α_t) is not convex along {worst['geodesic']}", metrics, counterexample=worst, table=rows[:12], figures=figures)


def check_examples_numeric(f: Any, ctx: Any) -> Outcome:
    """Each printed example's conditions on a log grid s ∈ [1e−6, 1e6] (float), for d ≤ 3 and q
    at the simplest rationals of the printed range; and f(α_t) along Bures geodesics (d = 2)
    convex for each example."""
    grid = np.logspace(-6, 6, ctx.pick(241, 961, 4001))
    qs = [q for q in (sp.Rational(5, 4), sp.Rational(3, 2), sp.Integer(2), sp.Integer(3), sp.Rational(3, 4), sp.Rational(2, 3)) if f.q_admissible(q)]
    rows = []
    for name, g in f.examples():
        gs = [(f"{name}, q = {q}", g.subs(sp.Symbol("q", positive=True), q)) for q in qs] if "q" in name else [(name, g)]
        for label, gg in gs:
            for d in (1, 2, 3):
                for cname, value in f.conditions(gg, d).items():
                    if cname in ("g(0) = 0", "super-linear"):
                        continue
                    vals = sp.lambdify(S, value, "numpy")(grid) * np.ones_like(grid)
                    scale = np.abs(vals).max() + 1
                    i = int(np.argmin(vals))
                    if vals[i] < -rounding_tol(scale, terms=8) * 1e3:
                        rows.append({"example": label, "d": d, "condition": cname, "min": float(vals[i])})
                        return Outcome(Status.FAIL, f"the example {label} violates '{cname}' at s = {grid[i]:.3g}", {"grid": len(grid)},
                                       counterexample={"example": label, "d": d, "condition": cname, "s": float(grid[i]), "value": float(vals[i])}, table=rows)
            rows.append({"example": label, "conditions": "hold on the grid"})
    return Outcome(Status.PASS, "every printed example meets every condition on the grid (d ≤ 3)", {"grid": len(grid)}, table=rows)


def check_porous_jko(f: Any, ctx: Any) -> Outcome:
    """Particles of the Lagrangian JKO scheme (13) for the entropy (16) with
    g(s) = s^{p−1}/(p−1), p = 3 (if admissible), against the self-similar Barenblatt solution
    of the slow-diffusion equation ∂ρ = cΔρ^m the formula's range promises (c = (p−2)/(p−1),
    m = p − 1; Barenblatt of ∂ρ = Δρ^m at time c·t).  Started at the Barenblatt quantiles at
    t = 1/2, run to t = 1; inner nodes s ∈ [0.1, 0.9].  Budget from the scheme's orders: time
    |x_τ − x_{τ/2}| (first order in τ) plus space 2|x_n − x̄_{2n}| (first order in 1/n; x̄_{2n}
    the mean of the two fine nodes around each coarse one) plus rounding."""
    from verify.jko import Entropy, barenblatt, lagrangian_jko_1d

    p = sp.Integer(3)
    if not f.admissible(p):
        return Outcome(Status.PASS, "p = 3 is outside the formula's range: nothing to compare", {})
    g = f.g(p)
    derivs = [sp.lambdify(S, sp.diff(g, S, k), "numpy") for k in (0, 1, 2)]
    ent = Entropy(*(lambda s, fn=fn: fn(s) * np.ones_like(s) for fn in derivs), name=str(g))
    c, m = float((p - 2) / (p - 1)), float(p - 1)
    n, tau = ctx.pick(400, 600, 1200), ctx.pick(0.01, 0.01, 0.005)
    t0, t1 = 0.5, 1.0
    steps = int(round((t1 - t0) / tau))

    def run(nn: int, tt: float, k: int) -> np.ndarray:
        x0 = barenblatt(m, c * t0).quantile((np.arange(nn) + 0.5) / nn)
        return lagrangian_jko_1d(x0, tt, k, entropy=ent)

    x_coarse, x_fine, x_2n = run(n, tau, steps), run(n, tau / 2, 2 * steps), run(2 * n, tau / 2, 2 * steps)
    levels = (np.arange(n) + 0.5) / n
    inner = (levels >= 0.1) & (levels <= 0.9)
    exact = barenblatt(m, c * t1).quantile(levels)
    x2 = (x_2n[0::2] + x_2n[1::2]) / 2
    err = np.abs(x_fine - exact)[inner]
    budget = (np.abs(x_coarse - x_fine) + 2 * np.abs(x_fine - x2))[inner] + rounding_tol(float(np.abs(exact).max()), terms=4 * steps)
    i = int(np.argmax(err / budget))
    metrics = {"p": 3, "c": c, "m": m, "n": n, "tau": tau / 2, "max_inner_error": float(err.max()), "worst_error_over_budget": float(err[i] / budget[i])}
    if err[i] <= budget[i]:
        return Outcome(Status.PASS, f"JKO particles for p = 3 follow the Barenblatt solution of ∂ρ = {c:g}Δρ^{m:g}: inner error {err.max():.2e}, worst {err[i] / budget[i]:.2g}× the measured budget", metrics)
    return Outcome(Status.FAIL, f"JKO particles for p = 3 leave the Barenblatt solution ({err[i]:.3g} > {budget[i]:.2g})", metrics,
                   counterexample={"quantile level": float(levels[inner][i]), "particle": float(x_fine[inner][i]), "Barenblatt": float(exact[inner][i])})
