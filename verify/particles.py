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
    "transport_test",
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


def transport_test(
    rng: np.random.Generator,
    moved: np.ndarray,
    sample: Callable[[np.random.Generator, int], np.ndarray],
    alpha: float,
    centers: np.ndarray | None = None,
) -> dict:
    r"""Do the transported particles have the law that ``sample`` draws from?

    ``moved`` is ``(reps, n, d)``: independent replicates.  Two statistics:

    * exact W2² (``ot.emd``) between each replicate and a fresh sample, minus the same statistic
      between two other fresh samples; under the null both terms have the same law, so
      :math:`\bar\delta` has mean 0 and variance :math:`2\,\mathrm{Var}(W_{\text{null}})/\text{reps}`,
      estimated from the *null* terms only (a diverging field cannot inflate its own error bar);
      Student-t multiplier with reps − 1 degrees of freedom;
    * with ``centers`` (the atoms of a well-separated mixture): counts of nearest-centre labels of
      all moved particles against those of an equal-size fresh sample, a 2 x K contingency χ² test
      (sensitive to wrong mixture weights, which W2 at small n barely sees).

    The false-alarm budget ``alpha`` is split between the two tests (Bonferroni).
    """
    from scipy.stats import chi2_contingency

    from verify.stats import mean_se, t_multiplier

    moved = np.asarray(moved, dtype=float)
    reps, n, _ = moved.shape
    if reps < 3:
        raise ValueError(f"moved needs at least 3 replicates, got {reps}")
    n_tests = 2 if centers is not None else 1
    out: dict = {"reps": reps, "n": n, "diverged": int(np.sum(~np.all(np.isfinite(moved), axis=2)))}
    if out["diverged"]:
        out["passed"] = False
        return out
    w_moved, w_null = [], []
    for r in range(reps):
        w_moved.append(exact_w2_sq(moved[r], sample(rng, n)))
        w_null.append(exact_w2_sq(sample(rng, n), sample(rng, n)))
    delta = float(np.mean(w_moved) - np.mean(w_null))
    _, se_null = mean_se(w_null)
    se = float(np.sqrt(2.0) * se_null)
    k = t_multiplier(alpha / n_tests, 1, reps - 1)
    z = delta / se if se > 0 else (0.0 if delta == 0 else np.inf)
    out |= {"mean_w2_moved": float(np.mean(w_moved)), "mean_w2_null": float(np.mean(w_null)), "delta": delta, "se": se, "z": float(z), "k": k}
    passed = abs(z) <= k
    if centers is not None:
        c = np.asarray(centers, dtype=float)
        flat = moved.reshape(-1, moved.shape[2])
        ref = sample(rng, len(flat))

        def counts(x):
            lab = np.argmin(((x[:, None, :] - c[None]) ** 2).sum(-1), axis=1)
            return np.bincount(lab, minlength=len(c))

        table = np.stack([counts(flat), counts(ref)])
        keep = table.sum(axis=0) > 0
        if keep.sum() >= 2:
            stat, pval, _, _ = chi2_contingency(table[:, keep])
        else:
            stat, pval = 0.0, 1.0
        out |= {"counts_moved": table[0].tolist(), "counts_fresh": table[1].tolist(), "chi2": float(stat), "chi2_p": float(pval)}
        passed = passed and pval >= alpha / n_tests
    out["passed"] = bool(passed)
    return out
