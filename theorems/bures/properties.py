"""Property evidence (hypothesis) for otdiff Proposition 4.3 and Theorem 4.2, Gaussian case.

hypothesis draws SPD pairs in dimension 1 to 3 (condition numbers up to 100, commuting or
not), times in (0, 1) and rotations U; every linear map that pushes N(0, Σ0) to N(0, Σ1) is
:math:`S_U = \\Sigma_1^{1/2} U \\Sigma_0^{-1/2}` with U orthogonal, so these are the competitors
of the printed map.  Any failure shrinks to a minimal counterexample.  Pinned examples: d = 1,
a commuting pair, identical measures.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from verify.algebra import NumpyAlgebra
from verify.claims import Outcome
from verify.linalg import bures_distance_sq, inv_sqrtm_sym, sqrtm_sym
from verify.properties import outcome, search_in
from verify.stats import rounding_tol
from verify.strategies import orthogonal_matrices, spd_pairs, times

__all__ = ["parameters", "PINNED", "check_optimal_among_linear_maps", "check_geodesic_least_energy"]

LA = NumpyAlgebra()
MAX_COND = 100.0


@st.composite
def parameters(draw):
    """(Σ0, Σ1, t, U) with d in 1..3."""
    d = draw(st.integers(1, 3))
    s0, s1 = draw(spd_pairs(d, MAX_COND))
    return {"Sigma0": s0, "Sigma1": s1, "t": draw(times()), "U": draw(orthogonal_matrices(d))}


PINNED = [
    {"Sigma0": np.array([[2.0]]), "Sigma1": np.array([[0.5]]), "t": 0.5, "U": np.array([[-1.0]])},
    {"Sigma0": np.diag([1.0, 4.0]), "Sigma1": np.diag([9.0, 1.0]), "t": 0.3, "U": np.eye(2)},
    {"Sigma0": np.array([[2.0, 0.5], [0.5, 1.0]]), "Sigma1": np.array([[2.0, 0.5], [0.5, 1.0]]), "t": 0.7, "U": np.array([[0.0, -1.0], [1.0, 0.0]])},
]


def _cost(s: np.ndarray, s0: np.ndarray) -> float:
    """E|X − SX|² = Tr((Id − S)Σ0(Id − S)ᵀ) for X ~ N(0, Σ0)."""
    m = np.eye(len(s0)) - s
    return float(np.trace(m @ s0 @ m.T))


def _scale(p: dict) -> tuple[float, float]:
    s0, s1 = p["Sigma0"], p["Sigma1"]
    cond = max(np.linalg.cond(s0), np.linalg.cond(s1))
    return float(np.trace(s0) + np.trace(s1)), float(cond)


def _run(ctx: Any, predicate, what: str) -> Outcome:
    res = search_in(ctx, parameters(), predicate, pinned=PINNED)
    return outcome(res, what, f"drawn (Σ0, Σ1, t, U), d ≤ 3, cond ≤ {MAX_COND:g}")


def check_optimal_among_linear_maps(f: Any, ctx: Any) -> Outcome:
    """For drawn pairs: the printed T is symmetric PSD with TΣ0Tᵀ = Σ1; its cost equals the
    printed W2²; no competitor S_U costs less; the printed Σ_t ends at Σ0 and Σ1.  Tolerances
    are the float64 rounding bound with the conditioning amplification κ²."""

    def predicate(p: dict) -> tuple[bool, dict]:
        s0, s1, u = p["Sigma0"], p["Sigma1"], p["U"]
        d = len(s0)
        scale, cond = _scale(p)
        tol = rounding_tol(scale, terms=4 * d, cond=cond**2)
        try:
            tm = np.asarray(f.map(s0, s1, LA))
            w2 = float(f.bures_sq(s0, s1, LA))
            g0 = np.asarray(f.geodesic_cov(s0, s1, 0.0, LA))
            g1 = np.asarray(f.geodesic_cov(s0, s1, 1.0, LA))
        except ValueError as exc:  # a wrong formula may produce an invalid matrix
            return False, {"failed": f"printed formula raised: {exc}"}
        competitor = sqrtm_sym(s1) @ u @ inv_sqrtm_sym(s0)
        tscale = scale * max(1.0, float(np.max(np.abs(tm))))
        checks = {
            "T Sigma0 T^T = Sigma1": float(np.max(np.abs(tm @ s0 @ tm.T - s1))) <= tol * max(1.0, float(np.max(np.abs(tm))) ** 2),
            "T symmetric": float(np.max(np.abs(tm - tm.T))) <= tol * tscale,
            "T positive semidefinite": float(np.min(np.linalg.eigvalsh((tm + tm.T) / 2))) >= -tol * tscale,
            "cost(T) = printed W2^2": abs(_cost(tm, s0) - w2) <= tol,
            "cost(T) <= cost(S_U)": _cost(tm, s0) <= _cost(competitor, s0) + tol,
            "Sigma_t(0) = Sigma0": float(np.max(np.abs(g0 - s0))) <= tol,
            "Sigma_t(1) = Sigma1": float(np.max(np.abs(g1 - s1))) <= tol * max(1.0, float(np.max(np.abs(tm))) ** 2),
        }
        failed = [name for name, ok in checks.items() if not ok]
        if failed:
            return False, {"failed": ", ".join(failed), "T": tm.tolist(), "printed W2^2": w2, "cost(T)": _cost(tm, s0), "cost(S_U)": _cost(competitor, s0)}
        return True, {}

    return _run(ctx, predicate, "T is the cheapest linear pushforward and W2² is its cost")


def check_geodesic_least_energy(f: Any, ctx: Any) -> Outcome:
    """For drawn (Σ0, Σ1, t, U): along (12), W2²(α0, α_t) = fraction(t)²·W2²(α0, α1) (closed
    form, :func:`verify.linalg.bures_distance_sq`); the velocity at the moved point is
    T(x) − x (V_tP_t = T − Id); the kinetic energy ∫Tr(V_tΣ_tV_tᵀ)dt (16-point Gauss–Legendre)
    equals W2² and does not exceed the energy E|S_U X − X|² of the straight-line path of any
    competitor map."""
    nodes, weights = np.polynomial.legendre.leggauss(16)
    ts, ws = (nodes + 1) / 2, weights / 2

    def predicate(p: dict) -> tuple[bool, dict]:
        s0, s1, t, u = p["Sigma0"], p["Sigma1"], p["t"], p["U"]
        d = len(s0)
        scale, cond = _scale(p)
        tol = rounding_tol(scale, terms=32 * d, cond=cond**2)
        try:
            tm = np.asarray(f.map(s0, s1, LA))
            pt = np.asarray(f.path_map(s0, s1, t, LA))
            vt = np.asarray(f.velocity(s0, s1, t, LA))
            energy = 0.0
            for s, w in zip(ts, ws):
                ps = np.asarray(f.path_map(s0, s1, s, LA))
                vs = np.asarray(f.velocity(s0, s1, s, LA))
                sig = ps @ s0 @ ps.T
                energy += w * float(np.trace(vs @ sig @ vs.T))
            sig_t = pt @ s0 @ pt.T
            w_t = bures_distance_sq(s0, (sig_t + sig_t.T) / 2)
        except ValueError as exc:
            return False, {"failed": f"printed formula raised: {exc}"}
        w_1 = bures_distance_sq(s0, s1)
        competitor = sqrtm_sym(s1) @ u @ inv_sqrtm_sym(s0)
        tscale = max(1.0, float(np.max(np.abs(tm))))
        checks = {
            "W2^2(alpha0, alpha_t) = fraction^2 W2^2": abs(w_t - f.geodesic_fraction(t) ** 2 * w_1) <= tol * tscale**2,
            "v_t(P_t x) = T x - x": float(np.max(np.abs(vt @ pt - (tm - np.eye(d))))) <= tol * tscale * np.linalg.cond(pt),
            "energy = W2^2": abs(energy - w_1) <= tol * tscale**2 * 16,
            "energy <= competitor energy": energy <= _cost(competitor, s0) + tol * tscale**2 * 16,
        }
        failed = [name for name, ok in checks.items() if not ok]
        if failed:
            return False, {"failed": ", ".join(failed), "energy": energy, "W2^2": w_1, "W2^2(alpha0, alpha_t)": w_t}
        return True, {}

    return _run(ctx, predicate, "the straight-line path is a constant-speed geodesic of least energy")
