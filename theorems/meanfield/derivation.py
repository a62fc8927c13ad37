"""Symbolic evidence for otdiff §6.1–§6.2: (21), the kernel (22), and the assertions of
Proposition 6.2, derived in sympy from the risk alone.

For σ(s) = s, (21) gives :math:`g_\\alpha(z) = \\int v\\,u^\\top z\\,d\\alpha = \\Sigma_{VU}z`, so
f depends on α through :math:`W = \\Sigma_{VU}` only; moving α towards :math:`\\delta_{(u, v)}`
moves W towards :math:`vu^\\top`, hence

.. math::

    \\delta f(\\alpha)(u, v) = \\frac{d}{d\\varepsilon} f\\big(W + \\varepsilon(vu^\\top - W)\\big)\\Big|_{\\varepsilon = 0} + \\text{const},

and :math:`\\nabla_W f = \\nabla_{(u, v)}\\delta f` (otdiff §5.1).  The checks compute this
derivative with symbolic data points (not the printed moments), so the printed expressions are
compared with a reference that shares nothing with them.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

import numpy as np
import sympy as sp

from verify.claims import Outcome, Status
from verify.symbolic import zero_test
from theorems.meanfield.formulas import evaluate

__all__ = [
    "check_eq21_symbolic",
    "check_kernel_symbolic",
    "kernel_counterexample",
    "check_gradient_symbolic",
    "gradient_counterexample",
    "check_closure_symbolic",
    "check_ode_symbolic",
    "check_limit_symbolic",
    "limit_counterexample",
    "true_gradient",
    "check_risk_symbolic",
]

SIGMA = sp.Function("sigma")


def _obj(rows: int, cols: int, name: str) -> np.ndarray:
    return np.array(sp.symbols(f"{name}0:{rows * cols}", real=True), dtype=object).reshape(rows, cols)


def _act(fn):
    return np.vectorize(fn, otypes=[object])


#: A concrete activation for disproofs: an identity for every σ must hold for this one, and it
#: takes rational values at rational points (exact evaluation).
_CONCRETE = sp.Lambda(sp.Symbol("s"), sp.Symbol("s") ** 2 + sp.Symbol("s") + 1)


def _generic_zero(expr):
    """zero_test for an expression with the generic activation σ: disproof with the concrete
    σ(s) = s² + s + 1 at exact points, proof by simplification with σ generic."""
    concrete = zero_test(expr.replace(SIGMA, _CONCRETE) if hasattr(expr, "replace") else expr)
    if concrete.disproved:
        return concrete
    return zero_test(expr)


def _status(zt) -> str:
    return "proved" if zt.proved else ("disproved" if zt.disproved else "undecided")


# --------------------------------------------------------------------------- (21)
def check_eq21_symbolic(f: Any, ctx: Any) -> Outcome:
    """For α = ½(δ_{x₁} + δ_{x₂}) with symbolic neurons in d = 2, d′ = 1, two symbolic data
    points and a generic activation σ: g_α(z_k) − G_X(z_k) ≡ 0 and f(α) − F(X) ≡ 0."""
    u, v, z, y = _obj(2, 2, "u"), _obj(2, 1, "v"), _obj(2, 2, "z"), _obj(2, 1, "y")
    act = _act(SIGMA)
    w = np.array([sp.Rational(1, 2)] * 2, dtype=object)
    res_g = sp.Matrix(f.mean_field(u, v, w, z, act) - f.network(u, v, z, act))
    res_f = sp.expand(f.mean_field_risk(u, v, w, z, y, act) - f.risk(u, v, z, y, act))
    zg, zf = _generic_zero(res_g), _generic_zero(res_f)
    steps = [
        "$\\alpha = \\tfrac12(\\delta_{(u_1, v_1)} + \\delta_{(u_2, v_2)})$, $d = 2$, $d' = 1$, $N = 2$ symbolic data points, "
        "generic $\\sigma$: $g_\\alpha(z) = \\tfrac12\\sum_i v_i\\sigma(\\langle z, u_i\\rangle)$ against $G_X$ of (19).",
        f"$g_\\alpha - G_X$: {_status(zg)}; $f(\\alpha) - F(X)$: {_status(zf)}.",
    ]
    metrics = {"g_alpha_eq_G_X": _status(zg), "f_eq_F": _status(zf)}
    if zg.proved and zf.proved:
        return Outcome(Status.PASS, "g_α = G_X and f(α) = F(X) for the empirical measure (generic σ, exact)", metrics, steps=steps)
    if zg.disproved or zf.disproved:
        zt = zg if zg.disproved else zf
        what = "g_alpha = G_X" if zg.disproved else "f(alpha) = F(X)"
        return Outcome(Status.FAIL, f"{what} fails for the empirical measure", metrics, counterexample={"failed": what, "point": zt.witness, "residual": zt.value}, steps=steps)
    return Outcome(Status.INCONCLUSIVE, "simplification undecided", metrics, steps=steps)


# --------------------------------------------------------------------------- (22)
def _energy_residual(f: Any, u, v, w, z, y, act) -> Any:
    """f(α) − ∬k dα dα − (1/N)Σ|y_k|² for α = Σ_j w_j δ_{(u_j, v_j)} (zero iff (18) holds
    with the constant f(δ_0)); (1/N)Σ|y|² is the only admissible constant: at α = δ_{(0, 0)} the
    printed kernel and f(α) − (1/N)Σ|y|² both vanish."""
    from theorems.meanfield.formulas import Eq21

    fa = Eq21().mean_field_risk(u, v, w, z, y, act)
    kk = f.kernel(u, v, u, v, z, y, act)
    return fa - w @ kk @ w - np.sum(y * y) / z.shape[0]


def kernel_counterexample(f: Any) -> dict | None:
    """Smallest instance (d = d′ = N = 1, σ(s) = s, one-atom α) where f(α) − ∬k dα dα is not
    the constant (1/N)Σ|y_k|² it takes at α = δ_{(0, 0)}."""
    ident = _act(lambda s: s)
    for zval, yval, uv in itertools.product((1, 2), (0, 1), ((1, 1), (1, -1), (2, 1))):
        u = np.array([[sp.Integer(uv[0])]], dtype=object)
        v = np.array([[sp.Integer(uv[1])]], dtype=object)
        z = np.array([[sp.Integer(zval)]], dtype=object)
        y = np.array([[sp.Integer(yval)]], dtype=object)
        w = np.array([sp.Integer(1)], dtype=object)
        r = sp.nsimplify(_energy_residual(f, u, v, w, z, y, ident))
        if r != 0:
            from theorems.meanfield.formulas import Eq21

            fa = Eq21().mean_field_risk(u, v, w, z, y, ident)
            return {"sigma": "identity", "z": zval, "y": yval, "alpha": f"delta at (u, v) = {uv}",
                    "f(alpha)": str(fa), "iint k": str(sp.nsimplify(f.kernel(u, v, u, v, z, y, ident)[0, 0])),
                    "constant f(delta_0) - iint k(delta_0)": str(yval**2)}
    return None


def check_kernel_symbolic(f: Any, ctx: Any) -> Outcome:
    """f(α) − ∬k dα dα is the constant (1/N)Σ|y|² for α with two symbolic atoms and symbolic
    weights (d = 2, d′ = 1, N = 2 symbolic data, generic σ); when the formula claims symmetry
    (§5.3's assumption), also k(x, x′) ≡ k(x′, x)."""
    u, v, z, y = _obj(2, 2, "u"), _obj(2, 1, "v"), _obj(2, 2, "z"), _obj(2, 1, "y")
    a = sp.Symbol("w", positive=True)
    w = np.array([a, 1 - a], dtype=object)
    act = _act(SIGMA)
    res = sp.expand(_energy_residual(f, u, v, w, z, y, act))
    ze = _generic_zero(res)
    steps = [
        "$\\alpha = w\\,\\delta_{x_1} + (1 - w)\\,\\delta_{x_2}$ with symbolic atoms, $d = 2$, $d' = 1$, $N = 2$, generic $\\sigma$; "
        "$f(\\alpha) = \\frac1N\\sum_k\\|g_\\alpha(z_k) - y_k\\|^2$ from (21); the only admissible constant is "
        "$\\frac1N\\sum_k\\|y_k\\|^2$ (value at $\\alpha = \\delta_{(0, 0)}$).",
        f"$f(\\alpha) - \\iint k\\,d\\alpha\\,d\\alpha - \\frac1N\\sum_k\\|y_k\\|^2$: {_status(ze)}.",
    ]
    metrics = {"energy_identity": _status(ze)}
    sym = None
    if getattr(f, "claims_symmetric", False):
        kk = f.kernel(u, v, u, v, z, y, act)
        sym = _generic_zero(sp.expand(kk[0, 1] - kk[1, 0]))
        metrics["symmetric"] = _status(sym)
        steps.append(f"$k(x_1, x_2) - k(x_2, x_1)$: {_status(sym)}.")
    if ze.disproved:
        cex = kernel_counterexample(f) or {"point": ze.witness, "residual": ze.value}
        steps.append(f"Minimal instance: {cex}.")
        return Outcome(Status.FAIL, "f(α) ≠ ∬k dα dα + const with this kernel", metrics, counterexample=cex, steps=steps)
    if sym is not None and sym.disproved:
        return Outcome(Status.FAIL, "the kernel is not symmetric", metrics, counterexample={"failed": "k(x, x') = k(x', x)", "point": sym.witness, "difference": sym.value}, steps=steps)
    if ze.proved and (sym is None or sym.proved):
        return Outcome(Status.PASS, "f(α) = ∬k dα dα + (1/N)Σ|y_k|² exactly" + (" with k symmetric" if sym is not None else ""), metrics, steps=steps)
    return Outcome(Status.INCONCLUSIVE, "simplification undecided", metrics, steps=steps)


# --------------------------------------------------------------------------- Prop 6.2
def _data(d: int, dp: int, n_data: int):
    z = sp.Matrix(d, n_data, sp.symbols(f"z0:{d * n_data}", real=True))
    y = sp.Matrix(dp, n_data, sp.symbols(f"y0:{dp * n_data}", real=True))
    return z, y, z * z.T / n_data, y * z.T / n_data


def _risk(wmat: sp.Matrix, z: sp.Matrix, y: sp.Matrix) -> sp.Expr:
    """f of (21) for σ(s) = s, as a function of W = Σ_VU (g_α(z) = W z)."""
    r = wmat * z - y
    return sum(r.applyfunc(lambda e: e**2)) / z.shape[1]


def _moments(d: int, dp: int):
    """Symbolic moments: S_zz symmetric, S_yz general."""
    szz = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"a{min(i, j)}{max(i, j)}", real=True))
    syz = sp.Matrix(dp, d, lambda i, j: sp.Symbol(f"b{i}{j}", real=True))
    return szz, syz


@functools.lru_cache(maxsize=None)
def risk_in_moments(d: int, dp: int, n_data: int = 3) -> bool:
    """The step f(α) = Tr(Σ_VU S_zz Σ_UV) − 2Tr(S_yz Σ_UV) + (1/N)Σ|y_k|² of otdiff §6.2,
    proved from (21) with symbolic data (σ(s) = s, g_α(z) = Σ_VU z)."""
    z, y, szz, syz = _data(d, dp, n_data)
    wmat = sp.Matrix(dp, d, sp.symbols(f"W0:{d * dp}", real=True))
    moment_form = (wmat * szz * wmat.T).trace() - 2 * (syz * wmat.T).trace() + sum(y.applyfunc(lambda e: e**2)) / n_data
    return sp.expand(_risk(wmat, z, y) - moment_form) == 0


def true_gradient(d: int, dp: int):
    """∇_{(u, v)} δf with δf the ε-derivative of the risk in moment form (itself proved from
    (21) by :func:`risk_in_moments`).

    Returns (u, v, W, S_zz, S_yz, grad_u, grad_v)."""
    if not risk_in_moments(d, dp):
        raise AssertionError("the moment form of the risk does not follow from (21)")
    szz, syz = _moments(d, dp)
    u = sp.Matrix(sp.symbols(f"u0:{d}", real=True))
    v = sp.Matrix(sp.symbols(f"v0:{dp}", real=True))
    wmat = sp.Matrix(dp, d, sp.symbols(f"W0:{d * dp}", real=True))
    eps = sp.Symbol("epsilon")
    w_eps = wmat + eps * (v * u.T - wmat)
    risk = (w_eps * szz * w_eps.T).trace() - 2 * (syz * w_eps.T).trace()
    df = sp.expand(sp.diff(risk, eps).subs(eps, 0))
    return u, v, wmat, szz, syz, sp.Matrix([sp.diff(df, s) for s in u]), sp.Matrix([sp.diff(df, s) for s in v])


def _shape_error(fn, *args) -> str | None:
    return evaluate(fn, *args)[1]


def gradient_counterexample(f: Any) -> dict | None:
    """Smallest instance where the formula differs from ∇δf: d = d′ = 1, one data point, small
    integers."""
    u_, v_, wmat, szz, syz, gu, gv = true_gradient(1, 1)
    for zval, yval, wval, (uu, vv) in itertools.product((1, 2), (0, 1), (1, -1, 2), ((0, 1), (1, 0), (1, 1))):
        sub = {szz[0]: zval**2, syz[0]: yval * zval, wmat[0]: wval, u_[0]: uu, v_[0]: vv}
        got = f.gradient(sp.Matrix([[uu]]), sp.Matrix([[vv]]), sp.Matrix([[wval]]), szz.subs(sub), syz.subs(sub))
        truth = (gu.subs(sub)[0], gv.subs(sub)[0])
        if (sp.nsimplify(got[0][0]), sp.nsimplify(got[1][0])) != truth:
            return {"d": 1, "d'": 1, "data": f"one point z = {zval}, y = {yval}", "Sigma_UV": wval, "(u, v)": (uu, vv),
                    "nabla_W f (from delta f)": [str(t) for t in truth], "formula": [str(got[0][0]), str(got[1][0])]}
    return None


def check_gradient_symbolic(f: Any, ctx: Any) -> Outcome:
    """∇_{(u, v)} of the first variation of (21) (σ(s) = s, d = 2, d′ = 1 and d = 1, d′ = 2,
    symbolic data) against the formula; every printed product must be well typed."""
    steps = []
    metrics = {}
    for d, dp in ((2, 1), (1, 2)):
        u, v, wmat, szz, syz, gu, gv = true_gradient(d, dp)
        err = _shape_error(f.gradient, u, v, wmat.T, szz, syz)
        if err is not None:
            return Outcome(Status.FAIL, f"the formula is ill-typed for d = {d}, d' = {dp}", metrics,
                           counterexample={"d": d, "d'": dp, "error": err}, steps=steps)
        got_u, got_v = f.gradient(u, v, wmat.T, szz, syz)
        zt = zero_test(sp.Matrix.vstack(sp.Matrix(got_u) - gu, sp.Matrix(got_v) - gv))
        metrics[f"d={d},d'={dp}"] = _status(zt)
        steps.append(
            f"$d = {d}$, $d' = {dp}$: $\\delta f(\\alpha)(u, v) = \\partial_\\varepsilon f(W + \\varepsilon(vu^\\top - W))|_0$ "
            f"with $W = \\Sigma_{{VU}}$, the risk in moment form (proved from (21) with symbolic data); $\\nabla_u\\delta f = {sp.latex(sp.factor(gu[0]))}, \\dots$; formula − ∇δf: {_status(zt)}."
        )
        if zt.disproved:
            cex = gradient_counterexample(f) or {"point": zt.witness, "residual": zt.value}
            steps.append(f"Minimal instance: {cex}.")
            return Outcome(Status.FAIL, "the formula is not ∇[δf] (first variation of (21))", metrics, counterexample=cex, steps=steps)
        if not zt.proved:
            return Outcome(Status.INCONCLUSIVE, "simplification undecided", metrics, steps=steps)
    return Outcome(Status.PASS, "formula = ∇[δf(α)] exactly (σ(s) = s, symbolic data, d ≠ d′ both ways)", metrics, steps=steps)


def _velocity(act, act_prime, d: int, dp: int, n_data: int = 2):
    """−∇δf for a generic α: δf(α)(u, v) = (2/N)Σ_k ⟨r_k, v⟩σ(⟨u, z_k⟩), r_k = g_α(z_k) − y_k
    fixed symbols (the residuals of the current α)."""
    z = sp.Matrix(d, n_data, sp.symbols(f"z0:{d * n_data}", real=True))
    r = sp.Matrix(dp, n_data, sp.symbols(f"r0:{dp * n_data}", real=True))
    u = sp.Matrix(sp.symbols(f"u0:{d}", real=True))
    v = sp.Matrix(sp.symbols(f"v0:{dp}", real=True))
    delta = sum(2 * (r[:, k].T * v)[0] * act((u.T * z[:, k])[0]) for k in range(n_data)) / n_data
    vel = -sp.Matrix([sp.diff(delta, s) for s in list(u) + list(v)])
    return u, v, z, r, vel, delta


def check_closure_symbolic(f: Any, ctx: Any) -> Outcome:
    """The velocity −∇_W f(α) for the stated activation is a linear function of x = (u, v)
    (d = 2, d′ = 1, one symbolic data point and residual — δf is a sum over data points, so
    linearity for one point gives it for all): additivity w(p + q) = w(p) + w(q) and w(0) = 0.
    A linear velocity field has a linear flow map, and linear maps send N(0, Σ) to N(0, ΦΣΦᵀ)."""
    d, dp = 2, 1
    u, v, z, r, vel, delta = _velocity(f.activation, getattr(f, "activation_prime", None), d, dp, n_data=1)
    xs = list(u) + list(v)
    p = sp.symbols(f"p0:{d + dp}", real=True)
    q = sp.symbols(f"q0:{d + dp}", real=True)
    at = lambda pt: vel.subs(dict(zip(xs, pt)), simultaneous=True)
    additivity = at([a + b for a, b in zip(p, q)]) - at(p) - at(q)
    at0 = at([0] * (d + dp))
    # Signed rational points: ReLU is linear on each half-space, so points of one sign prove nothing.
    free = sorted(additivity.free_symbols | at0.free_symbols, key=str)
    rng = np.random.default_rng(ctx.check_seed())
    pts = [{s: sp.Rational(int(rng.integers(-9, 10)), int(rng.integers(1, 5))) for s in free} for _ in range(4)]
    # One point pinned on both sides of the data hyperplane (⟨p_u, z⟩ = 1, ⟨q_u, z⟩ = −2) with a
    # non-zero residual: a piecewise-linear activation cannot pass it by luck.
    pin = {s: sp.Integer(0) for s in free}
    pin.update({sp.Symbol("z0", real=True): 1, sp.Symbol("p0", real=True): 1, sp.Symbol("q0", real=True): -2,
                sp.Symbol(f"p{d}", real=True): 1, sp.Symbol(f"q{d}", real=True): 1, sp.Symbol("r0", real=True): 1})
    pts.insert(0, {k: v for k, v in pin.items() if k in free})
    zt, z0 = zero_test(additivity, pts), zero_test(at0, pts)
    steps = [
        f"$\\sigma = $ {f.name}; $\\delta f(\\alpha)(u, v) = \\frac2N\\sum_k\\langle r_k, v\\rangle\\sigma(\\langle u, z_k\\rangle)$ "
        f"with $r_k = g_\\alpha(z_k) - y_k$: $${sp.latex(delta)}$$",
        f"velocity $w = -\\nabla\\delta f$: additivity {_status(zt)}, $w(0) = 0$ {_status(z0)}.",
    ]
    metrics = {"additive": _status(zt), "zero_at_origin": _status(z0)}
    if zt.proved and z0.proved:
        steps.append("$w(x) = Bx$ for a matrix $B$ (depending on α only): the flow map is linear and $\\mathcal N(0, \\Sigma_0)$ stays centred Gaussian.")
        return Outcome(Status.PASS, f"the Wasserstein velocity is linear in (u, v) for σ = {f.name}: Gaussian closure", metrics, steps=steps)
    if zt.disproved or z0.disproved:
        bad = zt if zt.disproved else z0
        return Outcome(Status.FAIL, f"the Wasserstein velocity is not linear for σ = {f.name}: no Gaussian closure", metrics,
                       counterexample={"activation": f.name, "failed": "w(p + q) = w(p) + w(q)" if zt.disproved else "w(0) = 0", "point": bad.witness, "residual": bad.value}, steps=steps)
    return Outcome(Status.INCONCLUSIVE, "simplification undecided", metrics, steps=steps)


def check_ode_symbolic(f: Any, ctx: Any) -> Outcome:
    """The velocity −∇δf (derived from (21), symbolic data) is x ↦ Bx; the second moment of a
    linear flow obeys Σ̇ = BΣ + ΣBᵀ (d/dt E[xxᵀ] = E[ẋxᵀ + xẋᵀ]).  Compared with the printed
    right-hand side for a symbolic symmetric Σ whose Σ_VU is the W of f (d = 2, d′ = 1 and
    d = 1, d′ = 2)."""
    steps, metrics = [], {}
    for d, dp in ((2, 1), (1, 2)):
        u, v, wmat, szz, syz, gu, gv = true_gradient(d, dp)
        dim = d + dp
        sig = sp.Matrix(dim, dim, lambda i, j: sp.Symbol(f"s{min(i, j)}{max(i, j)}", real=True))
        sub = {wmat[i, j]: sig[d + i, j] for i in range(dp) for j in range(d)}
        vel = -sp.Matrix.vstack(gu, gv).subs(sub)
        xs = list(u) + list(v)
        b_true = vel.jacobian(xs)
        lin = zero_test(vel - b_true * sp.Matrix(xs))
        err = _shape_error(f.sigma_dot, sig, szz, syz)
        if err is not None:
            return Outcome(Status.FAIL, f"(23) is ill-typed for d = {d}, d' = {dp}", metrics, counterexample={"d": d, "d'": dp, "error": err}, steps=steps)
        truth = b_true * sig + sig * b_true.T
        zt = zero_test(sp.Matrix(f.sigma_dot(sig, szz, syz)) - truth)
        metrics[f"d={d},d'={dp}"] = _status(zt)
        steps.append(f"$d = {d}$, $d' = {dp}$: velocity linear ({_status(lin)}); $B = \\partial_x(-\\nabla\\delta f)$; "
                     f"printed $B\\Sigma + \\Sigma B^\\top$ minus the derived one: {_status(zt)}.")
        if zt.disproved or lin.disproved:
            wit = zt.witness if zt.disproved else lin.witness
            return Outcome(Status.FAIL, f"(23) differs from the second-moment ODE of the Wasserstein flow (d = {d}, d' = {dp})", metrics,
                           counterexample={"d": d, "d'": dp, "point": wit, "residual": zt.value}, steps=steps)
        if not zt.proved:
            return Outcome(Status.INCONCLUSIVE, "simplification undecided", metrics, steps=steps)
    return Outcome(Status.PASS, "(23) = the second-moment ODE of the flow −∇[δf] (symbolic data, d ≠ d′ both ways)", metrics, steps=steps)


def limit_counterexample(f: Any) -> dict | None:
    """Smallest square instance (d = d′ = 2, S_zz = Id or 2·Id, S_yz with one unit entry) where
    the formula differs from the minimiser's Σ_UV = (S_yz S_zz⁻¹)ᵀ."""
    for scale in (1, 2):
        for i, j in ((0, 1), (1, 0), (0, 0)):
            syz = sp.zeros(2, 2)
            syz[i, j] = 1
            szz = scale * sp.eye(2)
            got = sp.Matrix(f.limit_uv(szz, syz))
            truth = szz.inv() * syz.T
            if got != truth:
                return {"d": 2, "d'": 2, "S_zz": "Id" if scale == 1 else f"{scale} Id", "S_yz": syz.tolist(),
                        "Sigma_UV at the minimiser": truth.tolist(), "formula": got.tolist()}
    return None


def check_limit_symbolic(f: Any, ctx: Any) -> Outcome:
    """The minimiser of f(W) = (1/N)Σ|Wz_k − y_k|² (in moment form, proved from (21)) solves ∇_W f = 0:
    W = S_yz S_zz⁻¹, so Σ_UV,∞ = Wᵀ; compared with the formula (shape first, for d ≠ d′)."""
    steps = []
    for d, dp in ((2, 1), (1, 2), (2, 2)):
        if not risk_in_moments(d, dp):
            raise AssertionError("the moment form of the risk does not follow from (21)")
        szz, syz = _moments(d, dp)
        wmat = sp.Matrix(dp, d, sp.symbols(f"W0:{d * dp}", real=True))
        risk = (wmat * szz * wmat.T).trace() - 2 * (syz * wmat.T).trace()
        sol = sp.solve([sp.diff(risk, s) for s in wmat], list(wmat), dict=True)[0]
        w_star = wmat.subs(sol)
        expected_shape = (d, dp)
        err = _shape_error(f.limit_uv, szz, syz)
        if err is None:
            got = sp.Matrix(f.limit_uv(szz, syz))
            if got.shape != expected_shape:
                err = f"the formula is {got.shape[0]} x {got.shape[1]}, Sigma_UV is {d} x {dp}"
        if err is not None:
            steps.append(f"$d = {d}$, $d' = {dp}$: {err}.")
            cex = {"d": d, "d'": dp, "error": err}
            square = limit_counterexample(f)
            if square is not None:
                cex["square case"] = square
                steps.append(f"Even where the product is defined (d = d′ = 2) it is not the minimiser: {square}.")
            return Outcome(Status.FAIL, f"the formula for Σ_UV,∞ has the wrong shape for d = {d}, d' = {dp}", counterexample=cex, steps=steps)
        zt = zero_test(got - w_star.T)
        steps.append(f"$d = {d}$, $d' = {dp}$: $\\nabla_W f = 0 \\Rightarrow W = S_{{yz}}S_{{zz}}^{{-1}}$; formula − $W^\\top$: {_status(zt)}.")
        if zt.disproved:
            cex = limit_counterexample(f) or {"point": zt.witness, "residual": zt.value}
            return Outcome(Status.FAIL, "the formula is not the least-squares Σ_UV", counterexample=cex, steps=steps)
        if not zt.proved:
            return Outcome(Status.INCONCLUSIVE, "simplification undecided", steps=steps)
    return Outcome(Status.PASS, "Σ_UV,∞ of the formula = (S_yz S_zz⁻¹)ᵀ, the least-squares minimiser (symbolic data)", steps=steps)


def check_risk_symbolic(f: Any, ctx: Any) -> Outcome:
    """From (21) with σ(s) = s, two symbolic atoms with symbolic weight and symbolic data
    (d = 2, d′ = 1 and d = 1, d′ = 2): g_α(z_k) equals the formula's predictor with the
    atoms' Σ_UV, and f(α) minus the printed trace expression is the constant (1/N)Σ|y_k|²."""
    steps, metrics = [], {}
    a = sp.Symbol("w", positive=True)
    for d, dp in ((2, 1), (1, 2)):
        n_data = 2
        z = sp.Matrix(n_data, d, sp.symbols(f"z0:{d * n_data}", real=True))
        y = sp.Matrix(n_data, dp, sp.symbols(f"y0:{dp * n_data}", real=True))
        atoms_u = [sp.Matrix(sp.symbols(f"u{i}_0:{d}", real=True)) for i in range(2)]
        atoms_v = [sp.Matrix(sp.symbols(f"v{i}_0:{dp}", real=True)) for i in range(2)]
        w = (a, 1 - a)
        g = sp.Matrix.vstack(*[sum((w[i] * atoms_v[i] * (z[k, :] * atoms_u[i])[0] for i in range(2)), sp.zeros(dp, 1)).T for k in range(n_data)])
        s_uv = sum((w[i] * atoms_u[i] * atoms_v[i].T for i in range(2)), sp.zeros(d, dp))
        szz, syz = z.T * z / n_data, y.T * z / n_data
        got_g, err = evaluate(f.predictor, s_uv, z)
        risk, err_r = evaluate(f.risk, s_uv, szz, syz)
        err = err or err_r
        if err is not None:
            return Outcome(Status.FAIL, f"the printed expression is ill-typed for d = {d}, d' = {dp}", metrics, counterexample={"d": d, "d'": dp, "error": err}, steps=steps)
        got_g = sp.Matrix(got_g)
        fa = sum((g - y).applyfunc(lambda e: e**2)) / n_data
        zg = zero_test(got_g - g) if got_g.shape == g.shape else None
        zf = zero_test(sp.expand(fa - risk - sum(y.applyfunc(lambda e: e**2)) / n_data))
        metrics[f"d={d},d'={dp}"] = {"predictor": "shape mismatch" if zg is None else _status(zg), "risk": _status(zf)}
        steps.append(f"$d = {d}$, $d' = {dp}$, $\\alpha = w\\delta_{{x_1}} + (1-w)\\delta_{{x_2}}$: $g_\\alpha$ vs predictor: "
                     f"{'shape mismatch' if zg is None else _status(zg)}; $f(\\alpha) - $ printed trace form $- \\frac1N\\sum_k\\|y_k\\|^2$: {_status(zf)}.")
        if zg is None or zg.disproved or zf.disproved:
            bad = "g_alpha = Sigma_VU z" if (zg is None or zg.disproved) else "f = trace form + const"
            wit = None if zg is None else (zg.witness if zg.disproved else zf.witness)
            return Outcome(Status.FAIL, f"{bad} fails (d = {d}, d' = {dp})", metrics, counterexample={"failed": bad, "d": d, "d'": dp, "point": wit}, steps=steps)
        if not (zg.proved and zf.proved):
            return Outcome(Status.INCONCLUSIVE, "simplification undecided", metrics, steps=steps)
    return Outcome(Status.PASS, "g_α = Σ_VU z and f = Tr(Σ_VU S_zz Σ_UV) − 2Tr(S_yz Σ_UV) + (1/N)Σ|y|² exactly (d ≠ d′ both ways)", metrics, steps=steps)
