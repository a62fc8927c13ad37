"""Property evidence (hypothesis) for otdiff §5.1–§5.2.

hypothesis draws Gaussians, time steps, potentials, discrete measures, kernels and mixtures;
every predicate compares the formula with a reference that does not use it (the flows' exact
solutions, scipy's minimiser, :mod:`verify.variation`) within a bound proved for the
reference (one-step consistency bounds of the form Cτ²) or a rounding/optimiser bound.  The
pinned examples come first: the smallest cases, where the mutants' slips show.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st
from scipy.optimize import minimize

from verify.claims import Outcome
from verify.linalg import bures_distance_sq, sqrtm_sym
from verify.properties import outcome, search_in
from verify.stats import EPS, rounding_tol
from verify.strategies import general_matrices, spd_matrices
from verify.variation import first_variation
from theorems.jko.simulation import affine_weights

__all__ = [
    "check_gaussian_step_property",
    "check_dirac_property",
    "check_variation_property",
    "check_heat_property",
]


def _f(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


# --- (13) -----------------------------------------------------------------------------------


@st.composite
def _gauss_case(draw) -> dict:
    kind = draw(st.sampled_from(("entropy-1d", "potential-1d", "entropy-2d")))
    p: dict[str, Any] = {"kind": kind, "ratio": draw(_f(1e-3, 0.25))}
    if kind == "entropy-2d":
        p["Sigma"] = draw(spd_matrices(2, 20.0))
    else:
        p["sigma"] = draw(_f(0.2, 3.0))
    if kind == "potential-1d":
        p |= {"q": draw(_f(0.2, 3.0)), "c": draw(_f(-2.0, 2.0)), "m": draw(_f(-2.0, 2.0))}
    return p


PINNED_13 = [
    {"kind": "entropy-1d", "ratio": 0.1, "sigma": 1.0},
    {"kind": "potential-1d", "ratio": 0.1, "sigma": 1.0, "q": 1.0, "c": 0.0, "m": 1.0},
    {"kind": "entropy-2d", "ratio": 0.1, "Sigma": np.array([[1.0, 0.3], [0.3, 0.5]])},
]


def _entropy_objective(a: float, b: float, sigma: np.ndarray, s: np.ndarray) -> float:
    """:math:`aW_2^2(\\mathcal N(0,\\Sigma), \\mathcal N(0, S)) + b f(\\mathcal N(0, S))`, f the negative entropy
    :math:`-\\frac12\\log\\det(2\\pi e S)`."""
    sign, logdet = np.linalg.slogdet(s)
    if sign <= 0:
        return math.inf
    return a * bures_distance_sq(sigma, s) - b * 0.5 * (logdet + len(s) * math.log(2 * math.pi * math.e))


def _stationary_2d(a: float, b: float, sigma: np.ndarray, s: np.ndarray) -> tuple[float, float]:
    """Largest central-difference derivative of the objective at S in the three symmetric
    directions, steps h and h/2 (Richardson), and the error bound of that estimate."""
    dirs = [np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[0.0, 0.0], [0.0, 1.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])]
    h = 1e-4 * float(np.linalg.eigvalsh(s)[0])
    worst, bound = 0.0, 0.0
    for e in dirs:
        d1 = (_entropy_objective(a, b, sigma, s + h * e) - _entropy_objective(a, b, sigma, s - h * e)) / (2 * h)
        d2 = (_entropy_objective(a, b, sigma, s + h / 2 * e) - _entropy_objective(a, b, sigma, s - h / 2 * e)) / h
        est = (4 * d2 - d1) / 3
        worst = max(worst, abs(est))
        scale = abs(_entropy_objective(a, b, sigma, s)) + a * float(np.trace(sigma + s)) + b
        bound = max(bound, abs(d2 - d1) + 64 * EPS * scale / (h / 2))
    return worst, bound


def check_gaussian_step_property(f: Any, ctx: Any) -> Outcome:
    """For drawn Gaussians and steps: the formula's step (13) (its weights read off the
    objective; the minimiser over Gaussians in closed form, and in d = 2 confirmed as a
    stationary point of the Bures objective by central differences) must agree with the flow
    to one step: for the entropy :math:`0 \\le \\lambda + 2\\tau - \\lambda' \\le \\tau^2/\\lambda` in every
    eigendirection (heat flow), for :math:`V = \\frac q2(x - c)^2` the mean and standard deviation
    within :math:`\\frac{(q\\tau)^2}{2}|m - c|` and :math:`\\frac{(q\\tau)^2}{2}\\sigma` of
    :math:`\\dot x = -q(x - c)` (:math:`0 \\le \\frac1{1+x} - e^{-x} \\le \\frac{x^2}2`)."""

    def predicate(p: dict) -> tuple[bool, dict]:
        kind = p["kind"]
        if kind == "entropy-2d":
            sigma = np.asarray(p["Sigma"], dtype=float)
            lam = np.linalg.eigvalsh(sigma)
            tau = p["ratio"] * float(lam[0])
        else:
            sig = p["sigma"]
            tau = p["ratio"] * (sig**2 if kind == "entropy-1d" else 1.0 / p["q"])
        a, b = affine_weights(f, tau)
        if not (a > 0 and b > 0):
            return False, {"failed": "the step has a minimiser", "tau": tau, "a": a, "b": b, "why": "b <= 0: J -> -inf as the Gaussian collapses" if b <= 0 else "a <= 0"}
        if kind == "entropy-1d":
            s = (sig + math.sqrt(sig**2 + 2 * b / a)) / 2
            defect = sig**2 + 2 * tau - s * s
            tol = rounding_tol(sig**2 + 2 * tau, terms=8)
            if -tol <= defect <= tau**2 / sig**2 + tol:
                return True, {}
            return False, {"failed": "0 <= sigma^2 + 2 tau - s^2 <= tau^2/sigma^2", "tau": tau, "step variance": s * s, "heat variance": sig**2 + 2 * tau, "bound": tau**2 / sig**2}
        if kind == "potential-1d":
            q, c, m = p["q"], p["c"], p["m"]
            mp = (2 * a * m + b * q * c) / (2 * a + b * q)
            sp_ = 2 * a * sig / (2 * a + b * q)
            e = math.exp(-q * tau)
            bm, bs = 0.5 * (q * tau) ** 2 * abs(m - c), 0.5 * (q * tau) ** 2 * sig
            tol = rounding_tol(abs(m) + abs(c) + sig, terms=8)
            em, es = abs(mp - (c + e * (m - c))), abs(sp_ - sig * e)
            if em <= bm + tol and es <= bs + tol:
                return True, {}
            return False, {"failed": "one-step consistency with xdot = -q(x - c)", "tau": tau, "step mean, sd": [mp, sp_], "flow mean, sd": [c + e * (m - c), sig * e], "bounds": [bm, bs]}
        lam_s, u = np.linalg.eigh(sigma)
        root = (sqrtm_sym(sigma) + sqrtm_sym(sigma + 2 * b / a * np.eye(2))) / 2
        step = root @ root
        g, gb = _stationary_2d(a, b, sigma, step)
        if g > gb:
            return False, {"failed": "the closed-form step is stationary for the objective (d = 2)", "largest derivative": g, "bound": gb}
        lam_new = np.einsum("ij,jk,ki->i", u.T, step, u)
        defect = lam_s + 2 * tau - lam_new
        tol = rounding_tol(float(lam_s.max()) + 2 * tau, terms=16, cond=float(lam_s.max() / lam_s.min()))
        if np.all(defect >= -tol) and np.all(defect <= tau**2 / lam_s + tol):
            return True, {}
        return False, {"failed": "0 <= lambda + 2 tau - lambda' <= tau^2/lambda (d = 2)", "tau": tau, "eigenvalues": lam_s.tolist(), "after the step": lam_new.tolist()}

    res = search_in(ctx, _gauss_case(), predicate, pinned=PINNED_13, examples=(12, 100, 600))
    return outcome(res, "one step of (13) agrees with the flow to O(τ²)", "drawn (Gaussian, τ, potential)")


# --- (14) -----------------------------------------------------------------------------------


@st.composite
def _dirac_case(draw) -> dict:
    a = draw(general_matrices(2, bound=1.0))
    return {"Q": (a + a.T) / 2 + np.eye(2), "beta": draw(_f(0.0, 1.0)), "gamma": draw(_f(0.0, 1.0)),
            "x0": np.array(draw(st.lists(_f(-2.0, 2.0), min_size=2, max_size=2))), "tau": draw(_f(0.01, 0.15))}


PINNED_14 = [
    {"Q": np.eye(2), "beta": 0.0, "gamma": 0.0, "x0": np.array([1.0, 0.0]), "tau": 0.1},
    {"Q": np.eye(2), "beta": 0.5, "gamma": 0.5, "x0": np.array([1.0, -1.0]), "tau": 0.1},
]


def _h_parts(p: dict):
    qm, be, ga = np.asarray(p["Q"], dtype=float), p["beta"], p["gamma"]

    def h(x):
        d = x[0] - x[1]
        return 0.5 * x @ qm @ x + be * (abs(d) + math.log1p(math.exp(-2 * abs(d))) - math.log(2)) + ga * math.cos(x[0])

    def grad(x):
        x = np.asarray(x, dtype=float)
        t = be * np.tanh(x[..., 0] - x[..., 1])
        g = x @ qm.T
        g[..., 0] += t - ga * np.sin(x[..., 0])
        g[..., 1] -= t
        return g

    def hess(x):
        s2 = be / math.cosh(x[0] - x[1]) ** 2
        return qm + np.array([[s2 - ga * math.cos(x[0]), -s2], [-s2, s2]])

    return h, grad, hess


def check_dirac_property(f: Any, ctx: Any) -> Outcome:
    """For drawn smooth h in d = 2 (:math:`\\frac12x^\\top Qx + \\beta\\log\\cosh(x_1 - x_2) + \\gamma\\cos x_1`,
    Q − Id drawn with entries in [−1, 1]), x(t) and τ ≤ 0.15 (so the objective of (14) is
    strictly convex, curvature ≥ 1/τ − 2): the minimiser of the formula's objective (scipy
    BFGS on the objective itself) and the formula's scheme step must both be the implicit Euler
    step :math:`x = x(t) - \\tau\\nabla h(x)` (Newton with the exact Hessian).  Tolerance: the
    minimiser's gradient norm over the curvature bound, plus the central-difference error."""

    def predicate(p: dict) -> tuple[bool, dict]:
        h, grad, hess = _h_parts(p)
        x0, tau = np.asarray(p["x0"], dtype=float), p["tau"]
        x = x0.copy()
        for _ in range(50):
            step = np.linalg.solve(np.eye(2) + tau * hess(x), x - x0 + tau * grad(x))
            x = x - step
            if np.abs(step).max() <= 1e-15 * (1 + np.abs(x).max()):
                break
        truth = x
        fun = lambda z: float(f.objective(z, x0, tau, h(z)))

        def jac(z, e=1e-6):
            return np.array([(fun(z + e * d) - fun(z - e * d)) / (2 * e) for d in np.eye(2)])

        res = minimize(fun, x0, jac=jac, method="BFGS", options={"gtol": 1e-10})
        mu = 1 / tau - 2.0 - 2 * float(np.abs(np.asarray(p["Q"]) - np.eye(2)).max())
        g_bound = np.linalg.norm(jac(res.x)) + 1e-6 * (1 / tau + 10)
        tol_min = g_bound / max(mu, 1e-12) + rounding_tol(float(np.abs(truth).max()) + 1, terms=16, cond=10.0)
        scheme = np.asarray(f.euler_step(x0[None, :], tau, grad), dtype=float)[0]
        tol_scheme = rounding_tol(float(np.abs(truth).max()) + 1, terms=32, cond=10.0) + 1e-13 * (1 + float(np.abs(truth).max()))
        bad = {}
        if not np.all(np.isfinite(res.x)) or np.abs(res.x - truth).max() > tol_min:
            bad["argmin of (14)"] = res.x.tolist()
        if np.abs(scheme - truth).max() > tol_scheme:
            bad["formula's scheme step"] = scheme.tolist()
        if not bad:
            return True, {}
        return False, {"failed": "argmin (14) = scheme = implicit Euler step", "implicit Euler": truth.tolist(), "tolerance (argmin)": tol_min} | bad

    res = search_in(ctx, _dirac_case(), predicate, pinned=PINNED_14, examples=(12, 80, 500))
    return outcome(res, "(14)'s minimiser is the implicit Euler step", "drawn (h, x(t), τ)")


# --- §5.1 -----------------------------------------------------------------------------------


@st.composite
def _variation_case(draw) -> dict:
    n = draw(st.integers(1, 4))
    raw = draw(st.lists(_f(0.1, 1.0), min_size=n, max_size=n))
    return {
        "atoms": np.array(draw(st.lists(_f(-2.0, 2.0), min_size=n, max_size=n))),
        "weights": np.array(raw) / sum(raw),
        "x": draw(_f(-3.0, 3.0)),
        "v": draw(st.lists(_f(-1.0, 1.0), min_size=3, max_size=3)),
        "k": [draw(_f(0.2, 2.0)), draw(_f(-1.0, 1.0))],
        "q": draw(_f(0.2, 2.0)),
        "gamma_frac": draw(_f(0.0, 0.9)),
        "tau": draw(_f(1e-3, 0.1)),
    }


PINNED_51 = [
    {"atoms": np.array([0.0]), "weights": np.array([1.0]), "x": 1.0, "v": [0.0, 0.0, 0.0], "k": [1.0, 0.0], "q": 1.0, "gamma_frac": 0.0, "tau": 0.01},
    {"atoms": np.array([-1.0, 1.0]), "weights": np.array([0.5, 0.5]), "x": 0.5, "v": [1.0, 0.5, 0.5], "k": [1.0, 0.5], "q": 1.0, "gamma_frac": 0.5, "tau": 0.05},
]


def check_variation_property(f: Any, ctx: Any) -> Outcome:
    """For drawn discrete α (1–4 atoms), potentials :math:`V = v_1x + v_2x^2 + v_3\\cos x`, kernels
    :math:`e^{-\\beta(x-y)^2} + \\gamma xy^2` (not symmetric) and points x: the formula's δf must
    match :func:`verify.variation.first_variation` (the printed expansion, exact for these f) up to
    :math:`\\int\\delta f\\,d\\alpha`; and for a convex :math:`V = \\frac q2x^2 + \\gamma\\cos x`
    (γ < q) the JKO step's velocity :math:`(\\mathrm{prox}_{\\tau V}(x) - x)/\\tau` must be
    :math:`-\\nabla_W f(x)` within :math:`L\\tau|V'(\\mathrm{prox}_{\\tau V}(x))|`, L = q + γ."""

    def predicate(p: dict) -> tuple[bool, dict]:
        atoms, w, x = p["atoms"][:, None], p["weights"], np.array([[p["x"]]])
        v1, v2, v3 = p["v"]
        vf = lambda z: v1 * z + v2 * z**2 + v3 * np.cos(z)
        ref = first_variation(lambda z, ww: float(np.sum(ww * vf(z[:, 0]))), atoms, w, x)[0]
        got = float(f.delta_potential(vf(x[0, 0]))) - float(np.sum(w * np.asarray(f.delta_potential(vf(atoms[:, 0])), dtype=float)))
        tol = rounding_tol(8.0 + 2 * 9.0, terms=8)
        if abs(got - ref) > tol:
            return False, {"failed": "delta f of int V d alpha", "formula": got, "expansion": ref}
        beta, gam = p["k"]
        kf = lambda a, b: np.exp(-beta * (a - b) ** 2) + gam * a * b**2
        kref = first_variation(lambda z, ww: float(ww @ kf(z[:, 0][:, None], z[:, 0][None, :]) @ ww), atoms, w, x)[0]

        def dk(pts):
            return np.asarray(f.delta_interaction(kf(pts[:, None], atoms[:, 0][None, :]), kf(atoms[:, 0][None, :], pts[:, None]), w), dtype=float)

        kgot = float(dk(x[0])[0]) - float(w @ dk(atoms[:, 0]))
        if abs(kgot - kref) > rounding_tol(40.0, terms=32):
            return False, {"failed": "delta f of the interaction energy", "formula": kgot, "expansion": kref}
        q, gm, tau, x0 = p["q"], p["gamma_frac"] * p["q"], p["tau"], p["x"]
        dv = lambda z: q * z - gm * math.sin(z)
        y = x0
        for _ in range(60):
            step = (y - x0 + tau * dv(y)) / (1 + tau * (q - gm * math.cos(y)))
            y -= step
            if abs(step) <= 1e-15 * (1 + abs(y)):
                break
        vel = (y - x0) / tau
        form = -float(f.grad_w(dv(x0)))
        bound = (q + gm) * tau * abs(dv(y)) + rounding_tol(abs(x0) + 1, terms=8) / tau
        if abs(vel - form) <= bound:
            return True, {}
        return False, {"failed": "JKO step velocity = -grad_W f", "V": f"{q:g} x^2/2 + {gm:g} cos x", "x": x0, "tau": tau, "(prox - x)/tau": vel, "-grad_W f": form, "bound": bound}

    res = search_in(ctx, _variation_case(), predicate, pinned=PINNED_51, examples=(20, 100, 800))
    return outcome(res, "δf from the expansion and −∇_W f as the JKO velocity", "drawn (α, V, k, x, τ)")


# --- Theorem 5.1 ------------------------------------------------------------------------------


@st.composite
def _heat_case(draw) -> dict:
    k = draw(st.integers(1, 3))
    raw = draw(st.lists(_f(0.2, 1.0), min_size=k, max_size=k))
    return {
        "weights": np.array(raw) / sum(raw),
        "means": np.array(draw(st.lists(_f(-3.0, 3.0), min_size=k, max_size=k))),
        "variances": np.array(draw(st.lists(_f(0.1, 2.0), min_size=k, max_size=k))),
        "t": draw(_f(0.01, 1.0)),
        "x": draw(_f(-4.0, 4.0)),
        "sigma": draw(_f(0.2, 3.0)),
        "ratio": draw(_f(1e-3, 0.25)),
    }


PINNED_HEAT = [
    {"weights": np.array([1.0]), "means": np.array([0.0]), "variances": np.array([1.0]), "t": 0.5, "x": 0.0, "sigma": 1.0, "ratio": 0.1},
    {"weights": np.array([0.5, 0.5]), "means": np.array([-1.0, 1.0]), "variances": np.array([0.1, 0.5]), "t": 0.2, "x": 0.5, "sigma": 0.5, "ratio": 0.2},
]


def _mix_d2(p: dict, var: np.ndarray, x: float) -> tuple[float, float]:
    """Mixture density and its second derivative at x (components N(μ_k, var_k))."""
    z2 = (x - p["means"]) ** 2 / var
    phi = p["weights"] * np.exp(-z2 / 2) / np.sqrt(2 * math.pi * var)
    return float(phi.sum()), float(np.sum(phi * (z2 - 1) / var))


def check_heat_property(f: Any, ctx: Any) -> Outcome:
    """For drawn mixtures, times and points: the formula's solution (variances grown by its
    kernel variance) must satisfy the Wasserstein gradient flow of the entropy,
    :math:`\\partial_t\\rho = \\operatorname{div}(\\rho\\nabla\\log\\rho) = \\rho''` (exact for the mixture;
    :math:`\\partial_t` by central differences in t, Richardson budget); and for drawn σ, τ the exact
    JKO step of (13) on :math:`\\mathcal N(0,\\sigma^2)`, variance :math:`s^2`,
    :math:`s = (\\sigma + \\sqrt{\\sigma^2 + 4\\tau})/2`, must be within :math:`\\tau^2/\\sigma^2` of the
    formula's Gaussian solution :math:`\\sigma^2 + \\kappa(\\tau)`."""

    def predicate(p: dict) -> tuple[bool, dict]:
        t, x = p["t"], p["x"]
        kv = lambda tt: float(f.kernel_variance(tt))
        h = 1e-3 * t
        if np.any(p["variances"] + kv(t + h) <= 0) or np.any(p["variances"] + kv(t - h) <= 0):
            return False, {"failed": "the formula's solution exists at t", "kernel variance": kv(t), "smallest variance": float(p["variances"].min())}
        dens = lambda tt: _mix_d2(p, p["variances"] + kv(tt), x)[0]
        d1 = (dens(t + h) - dens(t - h)) / (2 * h)
        d2 = (dens(t + h / 2) - dens(t - h / 2)) / h
        dt = (4 * d2 - d1) / 3
        rho, lap = _mix_d2(p, p["variances"] + kv(t), x)
        bound = abs(d2 - d1) + 64 * EPS * (rho + 1) / (h / 2) + rounding_tol(abs(lap) + rho, terms=8)
        if abs(dt - lap) > bound:
            return False, {"failed": "d rho/dt = div(rho grad log rho) = rho''", "d rho/dt (formula's solution)": dt, "rho''": lap, "bound": bound}
        sig = p["sigma"]
        tau = p["ratio"] * sig**2
        s = (sig + math.sqrt(sig**2 + 4 * tau)) / 2
        gap = abs(s * s - sig**2 - kv(tau))
        if gap <= tau**2 / sig**2 + rounding_tol(sig**2 + 2 * tau, terms=8):
            return True, {}
        return False, {"failed": "one JKO step of (13) within tau^2/sigma^2 of the formula", "sigma": sig, "tau": tau, "JKO variance": s * s, "formula variance": sig**2 + kv(tau)}

    res = search_in(ctx, _heat_case(), predicate, pinned=PINNED_HEAT, examples=(20, 100, 800))
    return outcome(res, "the formula's solution is the Wasserstein gradient flow of the entropy", "drawn (mixture, t, x, σ, τ)")
