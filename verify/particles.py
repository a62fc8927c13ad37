"""Samplers, exact empirical optimal transport, and vectorised linear particle flows.

Particles are rows: ``x : (n, d)``.  A linear map ``A`` acts as ``x @ A.T``.  Linear flows
propagate the ``d x d`` fundamental matrix once and apply it to every particle; there is never
one ODE solve per particle.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.integrate import solve_ivp

__all__ = [
    "gaussian_samples",
    "second_moment",
    "push_linear",
    "exact_w2_sq",
    "exact_ot",
    "linear_flow_propagator",
    "integrate_particles",
]


def _check_n(n: int) -> int:
    if isinstance(n, bool) or int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    return int(n)


def gaussian_samples(
    rng: np.random.Generator,
    cov: np.ndarray,
    n: int,
    *,
    exact_moments: bool = False,
) -> np.ndarray:
    """``n`` samples of :math:`\\mathcal N(0, \\Sigma)`, shape ``(n, d)``.

    With ``exact_moments=True`` the standard normal draws are whitened so that the sample's
    second moment :math:`\\frac1n\\sum_i x_i x_i^\\top` equals ``cov`` up to rounding.  This
    turns statements about linear maps of Gaussians into exact finite-sample identities: a
    linear map ``A`` then moves the empirical second moment to exactly
    :math:`A\\Sigma A^\\top`.  Requires ``n >= d`` in that mode.
    """
    from verify.linalg import sym_eigh

    n = _check_n(n)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    lam, q = sym_eigh("cov", cov)
    d = lam.size
    root = (q * np.sqrt(lam)) @ q.T
    z = rng.standard_normal((n, d))
    if exact_moments:
        if n < d:
            raise ValueError(f"n must be at least d = {d} with exact_moments=True, got {n}")
        mz, vz = np.linalg.eigh(z.T @ z / n)
        z = z @ ((vz / np.sqrt(mz)) @ vz.T)
    return z @ root


def second_moment(x: np.ndarray) -> np.ndarray:
    """:math:`\\hat S = \\frac1n\\sum_i x_i x_i^\\top` (about the origin: the measures are centred)."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[0] < 1:
        raise ValueError(f"x must have shape (n, d) with n >= 1, got {x.shape}")
    s = x.T @ x / x.shape[0]
    return (s + s.T) / 2


def push_linear(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Apply the linear map ``a`` to every particle: rows ``a @ x_i``."""
    x = np.asarray(x, dtype=float)
    a = np.asarray(a, dtype=float)
    if x.ndim != 2 or a.shape != (x.shape[1], x.shape[1]):
        raise ValueError(f"a must have shape (d, d) = {(x.shape[1],) * 2}, got {a.shape}")
    return x @ a.T


def exact_ot(
    x: np.ndarray, y: np.ndarray, *, num_itermax: int | None = None
) -> tuple[float, np.ndarray]:
    """Exact squared W2 between the uniform empirical measures on ``x`` and ``y``, and the
    optimal plan (``ot.emd``).

    POT's network simplex stops silently at ``numItermax`` (default 1e5, reached near
    n = 4000); we raise the limit with the problem size and check the solver's result code,
    raising ``RuntimeError`` when it did not reach an optimal vertex.
    """
    import ot

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1]:
        raise ValueError(f"x and y must be (n, d) and (m, d), got {x.shape} and {y.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("x and y must be finite")
    n, m = len(x), len(y)
    cost = ot.dist(x, y, metric="sqeuclidean")
    itermax = num_itermax if num_itermax is not None else max(100_000, 50 * n * m)
    plan, log = ot.emd(
        np.full(n, 1.0 / n), np.full(m, 1.0 / m), cost, numItermax=itermax, log=True
    )
    code = int(log.get("result_code", 1))
    if code != 1:
        raise RuntimeError(
            f"ot.emd did not reach an optimal solution (result_code={code}, "
            f"{log.get('warning')}); raise num_itermax above {itermax}"
        )
    return float(np.sum(plan * cost)), plan


def exact_w2_sq(x: np.ndarray, y: np.ndarray, *, num_itermax: int | None = None) -> float:
    """Exact squared W2 between uniform empirical measures (see :func:`exact_ot`)."""
    return exact_ot(x, y, num_itermax=num_itermax)[0]


def linear_flow_propagator(
    field: Callable[[float], np.ndarray],
    d: int,
    t0: float,
    t1: float,
    *,
    rtol: float = 1e-10,
    atol: float = 1e-12,
) -> np.ndarray:
    """Fundamental matrix :math:`\\Phi(t_1)` of :math:`\\dot\\Phi = A(t)\\Phi`,
    :math:`\\Phi(t_0) = \\mathrm{Id}`, for the linear field :math:`v_t(z) = A(t) z`.

    Solved once on the ``d x d`` matrix with ``solve_ivp`` (DOP853); particles then move by
    ``push_linear(x, Phi)``.
    """
    d = _check_n(d)

    def rhs(t: float, y: np.ndarray) -> np.ndarray:
        a = np.asarray(field(t), dtype=float)
        return (a @ y.reshape(d, d)).ravel()

    sol = solve_ivp(rhs, (t0, t1), np.eye(d).ravel(), method="DOP853", rtol=rtol, atol=atol)
    if not sol.success:
        raise RuntimeError(f"solve_ivp failed: {sol.message}")
    return sol.y[:, -1].reshape(d, d)


def integrate_particles(
    field: Callable[[float, np.ndarray], np.ndarray],
    z0: np.ndarray,
    t0: float,
    t1: float,
    n_steps: int,
) -> np.ndarray:
    r"""Classical Runge–Kutta (order 4) with ``n_steps`` equal steps for :math:`\dot z = v_t(z)`,
    all particles at once: ``field(t, z)`` maps ``(n, d)`` positions to ``(n, d)`` velocities.
    The global error is :math:`O(h^4)`; checks measure it by step halving."""
    n_steps = _check_n(n_steps)
    z = np.array(z0, dtype=float)
    h = (t1 - t0) / n_steps
    t = t0
    for _ in range(n_steps):
        k1 = field(t, z)
        k2 = field(t + h / 2, z + h / 2 * k1)
        k3 = field(t + h / 2, z + h / 2 * k2)
        k4 = field(t + h, z + h * k3)
        z = z + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        t = t0 + h * (_ + 1)
    return z
