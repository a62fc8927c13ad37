"""Property checks of mlcontrol §4.1–§4.2: hypothesis draws token configurations on a small
integer grid (exact ties are frequent there, which is the point), integer symmetric positive
definite matrices A and step parameters α, and shrinks a failure to a minimal configuration.

Draws are *generated* to satisfy the hypotheses of Theorem 4.1: tokens are distinct nonzero grid
points (drawn without replacement from the grid minus the origin); A = [[a, b], [b, c]] with
a, c ≥ 1 and b² < ac by construction; α ∈ {1, 1/2, 2}.  Half the draws plant a tie: two tokens
of equal A-norm (the second the A-reflection of the first, a rational A-isometry) and a third on
their A-bisector, the configuration in which a token converges to the interior of an edge.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import reject
from hypothesis import strategies as st

from theorems.hardmax import instances as I
from theorems.hardmax.derivation import _in_halfspace, judge_thm41
from theorems.hardmax.dynamics import argmax_sets, exact_matrix, exact_tokens, scores_exact, tie_tolerance
from theorems.hardmax.formulas import float_scores
from theorems.hardmax.simulation import softmax_error_closed_form
from verify.properties import outcome, search_in
from verify.stats import rounding_tol

__all__ = ["spd_integer_matrices", "token_sets", "check_thm41_property", "check_eq43_property", "check_halfspace_property"]

_GRID = [(x, y) for x in range(-3, 4) for y in range(-3, 4) if (x, y) != (0, 0)]
_GRID.sort(key=lambda p: (abs(p[0]) + abs(p[1]), -p[0], -p[1]))  # shrinks towards small tokens


@st.composite
def spd_integer_matrices(draw) -> tuple:
    """[[a, b], [b, c]] with 1 ≤ a, c ≤ 3 and b² < ac (positive definite by construction);
    shrinks to the identity."""
    a = draw(st.integers(1, 3))
    c = draw(st.integers(1, 3))
    k = math.isqrt(a * c - 1)
    b = draw(st.integers(-k, k))
    return ((a, b), (b, c))


def _reflect(z: tuple, u: tuple, A: tuple) -> tuple:
    """The A-reflection of z across the A-orthogonal complement of u:
    :math:`z - 2\\frac{\\langle u, Az\\rangle}{\\langle u, Au\\rangle}u` (rational, A-norm preserving)."""
    Au = tuple(sum(Fraction(a) * b for a, b in zip(row, u)) for row in A)
    k = 2 * sum(x * y for x, y in zip(Au, z)) / sum(x * y for x, y in zip(Au, u))
    return tuple(Fraction(zi) - k * ui for zi, ui in zip(z, u))


@st.composite
def token_sets(draw, max_n: int = 5, plant: bool = True) -> dict:
    """A configuration {"Z", "A", "alpha"} satisfying the hypotheses of Theorem 4.1."""
    n = draw(st.integers(2, max_n))
    Z = [tuple(Fraction(v) for v in p) for p in draw(st.lists(st.sampled_from(_GRID), min_size=n, max_size=n, unique=True))]
    A = draw(spd_integer_matrices())
    alpha = draw(st.sampled_from([Fraction(1), Fraction(1, 2), Fraction(2)]))
    if plant and n >= 3 and draw(st.booleans()):
        u = draw(st.sampled_from(_GRID[:8]))
        L2 = _reflect(Z[0], u, A)
        Au = tuple(sum(Fraction(a) * b for a, b in zip(row, u)) for row in A)
        w = (-Au[1], Au[0])  # ⟨u, Aw⟩ = 0: the A-bisector of Z[0] and L2 is the line through 0 along w
        t = draw(st.sampled_from([Fraction(1, 4), Fraction(1, 2), Fraction(-1, 4), Fraction(-1, 2)]))
        P = tuple(t * wi for wi in w)
        zero = (Fraction(0), Fraction(0))
        if L2 != Z[0] and P != zero and len({Z[0], L2, P, *Z[3:]}) == n:
            Z[1], Z[2] = L2, P
    return {"Z": Z, "A": A, "alpha": alpha}


def _pins() -> list[dict]:
    return [{"Z": list(inst.Z), "A": inst.A, "alpha": inst.alpha} for inst in I.INSTANCES]


def _readable(ex: dict) -> dict:
    return {"Z": [[str(v) for v in z] for z in ex["Z"]], "A": [list(r) for r in ex["A"]], "alpha": str(ex["alpha"])}


def check_thm41_property(f: Any, ctx: Any):
    """Drawn configurations, run exactly to a settling certificate: the leader sets are
    nondecreasing and final, the limits are in the formulas' limit set."""

    def predicate(ex):
        status, info, _ = judge_thm41(f, ex["Z"], ex["A"], ex["alpha"])
        if status == "undecided":
            reject()
        if status == "fail":
            return False, {"failed": info["failed"], "configuration": _readable(ex)}
        return True, {}

    res = search_in(ctx, token_sets(), predicate, pinned=_pins(), examples=(10, 60, 400))
    out = outcome(res, "Theorem 4.1 (certified limits, leader sets)", "drawn configurations (n ≤ 5, ties planted in half)")
    if out.counterexample:
        out.counterexample = {k: v for k, v in out.counterexample.items() if k not in ("Z", "A", "alpha")}
    return out


def check_eq43_property(f: Any, ctx: Any):
    """Drawn configurations and temperatures τ = δ*/t: max|π^τ − π^0| equals its closed form
    :math:`\\max_i \\max(S_i/m_i, e^{-\\delta_i/\\tau})/(m_i + S_i)` to rounding (so it tends to 0
    like :math:`e^{-\\delta^*/\\tau}`), ties included."""

    @st.composite
    def drawn(draw):
        ex = draw(token_sets(max_n=5))
        ex["t"] = draw(st.integers(1, 24))
        return ex

    def predicate(ex):
        Z = np.array([[float(v) for v in z] for z in ex["Z"]])
        A = np.array(ex["A"], dtype=float)
        G = float_scores(Z, A)
        tol = float(tie_tolerance(Z, A, 0))
        gaps = (G.max(axis=1, keepdims=True) - G)
        positive = gaps[gaps > tol]
        tau = float(positive.min()) / ex["t"] if positive.size else 1.0 / ex["t"]
        err = float(np.max(np.abs(f.softmax(Z, A, tau) - f.hardmax(Z, A, tol))))
        ref = softmax_error_closed_form(G, tau, tol)
        allow = rounding_tol(1.0, terms=len(Z) + 2, cond=1 + float(np.abs(G).max()) / tau)
        if abs(err - ref) > allow:
            return False, {"failed": f"τ = {tau:.4g}: max|π^τ − π^0| = {err:.6g}, closed form {ref:.6g}", "tau": tau,
                           "configuration": _readable(ex)}
        return True, {}

    pins = [{"Z": list(I.FIG_A.Z), "A": I.FIG_A.A, "alpha": Fraction(1), "t": 4}, {"Z": list(I.FIG_B.Z), "A": I.FIG_B.A, "alpha": Fraction(1), "t": 4}]
    res = search_in(ctx, drawn(), predicate, pinned=pins, examples=(12, 100, 1000))
    out = outcome(res, "softmax (4.2) → hardmax (4.3) with error ≍ e^(−δ*/τ)", "drawn configurations and temperatures")
    if out.counterexample:
        out.counterexample = {k: v for k, v in out.counterexample.items() if k not in ("Z", "A", "alpha")}
    return out


def check_halfspace_property(f: Any, ctx: Any):
    """Drawn configurations, exact scores: every token of every :math:`\\mathcal C_i` lies in the
    formulas' half-space of :math:`z_i`."""

    def predicate(ex):
        Zx = exact_tokens(ex["Z"])
        Ax = exact_matrix(ex["A"], 2)
        for i, Ci in enumerate(argmax_sets(scores_exact(Zx, Ax))):
            for j in sorted(Ci):
                if not _in_halfspace(f, Zx[i], Zx[j], Ax):
                    return False, {"failed": f"z_{j + 1} = ({Zx[j][0]}, {Zx[j][1]}) attracts z_{i + 1} = ({Zx[i][0]}, {Zx[i][1]}) "
                                             f"(C_{i + 1} = {sorted(k + 1 for k in Ci)}) outside the claimed half-space",
                                   "configuration": _readable(ex)}
        return True, {}

    pins = [{"Z": list(I.FIG_A.Z), "A": I.FIG_A.A, "alpha": Fraction(1)}, {"Z": list(I.FIG_B.Z), "A": I.FIG_B.A, "alpha": Fraction(1)}]
    res = search_in(ctx, token_sets(max_n=6, plant=False), predicate, pinned=pins, examples=(15, 100, 1000))
    out = outcome(res, "attracting tokens in the half-space", "drawn configurations (n ≤ 6, integer grid, integer SPD A)")
    if out.counterexample:
        out.counterexample = {k: v for k, v in out.counterexample.items() if k not in ("Z", "A", "alpha")}
    return out
