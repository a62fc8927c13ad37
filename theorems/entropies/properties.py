"""Property evidence (hypothesis) for otdiff §5.2: drawn entropies, densities, points, p, q and
geodesics; failures shrink to the simplest case (p and q on a 1/16 grid)."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from verify.claims import Outcome
from verify.properties import outcome, search_in
from verify.stats import rounding_tol
from theorems.entropies.derivation import CANDIDATES, _conditions_hold
from theorems.entropies.formulas import S
from theorems.entropies.simulation import _m2_rate

__all__ = ["check_relation_property", "check_porous_property", "check_examples_property", "check_mccann_property"]

_FAMILY = {"s log s": S * sp.log(S), "s^2": S**2, "s^3": S**3, "s^2 + s^3": S**2 + S**3, "exp(s) - 1 - s": sp.exp(S) - 1 - S}


def _rhs_pair(f: Any, g: sp.Expr):
    """Numeric (flow, claimed) at a point for ρ with values (ρ, ρ', ρ''): the flow
    (ρg''(ρ)ρ')' = (g'' + ρg''')ρ'² + ρg''ρ'' against (g̃'(ρ)ρ')' = g̃''ρ'² + g̃'ρ''."""
    g2, g3 = sp.diff(g, S, 2), sp.diff(g, S, 3)
    gt = f.gtilde_prime(g)
    fl = sp.lambdify(S, [g2, g3, gt, sp.diff(gt, S)], "math")

    def pair(r, r1, r2):
        a2, a3, t1, t2 = fl(r)
        return (a2 + r * a3) * r1**2 + r * a2 * r2, t2 * r1**2 + t1 * r2

    return pair


def check_relation_property(f: Any, ctx: Any) -> Outcome:
    """Drawn g (a small family including the paper's s log s), a Gaussian bump ρ = A·exp(−x²/(2v))
    and a point x: the flow of (16) and the claimed Δg̃(ρ), exact derivatives, to rounding."""

    @st.composite
    def params(draw):
        return {"g": draw(st.sampled_from(sorted(_FAMILY))), "A": draw(st.integers(1, 48)) / 16, "v": draw(st.integers(4, 64)) / 16,
                "x": draw(st.integers(-48, 48)) / 16}

    pairs = {}

    def predicate(p):
        pair = pairs.setdefault(p["g"], _rhs_pair(f, _FAMILY[p["g"]]))
        a, v, x = p["A"], p["v"], p["x"]
        r = a * np.exp(-x * x / (2 * v))
        r1, r2 = -x / v * r, (x * x / v**2 - 1 / v) * r
        flow, claimed = pair(r, r1, r2)
        if abs(flow - claimed) > rounding_tol(abs(flow) + abs(claimed) + 1, terms=16):
            return False, {"failed": "flow of (16) = Laplacian of gtilde(rho)", "rho(x)": r, "flow": flow, "claimed": claimed}
        return True, {}

    pinned = [{"g": "s log s", "A": 2.0, "v": 1.0, "x": 0.0}]
    return outcome(search_in(ctx, params(), predicate, pinned=pinned), "the relation after (16)")


def check_porous_property(f: Any, ctx: Any) -> Outcome:
    """Drawn p on the grid (1/16)Z inside the formula's range (up to 6): the flow from N(0, 1)
    spreads mass (d/dt∫x²ρ > 0, quadrature error by grid halving)."""

    def predicate(k):
        p = sp.Rational(k, 16)
        if not f.admissible(p):
            return True, {}
        g = f.g(p)
        r1, r2 = _m2_rate(g, 1001), _m2_rate(g, 2001)
        if r2 <= abs(r1 - r2) + rounding_tol(abs(r2) + 1, terms=2001):
            return False, {"failed": "slow diffusion spreads mass", "p": str(p), "d/dt int x^2 rho": r2}
        return True, {}

    return outcome(search_in(ctx, st.integers(9, 96), predicate, pinned=[24, 32]), f"spreading for {f.range_text}")


def check_examples_property(f: Any, ctx: Any) -> Outcome:
    """Drawn example, q on the grid (1/16)Z in the printed range, d ≤ 3 and s = 2^k: every
    condition of the formula at s (float, to rounding)."""

    @st.composite
    def params(draw):
        return {"example": draw(st.sampled_from(["s^q", "s log s"])), "q16": draw(st.integers(9, 64)), "d": draw(st.integers(1, 3)),
                "k": draw(st.integers(-20, 20))}

    examples = dict(f.examples())

    def predicate(p):
        q = sp.Rational(p["q16"], 16)
        if p["example"] == "s^q" and not f.q_admissible(q):
            return True, {}
        g = examples[p["example"]].subs(sp.Symbol("q", positive=True), q)
        ok, why = _conditions_hold(f, g, p["d"])
        if ok:
            return True, {}
        s = 2.0 ** p["k"]
        for name, value in f.conditions(g, p["d"]).items():
            if name in ("g(0) = 0", "super-linear"):
                if name == why.get("condition"):
                    return False, {"failed": name, "q": str(q)} | why
                continue
            val = float(sp.N(value.subs(S, sp.Integer(2) ** p["k"])))
            if val < -rounding_tol(abs(val) + 1, terms=8):
                return False, {"failed": name, "q": str(q), "s": s, "value": val}
        return True, {}

    pinned = [{"example": "s log s", "q16": 16, "d": 1, "k": -3}, {"example": "s^q", "q16": 12, "d": 1, "k": 0}]
    return outcome(search_in(ctx, params(), predicate, pinned=pinned), "the printed examples meet the conditions")


def check_mccann_property(f: Any, ctx: Any) -> Outcome:
    """Drawn candidate g, d ≤ 3, uniform density r and t: where the formula's conditions hold,
    the second difference of t ↦ f(α_t) along the dilation geodesic is ≥ −rounding."""

    @st.composite
    def params(draw):
        return {"g": draw(st.integers(0, len(CANDIDATES) - 1)), "d": draw(st.integers(1, 3)), "r16": draw(st.integers(1, 64)),
                "t16": draw(st.integers(1, 15))}

    fns = {}

    def predicate(p):
        name, g = CANDIDATES[p["g"]]
        ok, _ = _conditions_hold(f, g, p["d"])
        if not ok:
            return True, {}
        fn = fns.setdefault(name, sp.lambdify(S, g, "numpy"))
        r, t, h, d = p["r16"] / 16, p["t16"] / 16, 1 / 64, p["d"]
        vals = [(1 + u) ** d * float(fn(r / (1 + u) ** d)) for u in (t - h, t, t + h)]
        sd = vals[0] - 2 * vals[1] + vals[2]
        if sd < -rounding_tol(max(abs(v) for v in vals), terms=4 * d):
            return False, {"failed": "f(alpha_t) convex", "g": name, "d": d, "r": r, "t": t, "second difference": sd}
        return True, {}

    pinned = [{"g": 3, "d": 2, "r16": 24, "t16": 2}]
    return outcome(search_in(ctx, params(), predicate, pinned=pinned), "convexity along geodesics where the conditions hold")
