"""Property evidence (hypothesis) for otdiff §3.1–§3.3 and the comparison of §4.2.

Gaussian claims: hypothesis draws (Σ0, Σ1) in dimension 1–6 (commuting or not, condition
number ≤ 100) and t ∈ (0, 1).  Non-Gaussian claims: one-dimensional data, X0 ~ N(0, s²) and a
drawn Gaussian mixture for X1, where every density is explicit and integrals are computed by
trapezoidal quadrature on a wide grid (spectrally accurate for Gaussian tails).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from verify.algebra import NumpyAlgebra
from verify.claims import Outcome
from verify.linalg import brenier_map
from verify.mixtures import GaussianMixture, conditional_mean, log_density
from verify.properties import outcome, search_in
from verify.stats import EPS, rounding_tol
from verify.strategies import spd_matrices, spd_pairs

from theorems.flowmatching.simulation import _budget, flow_map

__all__ = [
    "check_conditioning_property",
    "check_weak_continuity_property",
    "check_convolution_property",
    "check_symmetry_property",
    "check_fm_vs_ot_property",
]

LA = NumpyAlgebra()


@st.composite
def gaussian_parameters(draw, min_dim: int = 1, max_dim: int = 6, commuting=None):
    d = draw(st.integers(min_dim, max_dim))
    s0, s1 = draw(spd_pairs(d, 100.0, commuting=commuting if d > 1 else True))
    return {"Sigma0": s0, "Sigma1": s1, "t": draw(st.floats(0.02, 0.98))}


GAUSS_PINNED = [
    {"Sigma0": np.array([[2.0]]), "Sigma1": np.array([[0.5]]), "t": 0.5},
    {"Sigma0": np.diag([1.0, 4.0]), "Sigma1": np.diag([9.0, 1.0]), "t": 0.3},
    {"Sigma0": np.array([[2.0, 0.6], [0.6, 0.5]]), "Sigma1": np.array([[1.0, -0.8], [-0.8, 2.5]]), "t": 0.7},
]


def check_conditioning_property(f: Any, ctx: Any) -> Outcome:
    """For drawn (Σ0, Σ1, t), d ≤ 6: the printed Σ_t equals Cov(Z_t) and the printed A_t equals
    Cov(D, Z_t)Cov(Z_t)^{-1}, both computed by numpy from the 2d-dimensional joint covariance;
    the printed pair satisfies Σ̇ = AΣ + ΣAᵀ, with Σ̇ by a central difference of the printed
    Σ_t (exact for a quadratic in t up to rounding, which the tolerance covers: ε‖Σ‖/h)."""

    def predicate(p):
        s0, s1, t = p["Sigma0"], p["Sigma1"], p["t"]
        d = len(s0)
        joint = np.block([[s0, np.zeros((d, d))], [np.zeros((d, d)), s1]])
        l_d = np.hstack([-np.eye(d), np.eye(d)])
        l_z = np.hstack([(1 - t) * np.eye(d), t * np.eye(d)])
        cov_z = l_z @ joint @ l_z.T
        gain = np.linalg.solve(cov_z.T, (l_d @ joint @ l_z.T).T).T
        sig = np.asarray(f.sigma_t(s0, s1, t, LA))
        a = np.asarray(f.a_t(s0, s1, t, LA))
        h = 1e-4
        sdot = (np.asarray(f.sigma_t(s0, s1, t + h, LA)) - np.asarray(f.sigma_t(s0, s1, t - h, LA))) / (2 * h)
        scale = float(np.linalg.norm(s0, 2) + np.linalg.norm(s1, 2))
        cond = float(np.linalg.cond(cov_z))
        tol = rounding_tol(scale, terms=8 * d, cond=cond)
        checks = {
            "Sigma_t = Cov(Z_t)": np.max(np.abs(sig - cov_z)) <= tol,
            "A_t = Cov(D,Z)Cov(Z)^-1": np.max(np.abs(a - gain)) <= rounding_tol(float(np.max(np.abs(gain))), terms=8 * d, cond=cond),
            "dSigma/dt = A Sigma + Sigma A^T": np.max(np.abs(sdot - a @ sig - sig @ a.T)) <= tol * cond + 8 * EPS * scale / h,
        }
        failed = [k for k, ok in checks.items() if not ok]
        return (not failed), ({"failed": ", ".join(failed)} if failed else {})

    res = search_in(ctx, gaussian_parameters(), predicate, pinned=GAUSS_PINNED)
    return outcome(res, "Gaussian conditioning and the covariance ODE")


@st.composite
def mixture_1d(draw):
    k = draw(st.integers(1, 3))
    raw = draw(st.lists(st.floats(0.2, 1.0), min_size=k, max_size=k))
    weights = np.array(raw) / sum(raw)
    means = np.array(draw(st.lists(st.floats(-3.0, 3.0), min_size=k, max_size=k)))[:, None]
    variances = np.array(draw(st.lists(st.floats(0.05, 2.0), min_size=k, max_size=k)))
    s0 = draw(st.floats(0.3, 2.0))
    return {
        "s0": s0,
        "weights": weights,
        "means": means[:, 0],
        "variances": variances,
        "t": draw(st.floats(0.1, 0.9)),
        "omega": draw(st.floats(0.2, 3.0)),
        "phase": draw(st.floats(0.0, 3.0)),
    }


MIX_PINNED = [
    {"s0": 1.0, "weights": np.array([1.0]), "means": np.array([0.0]), "variances": np.array([1.0]), "t": 0.5, "omega": 1.0, "phase": 0.0},
    {"s0": 1.0, "weights": np.array([0.5, 0.5]), "means": np.array([-2.0, 2.0]), "variances": np.array([0.1, 0.1]), "t": 0.7, "omega": 1.5, "phase": 0.5},
]


def _mix(p: dict) -> tuple[np.ndarray, GaussianMixture]:
    mix = GaussianMixture(p["weights"], p["means"][:, None], p["variances"][:, None, None])
    return np.array([[p["s0"] ** 2]]), mix


def check_weak_continuity_property(f: Any, ctx: Any) -> Outcome:
    """(2) in the weak sense with the field (7): for drawn 1-D data, t and test function
    φ(z) = sin(ωz + c),  d/dt ∫φ dα_t = ∫φ'(z) v_t(z) dα_t(z).  Left side: central difference
    of quadratures at t ± h with Richardson's error estimate (h and h/2); right side: quadrature
    of the Bayes field.  Tolerance: 4× the Richardson estimate plus the quadrature's rounding."""
    grid = np.linspace(-15.0, 15.0, 6001)
    dz = grid[1] - grid[0]

    def expect(t, g, s0, mix):
        dens = np.exp(log_density(grid[:, None], f.interpolant(t), s0, mix))
        return float(np.sum(g * dens) * dz), dens

    def predicate(p):
        s0, mix = _mix(p)
        t, om, c = p["t"], p["omega"], p["phase"]
        phi, dphi = np.sin(om * grid + c), om * np.cos(om * grid + c)
        d1 = (expect(t + 1e-3, phi, s0, mix)[0] - expect(t - 1e-3, phi, s0, mix)[0]) / 2e-3
        d2 = (expect(t + 5e-4, phi, s0, mix)[0] - expect(t - 5e-4, phi, s0, mix)[0]) / 1e-3
        lhs = d2 + (d2 - d1) / 3
        _, dens = expect(t, phi, s0, mix)
        v = conditional_mean(grid[:, None], f.interpolant(t), f.target(), s0, mix)[:, 0]
        rhs = float(np.sum(dphi * v * dens) * dz)
        tol = 4 * abs(d2 - d1) / 3 + 1e-9 * (1 + abs(om))
        if abs(lhs - rhs) <= tol:
            return True, {}
        return False, {"failed": "d/dt E phi(Z_t) = E phi'(Z_t) v_t(Z_t)", "lhs": lhs, "rhs": rhs, "tol": tol}

    res = search_in(ctx, mixture_1d(), predicate, pinned=MIX_PINNED, examples=(10, 50, 300))
    return outcome(res, "weak continuity equation with the field (7)")


def check_convolution_property(f: Any, ctx: Any) -> Outcome:
    """For drawn 1-D data and t: the density of (1−t)X0 + tX1 (a Gaussian mixture with
    components N(tμ_k, (1−t)²s² + t²v_k)) equals the numerical convolution, by quadrature, of
    the densities of the printed rescaled laws c₀X0 and c₁X1 (``scales``)."""
    grid = np.linspace(-20.0, 20.0, 4001)
    dy = grid[1] - grid[0]

    def predicate(p):
        s0, mix = _mix(p)
        t = p["t"]
        c0, c1 = f.scales(t)
        target = np.exp(log_density(grid[:, None], (1 - t, t), s0, mix))
        p0 = np.exp(-grid**2 / (2 * c0**2 * p["s0"] ** 2)) / np.sqrt(2 * np.pi * c0**2 * p["s0"] ** 2)
        zs = grid[::40]
        y = grid[:, None]
        p1 = np.exp(log_density((zs[None, :] - y).reshape(-1, 1), (0.0, c1), np.zeros((1, 1)), mix)).reshape(len(grid), len(zs))
        conv = np.sum(p0[:, None] * p1, axis=0) * dy
        err = float(np.max(np.abs(conv - target[::40])))
        tol = 1e-8 * float(np.max(target))
        if err <= tol:
            return True, {}
        return False, {"failed": "density of Z_t = convolution of the rescaled laws", "max_abs_difference": err, "tol": tol}

    res = search_in(ctx, mixture_1d(), predicate, pinned=MIX_PINNED, examples=(10, 50, 300))
    return outcome(res, "α_t = α0^(1−t) * α1^t")


def check_symmetry_property(f: Any, ctx: Any) -> Outcome:
    """For drawn non-commuting pairs (d = 2…6) and t: A_t is not symmetric, resolved far above
    rounding; for drawn Σ1 with Σ0 = Id: A_t is symmetric to rounding and the time-1 flow map
    equals the Brenier map Σ1^{1/2} within the integration budget."""

    @st.composite
    def params(draw):
        p = draw(gaussian_parameters(min_dim=2, commuting=False))
        p["Sigma1_alone"] = draw(spd_matrices(len(p["Sigma0"]), 100.0))
        return p

    def predicate(p):
        s0, s1, t, s1b = p["Sigma0"], p["Sigma1"], p["t"], p["Sigma1_alone"]
        d = len(s0)
        a = np.asarray(f.a_t(s0, s1, t, LA))
        tol = rounding_tol(float(np.linalg.norm(a)), terms=8 * d, cond=float(np.linalg.cond(s0) * np.linalg.cond(s1)))
        eye = np.eye(d)
        ai = np.asarray(f.a_t(eye, s1b, t, LA))
        phi = flow_map(f, eye, s1b)
        tm = brenier_map(eye, s1b)
        budget = _budget(lambda s: f.a_t(eye, s1b, s, LA), 1.0)
        checks = {
            "A_t not symmetric (non-commuting)": np.linalg.norm(a - a.T) > 100 * tol,
            "A_t symmetric (Sigma0 = Id)": np.linalg.norm(ai - ai.T) <= rounding_tol(float(np.linalg.norm(ai)), terms=8 * d, cond=float(np.linalg.cond(s1b))),
            "time-1 map = Brenier (Sigma0 = Id)": np.linalg.norm(phi - tm, 2) / np.linalg.norm(tm, 2) <= budget,
        }
        failed = [k for k, ok in checks.items() if not ok]
        return (not failed), ({"failed": ", ".join(failed)} if failed else {})

    res = search_in(ctx, params(), predicate, examples=(10, 50, 300))
    return outcome(res, "symmetry of A_t iff commuting; Σ0 = Id gives the Brenier map")


def check_fm_vs_ot_property(f: Any, ctx: Any) -> Outcome:
    """Fuzz 'coincide only when Σ0 and Σ1 commute' (d = 1…6): for commuting draws the time-1
    flow-matching map equals the Brenier map within the integration budget; for non-commuting
    draws it differs by more than 100 budgets.  A non-commuting pair whose maps coincide
    would be a counterexample to the printed sentence."""

    def predicate(p):
        s0, s1 = p["Sigma0"], p["Sigma1"]
        commute = np.linalg.norm(s0 @ s1 - s1 @ s0) <= 1e-9 * np.linalg.norm(s0) * np.linalg.norm(s1)
        phi = flow_map(f, s0, s1)
        tm = brenier_map(s0, s1)
        gap = float(np.linalg.norm(phi - tm, 2) / np.linalg.norm(tm, 2))
        budget = _budget(lambda s: f.a_t(s0, s1, s, LA), 1.0)
        ok = gap <= budget if commute else gap > 100 * budget
        if ok:
            return True, {}
        return False, {"failed": "maps coincide iff the covariances commute", "commute": bool(commute), "gap": gap, "budget": budget}

    res = search_in(ctx, gaussian_parameters(), predicate, pinned=GAUSS_PINNED, examples=(10, 50, 300))
    return outcome(res, "flow-matching map = OT map iff Σ0Σ1 = Σ1Σ0")
