"""Property checks of mlcontrol §2.3–§2.5: hypothesis draws consistent data sets (inputs and
labels on coarse grids, so that a failure shrinks to a readable minimal data set), widths and
tolerances ε."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from theorems.shallow import formulas as F
from verify.properties import outcome, search_in
from verify.relaxation import lift, network_from_measure, relaxed_value
from verify.stats import rounding_tol

__all__ = ["data_sets", "check_representation_property", "check_generic_property", "check_nogap_property", "check_condensation_property"]


@st.composite
def data_sets(draw, max_n: int = 8, max_d: int = 3, labels: bool = True):
    """A consistent data set: N distinct inputs on the 1/4 grid of [−2, 2]^d, labels on the
    1/2 grid of [−2, 2]."""
    d = draw(st.integers(1, max_d))
    n = draw(st.integers(1, max_n))
    point = st.tuples(*[st.integers(-8, 8) for _ in range(d)])
    pts = draw(st.lists(point, min_size=n, max_size=n, unique=True))
    X = np.array(pts, dtype=float) / 4
    out = {"X": X}
    if labels:
        out["y"] = np.array(draw(st.lists(st.integers(-4, 4), min_size=n, max_size=n)), dtype=float) / 2
    return out


def check_representation_property(formulas, ctx):
    """Every drawn data set is interpolated by the claimed width, or a proof shows it cannot be."""

    def predicate(ex):
        X, y = ex["X"], ex["y"]
        N, d = X.shape
        P = formulas.sufficient_width(N, d)
        if P < N:
            proof = F.infeasible_width(X, y, P)
            if proof:
                return False, {"failed": f"P = {P} < N = {N}: {proof}", "P": P}
            return True, {}
        theta = F.interpolant(X, y)
        phi = np.maximum(lift(X) @ theta[:, 1:].T, 0.0)
        res = float(np.max(np.abs(F.network(theta, X) - y)))
        bound = rounding_tol(float(np.max(np.abs(phi) @ np.abs(theta[:, 0]))), terms=N)
        if res > bound or np.linalg.norm(theta[:, 1:], axis=1).max() > 1:
            return False, {"failed": f"the construction misses by {res:.3g} > {bound:.3g}"}
        return True, {}

    res = search_in(ctx, data_sets(max_n=ctx.pick(10, 16, 20)), predicate, examples=(30, 100, 1000))
    return outcome(res, "exact representation with the claimed width", "drawn data sets (N ≤ 20, d ≤ 3)")


def check_generic_property(formulas, ctx):
    """The claimed lower bound must leave room for the open set of Ω where every neuron is
    dead: lo ≤ 1 − ρ^{(d+1)P} (the ball of :func:`theorems.shallow.formulas.dead_ball`, verified
    on each draw), and lo ≤ hi."""

    @st.composite
    def drawn(draw):
        ex = draw(data_sets(max_n=4, max_d=2, labels=False))
        ex["P"] = draw(st.integers(len(ex["X"]), 2 * len(ex["X"]) + 2))
        return ex

    def predicate(ex):
        X, P = ex["X"], ex["P"]
        d = X.shape[1]
        centre, rho = F.dead_ball(X)
        Z = lift(X)
        dead = bool(np.all(Z @ centre + rho * np.linalg.norm(Z, axis=1) <= 0) and np.linalg.norm(centre) + rho <= 1)
        if not dead:
            return False, {"failed": "the dead ball is not dead (a bug in the derivation)"}
        lo, hi = formulas.solvable_probability_bounds(X, P)
        cap = 1 - rho ** ((d + 1) * P)
        if lo > cap * (1 + 1e-15) or lo > hi:
            return False, {"failed": f"claimed Pr[solvable] ≥ {lo:.6g}, but every neuron in a ball of radius {rho:.3g} "
                                     f"(probability ≥ {rho ** ((d + 1) * P):.3g} for all P together) is inactive on the data"}
        return True, {}

    res = search_in(ctx, drawn(), predicate, examples=(30, 100, 1000))
    return outcome(res, "the claimed probability bracket", "drawn data sets and widths")


def check_nogap_property(formulas, ctx):
    """On drawn data and ε: the exact bracket closes, the optimum has ≤ atoms_bound(N) atoms and
    is a network of the claimed width; proofs of infeasibility (d = 1, ε = 0) against the
    claimed width and atom count."""

    @st.composite
    def drawn(draw):
        ex = draw(data_sets(max_n=ctx.pick(5, 8, 12), max_d=ctx.pick(2, 3, 3)))
        ex["eps"] = draw(st.sampled_from([0.0, 0.0, 0.25]))
        return ex

    def predicate(ex):
        X, y, eps = ex["X"], ex["y"], ex["eps"]
        N = len(X)
        if eps == 0:
            need = F.atoms_lower_bound(X, y)
            if need > formulas.atoms_bound(N):
                return False, {"failed": f"every feasible measure needs {need} atoms > the claimed {formulas.atoms_bound(N)}"}
            P = formulas.gapless_width(N)
            proof = F.infeasible_width(X, y, P)
            if proof:
                return False, {"failed": f"(P0) with P = {P} is infeasible ({proof}) while val(PR0) is finite"}
        if np.all(np.abs(y) <= eps):
            return True, {}  # μ = 0 is optimal
        sol = relaxed_value(X, y, eps)
        if sol.gap > 1e-6:
            return False, {"failed": f"the exact bracket did not close ({sol.gap:.2e})"}
        K = len(sol.weights)  # a basic solution: K ≤ N by construction, so no test of the bound here
        P = formulas.gapless_width(N)
        if K <= P:
            theta = network_from_measure(sol.atoms, sol.weights, P)
            viol = float(np.max(np.abs(F.network(theta, X) - y)) - eps)
            terms = float(np.abs(sol.weights).sum() * np.max(lift(X) @ sol.atoms.T, initial=1.0))
            if viol > 1e-9 * max(1.0, terms):  # 10 × HiGHS's row tolerance, relative to the row's terms
                return False, {"failed": f"the optimal measure as a P = {P} network violates the constraints by {viol:.2e}"}
        return True, {}

    # pinned: the smallest data set with labels of both signs (an edge case, run first as with @example)
    pinned = [{"X": np.array([[0.0], [1.0]]), "y": np.array([1.0, -1.0]), "eps": 0.0}]
    res = search_in(ctx, drawn(), predicate, pinned=pinned, examples=(12, 60, 500))
    return outcome(res, "no gap, atoms and width", "drawn data sets and ε")


def check_condensation_property(formulas, ctx):
    """Drawn data: affine labels must be representable by 2 < N/(d+1) neurons (they are, by
    :func:`theorems.shallow.formulas.affine_network`); drawn 1-D labels may carry a proof that
    P < N/(d+1) neurons cannot interpolate."""
    claim = formulas.underparameterised_data()

    @st.composite
    def drawn(draw):
        ex = draw(data_sets(max_n=ctx.pick(10, 14, 20), max_d=3))
        N, d = ex["X"].shape
        if draw(st.booleans()):
            c = np.array(draw(st.lists(st.integers(-4, 4), min_size=d, max_size=d)), dtype=float) / 2
            ex["y"] = ex["X"] @ c + draw(st.integers(-4, 4)) / 2
            ex["affine"] = c
        return ex

    def predicate(ex):
        X, y = ex["X"], ex["y"]
        N, d = X.shape
        P = F.underparameterised_width(N, d)
        if "affine" in ex and P >= 2:
            theta = F.affine_network(ex["affine"], float(y[0] - X[0] @ ex["affine"]), X)
            res = float(np.max(np.abs(F.network(theta, X) - y)))
            if res > rounding_tol(float(np.abs(theta[:, 0]).sum() * np.max(np.abs(lift(X))) * 2), terms=d + 2):
                return False, {"failed": f"the 2-neuron affine construction misses by {res:.3g}"}
            if claim == "none":
                return False, {"failed": f"affine labels: 2 ≤ {P} < N/(d+1) neurons interpolate exactly"}
        if claim == "all":
            proof = F.infeasible_width(X, y, P)
            if proof:
                return False, {"failed": f"P = {P} < N/(d+1) neurons cannot interpolate: {proof}"}
        return True, {}

    res = search_in(ctx, drawn(), predicate, examples=(40, 150, 1000))
    return outcome(res, "under-parameterised representation for some data", "drawn data sets (half of them affine)")
