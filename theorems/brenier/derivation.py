"""Symbolic (exact) evidence for otdiff §4.1: Brenier's theorem in one dimension and for
Gaussians, the monotonicity of gradients of convex functions, and (9)–(10).

Everything is decided in exact arithmetic on small instances, simplest first, so the first
failing instance is the minimal counterexample:

- one-dimensional laws with algebraic quantile functions (uniform, :math:`F(x) = x^k`,
  exponential): the printed :math:`F_1^{-1}\\circ F_0` is differentiated and pushed forward
  symbolically; transport costs :math:`\\int_0^1(\\cdot)^2du` of sums of
  :math:`c\\,u^p(1-u)^q` are Beta integrals (:func:`beta_integral`);
- Gaussian pairs :math:`\\Sigma_0 = R_0^2`, :math:`\\Sigma_1 = R_0^{-1}B^2R_0^{-1}` with rational
  :math:`R_0, B` (:data:`theorems.brenier.formulas.GAUSSIAN_INSTANCES`), whose linear
  pushforwards and gradient pushforwards are known in closed form;
- discrete measures with rational atoms: the optimal value of the Kantorovich linear programme
  (10) is certified by an exact dual solution (Bellman–Ford potentials on the residual graph of
  the candidate plan, :func:`certify_plan`).
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

import numpy as np
import sympy as sp

from theorems.brenier import formulas as F
from verify.algebra import NoKnownRoot, SympyAlgebra
from verify.claims import Outcome, Status

__all__ = [
    "U",
    "beta_integral",
    "identically_zero",
    "pairing_form",
    "REARRANGEMENT_INSTANCES",
    "DISCRETE_INSTANCES",
    "certify_plan",
    "rearrangement_costs",
    "check_rearrangement_symbolic",
    "check_brenier_symbolic",
    "check_monotone_symbolic",
    "check_kantorovich_symbolic",
]

U = sp.Symbol("u", positive=True)
X = sp.Symbol("x", positive=True)


def beta_integral(expr: sp.Expr, u: sp.Symbol = U) -> sp.Expr:
    """:math:`\\int_0^1 e(u)\\,du` for e a finite sum of terms :math:`c\\,u^p(1-u)^q`, p, q > −1:

    .. math::

        \\int_0^1 u^p(1-u)^q\\,du = B(p + 1, q + 1) = \\frac{\\Gamma(p+1)\\Gamma(q+1)}{\\Gamma(p+q+2)}.

    Raises ``ValueError`` for a term of another shape (the caller then reports the cost as
    unavailable rather than guessing).
    """
    total = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(expr)):
        coeff, p, q = sp.Integer(1), sp.Integer(0), sp.Integer(0)
        for factor in sp.Mul.make_args(term):
            base, ex = factor.as_base_exp()
            if base == u:
                p += ex
            elif base.has(u) and sp.expand(base - (1 - u)) == 0:
                q += ex
            elif not factor.has(u):
                coeff *= factor
            else:
                raise ValueError(f"term {term} is not of the form c u^p (1-u)^q")
        if not (p > -1 and q > -1):
            raise ValueError(f"term {term} is not integrable on [0, 1]")
        total += coeff * sp.gamma(p + 1) * sp.gamma(q + 1) / sp.gamma(p + q + 2)
    return total


def _step(ctx: Any, steps: list, text: Any) -> None:
    """Append a derivation step for the report; the LaTeX is built only when the report will
    show it (standard fidelity and above, printed formulas)."""
    if ctx.figures:
        steps.append(text())


def identically_zero(expr: sp.Expr, x: sp.Symbol, points: list) -> tuple[bool | None, Any, Any]:
    """Decide ``expr(x) ≡ 0`` without the general simplifier: a nonzero exact value at one of
    ``points`` disproves it (returns ``(False, point, value)``); an expression that expands
    and cancels to 0 proves it (``(True, None, None)``); otherwise ``(None, None, None)``."""
    for p in points:
        v = expr.subs(x, p)
        if F._sign(v) != 0:
            return False, p, v
    if sp.cancel(sp.expand(expr)) == 0:
        return True, None, None
    return None, None, None


# --- §4.1, one dimension: the increasing rearrangement --------------------------------------------

#: exact pairs (α0, α1), simplest first
REARRANGEMENT_INSTANCES: tuple[tuple[F.Law1D, F.Law1D], ...] = (
    (F.uniform(0, 1), F.uniform(0, 1)),
    (F.uniform(0, 1), F.power(2)),
    (F.power(2), F.uniform(0, 1)),
    (F.exponential(1), F.uniform(0, 1)),
    (F.exponential(1), F.power(2)),
)


@functools.lru_cache(maxsize=None)
def rearrangement_costs(law0: F.Law1D, law1: F.Law1D) -> tuple[sp.Expr | None, sp.Expr | None]:
    """Exact quantile formula :math:`\\int_0^1|F_0^{-1}(u) - F_1^{-1}(u)|^2du` (= W2²) and the
    cost of the decreasing rearrangement :math:`\\int_0^1|F_0^{-1}(u) - F_1^{-1}(1-u)|^2du`
    (``None`` when the integrand is not a Beta sum).  Independent of the formula under test."""
    out = []
    for q1 in (law1.quantile(U), law1.quantile(1 - U)):
        try:
            out.append(beta_integral((law0.quantile(U) - q1) ** 2))
        except ValueError:
            out.append(None)
    return out[0], out[1]


def _map_cost(t_expr: sp.Expr, law0: F.Law1D) -> sp.Expr | None:
    """:math:`\\int(x - T(x))^2d\\alpha_0 = \\int_0^1(F_0^{-1}(u) - T(F_0^{-1}(u)))^2du`."""
    q0 = law0.quantile(U)
    try:
        return beta_integral((q0 - t_expr.subs(X, q0)) ** 2)
    except ValueError:
        return None


def check_rearrangement_symbolic(f: Any, ctx: Any) -> Outcome:
    """On exact pairs, the printed :math:`T = F_1^{-1}\\circ F_0` must be nondecreasing
    (T' ≥ 0 at rational points of the support, exactly), push α0 to α1
    (:math:`F_1(T(x)) = F_0(x)` identically, which for nondecreasing T is
    :math:`T_\\sharp\\alpha_0 = \\alpha_1`), and cost exactly the quantile formula
    :math:`\\int_0^1|F_0^{-1} - F_1^{-1}|^2du`, below the decreasing rearrangement.  Uniqueness of
    the increasing pushforward: if S is nondecreasing and :math:`S_\\sharp\\alpha_0 = \\alpha_1`, then
    :math:`F_1(S(x)) = \\alpha_0(S \\le S(x)) = F_0(x)` wherever S is strictly increasing, so
    :math:`S = F_1^{-1}\\circ F_0` α0-a.e. (stated, not enumerated)."""
    rows, steps = [], []
    for law0, law1 in REARRANGEMENT_INSTANCES[: ctx.pick(3, None, None)]:
        label = f"{law0} → {law1}"
        try:
            t = sp.sympify(f.map_1d(X, law0, law1))
        except (ValueError, TypeError, ZeroDivisionError) as exc:
            return Outcome(Status.FAIL, f"the printed map cannot be evaluated on {label}: {exc}", counterexample={"instance": label, "error": str(exc)}, table=rows)
        dt = sp.diff(t, X)
        for p in law0.interior_points():
            v = dt.subs(X, p)
            if F._sign(v) < 0:
                return Outcome(
                    Status.FAIL,
                    f"T is not increasing on {label}: T'({p}) = {sp.nsimplify(v)} < 0",
                    {"instances": len(rows) + 1},
                    counterexample={"instance": label, "T(x)": str(t), "x": str(p), "T'(x)": str(v)},
                    table=rows,
                    steps=steps,
                )
        residual = law1.cdf(t) - law0.cdf(X)
        zero, at, value = identically_zero(residual, X, law0.interior_points()[:3])
        if zero is False:
            return Outcome(
                Status.FAIL,
                f"T does not push α0 to α1 on {label}: F1(T(x)) − F0(x) = {value} at x = {at}",
                {"instances": len(rows) + 1},
                counterexample={"instance": label, "T(x)": str(t), "F1(T(x)) - F0(x)": str(residual), "x": str(at), "value": str(value)},
                table=rows,
                steps=steps,
            )
        if zero is None:
            return Outcome(Status.INCONCLUSIVE, f"could not decide F1(T(x)) = F0(x) on {label}", table=rows, steps=steps)
        w2, dec = rearrangement_costs(law0, law1)
        cost = _map_cost(t, law0) if w2 is not None else None
        row = {"α0 → α1": label, "T(x)": sp.sstr(t), "T increasing": True, "F1∘T = F0": True,
               "cost of T": "—" if cost is None else str(cost), "quantile W2²": "—" if w2 is None else str(w2),
               "decreasing rearrangement": "—" if dec is None else str(dec)}
        rows.append(row)
        if cost is not None:
            if F._sign(cost - w2) != 0 or not (F._sign(dec - w2) > 0):
                return Outcome(
                    Status.FAIL,
                    f"the cost of T on {label} is {cost}, not the quantile W2² = {w2} below the decreasing rearrangement ({dec})",
                    counterexample={"instance": label, "T(x)": str(t), "cost": str(cost), "W2^2": str(w2), "decreasing": str(dec)},
                    table=rows,
                    steps=steps,
                )
        _step(ctx, steps, lambda: f"{label}: $T(x) = {sp.latex(t)}$, $T' \\ge 0$, $F_1(T(x)) - F_0(x) \\equiv 0$"
                     + ("" if cost is None else f", cost $= {sp.latex(cost)} = \\int_0^1|F_0^{{-1}} - F_1^{{-1}}|^2 < {sp.latex(dec)}$ (decreasing)"))
    return Outcome(
        Status.PASS,
        f"on {len(rows)} exact pairs T = F1⁻¹∘F0 is increasing, pushes α0 to α1 exactly and costs the quantile W2² (below the decreasing rearrangement)",
        {"instances": len(rows)},
        table=rows,
        steps=steps,
    )


# --- Theorem 4.1: gradient pushforwards and their costs ----------------------------------------------


#: Gaussian instances used at quick fidelity (the smallest, the isotropic d = 2 pair with its
#: rotations, the non-commuting pair); standard and thorough use all of them.
QUICK_GAUSSIAN = (0, 2, 4)
ALL_GAUSSIAN = tuple(range(len(F.GAUSSIAN_INSTANCES)))


def _rot(c, s):
    return F.rotation(c, s)


@functools.lru_cache(maxsize=None)
def _gaussian_witnesses(index: int) -> tuple:
    """(Σ0, Σ1, [(label, A, cost)]) for instance ``index``: every symmetric solution of
    :math:`A\\Sigma_0A = \\Sigma_1` (all linear gradient pushforwards, complete when the b_i are
    distinct: a symmetric square root of :math:`M = B^2` commutes with M and so shares its
    eigenvectors) and, in d = 2, non-symmetric pushforwards :math:`A_+R_0UR_0^{-1}` for rotations
    U (3/5, 4/5), (0, 1), (−3/5, 4/5).  Pushforward verified exactly; cost
    :math:`\\operatorname{tr}((I - A)\\Sigma_0(I - A)^\\top)`.  Formula independent (cached)."""
    inst = F.GAUSSIAN_INSTANCES[index]
    s0, s1 = inst.sigma0, inst.sigma1
    d = s0.rows
    maps = list(inst.symmetric_solutions())
    if d == 2:
        for c, s in ((sp.Rational(3, 5), sp.Rational(4, 5)), (0, 1), (sp.Rational(-3, 5), sp.Rational(4, 5))):
            maps.append((f"A_+ R0 U R0⁻¹, U = rotation (cos, sin) = ({c}, {s})", inst.pushforward(_rot(c, s))))
    out = []
    eye = sp.eye(d)
    for label, a in maps:
        assert a * s0 * a.T == s1, (inst.name, label, a * s0 * a.T, s1)
        out.append((label, a, ((eye - a) * s0 * (eye - a).T).trace()))
    return s0, s1, tuple(out)


def _prop43_exact(index: int) -> sp.Matrix:
    inst = F.GAUSSIAN_INSTANCES[index]
    return F.Prop43().map(inst.sigma0, inst.sigma1, SympyAlgebra(roots=[inst.R0, inst.B]))


def _fmt(m: sp.Matrix) -> str:
    return sp.sstr(m.tolist()) if m.shape != (1, 1) else sp.sstr(m[0, 0])


def check_brenier_symbolic(f: Any, ctx: Any) -> Outcome:
    """Exact Gaussian pairs (d = 1, 2) and one non-Gaussian 1-D pair: among the maps that push
    α0 to α1 (every linear gradient pushforward, plus non-gradient ones), exactly one must be
    admissible for the theorem's class of potentials (:meth:`admissible` on the Jacobian), it
    must be the printed map of Proposition 4.3, and its cost must be strictly below every other
    pushforward's (the unique solution of (9))."""
    rows, steps = [], []
    for idx in ctx.pick(QUICK_GAUSSIAN, ALL_GAUSSIAN, ALL_GAUSSIAN):
        inst = F.GAUSSIAN_INSTANCES[idx]
        s0, s1, witnesses = _gaussian_witnesses(idx)
        adm = []
        for label, a, cost in witnesses:
            try:
                ok = bool(f.admissible(a))
            except (ValueError, TypeError) as exc:
                return Outcome(Status.FAIL, f"admissible() raised on {inst.name}: {exc}", counterexample={"instance": inst.name, "map": _fmt(a)})
            if ok:
                adm.append((label, a, cost))
        best = min(c for _, _, c in witnesses)
        prop = _prop43_exact(idx)
        row = {"instance": inst.name, "pushforwards": len(witnesses), "admissible": len(adm),
               "admissible maps (cost)": "; ".join(f"{_fmt(a)} ({c})" for _, a, c in adm), "least cost": str(best)}
        rows.append(row)
        problem = None
        if len(adm) != 1:
            problem = f"{len(adm)} admissible maps push α0 to α1 (uniqueness fails)" if adm else "no admissible map pushes α0 to α1 (existence fails)"
        else:
            _, a, c = adm[0]
            others = [w for w in witnesses if w[1] != a]
            if any(F._sign(c - oc) >= 0 for _, _, oc in others):
                problem = f"the admissible map {_fmt(a)} (cost {c}) is not the unique least-cost pushforward (least {best})"
            elif a != prop:
                problem = f"the admissible map {_fmt(a)} is not the map of Proposition 4.3, {_fmt(prop)}"
        if problem:
            cex = {"instance": inst.name, "Sigma0": _fmt(s0), "Sigma1": _fmt(s1),
                   "admissible": [{"map": label, "A": _fmt(a), "potential": f"phi(x) = x^T A x / 2 = {sp.sstr(sp.expand((sp.Matrix(sp.symbols(f'x1:{s0.rows + 1}')).T * a * sp.Matrix(sp.symbols(f'x1:{s0.rows + 1}')))[0] / 2))}",
                                   "transport cost": str(c)} for label, a, c in adm],
                   "least cost (Proposition 4.3 map)": str(best)}
            return Outcome(Status.FAIL, f"{inst.name}: {problem}", {"instances": len(rows)}, counterexample=cex, table=rows, steps=steps)
        _step(ctx, steps, lambda: f"{inst.name}: the unique admissible pushforward is $A = {sp.latex(adm[0][1])}$ (Proposition 4.3), cost ${sp.latex(adm[0][2])}$ "
                     f"< every other of the {len(witnesses) - 1} pushforwards")
    # one dimension, beyond Gaussians: U[0, 1] → power(2), the two rearrangements
    law0, law1 = F.uniform(0, 1), F.power(2)
    t_plus, t_minus = law1.quantile(law0.cdf(X)), law1.quantile(1 - law0.cdf(X))
    assert sp.expand(law1.cdf(t_plus) - law0.cdf(X)) == 0 and sp.expand(law1.cdf(t_minus) - (1 - law0.cdf(X))) == 0, (t_plus, t_minus)
    w2, dec = rearrangement_costs(law0, law1)
    adm = []
    for label, t, cost in (("increasing F1⁻¹∘F0", t_plus, w2), ("decreasing F1⁻¹∘(1 − F0)", t_minus, dec)):
        jac = [sp.Matrix([[sp.diff(t, X).subs(X, p)]]) for p in law0.interior_points()]
        if all(f.admissible(j) for j in jac):
            adm.append((label, t, cost))
    rows.append({"instance": f"{law0} → {law1}", "pushforwards": 2, "admissible": len(adm), "admissible maps (cost)": "; ".join(f"{lab}: {sp.sstr(t)} ({c})" for lab, t, c in adm), "least cost": str(w2)})
    if len(adm) != 1 or adm[0][2] != w2:
        return Outcome(
            Status.FAIL,
            f"{law0} → {law1}: {len(adm)} admissible rearrangements" + ("" if len(adm) != 1 else f", and it costs {adm[0][2]} > W2² = {w2}"),
            {"instances": len(rows)},
            counterexample={"instance": f"{law0} → {law1}", "admissible": [{"map": lab, "T(x)": str(t), "cost": str(c)} for lab, t, c in adm], "W2^2": str(w2)},
            table=rows,
            steps=steps,
        )
    _step(ctx, steps, lambda: f"{law0} → {law1}: only $T(x) = {sp.latex(t_plus)}$ is admissible (cost ${sp.latex(w2)}$; the decreasing $"
                 f"{sp.latex(t_minus)}$ costs ${sp.latex(dec)}$)")
    return Outcome(Status.PASS, f"on {len(rows)} exact pairs exactly one admissible map pushes α0 to α1, and it is the unique least-cost pushforward (Proposition 4.3's map)",
                   {"instances": len(rows)}, table=rows, steps=steps)


# --- §4.1: gradient of a convex function, hence monotone ----------------------------------------------


def pairing_form(f: Any, t: Any, d: int) -> sp.Matrix:
    """The Hessian H (2d × 2d) of the printed pairing :math:`P(x, y) = \\langle T(x) - T(y), x - y\\rangle`
    of a linear map T, in z = (x, y), by exact polarisation on the basis:
    :math:`H_{ii} = 2P(e_i)`, :math:`H_{ij} = P(e_i + e_j) - P(e_i) - P(e_j)`.  P is a quadratic
    form for linear T, so :math:`P \\ge 0` everywhere iff H ⪰ 0; the form is confirmed by
    comparing :math:`\\tfrac12 z^\\top Hz` with P at two further exact points (``AssertionError``
    otherwise: the pairing is not the quadratic form of a linear map)."""
    def p(z: sp.Matrix) -> sp.Expr:
        x, y = z[:d, :], z[d:, :]
        return sp.sympify(f.pairing(t(x), t(y), x, y))

    e = [sp.Matrix([1 if k == i else 0 for k in range(2 * d)]) for i in range(2 * d)]
    diag = [p(v) for v in e]
    h = sp.zeros(2 * d, 2 * d)
    for i in range(2 * d):
        h[i, i] = 2 * diag[i]
        for j in range(i + 1, 2 * d):
            h[i, j] = h[j, i] = p(e[i] + e[j]) - diag[i] - diag[j]
    for z in (sp.Matrix([sp.Rational(k + 1, 3) * (-1) ** k for k in range(2 * d)]), sp.Matrix([sp.Rational(2, k + 2) for k in range(2 * d)])):
        assert F._sign(p(z) - (z.T * h * z)[0, 0] / 2) == 0, ("the pairing is not a quadratic form", p(z), (z.T * h * z)[0, 0] / 2)
    return h


def check_monotone_symbolic(f: Any, ctx: Any) -> Outcome:
    """Exact Gaussian pairs: the printed map A (Proposition 4.3) is symmetric (so T = ∇φ,
    φ(x) = ½xᵀAx), positive semidefinite (φ convex), pushes Σ0 to Σ1, and the printed pairing
    :math:`\\langle T(x) - T(y), x - y\\rangle` is a nonnegative quadratic form in (x, y) (its
    Hessian is positive semidefinite).  The converse: in d = 1 every nondecreasing map is the
    derivative of its convex primitive; in d = 2 the rotation with cosine 3/5 is monotone
    (pairing :math:`\\frac35|x - y|^2`) but not a gradient (curl 8/5), so the formula must
    say the converse fails from d = 2 on."""
    rows, steps = [], []
    # the converse first (cheap)
    r = _rot(sp.Rational(3, 5), sp.Rational(4, 5))
    hess = pairing_form(f, lambda v: r * v, 2)
    monotone = F.is_psd(hess)
    curl = r[1, 0] - r[0, 1]  # ∂T2/∂x1 − ∂T1/∂x2 for T(x) = Rx
    says = {d: bool(f.monotone_is_gradient_of_convex(d)) for d in (1, 2, 3)}
    rows.append({"instance": "converse: x ↦ Rx, R = rotation (3/5, 4/5)", "A": _fmt(r), "monotone": monotone, "curl": str(curl), "formula: monotone ⇒ ∇convex (d = 1, 2, 3)": str(says)})
    if monotone and curl != 0 and (says[2] or says[3]):
        return Outcome(
            Status.FAIL,
            "the formula says every monotone map is the gradient of a convex function in d ≥ 2, but x ↦ Rx (R the rotation with cosine 3/5) is monotone and not a gradient",
            counterexample={"R": _fmt(r), "Hessian of <R(x) - R(y), x - y> in (x, y)": _fmt(hess), "curl": str(curl), "formula says (d: monotone ⇒ gradient of convex)": says},
            table=rows,
        )
    if not says[1]:
        return Outcome(Status.FAIL, "the formula denies that monotone maps of the line are gradients of convex functions (φ = ∫T is convex when T is nondecreasing)",
                       counterexample={"formula says": says}, table=rows)
    _step(ctx, steps, lambda: f"converse: $R = {sp.latex(r)}$ has $\\langle R(x) - R(y), x - y\\rangle = \\tfrac12 z^\\top H z$, $H = {sp.latex(hess)}"
                 + (" \\succeq 0$" if monotone else "$") + f", and curl ${curl} \\ne 0$: monotone, not a gradient (d = 2); in d = 1, $\\phi = \\int T$ is convex for every nondecreasing T")
    for idx in ctx.pick(QUICK_GAUSSIAN, ALL_GAUSSIAN, ALL_GAUSSIAN):
        inst = F.GAUSSIAN_INSTANCES[idx]
        s0, s1 = inst.sigma0, inst.sigma1
        d = s0.rows
        try:
            a = sp.Matrix(f.gaussian_map(s0, s1, SympyAlgebra(roots=[inst.R0, inst.B])))
        except NoKnownRoot as exc:
            return Outcome(Status.INCONCLUSIVE, f"no exact square root on {inst.name}: {exc}", table=rows)
        # in order, stopping at the first failure (later tests may need what earlier ones establish)
        form: dict[str, sp.Matrix] = {}
        checks: dict[str, bool] = {}
        for name, test in (
            ("T = ∇φ (A symmetric)", lambda: F.is_symmetric(a)),
            ("φ convex (A ⪰ 0)", lambda: F.is_psd(a)),
            ("A Σ0 Aᵀ = Σ1", lambda: all(F._sign(e) == 0 for e in (a * s0 * a.T - s1))),
            ("pairing ≥ 0 (Hessian in (x, y) ⪰ 0)", lambda: F.is_psd(form.setdefault("H", pairing_form(f, lambda v: a * v, d)))),
        ):
            checks[name] = bool(test())
            if not checks[name]:
                break
        rows.append({"instance": inst.name, "A": _fmt(a)} | checks)
        failed = [k for k, v in checks.items() if not v]
        hess = form.get("H")
        if failed:
            cex = {"instance": inst.name, "Sigma0": _fmt(s0), "Sigma1": _fmt(s1), "A": _fmt(a), "failed": failed}
            if "pairing ≥ 0 (Hessian in (x, y) ⪰ 0)" in failed:
                e1 = sp.Matrix([1] + [0] * (d - 1))
                cex |= {"x": _fmt(e1), "y": _fmt(sp.zeros(d, 1)), "<T(x) - T(y), x - y> as printed": str(f.pairing(a * e1, sp.zeros(d, 1), e1, sp.zeros(d, 1)))}
            return Outcome(Status.FAIL, f"{inst.name}: {', '.join(failed)} fails", {"instances": len(rows) - 1}, counterexample=cex, table=rows, steps=steps)
        _step(ctx, steps, lambda: f"{inst.name}: $A = {sp.latex(a)} = A^\\top \\succeq 0$, $\\langle T(x) - T(y), x - y\\rangle = \\tfrac12 z^\\top H z$ with $H = {sp.latex(hess)} \\succeq 0$, $z = (x, y)$")
    return Outcome(Status.PASS, f"on {len(rows) - 1} exact pairs the printed map is ∇(½xᵀAx) with A ⪰ 0, pushes Σ0 to Σ1 and is monotone; "
                   "a monotone non-gradient map exists in d = 2 and none in d = 1",
                   {"instances": len(rows) - 1}, table=rows, steps=steps)


# --- (9)–(10): exact Kantorovich certificates -----------------------------------------------------------


def _lt(a: Any, b: Any) -> bool:
    return F._sign(sp.sympify(a) - sp.sympify(b)) < 0


def certify_plan(plan: np.ndarray, cost: np.ndarray) -> tuple[bool, Any]:
    """Exact optimality test of a feasible transport plan for the linear programme (10).

    Bellman–Ford on the residual graph (edges :math:`x_i \\to y_j` of weight :math:`c_{ij}`, and
    :math:`y_j \\to x_i` of weight :math:`-c_{ij}` where :math:`\\pi_{ij} > 0`): the plan is optimal
    iff there is no negative cycle; then :math:`f_i = -d(x_i)`, :math:`g_j = d(y_j)` satisfy
    :math:`f_i + g_j \\le c_{ij}` with equality on the support, an exact dual certificate of
    equal value.  Returns ``(True, (f, g))`` or ``(False, cycle value)``.
    """
    n, m = cost.shape
    edges = [(i, n + j, cost[i, j]) for i in range(n) for j in range(m)]
    edges += [(n + j, i, -cost[i, j]) for i in range(n) for j in range(m) if F._sign(plan[i, j]) > 0]
    dist = [sp.Integer(0)] * (n + m)
    for _ in range(n + m):
        changed = False
        for s, t, w in edges:
            cand = dist[s] + w
            if _lt(cand, dist[t]):
                dist[t] = sp.nsimplify(cand) if isinstance(cand, float) else cand
                changed = True
        if not changed:
            return True, ([-dist[i] for i in range(n)], [dist[n + j] for j in range(m)])
    return False, "negative cycle in the residual graph: the plan can be improved"


def _q(v) -> sp.Rational:
    return sp.Rational(v) if not isinstance(v, tuple) else sp.Rational(*v)


def _pts(rows) -> np.ndarray:
    return np.array([[sp.nsimplify(c) for c in r] for r in rows], dtype=object)


#: (label, x, a, y, b): discrete instances with rational atoms and weights, simplest first
DISCRETE_INSTANCES = (
    ("n = 3 on the line, uniform weights, optimal map a 3-cycle", _pts([[0], [1], [2]]), [sp.Rational(1, 3)] * 3, _pts([["5/2"], ["1/2"], ["3/2"]]), [sp.Rational(1, 3)] * 3),
    ("n = 3 in the plane, uniform weights", _pts([[0, 0], [2, 0], [0, 1]]), [sp.Rational(1, 3)] * 3, _pts([[2, 1], [0, 2], [1, -1]]), [sp.Rational(1, 3)] * 3),
    ("a map merging two atoms: (1/4, 1/4, 1/2) on {0, 1, 3} → (1/2, 1/2) on {0, 3}", _pts([[0], [1], [3]]), [sp.Rational(1, 4), sp.Rational(1, 4), sp.Rational(1, 2)],
     _pts([[0], [3]]), [sp.Rational(1, 2)] * 2),
)


def _monge_maps(a, b, m):
    """All maps σ of the atoms with :math:`\\sum_{\\sigma(i) = j}a_i = b_j` (pushforwards)."""
    for sigma in itertools.product(range(m), repeat=len(a)):
        if all(sum((a[i] for i in range(len(a)) if sigma[i] == j), sp.Integer(0)) == b[j] for j in range(m)):
            yield sigma


def check_kantorovich_symbolic(f: Any, ctx: Any) -> Outcome:
    """Exact discrete instances: the Monge value (9) is the least printed cost over the maps
    that push α0 to α1 (enumerated); the printed coupling :math:`\\pi^\\star = (\\mathrm{Id}, T)_\\sharp\\alpha_0`
    of the optimal map must lie in :math:`\\Pi(\\alpha_0, \\alpha_1)`, be optimal for the printed
    objective of (10) (exact dual certificate, :func:`certify_plan`), and the two values must
    coincide.  A last instance shows why (9) needs the hypothesis: for δ0 → ½(δ−1 + δ1) no map
    exists (every T sends δ0 to a Dirac), while (10) = 1."""
    rows, steps = [], []
    for label, x, a, y, b in DISCRETE_INSTANCES:
        n, m = len(a), len(b)
        a_arr = np.array(a, dtype=object)
        maps = list(_monge_maps(a, b, m))
        monge = [(f.monge_cost(x, y[list(s)], a_arr), s) for s in maps]
        v9, sigma = min(monge, key=lambda t: float(sp.N(t[0], 30)))
        try:
            plan = np.asarray(f.induced_coupling(a_arr, list(sigma), m), dtype=object)
            cost = np.asarray(f.ground_cost(x, y), dtype=object)
            if plan.shape != (n, m):
                raise ValueError(f"the coupling has shape {plan.shape}, not (n, m) = {(n, m)}: it is not a measure on X × Y")
            v10 = sp.nsimplify(f.kantorovich_cost(plan, x, y)) if not isinstance(f.kantorovich_cost(plan, x, y), sp.Basic) else f.kantorovich_cost(plan, x, y)
        except (ValueError, TypeError) as exc:
            return Outcome(Status.FAIL, f"{label}: the printed coupling is not a coupling of α0 and α1: {exc}",
                           counterexample={"instance": label, "sigma": list(sigma), "error": str(exc)}, table=rows, steps=steps)
        marg_ok = all(sum(plan[i, :], sp.Integer(0)) == a[i] for i in range(n)) and all(sum(plan[:, j], sp.Integer(0)) == b[j] for j in range(m))
        optimal, cert = certify_plan(plan, cost) if marg_ok else (False, "marginals")
        equal = F._sign(sp.sympify(v9) - sp.sympify(v10)) == 0
        rows.append({"instance": label, "Monge maps": len(maps), "optimal map σ": str(list(sigma)), "(9)": str(sp.nsimplify(v9)), "printed π* cost": str(v10),
                     "π* ∈ Π(α0, α1)": marg_ok, "π* optimal for (10)": optimal, "(9) = (10)": equal})
        if not (marg_ok and optimal and equal):
            what = "π* is not a coupling of α0 and α1" if not marg_ok else ("π* is not optimal for (10)" if not optimal else f"(9) = {sp.nsimplify(v9)} differs from (10) = {v10}")
            return Outcome(Status.FAIL, f"{label}: {what}", {"instances": len(rows)},
                           counterexample={"instance": label, "x": x.tolist(), "a": [str(v) for v in a], "y": y.tolist(), "b": [str(v) for v in b],
                                           "optimal map sigma": list(sigma), "(9)": str(sp.nsimplify(v9)), "plan": [[str(v) for v in r] for r in plan.tolist()],
                                           "printed (10) value of the plan": str(v10)},
                           table=rows, steps=steps)
        _step(ctx, steps, lambda: f"{label}: (9) $= {sp.latex(sp.nsimplify(v9))}$ at $\\sigma = {list(sigma)}$; $\\pi^\\star$ has exact dual potentials $f = {sp.latex(cert[0])}$, "
                     f"$g = {sp.latex(cert[1])}$, so (10) $= {sp.latex(v10)}$")
    # no Monge map: δ0 → ½δ−1 + ½δ1
    x, y, a, b = _pts([[0]]), _pts([[-1], [1]]), [sp.Integer(1)], [sp.Rational(1, 2)] * 2
    plan = np.array([[sp.Rational(1, 2), sp.Rational(1, 2)]], dtype=object)
    ok, _ = certify_plan(plan, np.asarray(f.ground_cost(x, y), dtype=object))
    rows.append({"instance": "δ0 → ½δ−1 + ½δ1 (no map)", "Monge maps": len(list(_monge_maps(a, b, 2))), "(9)": "+∞ (empty constraint)", "printed π* cost": str(f.kantorovich_cost(plan, x, y)),
                 "π* optimal for (10)": ok})
    _step(ctx, steps, lambda: "δ0 → ½δ−1 + ½δ1: no map pushes a Dirac to two atoms, (9) = +∞ while (10) = 1 — the hypothesis 'when an optimal Monge map exists' is needed")
    return Outcome(Status.PASS, f"on {len(DISCRETE_INSTANCES)} exact instances (Id, T)♯α0 is an optimal coupling (exact dual certificate) and (9) = (10)",
                   {"instances": len(DISCRETE_INSTANCES)}, table=rows, steps=steps)
