"""Property evidence (hypothesis) for otdiff §5.3: eq. (17), the Wasserstein gradient of (18)
and the particle system after (18).

hypothesis draws the number of particles n (1 to 4), the dimension d (1 or 2), a kernel
(family and parameters: a potential h(x), quadratic kernels with drawn A, B, exp(β⟨x, y⟩), a
Gaussian plus a confinement) and the particle cloud; the reference is always the numeric
first variation of :mod:`verify.variation`, which knows only the values of f.  Families are
listed simplest first, so a failure shrinks towards a potential kernel, small n and d = 1.
Pinned examples run first: the minimal exact counterexamples of :mod:`theorems.interaction.derivation`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from verify.claims import Outcome
from verify.properties import outcome, search_in
from verify.stats import rounding_tol
from verify.strategies import general_matrices
from verify.variation import wasserstein_gradient
from theorems.interaction.formulas import Kernel, interaction_energy
from theorems.interaction.simulation import grad_F

__all__ = ["kernels", "check_chain_rule_property", "check_gradient_property", "check_particles_property"]

_COORD = st.floats(-2.0, 2.0, allow_nan=False)


def _points(draw, n: int, d: int) -> np.ndarray:
    return np.array(draw(st.lists(st.lists(_COORD, min_size=d, max_size=d), min_size=n, max_size=n)), dtype=float)


@st.composite
def kernels(draw, d: int, families: tuple[str, ...], symmetric_b: bool = True) -> dict:
    """A kernel family from ``families`` and its parameters, as a plain dict (readable in a
    counterexample): ``{"family", "params"}``."""
    family = draw(st.sampled_from(families))
    if family == "potential":
        c = draw(st.lists(_COORD, min_size=d, max_size=d))
        q = draw(general_matrices(d, bound=1.0))
        params = [*c, *((q + q.T) / 2).ravel().tolist(), draw(st.floats(0.0, 1.0))]
    elif family == "quadratic":
        a = draw(general_matrices(d, bound=1.0))
        b = draw(general_matrices(d, bound=1.0))
        b = (b + b.T) / 2 if symmetric_b else b
        params = [*((a + a.T) / 2).ravel().tolist(), *b.ravel().tolist()]
    elif family == "exp-inner":
        params = [draw(st.floats(-1.0, 1.0))]
    else:  # gaussian-confined
        params = [draw(st.floats(0.5, 2.0)), draw(st.floats(0.0, 1.0))]
    return {"family": family, "params": params}


def _kernel(p: dict, d: int) -> Kernel:
    return Kernel(p["kernel"]["family"], d, p["kernel"]["params"])


def _reference(kernel: Kernel, atoms: np.ndarray, weights: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return wasserstein_gradient(lambda z, w: float(interaction_energy(kernel, z, w)), atoms, weights, x)


# --- (17) --------------------------------------------------------------------------------


@st.composite
def _chain_params(draw) -> dict:
    n, d = draw(st.integers(1, 4)), draw(st.integers(1, 2))
    return {"n": n, "d": d, "kernel": draw(kernels(d, ("potential", "quadratic", "exp-inner"), symmetric_b=False)), "X": _points(draw, n, d)}


PINNED_17 = [
    {"n": 1, "d": 1, "kernel": {"family": "potential", "params": [1.0, 0.0, 0.0]}, "X": np.array([[0.0]])},
    {"n": 2, "d": 1, "kernel": {"family": "potential", "params": [1.0, 0.0, 0.0]}, "X": np.array([[0.0], [1.0]])},
]


def check_chain_rule_property(f: Any, ctx: Any) -> Outcome:
    """For drawn n, d, kernels (not necessarily symmetric: (17) is stated for any f) and
    clouds: the formula fed :math:`\\nabla F(X)` (central differences of F) equals
    :math:`-\\nabla_W f(\\alpha_X)(x_i)` from :mod:`verify.variation`, within the two
    Richardson bounds (the one of ∇F propagated through the linear formula) plus rounding."""

    def predicate(p: dict) -> tuple[bool, dict]:
        n, d, X = p["n"], p["d"], p["X"]
        kernel = _kernel(p, d)
        ref, bound = _reference(kernel, X, np.full(n, 1.0 / n), X)
        g, gb = grad_F(kernel, X, 1e-3)
        v = np.asarray(f.velocity(g), dtype=float)
        tol = bound + np.abs(np.asarray(f.velocity(gb), dtype=float)) + rounding_tol(float(np.abs(ref).max()) + 1, terms=n)
        if np.all(np.abs(v + ref) <= tol):
            return True, {}
        return False, {"failed": "formula(∇F) = −∇_W f(α_X)(x_i)", "grad F": g.tolist(), "formula": v.tolist(), "-grad_W f": (-ref).tolist()}

    res = search_in(ctx, _chain_params(), predicate, pinned=PINNED_17, examples=(25, 100, 1000))
    return outcome(res, "the particle ODE is the flow (15)", "drawn (n ≤ 4, d ≤ 2, kernel, cloud)")


# --- (18): the Wasserstein gradient -------------------------------------------------------


@st.composite
def _gradient_params(draw) -> dict:
    n, d = draw(st.integers(1, 4)), draw(st.integers(1, 2))
    raw = np.array(draw(st.lists(st.floats(0.1, 1.0), min_size=n, max_size=n)))
    return {
        "n": n,
        "d": d,
        "kernel": draw(kernels(d, ("potential", "quadratic", "exp-inner", "gaussian-confined"))),
        "atoms": _points(draw, n, d),
        "weights": raw / raw.sum(),
        "x": _points(draw, 1, d),
    }


_XY = {"family": "quadratic", "params": [0.0, 0.5]}  # k(x, y) = xy
PINNED_18 = [
    {"n": 1, "d": 1, "kernel": {"family": "potential", "params": [1.0, 0.0, 0.0]}, "atoms": np.array([[0.0]]), "weights": np.array([1.0]), "x": np.array([[0.0]])},
    {"n": 1, "d": 1, "kernel": _XY, "atoms": np.array([[0.0]]), "weights": np.array([1.0]), "x": np.array([[1.0]])},
    {"n": 1, "d": 1, "kernel": _XY, "atoms": np.array([[1.0]]), "weights": np.array([1.0]), "x": np.array([[0.0]])},
]


def check_gradient_property(f: Any, ctx: Any) -> Outcome:
    """For drawn weighted clouds, points x and kernels (the potential case through
    :math:`\\nabla h`; symmetric kernels through :math:`2\\int\\nabla_x k\\,d\\alpha`): the printed
    gradient equals the numeric first-variation gradient within its bound plus rounding."""

    def predicate(p: dict) -> tuple[bool, dict]:
        d, atoms, w, x = p["d"], p["atoms"], p["weights"], p["x"]
        kernel = _kernel(p, d)
        ref, bound = _reference(kernel, atoms, w, x)
        if p["kernel"]["family"] == "potential":
            got = np.asarray(f.gradient_potential(kernel.grad_x(x, x)[:, 0, :]), dtype=float)
        else:
            got = np.asarray(f.gradient_symmetric(kernel, x, atoms, w), dtype=float)
        tol = bound + rounding_tol(2 * float(np.abs(kernel.grad_x(x, atoms)).max()) + 1, terms=p["n"])
        if np.all(np.abs(got - ref) <= tol):
            return True, {}
        return False, {"failed": "printed ∇_W f = gradient of the first variation", "formula": got.tolist(), "grad_W f": ref.tolist()}

    res = search_in(ctx, _gradient_params(), predicate, pinned=PINNED_18, examples=(25, 100, 1000))
    return outcome(res, "the printed Wasserstein gradient of (18)", "drawn (weighted cloud, x, kernel), d ≤ 2")


# --- the particle system after (18) -------------------------------------------------------


@st.composite
def _particle_params(draw) -> dict:
    n, d = draw(st.integers(1, 4)), draw(st.integers(1, 2))
    return {"n": n, "d": d, "kernel": draw(kernels(d, ("quadratic", "exp-inner", "gaussian-confined"))), "X": _points(draw, n, d)}


PINNED_PARTICLES = [
    {"n": 1, "d": 1, "kernel": _XY, "X": np.array([[1.0]])},
    {"n": 2, "d": 1, "kernel": _XY, "X": np.array([[0.0], [1.0]])},
]


def check_particles_property(f: Any, ctx: Any) -> Outcome:
    """For drawn n, d, symmetric kernels and clouds: the printed velocities equal
    :math:`-\\nabla_W f(\\alpha_X)(x_i)` from :mod:`verify.variation` within its bound plus the
    rounding of the n-term sum."""

    def predicate(p: dict) -> tuple[bool, dict]:
        n, d, X = p["n"], p["d"], p["X"]
        kernel = _kernel(p, d)
        ref, bound = _reference(kernel, X, np.full(n, 1.0 / n), X)
        v = np.asarray(f.velocity(kernel, X), dtype=float)
        tol = bound + rounding_tol(2 * float(np.abs(kernel.grad_x(X, X)).max()) + 1, terms=n)
        if np.all(np.abs(v + ref) <= tol):
            return True, {}
        return False, {"failed": "printed velocities = −∇_W f(α_X)(x_i)", "formula": v.tolist(), "-grad_W f": (-ref).tolist()}

    res = search_in(ctx, _particle_params(), predicate, pinned=PINNED_PARTICLES, examples=(25, 100, 1000))
    return outcome(res, "the printed particle system is the flow (15)", "drawn (n ≤ 4, d ≤ 2, symmetric kernel, cloud)")
