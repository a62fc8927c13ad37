"""Property evidence (hypothesis) for otdiff §4.1; every failure shrinks to a minimal example.

Drawn parameters are generated to satisfy the hypotheses: 1-D laws from four closed-form
families with parameters on a grid, quantile levels in (0, 1); Gaussian pairs from
:func:`verify.strategies.spd_pairs` (d ≤ 3, condition number ≤ 100); sign patterns and
orthogonal matrices for the competing pushforwards; small rational point clouds for (9)–(10).
Pinned examples (run first, as ``@example``): the smallest pairs on which a slip shows.
Tolerances are float64 rounding bounds (:func:`verify.stats.rounding_tol`) with the
conditioning amplification stated where it is used.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from hypothesis import strategies as st

from theorems.brenier import formulas as F
from theorems.bures.formulas import Prop43
from verify.algebra import NumpyAlgebra
from verify.claims import Outcome
from verify.linalg import inv_sqrtm_sym, sqrtm_sym
from verify.properties import outcome, search_in
from verify.stats import rounding_tol
from verify.strategies import orthogonal_matrices, spd_pairs

__all__ = [
    "laws",
    "check_rearrangement_property",
    "check_brenier_property",
    "check_monotone_property",
    "check_kantorovich_property",
]

LA = NumpyAlgebra()
MAX_COND = 100.0
#: hypothesis examples per fidelity (quick, standard, thorough): the pinned examples carry the
#: minimal counterexamples, the drawn ones the breadth
EXAMPLES = (6, 50, 500)
_half = st.integers(1, 8).map(lambda j: j / 2)


def laws() -> st.SearchStrategy[F.Law1D]:
    """1-D laws with closed-form CDF and quantile: U[a, a + w], F(x) = x^k on [0, 1], Exp(λ),
    N(m, s²), parameters on the grid ½ℤ; shrinks towards U[0, 1/2]."""
    return st.one_of(
        st.builds(lambda a, w: F.uniform(a / 2, a / 2 + w), st.integers(-4, 4), _half),
        st.builds(F.power, _half),
        st.builds(F.exponential, _half),
        st.builds(lambda m, s: F.normal(m / 2, s), st.integers(-4, 4), _half),
    )


# --- one dimension ---------------------------------------------------------------------------------


@st.composite
def _rearrangement_params(draw):
    levels = draw(st.lists(st.floats(0.01, 0.99, allow_nan=False), min_size=2, max_size=5, unique=True))
    return {"law0": draw(laws()), "law1": draw(laws()), "u": sorted(levels)}


_PINNED_1D = [
    {"law0": F.uniform(0, 1), "law1": F.power(2), "u": [0.25, 0.75]},
    {"law0": F.exponential(1), "law1": F.normal(0, 1), "u": [0.3, 0.6, 0.9]},
]


def _perms(k: int) -> np.ndarray:
    return np.array(list(itertools.permutations(range(k))))


def check_rearrangement_property(f: Any, ctx: Any) -> Outcome:
    """For drawn laws and points x_1 < … < x_k of supp α0: T(x) lies in supp α1, T is
    nondecreasing, :math:`F_1(T(x)) = F_0(x)` (the pushforward identity of a nondecreasing
    map), and the matching x_i ↦ T(x_i) is the cheapest of all k! matchings (cyclical
    monotonicity)."""

    def predicate(p: dict) -> tuple[bool, dict]:
        law0, law1 = p["law0"], p["law1"]
        x = law0.quantile(np.array(p["u"]))
        try:
            t = np.asarray(f.map_1d(x, law0, law1), dtype=float)
        except ValueError as exc:
            return False, {"failed": f"the printed map raised: {exc}"}
        info = {"x": x.tolist(), "T(x)": t.tolist()}
        if not np.all(np.isfinite(t)):
            return False, info | {"failed": "T(x) is not finite"}
        lo, hi = law1.support
        slack = rounding_tol(max(1.0, float(np.max(np.abs(t)))), terms=4)
        if np.any((t < lo - slack) | (t > hi + slack)):
            return False, info | {"failed": f"T(x) outside the support {law1.support} of α1"}
        scale = max(1.0, float(np.max(np.abs(t))))
        if np.any(np.diff(t) < -rounding_tol(scale, terms=8)):
            return False, info | {"failed": "T is not nondecreasing"}
        resid = np.abs(law1.cdf(np.clip(t, lo, hi)) - law0.cdf(x))
        tol = rounding_tol(1.0, terms=8) * (1.0 + np.abs(t) * law1.pdf(np.clip(t, lo, hi)) + np.abs(x) * law0.pdf(x))
        if np.any(resid > tol):
            return False, info | {"failed": "F1(T(x)) ≠ F0(x): T does not push α0 to α1", "F1(T(x)) - F0(x)": float(np.max(resid))}
        perms = _perms(len(x))
        costs = np.sum((x[None, :] - t[perms]) ** 2, axis=1)
        ident = float(np.sum((x - t) ** 2))
        if ident > float(costs.min()) + rounding_tol(float(np.sum(x**2 + t**2)), terms=2 * len(x)):
            return False, info | {"failed": "another matching is cheaper (not cyclically monotone)", "identity": ident, "best": float(costs.min())}
        return True, {}

    res = search_in(ctx, _rearrangement_params(), predicate, pinned=_PINNED_1D, examples=EXAMPLES)
    return outcome(res, "T = F1⁻¹∘F0 is increasing, pushes α0 to α1 and is cyclically monotone", "drawn pairs of laws and points")


# --- Theorem 4.1 -----------------------------------------------------------------------------------


@st.composite
def _gaussian_params(draw):
    d = draw(st.integers(1, 3))
    s0, s1 = draw(spd_pairs(d, MAX_COND))
    return {"Sigma0": s0, "Sigma1": s1, "eps": draw(st.lists(st.booleans(), min_size=d, max_size=d)), "U": draw(orthogonal_matrices(d))}


def _rot(theta: float) -> np.ndarray:
    return np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])


_PINNED_GAUSS = [
    {"Sigma0": np.eye(1), "Sigma1": np.eye(1), "eps": [True], "U": np.eye(1)},
    {"Sigma0": np.eye(2), "Sigma1": np.eye(2), "eps": [False, False], "U": _rot(0.5)},
]


def _cost(a: np.ndarray, s0: np.ndarray) -> float:
    m = np.eye(len(s0)) - a
    return float(np.trace(m @ s0 @ m.T))


def check_brenier_property(f: Any, ctx: Any) -> Outcome:
    """For drawn (Σ0, Σ1, ε, U): the symmetric pushforward
    :math:`A_\\varepsilon = \\Sigma_0^{-1/2}Q\\,\\mathrm{diag}(\\varepsilon\\sqrt\\lambda)Q^\\top\\Sigma_0^{-1/2}`
    (ε = ± pattern; a gradient) and :math:`S_U = A_+\\Sigma_0^{1/2}U\\Sigma_0^{-1/2}` (a pushforward,
    a gradient only when symmetric).  Whichever is admissible for the theorem's class must be the
    printed map of Proposition 4.3 (uniqueness) and cost no more than the other (optimality).
    Tolerances: rounding with the amplification κ² of the square roots."""

    def predicate(p: dict) -> tuple[bool, dict]:
        s0, s1, u = p["Sigma0"], p["Sigma1"], p["U"]
        eps = np.array([-1.0 if e else 1.0 for e in p["eps"]])
        r0, ir0 = sqrtm_sym(s0), inv_sqrtm_sym(s0)
        lam, q = np.linalg.eigh(r0 @ s1 @ r0)
        root = np.sqrt(np.clip(lam, 0.0, None))
        a_eps = ir0 @ (q * (eps * root)) @ q.T @ ir0
        a_eps = (a_eps + a_eps.T) / 2
        a_plus = ir0 @ (q * root) @ q.T @ ir0
        s_u = ((a_plus + a_plus.T) / 2) @ r0 @ u @ ir0
        printed = np.asarray(Prop43().map(s0, s1, LA))
        cond = float(max(np.linalg.cond(s0), np.linalg.cond(s1)))
        scale = max(1.0, float(np.linalg.norm(printed, 2)))
        tol = rounding_tol(scale, terms=8, cond=cond)
        costs = {"A_eps": _cost(a_eps, s0), "S_U": _cost(s_u, s0)}
        for name, w in (("A_eps", a_eps), ("S_U", s_u)):
            try:
                ok = f.admissible(w, tol * max(1.0, float(np.linalg.norm(w, 2))))
            except (ValueError, TypeError) as exc:
                return False, {"failed": f"admissible() raised: {exc}"}
            if not ok:
                continue
            if float(np.max(np.abs(w - printed))) > tol * cond * scale:
                return False, {"failed": f"{name} is admissible and pushes α0 to α1 but is not the Brenier map (uniqueness fails)", name: w.tolist(),
                               "Proposition 4.3 map": printed.tolist(), "cost": costs[name], "cost of the Proposition 4.3 map": _cost(printed, s0)}
            if costs[name] > min(costs.values()) + tol * cond * scale**2:
                return False, {"failed": f"the admissible {name} is not the cheapest pushforward", "costs": costs}
        return True, {}

    res = search_in(ctx, _gaussian_params(), predicate, pinned=_PINNED_GAUSS, examples=EXAMPLES)
    return outcome(res, "the only admissible pushforward is the cheapest one, Proposition 4.3's map", f"drawn (Σ0, Σ1, ε, U), d ≤ 3, cond ≤ {MAX_COND:g}")


# --- §4.1: monotonicity ----------------------------------------------------------------------------


@st.composite
def _monotone_params(draw):
    d = draw(st.integers(1, 3))
    s0, s1 = draw(spd_pairs(d, MAX_COND))
    pts = st.lists(st.integers(-16, 16).map(lambda v: v / 4), min_size=d, max_size=d)
    return {"Sigma0": s0, "Sigma1": s1, "x": np.array(draw(pts)), "y": np.array(draw(pts)), "theta": draw(st.floats(-math.pi, math.pi, allow_nan=False))}


_PINNED_MONO = [
    {"Sigma0": np.eye(1), "Sigma1": np.eye(1), "x": np.array([1.0]), "y": np.array([0.0]), "theta": 0.5},
    {"Sigma0": np.array([[2.0, 0.6], [0.6, 0.5]]), "Sigma1": np.array([[1.0, -0.8], [-0.8, 2.5]]), "x": np.array([1.0, 0.0]), "y": np.array([0.0, 1.0]), "theta": 0.5},
]


def check_monotone_property(f: Any, ctx: Any) -> Outcome:
    """For drawn (Σ0, Σ1, x, y, θ): the printed map A is symmetric and positive semidefinite
    (T = ∇φ, φ = ½xᵀAx convex), pushes Σ0 to Σ1, and the printed pairing
    ⟨T(x) − T(y), x − y⟩ is ≥ 0; the rotation R_θ with cos θ > 0, sin θ ≠ 0 is monotone by
    the printed pairing but not symmetric, so the formula must deny the converse in d = 2 (and
    grant it in d = 1)."""

    def predicate(p: dict) -> tuple[bool, dict]:
        s0, s1, x, y, theta = p["Sigma0"], p["Sigma1"], p["x"], p["y"], p["theta"]
        try:
            a = np.asarray(f.gaussian_map(s0, s1, LA), dtype=float)
        except ValueError as exc:
            return False, {"failed": f"the printed map raised: {exc}"}
        cond = float(max(np.linalg.cond(s0), np.linalg.cond(s1)))
        anorm = max(1.0, float(np.linalg.norm(a, 2)))
        tol = rounding_tol(anorm, terms=8, cond=cond)
        dz = float(np.sum((x - y) ** 2))
        pair = float(f.pairing(a @ x, a @ y, x, y))
        checks = {
            "A symmetric (T = ∇φ)": float(np.max(np.abs(a - a.T))) <= tol,
            "A ⪰ 0 (φ convex)": float(np.min(np.linalg.eigvalsh((a + a.T) / 2))) >= -tol,
            "A Σ0 Aᵀ = Σ1": float(np.max(np.abs(a @ s0 @ a.T - s1))) <= tol * anorm * float(np.linalg.norm(s0, 2)) * cond,
            "<T(x) − T(y), x − y> ≥ 0": pair >= -tol * dz,
        }
        failed = [k for k, v in checks.items() if not v]
        if failed:
            return False, {"failed": ", ".join(failed), "A": a.tolist(), "<T(x) - T(y), x - y>": pair}
        r = _rot(theta)
        e1, e2 = np.array([1.0, 0.0]), np.array([0.0, 1.0])
        r_monotone = min(float(f.pairing(r @ e1, np.zeros(2), e1, np.zeros(2))), float(f.pairing(r @ e2, np.zeros(2), e2, np.zeros(2)))) > 1e-12
        if r_monotone and abs(math.sin(theta)) > 1e-12 and f.monotone_is_gradient_of_convex(2):
            return False, {"failed": "the formula says monotone maps of the plane are gradients of convex functions; R_θ is monotone and not symmetric", "R": r.tolist()}
        if not f.monotone_is_gradient_of_convex(1):
            return False, {"failed": "the formula denies the converse in d = 1"}
        return True, {}

    res = search_in(ctx, _monotone_params(), predicate, pinned=_PINNED_MONO, examples=EXAMPLES)
    return outcome(res, "the printed map is ∇ of a convex quadratic and monotone; the converse fails only from d = 2", f"drawn (Σ0, Σ1, x, y, θ), d ≤ 3, cond ≤ {MAX_COND:g}")


# --- (9)–(10) -------------------------------------------------------------------------------------------


@st.composite
def _clouds(draw):
    n = draw(st.integers(1, 4))
    d = draw(st.integers(1, 2))
    coord = st.integers(-8, 8).map(lambda v: v / 2)
    x = np.array(draw(st.lists(coord, min_size=n * d, max_size=n * d))).reshape(n, d)
    y = np.array(draw(st.lists(coord, min_size=n * d, max_size=n * d))).reshape(n, d)
    return {"x": x, "y": y}


_PINNED_K = [{"x": np.array([[0.0], [1.0], [2.0]]), "y": np.array([[2.5], [0.5], [1.5]])}]


def check_kantorovich_property(f: Any, ctx: Any) -> Outcome:
    """For drawn clouds of n ≤ 4 equally weighted atoms in d ≤ 2: the Monge value (9) (least
    printed cost over the n! maps, every pushforward being a permutation) equals the value of
    (10) computed by ``ot.emd2`` with the printed ground cost, and the printed coupling
    (Id, T)♯α0 of the optimal map lies in Π(α0, α1) and attains it."""
    import ot

    def predicate(p: dict) -> tuple[bool, dict]:
        x, y = p["x"], p["y"]
        n = len(x)
        a = np.full(n, 1.0 / n)
        perms = _perms(n)
        try:
            v9s = np.array([float(f.monge_cost(x, y[s], a)) for s in perms])
            sigma = perms[int(np.argmin(v9s))]
            v9 = float(v9s.min())
            cost = np.asarray(f.ground_cost(x, y), dtype=float)
            plan = np.asarray(f.induced_coupling(a, sigma, n), dtype=float)
            v_pi = float(f.kantorovich_cost(plan, x, y))
        except (ValueError, TypeError) as exc:
            return False, {"failed": f"the printed formulas raised: {exc}"}
        v10 = float(ot.emd2(a, a, cost))
        tol = rounding_tol(max(1.0, float(np.max(np.abs(cost)))), terms=n * n)
        info = {"sigma": sigma.tolist(), "(9)": v9, "(10)": v10, "pi* cost": v_pi, "plan": plan.tolist()}
        if plan.shape != (n, n) or np.max(np.abs(plan.sum(1) - a)) > tol or np.max(np.abs(plan.sum(0) - a)) > tol:
            return False, info | {"failed": "π* is not in Π(α0, α1)"}
        if v_pi > v10 + tol:
            return False, info | {"failed": "π* is not optimal for (10)"}
        if abs(v9 - v10) > tol:
            return False, info | {"failed": "(9) ≠ (10)"}
        return True, {}

    res = search_in(ctx, _clouds(), predicate, pinned=_PINNED_K, examples=EXAMPLES)
    return outcome(res, "(9) = (10) and (Id, T)♯α0 is optimal", "drawn clouds, n ≤ 4, d ≤ 2")
