"""Exact (sympy) checks of mlcontrol §2.3–§2.5 on small rational instances.

- §2.3: the constructive interpolant (triangular ReLU features along a separating direction)
  verified in exact arithmetic, and the exact impossibility of narrower networks.
- §2.3, "generically": the exact probability that uniformly drawn neurons admit interpolating
  weights, for :math:`x = (0, 1)` (and x = 0): the circle of parameters is cut into arcs by the
  lines :math:`b = 0` and :math:`a + b = 0`, and the rank of the features depends only on the
  arcs the neurons fall in.
- Theorem 2.1: the exact solution of (PR0) for x = (0, 1), y = (1, −1) — a primal measure and a
  dual certificate with equal values, dual feasibility proved by the exact maximum of
  :math:`|g_\\lambda|` over the arcs of the circle — and the exact atom and width statements.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import sympy as sp

from theorems.shallow import formulas as F
from verify.claims import Outcome, Status

__all__ = [
    "REPRESENTATION_INSTANCES",
    "exact_network",
    "circle_sup",
    "solvable_probability_x01",
    "check_representation_symbolic",
    "check_generic_symbolic",
    "check_nogap_symbolic",
    "check_condensation_symbolic",
]

#: small rational data sets (X rows, y) in d = 1, 2, 3; the first is the smallest with labels of
#: both signs
REPRESENTATION_INSTANCES = (
    ([[0], [1]], [1, -1]),
    ([[0], [1], [2]], [1, -1, 1]),
    ([[-1], [0], [Fraction(1, 2)], [1], [3]], [2, -1, 0, 1, -3]),
    ([[0, 0], [1, 0], [0, 1], [1, 1]], [0, 1, 1, 0]),
    ([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], [1, -1, 2, 0, Fraction(1, 3)]),
)


def exact_network(theta, x) -> sp.Expr:
    """:math:`\\sum_j w_j\\max(0, \\langle a_j, x\\rangle + b_j)` in exact arithmetic, eq. (2.1)."""
    total = sp.Integer(0)
    for row in theta:
        w, *a, b = (sp.nsimplify(v) if not isinstance(v, Fraction) else sp.Rational(v.numerator, v.denominator) for v in row)
        pre = sum(ai * sp.Rational(xi) for ai, xi in zip(a, x)) + b
        total += w * sp.Max(0, pre)
    return sp.simplify(total)


def check_representation_symbolic(formulas, ctx) -> Outcome:
    """For each exact instance, build a network with the printed width or prove that none exists."""
    steps, table = [], []
    for X, y in REPRESENTATION_INSTANCES:
        N, d = len(X), len(X[0])
        P = formulas.sufficient_width(N, d)
        if P >= N:
            theta = F.interpolant_exact(X, y)[:P] if P == N else F.interpolant_exact(X, y)
            res = [exact_network(theta, x) - sp.Rational(Fraction(v).numerator, Fraction(v).denominator) for x, v in zip(X, y)]
            norms = [sum(sp.Rational(c.numerator, c.denominator) ** 2 for c in row[1:]) for row in theta]
            ok = all(r == 0 for r in res) and all(n <= 1 for n in norms)
            table.append({"d": d, "N": N, "P": P, "result": "interpolated exactly" if ok else "FAILED", "max |θ_j|²": str(max(norms))})
            if not ok:
                return Outcome(Status.FAIL, f"the exact construction failed on N = {N}, d = {d}", counterexample={"X": str(X), "y": str(y)}, table=table)
        else:
            proof = F.infeasible_width([[float(v) for v in x] for x in X], [float(v) for v in y], P)
            table.append({"d": d, "N": N, "P": P, "result": proof or "undecided", "max |θ_j|²": "—"})
            if proof:
                return Outcome(
                    Status.FAIL,
                    f"P = {P} neurons cannot interpolate N = {N} points: {proof}",
                    {"N": N, "d": d, "P": P},
                    counterexample={"X": str(X), "y": str(y), "P": P, "proof": proof},
                    table=table,
                )
    steps.append(
        "Project on u = (1, k, k², …) (the first k with distinct ⟨u, x_i⟩), kinks β₁ = t₍₁₎ − 1, βⱼ = (t₍ⱼ₋₁₎ + t₍ⱼ₎)/2: "
        "σ(t₍ᵢ₎ − βⱼ) is lower triangular with diagonal > 0; scale each neuron by 1/(‖u‖₁ + |βⱼ|) into the unit ball."
    )
    return Outcome(Status.PASS, f"{len(table)} rational data sets (d = 1, 2, 3) interpolated exactly with P = N neurons in the unit ball",
                   {"instances": len(table)}, steps=steps, table=table)


# --- the generic-weights sentence ----------------------------------------------------------


def solvable_probability_x01(P: int) -> sp.Rational:
    """Exact probability that P neurons drawn uniformly from the unit disk admit weights
    interpolating any labels at x = (0, 1).

    With z₁ = (0, 1), z₂ = (1, 1) the arcs are: both inactive (b ≤ 0, a + b ≤ 0: 3/8 of the
    circle), only x = 1 (b ≤ 0 < a + b: 1/8, features ∝ e₂), only x = 0 (a + b ≤ 0 < b: 1/8,
    ∝ e₁), both active (3/8, features (b, a + b), pairwise independent almost surely).  The
    features have rank 2 iff two "both" neurons, or one "both" and one single-point neuron, or
    both single-point kinds are present.
    """
    a, b = sp.symbols("a b", real=True)
    arcs = {"dead": sp.Rational(3, 8), "one": sp.Rational(1, 8), "zero": sp.Rational(1, 8), "both": sp.Rational(3, 8)}
    # the arc fractions from the angles of the boundary lines b = 0 and a + b = 0
    angle = lambda v: sp.atan2(v[1], v[0])  # noqa: E731
    dead = (angle((1, -1)) - angle((-1, 0)) + 2 * sp.pi) / (2 * sp.pi)
    assert sp.simplify(dead - arcs["dead"]) == 0
    total = sp.Integer(0)
    for kinds in itertools.product(arcs, repeat=P):
        c = kinds.count("both")
        singles = {k for k in kinds if k in ("one", "zero")}
        if c >= 2 or (c == 1 and singles) or singles == {"one", "zero"}:
            total += sp.Mul(*[arcs[k] for k in kinds])
    return sp.nsimplify(total)


def check_generic_symbolic(formulas, ctx) -> Outcome:
    """Exact probabilities of solvable weights against the claimed bracket."""
    cases = [("x = 0", [[0.0]], 1, sp.Rational(1, 2))]
    cases += [("x = (0, 1)", [[0.0], [1.0]], P, solvable_probability_x01(P)) for P in (2, 3, 4)]
    table = []
    for label, X, P, p in cases:
        lo, hi = formulas.solvable_probability_bounds(X, P)
        ok = sp.Float(lo, 30) <= p <= sp.Float(hi, 30)
        table.append({"data": label, "P": P, "exact Pr[solvable]": str(p), "claimed lo": f"{lo:.3g}", "claimed hi": f"{hi:.6g}", "inside": ok})
        if not ok:
            return Outcome(
                Status.FAIL,
                f"{label}, P = {P}: Pr[interpolating weights exist] = {p} ≈ {float(p):.4f}, outside the claimed [{lo:.3g}, {hi:.3g}]",
                {"probability": float(p), "lo": lo, "hi": hi, "P": P},
                counterexample={"X": X, "P": P, "probability": str(p),
                                "why": "neurons in the open set of Ω where every neuron is inactive on the data give zero features"},
                table=table,
            )
    return Outcome(Status.PASS, "exact probabilities (1/2 for x = 0; 23/64, 165/256, 3341/4096 for x = (0, 1), P = 2, 3, 4) inside the claimed brackets",
                   {"cases": len(cases)}, table=table,
                   steps=["x = 0, P = 1: weights exist iff b > 0 (probability 1/2).",
                          "x = (0, 1): arcs 3/8 (inactive), 1/8, 1/8, 3/8 (both active); rank 2 iff the active features span ℝ²."])


# --- Theorem 2.1 on the exact instance -----------------------------------------------------


def circle_sup(xs, lam) -> sp.Expr:
    """Exact :math:`\\max_{|\\theta| = 1}|\\sum_i \\lambda_i\\sigma(a x_i + b)|` for d = 1.

    The circle is cut into arcs by the directions :math:`\\pm(1, -x_i)/\\sqrt{1 + x_i^2}`; on an
    arc g is linear, :math:`g = \\langle\\theta, v_S\\rangle`, so its extrema are at the arc's
    ends or at :math:`\\pm v_S/|v_S|` when that point lies inside the arc.
    """
    xs = [sp.nsimplify(x) for x in xs]
    lam = [sp.nsimplify(v) for v in lam]
    ends = []
    for x in xs:
        r = sp.Matrix([1, -x]) / sp.sqrt(1 + x**2)
        ends += [r, -r]
    ends.sort(key=lambda r: float(sp.atan2(r[1], r[0])))

    def g(t):
        return sum(l * sp.Max(0, t[0] * x + t[1]) for l, x in zip(lam, xs))

    candidates = list(ends)
    for k in range(len(ends)):
        u, v = ends[k], ends[(k + 1) % len(ends)]
        mid = (u + v) if (u + v).norm() != 0 else sp.Matrix([-u[1], u[0]])
        active = [sp.sign(mid[0] * x + mid[1]) > 0 for x in xs]
        vs = sum((l * sp.Matrix([x, 1]) for l, x, on in zip(lam, xs, active) if on), sp.zeros(2, 1))
        if vs.norm() == 0:
            continue
        for c in (vs / vs.norm(), -vs / vs.norm()):
            inside = all((sp.sign(sp.simplify(c[0] * x + c[1])) > 0) == on for x, on in zip(xs, active))
            if inside:
                candidates.append(c)
    return sp.Max(*[sp.Abs(sp.simplify(g(c))) for c in candidates])


def check_nogap_symbolic(formulas, ctx) -> Outcome:
    """The exact solution of (PR0) for x = (0, 1), y = (1, −1), and the theorem's counts on it."""
    xs, ys = [0, 1], [1, -1]
    s2 = sp.sqrt(2)
    atoms = [sp.Matrix([-1 / s2, 1 / s2]), sp.Matrix([1, 0])]
    weights = [s2, -1]
    lam = [s2, -1]
    steps = []
    fit = [sum(w * sp.Max(0, t[0] * x + t[1]) for w, t in zip(weights, atoms)) for x in xs]
    primal_ok = all(sp.simplify(f - y) == 0 for f, y in zip(fit, ys)) and all(sp.simplify(t.norm() - 1) == 0 for t in atoms)
    tv = sum(sp.Abs(w) for w in weights)
    dual_value = sum(l * y for l, y in zip(lam, ys))
    sup = sp.simplify(circle_sup(xs, lam))
    steps += [
        "Primal: μ = √2 δ_(−1/√2, 1/√2) − δ_(1, 0) fits (1, −1) exactly, ‖μ‖_TV = 1 + √2.",
        f"Dual: λ = (√2, −1), ⟨λ, y⟩ = {sp.simplify(dual_value)}, exact max over the arcs of |g_λ| = {sup}.",
        "Weak duality ⟨λ, y⟩ ≤ ‖μ‖ sup|g_λ| for every feasible μ, so val(PR0) = 1 + √2 and μ is optimal.",
    ]
    if not (primal_ok and sup == 1 and sp.simplify(tv - dual_value) == 0):
        return Outcome(Status.ERROR, f"the exact instance did not close: primal {primal_ok}, sup {sup}, TV {tv}, dual {dual_value}", steps=steps)
    X = [[0.0], [1.0]]
    y = [1.0, -1.0]
    N = 2
    need = F.atoms_lower_bound(X, y)
    table = [{"statement": "val(PR0)", "exact": "1 + √2", "claimed": "—"}]
    bound = formulas.atoms_bound(N)
    table.append({"statement": "atoms of extreme points", "exact": f"≥ {need} for every feasible measure", "claimed": f"≤ {bound}"})
    if need > bound:
        return Outcome(
            Status.FAIL,
            f"x = (0, 1), y = (1, −1): every feasible measure needs {need} atoms (labels of both signs), "
            f"so the extreme points of S(PR0) (non-empty, compact) have {need} > {bound} atoms",
            {"val": float(1 + s2), "atoms_needed": need, "claimed": bound},
            counterexample={"X": X, "y": y, "val(PR0)": "1 + √2", "why": "a single atom w·σ(·) has the sign of w"},
            steps=steps, table=table,
        )
    P = formulas.gapless_width(N)
    proof = F.infeasible_width(X, y, P)
    table.append({"statement": f"val(P0) with P = {P}", "exact": "+∞ (infeasible)" if proof else "1 + √2", "claimed": "1 + √2"})
    if proof:
        return Outcome(
            Status.FAIL,
            f"x = (0, 1), y = (1, −1): with P = {P} neurons (P0) is infeasible ({proof}), val(P0) = +∞ ≠ val(PR0) = 1 + √2",
            {"val": float(1 + s2), "P": P},
            counterexample={"X": X, "y": y, "P": P, "proof": proof},
            steps=steps, table=table,
        )
    steps.append("With P = 2 the optimal measure is a 2-neuron network: val(P0) ≤ 1 + √2 ≤ val(P0) (atomic measures are measures).")
    # (PRε) on the same data: fitting (1 − ε)y with the scaled measure is feasible, and the same λ
    # gives the dual value ⟨λ, y⟩ − ε‖λ‖₁ = (1 − ε)(1 + √2)
    e = sp.Symbol("epsilon", nonnegative=True)
    w_eps = [(1 - e) * w for w in weights]
    fit_eps = [sum(w * sp.Max(0, t[0] * x + t[1]) for w, t in zip(w_eps, atoms)) for x in xs]
    resid = [sp.simplify(f - y) for f, y in zip(fit_eps, ys)]
    tv_eps = sp.simplify(sum(sp.Abs(w) for w in w_eps).subs(sp.Abs(1 - e), 1 - e))
    dual_eps = sp.simplify(sum(l * y for l, y in zip(lam, ys)) - e * sum(sp.Abs(l) for l in lam))
    closed = sp.simplify(tv_eps - dual_eps) == 0 and all(sp.simplify(sp.Abs(r) - e) == 0 for r in resid)
    steps.append(f"(PRε), 0 ≤ ε ≤ 1: the measure (1 − ε)μ misses each label by exactly ε, ‖(1 − ε)μ‖ = {tv_eps}; "
                 f"⟨λ, y⟩ − ε‖λ‖₁ = {dual_eps}: val(PRε) = val(Pε) = (1 − ε)(1 + √2) with 2 atoms.")
    table.append({"statement": "val(PRε), 0 ≤ ε ≤ 1", "exact": "(1 − ε)(1 + √2), 2 atoms", "claimed": "val(Pε), ≤ N atoms"})
    if not closed:
        return Outcome(Status.ERROR, "the exact (PRε) instance did not close", steps=steps, table=table)
    return Outcome(Status.PASS, "exact instance x = (0, 1), y = (1, −1): val(P0) = val(PR0) = 1 + √2 and val(Pε) = val(PRε) = (1 − ε)(1 + √2), "
                   "optimal measures with 2 = N atoms",
                   {"val": float(1 + s2)}, steps=steps, table=table)


# --- condensation (§3) -----------------------------------------------------------------------

#: affine data (c, e, inputs): N points in d dimensions, P = 2 < N/(d+1)
AFFINE_INSTANCES = (
    ([2], -3, [[k] for k in range(8)]),
    ([1, -2], Fraction(1, 2), [[0, 0], [1, 0], [0, 1], [1, 1], [2, 1], [1, 2], [2, 2]]),
)


def check_condensation_symbolic(formulas, ctx) -> Outcome:
    """Exact two-neuron representations of affine data with N > 2(d+1), and an exact proof that
    labels of both signs at three points of the line need more than N/(d+1) neurons."""
    claim = formulas.underparameterised_data()
    table = []
    for c, e, X in AFFINE_INSTANCES:
        theta = F.affine_network_exact(c, e, X)
        ok = all(exact_network(theta, x) == sum(sp.Rational(ci) * sp.Rational(xi) for ci, xi in zip(c, x)) + sp.Rational(Fraction(e).numerator, Fraction(e).denominator)
                 for x in X)
        ok &= all(sum(sp.Rational(v.numerator, v.denominator) ** 2 for v in row[1:]) <= 1 for row in theta)
        N, d = len(X), len(X[0])
        label = f"y = ⟨({', '.join(str(v) for v in c)}), x⟩ + ({e})"
        table.append({"data": f"{label}, N = {N}, d = {d}", "P": 2, "N/(d+1)": f"{sp.Rational(N, d + 1)}", "exact": ok})
        if not ok:
            return Outcome(Status.ERROR, "the exact affine construction failed", table=table)
        if claim == "none":
            return Outcome(Status.FAIL, f"{label} at N = {N} points of ℝ^{d} is represented exactly by P = 2 < N/(d+1) = {sp.Rational(N, d + 1)} neurons",
                           {"N": N, "d": d, "P": 2}, counterexample={"c": [str(v) for v in c], "e": str(e), "X": [[str(v) for v in x] for x in X], "P": 2},
                           table=table)
    X, y = [[0.0], [1.0], [2.0]], [1.0, -1.0, 1.0]
    P = F.underparameterised_width(3, 1)
    proof = F.infeasible_width(X, y, P)
    table.append({"data": "x = (0, 1, 2), y = (1, −1, 1)", "P": P, "N/(d+1)": "3/2", "exact": proof or "undecided"})
    if claim == "all" and proof:
        return Outcome(Status.FAIL, f"x = (0, 1, 2), y = (1, −1, 1): no network with P = {P} < 3/2 neurons interpolates ({proof})",
                       {"N": 3, "d": 1, "P": P}, counterexample={"X": X, "y": y, "P": P, "proof": proof}, table=table)
    return Outcome(Status.PASS, "affine data with N > 2(d+1) points: exact 2-neuron representations (d = 1, 2); labels of both signs at 3 points "
                   "of the line: impossible with 1 neuron — 'sometimes', as printed", {"instances": len(table)}, table=table)
