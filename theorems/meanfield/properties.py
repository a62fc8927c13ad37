"""Property evidence (hypothesis) for otdiff §6.1–§6.2: hypothesis draws the dimensions, the
neurons, the data (or the data moments S_zz, S_yz through :func:`data_from_moments`) and the
neuron covariance Σ (through :func:`atoms_with_second_moment`); every reference is computed
from the risk (21) alone.  Failures shrink to minimal examples (d = d′ = 1 where possible)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from verify.claims import Outcome
from verify.properties import outcome, search_in
from verify.stats import rounding_tol
from verify.strategies import general_matrices, spd_matrices
from verify.variation import wasserstein_gradient
from theorems.meanfield.formulas import Eq21, evaluate, split
from theorems.meanfield.network import atoms_with_second_moment, data_from_moments, velocity_at, weighted_risk
from theorems.meanfield.simulation import relu

__all__ = [
    "check_eq21_property",
    "check_kernel_property",
    "check_gradient_property",
    "check_closure_property",
    "check_ode_property",
    "check_limit_property",
    "check_risk_property",
]

_ACTS = {"identity": lambda s: s, "relu": relu, "tanh": np.tanh}


@st.composite
def networks(draw, max_dim: int = 3):
    d, dp = draw(st.integers(1, max_dim)), draw(st.integers(1, max_dim))
    n, n_data = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return {
        "u": draw(general_matrices(n, d)), "v": draw(general_matrices(n, dp)),
        "z": draw(general_matrices(n_data, d)), "y": draw(general_matrices(n_data, dp)),
        "weights": np.asarray(draw(st.lists(st.floats(0.05, 1.0), min_size=n, max_size=n))),
        "activation": draw(st.sampled_from(sorted(_ACTS))),
    }


def _scale(p: dict) -> float:
    return float(1 + max(np.abs(p[k]).max() for k in ("u", "v", "z", "y")) ** 4)


def check_eq21_property(f: Any, ctx: Any) -> Outcome:
    """Drawn networks (d, d′ ≤ 3, n ≤ 4 neurons, N ≤ 4 data, σ ∈ {identity, ReLU, tanh}):
    g_α = G_X and f(α) = F(X) for the empirical measure, to rounding."""

    def predicate(p):
        act = _ACTS[p["activation"]]
        n = p["u"].shape[0]
        w = np.full(n, 1.0 / n)
        g = f.mean_field(p["u"], p["v"], w, p["z"], act)
        gx = f.network(p["u"], p["v"], p["z"], act)
        tol = rounding_tol(_scale(p), terms=n * p["u"].shape[1] + 4)
        if np.abs(g - gx).max() > tol:
            return False, {"failed": "g_alpha = G_X", "g_alpha": g.tolist(), "G_X": gx.tolist()}
        fa, fx = f.mean_field_risk(p["u"], p["v"], w, p["z"], p["y"], act), f.risk(p["u"], p["v"], p["z"], p["y"], act)
        if abs(fa - fx) > rounding_tol(_scale(p) ** 2, terms=n * 8 + 8):
            return False, {"failed": "f(alpha) = F(X)", "f(alpha)": float(fa), "F(X)": float(fx)}
        return True, {}

    # Two neurons of opposite signs, two data points: the smallest case where a slip in the
    # 1/n, the 1/N or the place of σ shows.
    pinned = [{"u": np.array([[1.0], [-1.0]]), "v": np.array([[-1.0], [2.0]]), "z": np.array([[1.0], [2.0]]), "y": np.array([[1.0], [0.0]]),
               "weights": np.array([1.0, 1.0]), "activation": "relu"}]
    return outcome(search_in(ctx, networks(), predicate, pinned=pinned), "g_α = G_X, f(α) = F(X)")


def check_kernel_property(f: Any, ctx: Any) -> Outcome:
    """Drawn discrete measures (weights normalised), data and σ: f(α) − ∬k dα dα equals
    (1/N)Σ|y_k|², and k is symmetric where claimed; to rounding."""
    pinned = [{"u": np.array([[1.0]]), "v": np.array([[1.0]]), "z": np.array([[1.0]]), "y": np.array([[0.0]]),
               "weights": np.array([1.0]), "activation": "identity"},
              {"u": np.array([[1.0], [2.0]]), "v": np.array([[1.0], [1.0]]), "z": np.array([[1.0]]), "y": np.array([[1.0]]),
               "weights": np.array([1.0, 1.0]), "activation": "identity"}]

    def predicate(p):
        act = _ACTS[p["activation"]]
        w = p["weights"] / p["weights"].sum()
        u, v, z, y = p["u"], p["v"], p["z"], p["y"]
        fa = Eq21().mean_field_risk(u, v, w, z, y, act)
        kk = f.kernel(u, v, u, v, z, y, act)
        const = float(np.sum(y * y) / len(z))
        resid = float(fa - w @ kk @ w - const)
        if abs(resid) > rounding_tol(_scale(p) ** 2, terms=16 * len(w) ** 2):
            return False, {"failed": "f = iint k + (1/N) sum |y|^2", "f(alpha)": float(fa), "iint k": float(w @ kk @ w), "(1/N) sum |y|^2": const}
        if getattr(f, "claims_symmetric", False) and np.abs(kk - kk.T).max() > rounding_tol(_scale(p) ** 2, terms=16):
            return False, {"failed": "k symmetric", "k": kk.tolist()}
        return True, {}

    return outcome(search_in(ctx, networks(), predicate, pinned=pinned), "the kernel identity (18)/(22)")


@st.composite
def moments(draw, max_dim: int = 3):
    d, dp = draw(st.integers(1, max_dim)), draw(st.integers(1, max_dim))
    return {
        "szz": draw(spd_matrices(d, max_cond=10.0)),
        "syz": draw(general_matrices(dp, d, bound=1.5)),
        "sigma": draw(spd_matrices(d + dp, max_cond=10.0)),
        "x": draw(general_matrices(1, d + dp)),
    }


_PIN_SQUARE = {"szz": np.eye(1), "syz": np.array([[1.0]]), "sigma": np.array([[1.0, 0.5], [0.5, 1.0]]), "x": np.array([[0.0, 1.0]])}
#: S_zz ≠ Id and d ≠ d′: slips that drop S_zz, its inverse or a transpose show here.
_PIN_SCALED = {"szz": np.array([[2.0]]), "syz": np.array([[1.0], [0.5]]), "sigma": np.eye(3) + 0.25, "x": np.array([[1.0, 1.0, 0.0]])}


def check_gradient_property(f: Any, ctx: Any) -> Outcome:
    """Drawn d, d′, S_zz, S_yz, Σ and a point x: ∇_W f of (21) at x by finite differences
    (:mod:`verify.variation`, atoms with second moment Σ, data with moments S_zz, S_yz) against
    the formula."""

    def predicate(p):
        d = p["szz"].shape[0]
        z, y = data_from_moments(p["szz"], p["syz"])
        atoms = atoms_with_second_moment(p["sigma"])
        w = np.full(len(atoms), 1.0 / len(atoms))
        ref, bound = wasserstein_gradient(weighted_risk(d, z, y), atoms, w, p["x"])
        got, err = evaluate(f.gradient, p["x"][:, :d].T, p["x"][:, d:].T, split(p["sigma"], d)[1], p["szz"], p["syz"])
        if err is not None:
            return False, {"failed": "well-typed", "error": err}
        got = np.hstack([got[0].T, got[1].T])
        if np.any(np.abs(got - ref) > bound):
            return False, {"failed": "formula = grad delta f", "nabla_W f": ref.tolist(), "formula": got.tolist()}
        return True, {}

    return outcome(search_in(ctx, moments(), predicate, pinned=[_PIN_SQUARE, _PIN_SCALED], examples=(15, 60, 400)), "the Wasserstein gradient")


def check_closure_property(f: Any, ctx: Any) -> Outcome:
    """Drawn measures, data and pairs of points p, q: the Wasserstein velocity of (21) with the
    stated activation is additive, w(p + q) = w(p) + w(q), and w(0) = 0 (a linear field)."""

    @st.composite
    def params(draw):
        p = draw(networks())
        dim = p["u"].shape[1] + p["v"].shape[1]
        p["p"], p["q"] = draw(general_matrices(1, dim)), draw(general_matrices(1, dim))
        return p

    # Points on both sides of the data hyperplane, and a non-zero residual (y = 0).
    pinned = [{"u": np.array([[1.0]]), "v": np.array([[1.0]]), "z": np.array([[1.0]]), "y": np.array([[0.0]]), "weights": np.array([1.0]),
               "activation": "identity", "p": np.array([[1.0, 1.0]]), "q": np.array([[-2.0, 1.0]])}]

    def predicate(p):
        w = p["weights"] / p["weights"].sum()
        vel = lambda x: velocity_at(x, p["u"], p["v"], w, p["z"], p["y"], f.activation, f.activation_prime)
        add = vel(p["p"] + p["q"]) - vel(p["p"]) - vel(p["q"])
        zero = vel(np.zeros_like(p["p"]))
        tol = rounding_tol(_scale(p) ** 2, terms=32)
        if max(np.abs(add).max(), np.abs(zero).max()) > tol:
            return False, {"failed": "velocity linear", "activation": f.name, "w(p+q) - w(p) - w(q)": add.tolist(), "w(0)": zero.tolist()}
        return True, {}

    return outcome(search_in(ctx, params(), predicate, pinned=pinned), "linearity of the Wasserstein velocity")


def check_ode_property(f: Any, ctx: Any) -> Outcome:
    """Drawn d, d′, S_zz, S_yz, Σ: the exact time derivative of the second moment of atoms
    with second moment Σ under the velocity of (21), (1/M)Σ(ẋxᵀ + xẋᵀ), against the formula's
    right-hand side, to rounding."""

    def predicate(p):
        d = p["szz"].shape[0]
        z, y = data_from_moments(p["szz"], p["syz"])
        atoms = atoms_with_second_moment(p["sigma"])
        w = np.full(len(atoms), 1.0 / len(atoms))
        vel = velocity_at(atoms, atoms[:, :d], atoms[:, d:], w, z, y)
        truth = (vel.T @ atoms + atoms.T @ vel) / len(atoms)
        got, err = evaluate(f.sigma_dot, p["sigma"], p["szz"], p["syz"])
        if err is not None:
            return False, {"failed": "well-typed", "error": err}
        # Scale of the products: |B||Σ| with |B| ≤ 2(|S_zz||Σ| + |S_yz|); the atoms come from a
        # Cholesky factor of Σ, whose rounding is amplified by cond(Σ).
        sig_n, b_n = float(np.abs(p["sigma"]).max()), 2 * (float(np.abs(p["szz"]).max()) * float(np.abs(p["sigma"]).max()) + float(np.abs(p["syz"]).max()))
        tol = rounding_tol(float(np.abs(truth).max()) + 4 * b_n * sig_n, terms=8 * len(atoms) + 8 * len(z), cond=float(np.linalg.cond(p["sigma"])))
        if np.abs(np.asarray(got) - truth).max() > tol:
            return False, {"failed": "(23) = second-moment ODE of the flow", "flow": truth.tolist(), "formula": np.asarray(got).tolist()}
        return True, {}

    return outcome(search_in(ctx, moments(), predicate, pinned=[_PIN_SQUARE, _PIN_SCALED]), "(23)")


def check_limit_property(f: Any, ctx: Any) -> Outcome:
    """Drawn d, d′, S_zz, S_yz, Σ0: the flow of atoms with second moment Σ0 is run until the loss
    gradient is below 1e-10 (it always converges, loss down to least squares), and Σ_UV(∞)
    must equal the formula (shape, then value within |G|·‖S_zz⁻¹‖)."""
    from theorems.meanfield.simulation import _limit_case

    pinned = [{"szz": np.eye(1), "syz": np.array([[1.0]]), "sigma": np.eye(2), "x": np.zeros((1, 2))},
              {"szz": np.array([[2.0]]), "syz": np.array([[1.0], [0.5]]), "sigma": np.eye(3), "x": np.zeros((1, 3))}]

    def predicate(p):
        state, info = _limit_case(f, p["sigma"], p["szz"], p["syz"])
        info.pop("trace", None)
        # A flow not yet converged by t_max decides nothing: the example is discarded.
        assume(state != "undecided")
        if state == "fail":
            return False, {"failed": info.pop("failed", "Sigma_UV(inf) = formula")} | info
        return True, {}

    return outcome(search_in(ctx, moments(max_dim=2), predicate, pinned=pinned, examples=(6, 20, 150)), "convergence to the formula's limit")


def check_risk_property(f: Any, ctx: Any) -> Outcome:
    """Drawn d, d′ ≤ 3, neurons (weighted) and data: (21) with σ(s) = s evaluated directly
    equals the formula's predictor and trace form (+ (1/N)Σ|y|²) with the measure's Σ_UV."""

    def predicate(p):
        w = p["weights"] / p["weights"].sum()
        u, v, z, y = p["u"], p["v"], p["z"], p["y"]
        s_uv = (u * w[:, None]).T @ v
        pred = z @ u.T @ (w[:, None] * v)
        got_p, err = evaluate(f.predictor, s_uv, z)
        if err is None and np.shape(got_p) != pred.shape:
            err = f"predictions have shape {np.shape(got_p)}, expected {pred.shape}"
        if err is not None:
            return False, {"failed": "well-typed", "error": err}
        loss = float(np.sum((pred - y) ** 2) / len(z))
        got_r = float(f.risk(s_uv, z.T @ z / len(z), y.T @ z / len(z))) + float(np.sum(y * y) / len(z))
        tol = rounding_tol(_scale(p), terms=16 * len(w) + 16)
        if np.abs(np.asarray(got_p) - pred).max() > tol or abs(got_r - loss) > tol:
            return False, {"failed": "trace form = (21)", "f(alpha)": loss, "trace form + const": got_r}
        return True, {}

    pinned = [{"u": np.array([[1.0]]), "v": np.array([[1.0]]), "z": np.array([[2.0]]), "y": np.array([[1.0]]), "weights": np.array([1.0]), "activation": "identity"},
              {"u": np.array([[1.0, 0.0]]), "v": np.array([[1.0]]), "z": np.array([[1.0, 0.0]]), "y": np.array([[0.0]]), "weights": np.array([1.0]), "activation": "identity"}]
    return outcome(search_in(ctx, networks(), predicate, pinned=pinned), "the §6.2 trace form of the risk")
