"""Symbolic evidence for otdiff §5.2: the relation after (16), the porous-medium example and
McCann's condition with its examples.

The flow of (16) is derived from otdiff §5.1, not from the printed relation: for
:math:`f(\\alpha) = \\int g(\\rho)\\,dx` the first variation is :math:`\\delta f = g'(\\rho)` (the
ε-derivative of :math:`\\int g(\\rho + \\varepsilon\\varphi)\\,dx`), so (15) reads
:math:`\\partial_t\\rho = \\mathrm{div}(\\rho\\nabla g'(\\rho))`.  A claimed form
:math:`\\Delta\\tilde g(\\rho) = \\mathrm{div}(\\tilde g'(\\rho)\\nabla\\rho)` agrees for every ρ iff
:math:`\\tilde g'(s) = s g''(s)`.
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy as sp

from verify.claims import Outcome, Status
from theorems.entropies.formulas import S

__all__ = [
    "X",
    "wgf_rhs",
    "claimed_rhs",
    "check_relation_symbolic",
    "relation_counterexample",
    "porous_coefficients",
    "check_porous_symbolic",
    "porous_counterexample",
    "condition_violation",
    "CANDIDATES",
    "check_examples_symbolic",
    "check_mccann_symbolic",
]

X, Y = sp.symbols("x y", real=True)
RHO = sp.Function("rho")
G = sp.Function("g")


def wgf_rhs(g: sp.Expr, rho: sp.Expr, coords=(X,)) -> sp.Expr:
    """div(ρ∇g'(ρ)) for a density expression ρ in ``coords`` (otdiff (15) with δf = g'(ρ))."""
    gp = sp.diff(g, S).subs(S, rho)
    return sum(sp.diff(rho * sp.diff(gp, c), c) for c in coords)


def claimed_rhs(f: Any, g: sp.Expr, rho: sp.Expr, coords=(X,)) -> sp.Expr:
    """Δg̃(ρ) = div(g̃'(ρ)∇ρ) with g̃' from the formula."""
    gt = f.gtilde_prime(g).subs(S, rho)
    return sum(sp.diff(gt * sp.diff(rho, c), c) for c in coords)


def _status(zt) -> str:
    return "proved" if zt.proved else ("disproved" if zt.disproved else "undecided")


def relation_counterexample(f: Any) -> dict | None:
    """The paper's own example g(s) = s log s (Theorem 5.1), then g(s) = s², with the Gaussian
    profile ρ = 2exp(−x²/2): the two sides at x = 0."""
    rho = 2 * sp.exp(-X**2 / 2)  # ρ(0) = 2: at ρ = 1 the printed and the true g̃' agree for s log s
    for name, g in (("s log s", S * sp.log(S)), ("s^2", S**2)):
        a, b = wgf_rhs(g, rho).subs(X, 0), claimed_rhs(f, g, rho).subs(X, 0)
        if sp.simplify(a - b) != 0:
            gt = sp.integrate(f.gtilde_prime(g), S)
            return {"g": name, "rho": "2 exp(-x^2/2)", "x": 0, "div(rho grad g'(rho))": str(sp.nsimplify(sp.simplify(a))),
                    "Laplacian of gtilde(rho)": str(sp.simplify(b)), "gtilde implied": str(sp.simplify(gt))}
    return None


def check_relation_symbolic(f: Any, ctx: Any) -> Outcome:
    """div(ρ∇g'(ρ)) − Δg̃(ρ) with g̃' from the formula, for a generic g and a generic density
    ρ in one and two dimensions: identically zero, or the paper's example g = s log s as the
    counterexample."""
    steps = [
        "(15) with $\\delta f = g'(\\rho)$: $\\partial_t\\rho = \\mathrm{div}(\\rho\\nabla g'(\\rho)) = \\mathrm{div}(\\rho g''(\\rho)\\nabla\\rho)$; "
        "the claimed form is $\\Delta\\tilde g(\\rho) = \\mathrm{div}(\\tilde g'(\\rho)\\nabla\\rho)$.",
    ]
    g = G(S)
    metrics = {}
    for coords, rho in (((X,), RHO(X)), ((X, Y), RHO(X, Y))):
        res = sp.simplify(wgf_rhs(g, rho, coords) - claimed_rhs(f, g, rho, coords))
        metrics[f"d={len(coords)}"] = "proved" if res == 0 else "not zero"
        steps.append(f"$d = {len(coords)}$, generic $g$, $\\rho$: difference $= {sp.latex(res)}$")
        if res != 0:
            cex = relation_counterexample(f)
            if cex is not None:
                flow, claimed = cex["div(rho grad g'(rho))"], cex["Laplacian of gtilde(rho)"]
                steps.append(
                    f"Counterexample (the paper's own example when g = s log s): $g(s) = {cex['g']}$, $\\rho = 2e^{{-x^2/2}}$, $x = 0$: "
                    f"flow {flow}, claimed {claimed}; the formula's $\\tilde g = {cex['gtilde implied']}$."
                )
                return Outcome(Status.FAIL, f"the relation does not give the flow of (16) (g = {cex['g']})", metrics, counterexample=cex, steps=steps)
            return Outcome(Status.INCONCLUSIVE, "difference not simplified to zero, and no counterexample among the test cases", metrics, steps=steps)
    return Outcome(Status.PASS, "Δg̃(ρ) = div(ρ∇g'(ρ)) for generic g and ρ (d = 1, 2): the relation gives the flow of (16)", metrics, steps=steps)


# --------------------------------------------------------------------------- porous medium
P = sp.Symbol("p", positive=True)


def porous_coefficients(f: Any, p: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """(c, m) with div(ρ∇g'(ρ)) = cΔ(ρ^m) for the formula's g: from ρg''(ρ) = c m ρ^{m−1}."""
    g = f.g(p)
    rho_g2 = sp.simplify(S * sp.diff(g, S, 2))  # = c m s^{m-1}
    if rho_g2 == 0:  # g affine (p = 2): f is the mass, nothing moves
        return sp.Integer(0), sp.Integer(1)
    m = sp.simplify(sp.expand_log(sp.log(rho_g2 / rho_g2.subs(S, 1)), force=True) / sp.log(S) + 1)
    c = sp.simplify(rho_g2.subs(S, 1) / m)
    return c, m


#: Rational p ordered by height, to find the simplest one in the printed range that fails.
_P_CANDIDATES = sorted({sp.Rational(a, b) for b in range(1, 5) for a in range(b + 1, 6 * b) if sp.gcd(a, b) == 1},
                       key=lambda r: (r.p + r.q, r))


def porous_counterexample(f: Any) -> dict | None:
    """The simplest rational p of the formula's range whose flow is not slow diffusion, with the
    simplest backward-diffusion p beside it when there is one."""
    found = None
    c_p, m_p = porous_coefficients(f, P)  # once, symbolically; p = 2 gives c = 0 as it should
    for p in _P_CANDIDATES:
        if not f.admissible(p):
            continue
        c, m = c_p.subs(P, p), m_p.subs(P, p)
        if not (c > 0 and m > 1):
            kind = "no motion (f is the mass)" if c == 0 else ("backward diffusion (ill-posed)" if c < 0 else "fast diffusion")
            item = {"p": str(p), "g": str(f.g(p)), "flow": f"d/dt rho = {c} * Laplacian(rho^{m})", "c": str(c), "m": str(m), "kind": kind}
            if found is None:
                found = item
            if c < 0:
                if item is not found:
                    found["also"] = item
                break
    return found


def check_porous_symbolic(f: Any, ctx: Any) -> Outcome:
    """For symbolic p: div(ρ∇g'(ρ)) = cΔρ^m with c = (p − 2)/(p − 1), m = p − 1 (generic ρ); a
    porous-medium (slow diffusion) equation needs c > 0 and m > 1.  The simplest rational p in
    the formula's range where that fails is the counterexample; otherwise c > 0, m > 1 is proved
    on the whole range."""
    c, m = porous_coefficients(f, P)
    rho = RHO(X)
    res = sp.simplify(wgf_rhs(f.g(P), rho) - c * sp.diff(rho**m, X, 2))
    steps = [f"$g(s) = {sp.latex(f.g(P))}$: $\\rho g''(\\rho) = {sp.latex(sp.simplify(S * sp.diff(f.g(P), S, 2)).subs(S, sp.Symbol('rho')))}$, so "
             f"$\\mathrm{{div}}(\\rho\\nabla g'(\\rho)) = {sp.latex(c)}\\,\\Delta(\\rho^{{{sp.latex(m)}}})$ (residual {sp.latex(res)})."]
    metrics = {"c": str(c), "m": str(m), "range": f.range_text}
    if res != 0:
        return Outcome(Status.INCONCLUSIVE, "the flow did not reduce to cΔρ^m", metrics, steps=steps)
    cex = porous_counterexample(f)
    if cex is not None:
        steps.append(f"In the range {f.range_text}: p = {cex['p']} gives $\\partial_t\\rho = {cex['c']}\\,\\Delta(\\rho^{{{cex['m']}}})$: {cex['kind']}.")
        return Outcome(Status.FAIL, f"p = {cex['p']} is in the range {f.range_text} but gives {cex['kind']}", metrics, counterexample=cex, steps=steps)
    lo = min(p for p in _P_CANDIDATES if f.admissible(p))
    bad = None
    if f.admissible(sp.Rational(201, 100)) and not f.admissible(2):  # the range is (2, ∞): prove c > 0, m > 1 on it
        bad = sp.Union(sp.solveset(c <= 0, P, sp.Interval.open(2, sp.oo)), sp.solveset(m <= 1, P, sp.Interval.open(2, sp.oo)))
    steps.append(f"On the range {f.range_text}: $c > 0$ and $m > 1$ (no rational counterexample; solveset on $(2, \\infty)$: {bad}).")
    if bad is not None and bad != sp.S.EmptySet:
        return Outcome(Status.FAIL, "c > 0, m > 1 fails on part of the range", metrics, counterexample={"set": str(bad)}, steps=steps)
    return Outcome(Status.PASS, f"for {f.range_text}: ∂ρ = cΔρ^m with c = (p−2)/(p−1) > 0, m = p − 1 > 1 (slow diffusion); smallest rational tested {lo}", metrics, steps=steps)


# --------------------------------------------------------------------------- McCann
def condition_violation(name: str, value: sp.Expr) -> Any:
    """None when the condition holds on (0, ∞) (or the limit has the required value), else a
    witness: the set where the expression is negative, or the wrong limit."""
    if name == "g(0) = 0":
        return None if value == 0 else {"g(0+)": str(value)}
    if name == "super-linear":
        return None if value == sp.oo else {"lim g(s)/s": str(value)}
    value = sp.simplify(value)
    if value.is_nonnegative:
        return None
    bad = sp.solveset(value < 0, S, sp.Interval.open(0, sp.oo))
    if bad == sp.S.EmptySet:
        return None
    pt = bad.inf if bad.inf.is_positive else (bad.sup / 2 if bad.sup.is_finite else sp.Integer(1))
    if not bad.contains(pt):
        pt = (bad.inf + (bad.sup if bad.sup.is_finite else bad.inf + 2)) / 2
    return {"negative on": str(bad), "at s": str(pt), "value": str(sp.nsimplify(value.subs(S, pt)))}


#: Candidate entropies for the theorem's check; g_pw is convex, increasing, super-linear with
#: g(0) = 0, but linear on [1, 2], where its pressure s g' − g is constant and positive, which
#: breaks s^d g(s^-d) convexity for d ≥ 2 (McCann's condition is not implied by convexity).
G_PW = sp.Piecewise((S**2 / 2, S <= 1), (S - sp.Rational(1, 2), S <= 2), (S - sp.Rational(1, 2) + (S - 2) ** 2, True))
CANDIDATES = [("s^2", S**2), ("s^(3/2)", S ** sp.Rational(3, 2)), ("s log s", S * sp.log(S)), ("piecewise g_pw", G_PW)]


_CONDITIONS: dict = {}


def _conditions_hold(f: Any, g: sp.Expr, d: int) -> tuple[bool, dict]:
    """Whether g meets every condition of the formula in dimension d (memoised: the printed
    form and its mutants share most conditions)."""
    key = (type(f), sp.srepr(g), d)
    if key not in _CONDITIONS:
        _CONDITIONS[key] = _conditions_hold_uncached(f, g, d)
    return _CONDITIONS[key]


def _conditions_hold_uncached(f: Any, g: sp.Expr, d: int) -> tuple[bool, dict]:
    for name, value in f.conditions(g, d).items():
        if isinstance(g, sp.Piecewise) and name not in ("g(0) = 0", "super-linear"):
            v = _piecewise_violation(value)
        else:
            v = condition_violation(name, value)
        if v is not None:
            return False, {"condition": name} | v
    return True, {}


def _piecewise_violation(value: sp.Expr) -> Any:
    """Sign of a piecewise expression on (0, ∞) on a fine grid covering the breakpoints
    (s^{-d} ∈ {1, 2}), evaluated at 30 digits: the pieces of g_pw's conditions are either
    exactly 0 (its linear piece) or bounded away from 0, so a 1e-20 margin decides."""
    fn = sp.lambdify(S, value, modules="mpmath")
    grid = [sp.Rational(k, 16) for k in range(1, 97)] + [sp.Integer(k) for k in range(7, 40)]
    with mpmath.workdps(30):
        for s in grid:
            val = fn(mpmath.mpf(s.p) / s.q)
            if val < -1e-20:
                return {"at s": str(s), "value": mpmath.nstr(val, 10)}
    return None


def dilation_energy(g: sp.Expr, d: int, r: sp.Expr, t: sp.Expr) -> sp.Expr:
    """f(α_t) for α_0 uniform with density r on the unit ball and the geodesic
    T_t = (1 + t)·id (a dilation; its Brenier map is a gradient): density r/(1+t)^d on a ball of
    volume V(1+t)^d, so f(α_t)/V = (1+t)^d g(r/(1+t)^d)."""
    lam = (1 + t) ** d
    return lam * g.subs(S, r / lam)


def check_mccann_symbolic(f: Any, ctx: Any) -> Outcome:
    """For candidate entropies (s², s^{3/2}, s log s, a piecewise g_pw) and d ∈ {1, 2, 3}: where
    the formula's conditions hold (exactly), t ↦ f(α_t) must be convex along the dilation
    geodesics of uniform measures (the symbolic second derivative, evaluated at 30 digits on a
    rational grid of t, densities r ∈ {1/2, 3/2, 3}).  Steps record which conditions each
    candidate meets."""
    t = sp.Symbol("t", nonnegative=True)
    steps = ["Dilation geodesic of a uniform measure: $f(\\alpha_t) = V(1+t)^d g(r/(1+t)^d) = Vr\\,\\varphi_d((1+t)r^{-1/d})$ with "
             "$\\varphi_d(\\sigma) = \\sigma^d g(\\sigma^{-d})$: convex in t when $\\varphi_d$ is convex and non-increasing ($\\sigma$ is affine in t)."]
    for d in (1, 2, 3):
        for name, g in CANDIDATES:
            ok, why = _conditions_hold(f, g, d)
            steps.append(f"d = {d}, g = {name}: conditions " + ("hold" if ok else f"fail ({why['condition']})"))
            if not ok:
                continue
            for r in (sp.Rational(1, 2), sp.Rational(3, 2), sp.Integer(3)):
                second = sp.lambdify(t, sp.diff(dilation_energy(g, d, r, t), t, 2), "mpmath")
                for tv in [sp.Rational(k, 8) for k in range(0, 9)]:
                    with mpmath.workdps(30):  # 30 digits: a 1e-20 margin separates 0 from a sign
                        val = second(mpmath.mpf(tv.p) / tv.q)
                    if val < -1e-20:
                        cex = {"g": name, "d": d, "r": str(r), "t": str(tv), "d2/dt2 f(alpha_t)": mpmath.nstr(val, 12), "geodesic": "dilation (1+t)x of the uniform law on the unit ball"}
                        steps.append(f"Counterexample: {cex}.")
                        return Outcome(Status.FAIL, f"conditions hold for g = {name} (d = {d}) but f is not convex along a geodesic", counterexample=cex, steps=steps)
    return Outcome(Status.PASS, "wherever the conditions hold (candidates × d ≤ 3), f(α_t) is convex along the dilation geodesics (exact)", steps=steps)


def check_examples_symbolic(f: Any, ctx: Any) -> Outcome:
    """Each printed example against the formula's conditions, exactly, for d = 1, 2, 3 (s^q at
    the simplest rationals q of the printed range)."""
    steps, metrics = [], {}
    qs = [q for q in (sp.Rational(5, 4), sp.Rational(3, 2), sp.Integer(2), sp.Integer(3), sp.Rational(3, 4), sp.Rational(2, 3)) if f.q_admissible(q)]
    for name, g in f.examples():
        gs = [(f"{name}, q = {q}", g.subs(sp.Symbol("q", positive=True), q)) for q in qs] if "q" in name else [(name, g)]
        for label, gg in gs:
            for d in (1, 2, 3):
                ok, why = _conditions_hold(f, gg, d)
                if not ok:
                    cex = {"example": label, "d": d} | why
                    steps.append(f"{label}, d = {d}: fails '{why['condition']}' — {why}")
                    return Outcome(Status.FAIL, f"the example {label} does not satisfy '{why['condition']}'", metrics, counterexample=cex, steps=steps)
            steps.append(f"{label}: every condition holds for d = 1, 2, 3.")
    return Outcome(Status.PASS, "every printed example satisfies every condition (d ≤ 3, exact)", metrics, steps=steps)
