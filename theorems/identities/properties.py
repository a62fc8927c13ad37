"""Property evidence (hypothesis) for the identity-level claims of mathai §4–§5 and otdiff §2.

hypothesis draws the parameters on coarse grids (tokens, matrices and data on (1/4)Z, times
k/8, Gaussian covariances from drawn spectra and rotations, so every draw satisfies the claim's
hypotheses), and shrinks a failure to a readable minimal counterexample; the minimal
counterexamples of :mod:`theorems.identities.derivation` are pinned first.  Identities are
judged within :func:`verify.stats.rounding_tol`; derivatives of the printed fields are taken by
complex-step differentiation (:func:`theorems.identities.simulation.complex_step_divergence`).
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

from verify.claims import Outcome
from verify.properties import SearchResult, outcome, search_in
from verify.stats import rounding_tol
from theorems.identities import formulas as F
from theorems.identities.simulation import H as _H
from theorems.identities.simulation import complex_step_divergence, complex_step_gradient

__all__ = [
    "check_attention_property",
    "check_mean_field_property",
    "check_regression_property",
    "check_family_property",
    "check_dacorogna_moser_property",
    "check_ls_problem_property",
    "check_ls_inversion_property",
]



def _search(ctx: Any, strategy, predicate: Callable[[Any], tuple[bool, dict]], *, pinned: list, examples: tuple[int, int, int]) -> SearchResult:
    """:func:`verify.properties.search_in` with the pinned examples evaluated first, directly: a
    failing pin is reported as is (pins are never shrunk), without starting hypothesis."""
    for i, p in enumerate(pinned):
        ok, info = predicate(p)
        if not ok:
            return SearchResult(True, i + 1, p, info)
    res = search_in(ctx, strategy, predicate, examples=examples)
    res.examples_run += len(pinned)
    return res


def _grid_matrix(v: list, rows: int, cols: int) -> np.ndarray:
    return np.array(v, dtype=float).reshape(rows, cols) / 4


def _matrix(rows: int, cols: int):
    """Matrices with entries on (1/4)Z in [−2, 2] (shrinking to 0)."""
    return st.lists(st.integers(-8, 8), min_size=rows * cols, max_size=rows * cols).map(functools.partial(_grid_matrix, rows=rows, cols=cols))


@st.composite
def _covariance(draw, d: int) -> np.ndarray:
    """SPD by construction: :math:`LL^\\top + \\mathrm{Id}/4`, L lower triangular on (1/4)Z in [−2, 2]
    (shrinks to Id/4)."""
    L = np.tril(draw(_matrix(d, d)))
    return L @ L.T + np.eye(d) / 4


@st.composite
def _attention_params(draw, max_p: int = 3):
    d = draw(st.integers(1, 2))
    P = draw(st.integers(1, max_p))
    return {"X": draw(_matrix(P, d)), "Q": draw(_matrix(d, d)), "K": draw(_matrix(d, d)), "V": draw(_matrix(d, d))}


def _pin_att(X, Q, K, V, **extra):
    return {"X": np.array(X, dtype=float), "Q": np.array(Q, dtype=float), "K": np.array(K, dtype=float), "V": np.array(V, dtype=float)} | extra


_ATT_PINNED = [
    _pin_att([[0.0], [1.0]], [[1.0]], [[1.0]], [[1.0]]),
    _pin_att([[1.0, 0.0], [0.0, 1.0]], np.eye(2), [[0.0, 1.0], [0.0, 0.0]], np.eye(2)),
]


def check_attention_property(f: Any, ctx: Any) -> Outcome:
    """Drawn tokens (P ≤ 3, d ≤ 2) and Q, K, V: M > 0 with rows summing to one;
    :math:`\\log M_{p,q} - \\log M_{p,1} = \\langle Qx[p], K(x[q] - x[1])\\rangle` (the printed
    normalised correlation, scores computed token by token); :math:`A_\\omega(X)_p` within the
    hull of the values along ±e_j (support function)."""

    def predicate(p):
        X, Q, K, V = p["X"], p["Q"], p["K"], p["V"]
        P = len(X)
        S = np.array([[X[a] @ Q.T @ K @ X[b] for b in range(P)] for a in range(P)])
        cond = 1.0 + float(np.max(np.abs(S)))
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            M = np.asarray(f.weights(X, Q, K), dtype=float)
            A = np.asarray(f.apply(X, Q, K, V), dtype=float)
            if not (np.all(np.isfinite(M)) and np.all(M > 0)):
                return False, {"failed": "M > 0", "M": M.tolist()}
            rows = np.abs(M.sum(axis=1) - 1)
            if np.max(rows) > rounding_tol(1.0, terms=P, cond=cond):
                return False, {"failed": "rows of M sum to 1", "row sums": M.sum(axis=1).tolist()}
            lr = np.log(M) - np.log(M[:, :1])
            ref = S - S[:, :1]
            if np.max(np.abs(lr - ref)) > rounding_tol(float(np.max(np.abs(ref))) + 1, terms=P, cond=cond):
                return False, {"failed": "M_pq/M_p1 = exp<Qx[p], K(x[q] − x[1])>", "log ratios": lr.tolist(), "printed": ref.tolist()}
        vals = X @ V.T
        scale = float(np.max(np.abs(vals))) + 1e-300
        for j in range(vals.shape[1]):
            for sgn in (1.0, -1.0):
                if np.max(sgn * A[:, j]) - np.max(sgn * vals[:, j]) > rounding_tol(scale, terms=P, cond=cond):
                    return False, {"failed": "A_p in the hull of the values", "A": A.tolist(), "values": vals.tolist()}
        return True, {}

    res = _search(ctx, _attention_params(), predicate, pinned=_ATT_PINNED, examples=(5, 20, 1000))
    return outcome(res, "M row-stochastic with the printed ratios, outputs in the hull")


@st.composite
def _mean_field_params(draw):
    p = draw(_attention_params())
    P = len(p["X"])
    return p | {"mult": draw(st.lists(st.integers(1, 3), min_size=P, max_size=P)), "perm": draw(st.permutations(list(range(P))))}


def check_mean_field_property(f: Any, ctx: Any) -> Outcome:
    """Drawn tokens, Q, K, V, multiplicities :math:`k_i` and a permutation σ: with
    :math:`\\mu = \\sum_ik_i\\delta_{x[i]}/\\sum_ik_i`, :math:`\\mathcal A_\\omega(\\mu)(x[i]) = A_\\omega(X^{(k)})_{i}`
    for the token list :math:`X^{(k)}` repeating x[i] k_i times (the printed operator depends on
    the tokens through μ only), and :math:`A_\\omega(X\\circ\\sigma) = A_\\omega(X)\\circ\\sigma`."""

    def predicate(p):
        X, Q, K, V, mult, perm = p["X"], p["Q"], p["K"], p["V"], p["mult"], p["perm"]
        Xk = np.repeat(X, mult, axis=0)
        first = np.concatenate([[0], np.cumsum(mult)[:-1]])
        S = (X @ Q.T) @ (X @ K.T).T
        cond = 1.0 + float(np.max(np.abs(S)))
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            mf = np.asarray(f.field(X, Q, K, V, F.EmpiricalMeasure(X, np.array(mult, dtype=float))), dtype=float)
            Ak = np.asarray(f.apply(Xk, Q, K, V), dtype=float)[first]
            A = np.asarray(f.apply(X, Q, K, V), dtype=float)
            Ap = np.asarray(f.apply(X[perm], Q, K, V), dtype=float)
        scale = float(np.max(np.abs(X @ V.T))) + 1.0
        tol = rounding_tol(scale, terms=int(sum(mult)), cond=cond)
        for what, diff in (("A(μ)(x[i]) = A(X with multiplicities)_i", mf - Ak), ("permutation equivariance", Ap - A[perm])):
            err = float(np.max(np.abs(diff))) if np.all(np.isfinite(diff)) else math.inf
            if not err <= tol:
                return False, {"failed": what, "max |difference|": err, "rounding bound": tol}
        return True, {}

    pinned = [dict(_ATT_PINNED[0], mult=[1, 2], perm=[0, 1]), dict(_ATT_PINNED[0], mult=[1, 1], perm=[1, 0]), dict(_ATT_PINNED[1], mult=[1, 1], perm=[0, 1])]
    res = _search(ctx, _mean_field_params(), predicate, pinned=pinned, examples=(5, 20, 1000))
    return outcome(res, "the mean-field operator depends on the tokens through μ only, and (13) is permutation equivariant")


@st.composite
def _regression_params(draw):
    d = draw(st.integers(1, 2))
    n = draw(st.integers(1, 3))
    return {"data": draw(_matrix(n, d)), "s": draw(st.integers(1, 7)) / 8, "z": draw(_matrix(1, d))[0]}


def check_regression_property(f: Any, ctx: Any) -> Outcome:
    """Drawn data (N ≤ 3 points, d ≤ 2), s ∈ {1/8, …, 7/8} and z: the pointwise first-order
    condition of the printed loss, :math:`\\sum_i\\rho_i(z)(c_i(z) - v^*(z)) = 0`, at the closed form
    :math:`v^* = (\\sum_iw_ix^i - z)/(1-s)` of (12), with :math:`\\rho_i` the density of the printed input
    given :math:`x^i` (:math:`x_0\\sim\\mathcal N(0, \\mathrm{Id})`) and :math:`c_i` the printed target at the
    :math:`x_0` it comes from."""

    def predicate(p):
        data, s, z = p["data"], p["s"], p["z"]
        d = data.shape[1]
        v = F.conditional_field_empirical(z[None], s, data)[0]
        logs, cs = [], []
        for xi in data:
            p0 = np.asarray(f.point(np.zeros(d), xi, s), dtype=float)
            a = float(np.asarray(f.point(np.ones(d), xi, s), dtype=float)[0] - p0[0])
            x0 = (z - p0) / a
            logs.append(-float(x0 @ x0) / 2 - d * math.log(abs(a)))
            cs.append(np.asarray(f.target(x0, xi), dtype=float))
        w = np.exp(np.array(logs) - max(logs))
        w /= w.sum()
        res = w @ (np.array(cs) - v)
        scale = float(np.max(np.abs(cs))) + float(np.max(np.abs(v))) + 1e-300
        tol = rounding_tol(scale, terms=4 * len(data), cond=1.0 + float(np.max(np.abs(logs))))
        if np.max(np.abs(res)) > tol:
            return False, {"failed": "first-order condition at (12)", "weighted residual": res.tolist(), "(12)": v.tolist(), "rounding bound": tol}
        return True, {}

    pinned = [{"data": np.array([[0.0]]), "s": 0.5, "z": np.array([1.0])}, {"data": np.array([[0.0]]), "s": 0.375, "z": np.array([1.0])}]
    res = _search(ctx, _regression_params(), predicate, pinned=pinned, examples=(5, 20, 1000))
    return outcome(res, "the printed loss is stationary at (12)")


def _family_params(domain: str):
    @st.composite
    def params(draw):
        d = draw(st.integers(1, 3))
        if domain == "isotropic":
            S = 2.0 ** (draw(st.integers(-2, 2)) / 2) * np.eye(d)
            m = np.zeros(d)
        else:
            S = draw(_covariance(d))
            m = draw(_matrix(1, d))[0]
        return {"mean": m, "cov": S, "G": draw(_matrix(d, d)), "b": draw(_matrix(1, d))[0], "x": draw(_matrix(1, d))[0]}

    return params()


def check_family_property(f: Any, ctx: Any) -> Outcome:
    """Drawn Gaussians of the claim's domain (d ≤ 3; covariances :math:`LL^\\top + \\mathrm{Id}/4`),
    generators G, b and points x: the member :math:`w = Bx + c` of the
    family satisfies :math:`\\operatorname{div}(\\alpha w)(x) = 0`, i.e.
    :math:`\\operatorname{tr}B - (\\Sigma^{-1}(x - m))\\cdot(Bx + c) = 0` to rounding."""

    def predicate(p):
        m, S, G, b, x = p["mean"], p["cov"], p["G"], p["b"], p["x"]
        B, c = (np.asarray(a, dtype=float) for a in f.modification(G, b, m, S))
        val = float(F.weighted_divergence_ratio(x, B, c, m, S)[0])
        y = np.linalg.solve(S, x - m)
        # the trace and the quadratic form are sums whose terms cancel: their sizes set the rounding
        scale = float(np.sum(np.abs(np.diag(B)))) + float(np.abs(y) @ (np.abs(B) @ np.abs(x) + np.abs(c))) + float(np.max(np.abs(B))) + 1e-300
        tol = rounding_tol(scale, terms=2 * len(m) ** 2, cond=float(np.linalg.cond(S)))
        if abs(val) > tol:
            return False, {"failed": "div(αw) = 0", "div(αw)/α": val, "rounding bound": tol, "B": B.tolist(), "c": c.tolist()}
        return True, {}

    pins = [{"mean": np.zeros(1), "cov": np.eye(1), "G": np.zeros((1, 1)), "b": np.ones(1), "x": np.ones(1)},
            {"mean": np.zeros(1), "cov": np.eye(1), "G": np.ones((1, 1)), "b": np.zeros(1), "x": np.ones(1)}]
    if f.domain != "isotropic":
        pins.append({"mean": np.zeros(2), "cov": np.diag([1.0, 2.0]), "G": np.array([[0.0, 1.0], [0.0, 0.0]]), "b": np.zeros(2), "x": np.ones(2)})
    res = _search(ctx, _family_params(f.domain), predicate, pinned=pins, examples=(5, 20, 1000))
    return outcome(res, "div(αw) = 0 for the members of the family")


@st.composite
def _dm_params(draw):
    s = 2.0 ** (draw(st.integers(-2, 2)) / 4)
    m = draw(_matrix(1, 2))[0]
    return {"m": m, "mdot": draw(_matrix(1, 2))[0], "s": s, "sdot": draw(st.integers(-4, 4)) / 4, "x": m + s * draw(_matrix(1, 2))[0]}


def check_dacorogna_moser_property(f: Any, ctx: Any) -> Outcome:
    """Drawn planar paths (m, ṁ, s, ṡ) and points x: :math:`\\partial_t\\alpha + \\operatorname{div}(\\alpha v) = 0`
    at x for v from (3), with :math:`\\nabla\\Delta^{-1}(\\partial_t\\alpha) = \\partial_t\\nabla N_t` (explicit
    Newtonian potential) and the divergence of the flux αv by complex steps; x = m is a point of
    the field (the (3) velocity is finite there)."""

    def predicate(p):
        m, md, s, sd, x = p["m"], p["mdot"], p["s"], p["sdot"], p["x"]

        def flux(y):
            a = np.exp(-np.sum((y - m) * (y - m), axis=-1) / (2 * s * s)) / (2 * math.pi * s * s)
            return a[..., None] * np.asarray(f.velocity(F.newton_gradient_dt(y, m, md, s, sd), a))

        if np.allclose(x, m):
            x = m + np.array([s / 8, 0.0])
        alpha = float(F.planar_gaussian_density(x[None], m, s)[0])
        r = x - m
        dalpha = alpha * (float(r @ md) / s**2 + sd * (float(r @ r) / s**3 - 2 / s))
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            div = float(complex_step_divergence(flux, x[None])[0])
            terms = np.abs(np.imag(np.asarray(flux(x[None] + np.diag([1j * _H, 1j * _H])))) / _H)
        if not math.isfinite(div):
            return False, {"failed": "div(αv) finite", "x": x.tolist()}
        scale = abs(dalpha) + float(np.sum(terms)) + 1e-300
        tol = rounding_tol(scale, terms=32, cond=1.0 + float(r @ r) / (2 * s * s))
        if abs(dalpha + div) > tol:
            return False, {"failed": "∂_tα + div(αv) = 0", "∂_tα": dalpha, "div(αv)": div, "rounding bound": tol, "x": x.tolist()}
        return True, {}

    pinned = [{"m": np.zeros(2), "mdot": np.array([1.0, 0.0]), "s": 1.0, "sdot": 0.0, "x": np.array([1.0, 0.0])}]
    res = _search(ctx, _dm_params(), predicate, pinned=pinned, examples=(5, 20, 1000))
    return outcome(res, "the (3) field solves the continuity equation on planar Gaussian paths")


@st.composite
def _path_params(draw):
    d = draw(st.integers(2, 3))
    path = F.GaussianPath(draw(_matrix(1, d))[0], draw(_matrix(1, d))[0], draw(_covariance(d)), draw(_covariance(d)))
    t = draw(st.integers(0, 8)) / 8
    return {"path": path, "t": t, "x": path.mean(t) + draw(_matrix(1, d))[0]}


def _path_pins() -> list[dict]:
    p = F.GaussianPath([0.0, 0.0], [1.0, -1.0], [[2.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [0.0, 3.0]])
    return [{"path": p, "t": 0.5, "x": p.mean(0.5)}, {"path": p, "t": 0.5, "x": p.mean(0.5) + np.array([1.0, 0.0])}]


def _continuity_parts(v_of: Callable[[np.ndarray], np.ndarray], p: dict) -> tuple[float, float, float]:
    """(div(αv)/α, ∂_t log α, scale) at the drawn point, by complex steps."""
    path, t, x = p["path"], p["t"], p["x"][None]
    v = np.real(np.asarray(v_of(x.astype(complex))))
    div_v = complex_step_divergence(v_of, x)
    gl = complex_step_gradient(lambda y: path.log_density(y, t), x)
    dlog = float(path.dt_log_density(x, t)[0])
    div_rel = float(div_v[0] + np.sum(gl * v))
    scale = abs(float(div_v[0])) + float(np.sum(np.abs(gl * v))) + abs(dlog) + 1e-300
    return div_rel, dlog, scale


def _cond(p: dict) -> float:
    S = p["path"].cov(p["t"])
    r = p["x"] - p["path"].mean(p["t"])
    return float(np.linalg.cond(S)) * (1.0 + float(r @ np.linalg.solve(S, r)))


def check_ls_problem_property(f: Any, ctx: Any) -> Outcome:
    """Drawn Gaussian paths (d = 2, 3; endpoint covariances :math:`LL^\\top + \\mathrm{Id}/4`), t and x: v = (5) with ψ the
    potential of the path satisfies the printed constraint of (4),
    :math:`\\operatorname{div}(\\alpha v) + \\partial_t\\alpha = 0` at x (divided by α; complex steps)."""

    def predicate(p):
        path, t = p["path"], p["t"]
        div_rel, dlog, scale = _continuity_parts(lambda y: f.optimal_field(path.grad_psi(y, t)), p)
        val = float(f.constraint(div_rel, dlog))
        tol = rounding_tol(scale, terms=4 * path.d**2, cond=_cond(p))
        if abs(val) > tol:
            return False, {"failed": "printed constraint of (4) at v = (5)", "constraint/α": val, "rounding bound": tol, "t": t, "x": p["x"].tolist(), "S0": path.S0.tolist(), "S1": path.S1.tolist()}
        return True, {}

    res = _search(ctx, _path_params(), predicate, pinned=_path_pins(), examples=(5, 20, 1000))
    return outcome(res, "(5) satisfies the constraint of (4) on Gaussian paths")


def check_ls_inversion_property(f: Any, ctx: Any) -> Outcome:
    """Drawn Gaussian paths, t and x: v from (6), with :math:`\\nabla\\Delta_\\alpha^{-1}(\\partial_t\\alpha) = -\\nabla\\psi_t`,
    satisfies the continuity equation (2) at x (divided by α; complex steps)."""

    def predicate(p):
        path, t = p["path"], p["t"]
        div_rel, dlog, scale = _continuity_parts(lambda y: f.velocity(-path.grad_psi(y, t), np.exp(path.log_density(y, t))), p)
        val = div_rel + dlog
        tol = rounding_tol(scale, terms=4 * path.d**2, cond=_cond(p))
        if not abs(val) <= tol:
            return False, {"failed": "continuity equation (2) with v from (6)", "(∂_tα + div(αv))/α": val, "rounding bound": tol, "t": t, "x": p["x"].tolist(), "S0": path.S0.tolist(), "S1": path.S1.tolist()}
        return True, {}

    res = _search(ctx, _path_params(), predicate, pinned=_path_pins(), examples=(5, 20, 1000))
    return outcome(res, "(6) solves the continuity equation on Gaussian paths")
