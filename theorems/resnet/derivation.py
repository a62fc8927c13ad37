"""Symbolic evidence for the depth limit (mathai (7)→(8), otdiff (24)→(25)) and for the
Monte-Carlo rate of mathai §2.

Depth, in two parts, both evaluated through the formulas' own methods (so a mutant's slip shows):

A. *Consistency for generic parameters* (d = n = 1, undefined functions a(s), w(s), c(s) and a
   generic activation σ).  With :math:`h = 1/L`, one layer at depth s = ℓh maps x to
   :math:`x + \\text{step}(L)\\,r_{P(\\tau)}(x)`, τ the layer's depth; the flow of the ODE over
   :math:`[s, s + h]` is :math:`x + h\\,v_{P(s)}(x) + O(h^2)` (Taylor).  The local defect
   :math:`h\\,v - \\text{step}\\cdot r` must vanish to order :math:`h^2`: its coefficients of
   :math:`h^p`, p < 2, are cancelled exactly (a proof for all smooth a, w, c, σ) or evaluated at
   an exact instance at 30 digits (a disproof).  A defect :math:`O(h^2)` per layer, with the
   Lipschitz stability of the ODE, gives a global error :math:`O(h)` over the L = 1/h layers
   (Lady Windermere's fan; Hairer–Nørsett–Wanner, *Solving ODEs I*, §II.3), which reach
   depth :math:`Lh = 1` — the printed horizon.
B. *An exact global instance*: σ = id, one neuron, constant parameters :math:`(1, 1, 0)`, so the
   ODE is :math:`x' = x` and the network :math:`x_L = (1 + \\text{step}(L))^L x_0`.  The series
   of :math:`\\log(x_L/x_1) = \\frac1h\\log(1 + \\text{step}) - 1` in h gives the global order:
   :math:`-h/2 + O(h^2)` for the printed step, so :math:`L(x_L - x_1) \\to -x_1/2`: the rate is
   exactly :math:`1/L`, not better.

Width.  For i.i.d. :math:`Y_k = \\varphi_{\\theta_k}` in :math:`L^2(\\mu)` with mean
:math:`m = F_\\rho`, :math:`\\mathbb E\\langle Y_j, Y_k\\rangle = \\|m\\|^2` (j ≠ k), so
:math:`\\mathbb E\\|\\frac1n\\sum_k Y_k - m\\|^2 = (\\mathbb E\\|Y\\|^2 - \\|m\\|^2)/n`, derived with
sympy for symbolic n; the exponent of the RMS error is :math:`-\\frac{d}{d\\log n}\\log\\sqrt{V/n}
= 1/2` in every dimension; the minimal exact instance (two neurons of opposite signs, μ a Dirac)
is enumerated over all :math:`2^n` samples.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from verify.claims import Outcome, Status

__all__ = ["depth_consistency", "depth_global_instance", "check_depth_symbolic", "barron_identity", "check_barron_symbolic", "enumerate_mc_error"]

S_, X_ = sp.symbols("s x", real=True)
H = sp.Symbol("h", positive=True)
_A, _W, _C = sp.Function("a"), sp.Function("w"), sp.Function("c")
_SIGMA = sp.Function("sigma")
#: the exact instance at which a non-vanishing coefficient is evaluated (30 digits)
_INSTANCE = {"a(s)": "1 + s", "w(s)": "1 - s/2", "c(s)": "s/3", "sigma": "logistic sigmoid", "x": "1/2", "s": "1/3"}
_CACHE: dict[tuple, Any] = {}


def _vec(fn):
    return np.vectorize(fn, otypes=[object])


def _rows(tau: sp.Expr) -> np.ndarray:
    return np.array([[_A(tau), _W(tau), _C(tau)]], dtype=object)


def _at_instance(e: sp.Expr) -> sp.Float:
    lam = {_A: sp.Lambda(S_, 1 + S_), _W: sp.Lambda(S_, 1 - S_ / 2), _C: sp.Lambda(S_, S_ / 3), _SIGMA: sp.Lambda(S_, 1 / (1 + sp.exp(-S_)))}
    return sp.N(e.subs(lam).doit().subs({X_: sp.Rational(1, 2), S_: sp.Rational(1, 3)}), 30)


def _powers(expr: sp.Expr) -> dict[sp.Expr, sp.Expr]:
    out: dict[sp.Expr, sp.Expr] = {}
    for term in sp.Add.make_args(sp.expand(expr)):
        coef, power = term.as_coeff_exponent(H)
        out[power] = out.get(power, sp.Integer(0)) + coef
    return out


def depth_consistency(f: Any) -> dict:
    """Part A: the coefficients of :math:`h^p`, p < 2, of the local defect
    :math:`h\\,v_{P(s)}(x) - \\text{step}(1/h)\\,r_{P(\\tau)}(x)` for generic a, w, c, σ.

    Returns ``{"coefficients": [(p, coefficient, value at the instance or 0)], "leading": p or
    None, "defect": latex}``; ``leading`` is the first power below 2 whose coefficient is not
    identically zero (None: the defect is :math:`O(h^2)`, the scheme is consistent)."""
    key = ("consistency", type(f).velocity, type(f).residual, type(f).step_size, type(f).layer_time)
    if key in _CACHE:
        return _CACHE[key]
    x = np.array([[X_]], dtype=object)
    sig = _vec(_SIGMA)
    v = sp.sympify(f.velocity(x, _rows(S_), sig)[0, 0])
    L, ell = 1 / H, S_ / H
    tau = sp.cancel(sp.sympify(f.layer_time(ell, L)))
    r = sp.sympify(f.residual(x, _rows(tau), sig)[0, 0])
    if H in r.free_symbols:
        r = sp.series(r, H, 0, 2).removeO()
    step = sp.sympify(f.step_size(L))
    defect = H * v - step * r
    coeffs = []
    leading = None
    for p, coef in sorted(_powers(defect).items(), key=lambda pc: float(pc[0])):
        if not float(p) < 2:
            continue
        coef = sp.expand(coef)
        if coef == 0:
            coeffs.append((p, coef, 0.0))
            continue
        val = _at_instance(coef)
        coeffs.append((p, coef, float(val)))
        if val != 0 and leading is None:
            leading = p
    out = {"coefficients": coeffs, "leading": leading, "defect": sp.latex(defect), "tau": tau, "step": step, "velocity": v, "residual": r}
    _CACHE[key] = out
    return out


def depth_global_instance(f: Any) -> dict:
    """Part B: σ = id, one neuron (1, 1, 0) held constant: the series in h of
    :math:`\\log(x_L/x_1) = \\frac1h\\log(1 + \\text{step}\\cdot r(1)) - v(1)\\cdot\\text{horizon}`.

    Returns ``{"series": str, "order": q or None, "coefficient": c}``: the lowest power q of h
    and its coefficient; q ≤ 0 means :math:`x_L \\not\\to x_1`."""
    key = ("global", type(f).velocity, type(f).residual, type(f).step_size, sp.sympify(f.horizon()))
    if key in _CACHE:
        return _CACHE[key]
    one = np.array([[sp.Integer(1)]], dtype=object)
    P = np.array([[sp.Integer(1), sp.Integer(1), sp.Integer(0)]], dtype=object)
    ident = _vec(lambda t: t)
    r1 = sp.sympify(f.residual(one, P, ident)[0, 0])
    v1 = sp.sympify(f.velocity(one, P, ident)[0, 0])
    T = sp.sympify(f.horizon())
    step = sp.sympify(f.step_size(1 / H))
    expr = sp.log(1 + step * r1) / H - v1 * T
    ser = sp.series(expr, H, 0, 2)
    terms = {p: c for p, c in _powers(ser.removeO()).items() if sp.expand(c) != 0}
    if not terms:  # pragma: no cover - the series of a non-trivial scheme has a leading term
        out = {"series": str(ser), "order": None, "coefficient": 0}
    else:
        q = min(terms, key=float)
        out = {"series": sp.latex(ser), "order": q, "coefficient": terms[q]}
    _CACHE[key] = out
    return out


def check_depth_symbolic(f: Any, ctx: Any) -> Outcome:
    """Consistency of the printed layer with the printed ODE for generic smooth parameters
    (part A), the horizon, and the exact global order on the instance x' = x (part B)."""
    A = depth_consistency(f)
    B = depth_global_instance(f)
    T = sp.sympify(f.horizon())
    claimed = sp.sympify(f.order())
    steps = [
        f"Generic one-neuron layer (d = n = 1), $h = 1/L$, layer depth $\\tau = {sp.latex(A['tau'])}$, step ${sp.latex(A['step'])}$: "
        f"branch $r = {sp.latex(A['residual'])}$, ODE velocity $v = {sp.latex(A['velocity'])}$.",
        f"Local defect $\\varphi_h(x) - \\Phi_h(x) = {A['defect']} + O(h^2)$; "
        + ("it expands to 0: every coefficient of $h^p$, $p < 2$, vanishes identically." if all(c == 0 for _, c, _ in A["coefficients"]) else
           "coefficients: " + "; ".join(f"$h^{{{sp.latex(p)}}}$: " + ("0 identically" if c == 0 else f"${sp.latex(c)}$ = {val:.6g} at {_INSTANCE}")
                                        for p, c, val in A["coefficients"])),
        f"Exact instance σ = id, one neuron (1, 1, 0): $\\log(x_L/x_1) = {B['series']}$.",
    ]
    metrics = {"local defect leading power": None if A["leading"] is None else str(A["leading"]), "global order (instance)": str(B["order"]),
               "claimed order": str(claimed), "horizon": str(T)}
    if A["leading"] is not None:
        p, c, val = next(t for t in A["coefficients"] if t[0] == A["leading"])
        steps.append(f"Inconsistent: the defect is of order $h^{{{sp.latex(p)}}}$, not $o(h)$: the network does not approximate the ODE.")
        return Outcome(Status.FAIL, f"one layer differs from the ODE flow at order h^{p} (coefficient {c}), not O(h²)", metrics,
                       counterexample={"failed": "consistency", "power of h": str(p), "coefficient": str(c), "instance": _INSTANCE, "value": val}, steps=steps)
    if sp.simplify(T - 1) != 0:
        steps.append(f"The L layers of depth $h = 1/L$ reach $s = 1$, the ODE runs to ${sp.latex(T)}$.")
        return Outcome(Status.FAIL, f"the ODE horizon {T} is not the depth Lh = 1 reached by the layers", metrics,
                       counterexample={"failed": "horizon", "horizon": str(T)}, steps=steps)
    q = B["order"]
    if q is None or not float(q) > 0 or sp.simplify(q - claimed) != 0:
        what = "no convergence" if q is None or not float(q) > 0 else f"order {q}"
        steps.append(f"On the instance the global error is of {what}, the claim says order {claimed}.")
        return Outcome(Status.FAIL, f"exact instance x' = x: log(x_L/x_1) has leading term {B['coefficient']}·h^{q} ({what}), claimed order {claimed}", metrics,
                       counterexample={"failed": "global order", "instance": "σ = id, U = V = 1, b = 0 (x' = x), x_0 = 1", "series of log(x_L/x_1) in h = 1/L": str(B["series"]),
                                       "leading power": str(q), "coefficient": str(B["coefficient"]), "claimed order": str(claimed)}, steps=steps)
    steps.append(f"Consistent of order 1 for every smooth a, w, c, σ; global error $O(h)$ by Lady Windermere's fan; on the instance "
                 f"$x_L - x_1 = {sp.latex(B['coefficient'])}\\,x_1/L + O(L^{{-2}})$: the rate is exactly $1/L$.")
    return Outcome(Status.PASS, f"defect O(h²) for generic parameters (proved), horizon 1, exact global order {q} on x' = x "
                   f"(L(x_L − x_1) → {B['coefficient']}·x_1)", metrics, steps=steps)


# --- width -------------------------------------------------------------------------------------


def barron_identity() -> tuple[sp.Expr, sp.Expr]:
    """:math:`\\mathbb E\\|\\frac1n\\sum_k Y_k - m\\|^2` expanded with :math:`\\mathbb E\\|Y\\|^2 = A`,
    :math:`\\mathbb E\\langle Y_j, Y_k\\rangle = \\mathbb E\\langle Y_j, m\\rangle = \\|m\\|^2 = B`
    (j ≠ k), and the simplified result :math:`(A - B)/n`."""
    n = sp.Symbol("n", positive=True, integer=True)
    A, B = sp.symbols("A B", nonnegative=True)
    expanded = (n * A + n * (n - 1) * B) / n**2 - 2 * (n * B) / n + B
    return expanded, sp.cancel(expanded)


def enumerate_mc_error(phis: list[list[Fraction]], weights: list[Fraction], n: int) -> Fraction:
    """Exact :math:`\\mathbb E\\|F_{\\hat\\rho} - F_\\rho\\|^2_{L^2(\\mu)}` by enumeration of all
    :math:`K^n` ordered samples of n neurons from :math:`\\rho = \\sum_i w_i\\delta_{\\theta_i}`,
    with ``phis[i]`` the features :math:`\\varphi_{\\theta_i}(x_j)` at the points of μ (uniform
    weights) and ``weights`` the :math:`w_i`."""
    if n < 1:
        raise ValueError(f"n must be a positive integer, got {n}")
    K = len(phis)
    if K < 1 or len(weights) != K or any(len(p) != len(phis[0]) for p in phis):
        raise ValueError("phis must be K ≥ 1 equal-length feature lists and weights K values")
    J = len(phis[0])
    mean = [sum(w * p[j] for w, p in zip(weights, phis)) for j in range(J)]
    total = Fraction(0)
    for idx in itertools.product(range(K), repeat=n):
        prob = Fraction(1)
        for i in idx:
            prob *= weights[i]
        est = [sum(phis[i][j] for i in idx) / n for j in range(J)]
        total += prob * sum((e - m) ** 2 for e, m in zip(est, mean)) / J
    return total


def check_barron_symbolic(f: Any, ctx: Any) -> Outcome:
    """The identity :math:`\\mathbb E\\|F_{\\hat\\rho} - F_\\rho\\|^2 = V/n` for symbolic n, the
    exponent 1/2 of the RMS error in every dimension against ``f.rate(d)``, and the minimal
    exact instance by enumeration."""
    if "barron" not in _CACHE:  # independent of the formulas: shared by the printed claim and its mutants
        expanded, simplified = barron_identity()
        n, t = sp.Symbol("n", positive=True, integer=True), sp.Symbol("t", real=True)
        A, B = sp.symbols("A B", nonnegative=True)
        identity_ok = sp.cancel(simplified - (A - B) / n) == 0
        V = sp.Symbol("V", positive=True)
        exponent = -sp.diff(sp.expand_log(sp.log(sp.sqrt(V * sp.exp(-t))), force=True), t)  # n = e^t
        phis, weights = [[Fraction(1)], [Fraction(-1)]], [Fraction(1, 2), Fraction(1, 2)]
        exact = {k: enumerate_mc_error(phis, weights, k) for k in (1, 2, 3, 4)}
        _CACHE["barron"] = (expanded, simplified, identity_ok, exponent, exact)
    expanded, simplified, identity_ok, exponent, exact = _CACHE["barron"]
    steps = [
        f"$\\mathbb E\\|\\tfrac1n\\sum_k Y_k - m\\|^2 = {sp.latex(expanded)} = {sp.latex(simplified)}$ "
        "($A = \\mathbb E\\|Y\\|^2$, $B = \\|m\\|^2 = \\mathbb E\\langle Y_j, Y_k\\rangle$ for $j \\ne k$, independence).",
        f"RMS error $\\sqrt{{V/n}}$: $-\\frac{{d}}{{d\\log n}}\\log\\sqrt{{V/n}} = {sp.latex(exponent)}$ for every dimension d.",
        "Minimal instance: ρ = ½(δ_{(1,1,0)} + δ_{(−1,1,0)}), σ = ReLU, μ = δ_1 (features ±1, F_ρ = 0, V = 1): "
        + ", ".join(f"$\\mathbb E_{k} = {exact[k]}$" for k in exact) + " (enumeration of all $2^n$ samples).",
    ]
    metrics = {"identity": "proved" if identity_ok else "disproved", "exponent": str(exponent), "E_n (minimal instance)": {k: str(v) for k, v in exact.items()}}
    if not identity_ok or any(exact[k] != Fraction(1, k) for k in exact):  # pragma: no cover - algebra
        return Outcome(Status.FAIL, "the Monte-Carlo identity E‖F_ρ̂ − F_ρ‖² = V/n does not hold", metrics,
                       counterexample={"failed": "identity", "simplified": str(simplified), "E_n": {k: str(v) for k, v in exact.items()}}, steps=steps)
    for d in (1, 2, 3, 4):
        claimed = f.rate(d)
        if sp.nsimplify(claimed) != exponent:
            steps.append(f"The claimed exponent in d = {d} is {claimed}, the exact one {exponent}.")
            return Outcome(Status.FAIL, f"d = {d}: the RMS error decreases as n^-{exponent}, not n^-{claimed:g}", metrics,
                           counterexample={"failed": "rate", "d": d, "instance": "ρ = ½(δ_(1,1,0) + δ_(−1,1,0)), σ = ReLU, μ = δ_1",
                                           "E_1": str(exact[1]), "E_2": str(exact[2]), "RMS ratio E_1/E_2 (square root)": "sqrt(2) = 2^(1/2)",
                                           "claimed ratio": f"2^{claimed:g}", "exact rate": str(exponent), "claimed rate": claimed}, steps=steps)
    return Outcome(Status.PASS, "E‖F_ρ̂ − F_ρ‖² = (E‖φ‖² − ‖F_ρ‖²)/n for every n (proved): RMS error ∝ n^-1/2 in every dimension", metrics, steps=steps)
