"""Property evidence (hypothesis) for the depth limit and the Monte-Carlo rate.

Depth.  hypothesis draws d ∈ {1, 2}, n ∈ {1, 2, 3} neurons, a linear parameter path
:math:`P(s) = P_0 + sP_1` with entries in :math:`\\frac14\\mathbb Z \\cap [-2, 2]`, and one input
in the same grid; σ is the sigmoid.  The depth-L networks for L = 8, 16, …, 128 are compared with
the ODE flow (DOP853 at rtol 1e-11; its error bounded by the distance to a solve at rtol 1e-9):

- *limit*: the Richardson value :math:`R = 2x_{128} - x_{64}` lies within
  :math:`|R_{128} - R_{64}| + |Q_{128} - Q_{64}|` (plus reference error and rounding) of the flow;
- *rate, one-sided*: the local orders :math:`p_j = \\log_2(E_{j-1}/E_j)` satisfy
  :math:`p_J \\ge \\text{order} - |p_J - p_{J-1}| - |p_{J-1} - p_{J-2}|` (the spread of the last
  local orders is the pre-asymptotic budget), or their two-level Richardson extrapolation
  :math:`q_J` (the deviation of :math:`p_j` from the order is a series in h) satisfies
  :math:`q_J \\ge \\text{order} - |q_J - r_J| - |r_J - r_{J-1}|` (r the first level): the error
  is :math:`O(L^{-\\text{order}})`.  Either estimate may be the sharper one: when the first two
  terms of the deviation nearly cancel at the studied depths the spread is tiny but the
  extrapolation is right, and across a transition (a small first-order coefficient) the spread
  is wide.
  Examples whose finest error is at the reference/rounding floor (e.g. a velocity that vanishes)
  are exact and satisfy the bound.

Width.  hypothesis draws a discrete neuron distribution ρ (K ≤ 3 atoms (u, v, b) with integer
entries in [−3, 3] and weights 1–3), a discrete μ (J ≤ 3 integer points) in dimension d ≤ 3 and
σ = ReLU; :math:`\\mathbb E\\|F_{\\hat\\rho} - F_\\rho\\|^2_{L^2(\\mu)}` is enumerated exactly
(rationals) for n = 1, 2, 3.  Checked: :math:`n\\,\\mathbb E_n = V` and, when V > 0, the exact
exponent :math:`\\frac12\\log_2(\\mathbb E_1/\\mathbb E_2)` of the RMS error equals ``f.rate(d)``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import strategies as st

from verify.claims import Outcome
from verify.properties import outcome, search_in
from verify.stats import rounding_tol
from theorems.resnet import formulas as F
from theorems.resnet.derivation import enumerate_mc_error

__all__ = ["depth_instances", "check_depth_property", "mc_instances", "check_barron_property", "relu_features"]

_DEPTHS = (8, 16, 32, 64, 128)
_Q = st.integers(-8, 8)


@st.composite
def depth_instances(draw) -> dict:
    """``{"d", "P0", "P1" (n, 2d + 1), "x0" (d,)}`` on the grid (1/4)Z ∩ [−2, 2]."""
    d = draw(st.integers(1, 2))
    n = draw(st.integers(1, 3))
    size = n * (2 * d + 1)
    P0 = np.array(draw(st.lists(_Q, min_size=size, max_size=size)), dtype=float).reshape(n, 2 * d + 1) / 4
    P1 = np.array(draw(st.lists(_Q, min_size=size, max_size=size)), dtype=float).reshape(n, 2 * d + 1) / 4
    x0 = np.array(draw(st.lists(_Q, min_size=d, max_size=d)), dtype=float) / 4
    return {"d": d, "P0": P0, "P1": P1, "x0": x0}


#: x' = σ(x) from x_0 = 1/2 (one neuron (1, 1, 0), constant): Euler's first-order error
#: coefficient does not vanish, so a slip in the step or the claimed order shows at once.
_PINNED_DEPTH = [{"d": 1, "P0": np.array([[1.0, 1.0, 0.0]]), "P1": np.zeros((1, 3)), "x0": np.array([0.5])}]


def _norm(a: np.ndarray) -> float:
    return float(np.linalg.norm(a))


def depth_predicate(f: Any, p: dict) -> tuple[bool, dict]:
    """The limit and the one-sided rate of the module docstring on one drawn instance."""
    path = F.ParameterPath(p["P0"], p["P1"], np.zeros_like(p["P0"]))
    X = p["x0"][None, :]
    with np.errstate(over="ignore", invalid="ignore"):
        outs = [F.resnet_output(f, X, L, path)[0] for L in _DEPTHS]
    if not all(np.all(np.isfinite(o)) for o in outs):
        return False, {"failed": "finite output"}
    ref = F.neural_ode_output(f, X, path, rtol=1e-11, atol=1e-12)[0]
    ref_err = _norm(ref - F.neural_ode_output(f, X, path, rtol=1e-9, atol=1e-10)[0])
    scale = max(float(np.max(np.abs(ref))), max(float(np.max(np.abs(o))) for o in outs), 1.0)
    floor = ref_err + rounding_tol(scale, terms=_DEPTHS[-1])
    errs = [_norm(o - ref) for o in outs]
    info = {"depths": list(_DEPTHS), "errors": errs, "ODE flow": ref.tolist(), "reference error": ref_err}
    rich = [2 * outs[j] - outs[j - 1] for j in range(1, len(outs))]
    quad = [rich[j] + (rich[j] - rich[j - 1]) / 3 for j in range(1, len(rich))]
    lim_err = _norm(rich[-1] - ref)
    lim_budget = _norm(rich[-1] - rich[-2]) + _norm(quad[-1] - quad[-2]) + floor
    if lim_err > lim_budget:
        return False, info | {"failed": "limit: Richardson value ≠ ODE flow", "Richardson value": rich[-1].tolist(), "error": lim_err, "budget": lim_budget}
    if errs[-1] <= 2 * floor:
        return True, {}
    if min(errs[-4:]) <= floor:
        return True, {}  # an error crossing zero: no local order to read; the limit test above holds
    ps = [math.log2(errs[j - 1] / errs[j]) for j in range(1, len(errs))]
    budget = abs(ps[-1] - ps[-2]) + abs(ps[-2] - ps[-3])
    # Richardson on the local orders (their deviation from the order is a series in h):
    r = [2 * ps[j] - ps[j - 1] for j in range(1, len(ps))]
    q = [(4 * r[j] - r[j - 1]) / 3 for j in range(1, len(r))]
    bound = abs(q[-1] - r[-1]) + abs(r[-1] - r[-2])
    order = float(f.order())
    if ps[-1] < order - budget and q[-1] < order - bound:
        return False, info | {"failed": f"rate: local order {ps[-1]:.3f} < claimed {order:g} − budget {budget:.2g} "
                                        f"(extrapolated {q[-1]:.3f}, bound {bound:.2g})", "local orders": ps}
    return True, {}


def check_depth_property(f: Any, ctx: Any) -> Outcome:
    """Drawn parameter paths and inputs: the depth-L network tends to the ODE flow, with error
    :math:`O(L^{-\\text{order}})` (module docstring)."""
    res = search_in(ctx, depth_instances(), lambda p: depth_predicate(f, p), pinned=_PINNED_DEPTH, examples=(4, 30, 200))
    return outcome(res, "x_L → x_1 with error O(L^-order)", "drawn parameter paths and inputs")


# --- width ---------------------------------------------------------------------------------------


_I3 = st.integers(-3, 3)


@st.composite
def mc_instances(draw) -> dict:
    """``{"d", "atoms" (K, d + 2) rows (u, v, b), "weights" (K,), "points" (J, d)}``, integers."""
    d = draw(st.integers(1, 3))
    K = draw(st.integers(1, 3))
    J = draw(st.integers(1, 3))
    atoms = np.array(draw(st.lists(_I3, min_size=K * (d + 2), max_size=K * (d + 2))), dtype=int).reshape(K, d + 2)
    weights = np.array(draw(st.lists(st.integers(1, 3), min_size=K, max_size=K)), dtype=int)
    points = np.array(draw(st.lists(_I3, min_size=J * d, max_size=J * d)), dtype=int).reshape(J, d)
    return {"d": d, "atoms": atoms, "weights": weights, "points": points}


_PINNED_MC = [{"d": 1, "atoms": np.array([[1, 1, 0], [-1, 1, 0]]), "weights": np.array([1, 1]), "points": np.array([[1]])}]


def relu_features(atoms: np.ndarray, points: np.ndarray) -> list[list[Fraction]]:
    """Exact features :math:`u\\,\\mathrm{ReLU}(\\langle v, x_j\\rangle + b)` of integer atoms
    (rows (u, v, b)) at integer points ``(J, d)``."""
    atoms, points = np.asarray(atoms), np.asarray(points)
    d = points.shape[1]
    if atoms.ndim != 2 or atoms.shape[1] != d + 2:
        raise ValueError(f"atoms must have shape (K, {d + 2}) rows (u, v, b), got {atoms.shape}")
    return [[Fraction(int(a[0]) * max(int(np.dot(a[1 : d + 1], x)) + int(a[d + 1]), 0)) for x in points] for a in atoms]


def mc_predicate(f: Any, p: dict) -> tuple[bool, dict]:
    """Exact :math:`n\\,\\mathbb E_n = V` (n = 1, 2, 3) and the exponent against ``f.rate(d)``."""
    phis = relu_features(p["atoms"], p["points"])
    w = [Fraction(int(v), int(p["weights"].sum())) for v in p["weights"]]
    E = {n: enumerate_mc_error(phis, w, n) for n in (1, 2, 3)}
    V = E[1]
    for n in (2, 3):
        if n * E[n] != V:  # pragma: no cover - exact identity
            return False, {"failed": f"n·E_n = V at n = {n}", "E": {k: str(v) for k, v in E.items()}}
    if V == 0:
        return True, {}  # every sampled network is F_ρ on μ: the error is 0 for every n
    exact = math.log2(E[1] / E[2]) / 2
    claimed = float(f.rate(p["d"]))
    if abs(claimed - exact) > rounding_tol(1.0):
        return False, {"failed": f"rate: exact exponent {exact:g}, claimed {claimed:g}", "E_1": str(E[1]), "E_2": str(E[2]), "E_3": str(E[3]), "exact rate": exact, "claimed rate": claimed}
    return True, {}


def check_barron_property(f: Any, ctx: Any) -> Outcome:
    """Drawn discrete ρ and μ (ReLU, exact rationals): the mean squared error is V/n and the
    RMS error decreases as :math:`n^{-1/2}`, whatever the dimension."""
    res = search_in(ctx, mc_instances(), lambda p: mc_predicate(f, p), pinned=_PINNED_MC, examples=(10, 100, 500))
    return outcome(res, "E‖F_ρ̂ − F_ρ‖² = V/n and RMS error ∝ n^-rate", "drawn neuron distributions")
