"""The one-dimensional Lagrangian JKO scheme and the exact 1-D references it is compared with.

The JKO (minimising movement) step of otdiff §5.1, eq. (13),

.. math::

    \\alpha_{t+\\tau} = \\arg\\min_{\\alpha} \\Big\\{\\frac{1}{2\\tau}W_2^2(\\alpha_t, \\alpha) + f(\\alpha)\\Big\\},

is solved here on measures with n equal masses :math:`\\alpha = \\frac1n\\sum_i\\delta_{x_i}`,
:math:`x_1 < \\dots < x_n`, for the generalised entropies of otdiff eq. (16) plus a potential,

.. math::

    f(\\alpha) = \\int g\\Big(\\frac{d\\alpha}{dx}\\Big)dx + \\int V\\,d\\alpha
    \\;\\approx\\; E(x) = \\sum_{i=1}^{n-1}\\Delta_i\\, g\\Big(\\frac{1}{n\\Delta_i}\\Big) + \\frac1n\\sum_{i=1}^n V(x_i),
    \\qquad \\Delta_i = x_{i+1} - x_i.

**Discretisation.**  Particle i stands for the quantile :math:`s_i = (i - \\frac12)/n` of α, so
exactly the mass 1/n lies between two neighbours and the density there is
:math:`\\rho \\approx 1/(n\\Delta_i)` (otdiff Theorem 5.1's :math:`\\rho` on the gap).  In one
dimension the monotone coupling is optimal, so for sorted particles
:math:`W_2^2(\\alpha_x, \\alpha_y) = \\frac1n\\sum_i(x_i - y_i)^2` exactly, and the step is the
finite-dimensional problem

.. math::

    y = \\arg\\min_{y_1 < \\dots < y_n}\\ \\Psi(y) = \\frac{1}{2\\tau}\\sum_i (y_i - x_i)^2
        + n\\sum_{i=1}^{n-1}\\Delta_i(y)\\, g\\Big(\\frac{1}{n\\Delta_i(y)}\\Big) + \\sum_i V(y_i)

(the JKO objective times n).  With the pressure :math:`P(u) = u g'(u) - g(u)` (so that
:math:`\\partial_t\\rho = \\partial_{xx}P(\\rho)`, the nonlinear diffusion of otdiff (16) with
:math:`\\tilde g = P`), :math:`\\partial\\Psi/\\partial y_j = (y_j - x_j)/\\tau + nP(u_j) - nP(u_{j-1}) + V'(y_j)`,
:math:`u_i = 1/(n\\Delta_i)`, and the Hessian is tridiagonal with
:math:`\\partial^2\\Psi/\\partial\\Delta_i^2 = n^2u_i^3g''(u_i)`; for convex g and
:math:`1/\\tau + V'' > 0` the problem is strictly convex and the order is kept automatically
(the energy is infinite at a collision for Shannon's entropy; for power entropies the line
search keeps every gap positive).  For :math:`g(s) = s\\log s` the gap term is
:math:`-\\log(n\\Delta_i)` and the velocity is :math:`-(1/\\Delta_j - 1/\\Delta_{j-1})`, a
second-order accurate difference of :math:`-\\partial_s(1/\\partial_sX) = -\\partial_x\\log\\rho`
in the quantile variable s.

**Boundary.**  The two end particles have a gap on one side only: the tails below :math:`x_1`
and above :math:`x_n` (mass 1/(2n) each) carry no energy, i.e. the pressure is taken to vanish
beyond the end particles, and the energy counts the mass (n − 1)/n.  The end velocity
:math:`-n(P(u_1) - 0)` is then the centred difference of the pressure over [0, 1/n] in the
quantile variable s, consistent because :math:`\\rho(Q(s)) \\to 0` as s → 0, but not accurate
there: :math:`\\rho(Q(s))` is not smooth at s = 0 (for Gaussian tails it behaves like
:math:`s\\sqrt{2\\log(1/s)}`), so the end particles move about 10% too slowly and settle behind
their exact quantiles by a fixed fraction of their gap (0.02–0.03 for the mixture of
``verify bench``, for every n; they carry mass 1/n each).  The truncation error at the j-th
particle from an end decays like :math:`1/j^2`, so at a fixed quantile level s the node error
is :math:`O(1/(ns))` (measured order 1.2–1.3 in n at s ∈ [0.05, 0.95], where the interior's
:math:`O(1/n^2)` mixes in), and the W2 error stays within a few per cent of the quantisation
floor (reports/BENCHMARKS.md).

**Solver.**  Newton's method on the tridiagonal system, each step by LAPACK's ``dptsv``
(symmetric positive definite tridiagonal, the SPD specialisation of
:func:`scipy.linalg.solve_banded`), warm-started by quadratic extrapolation of the last three steps (the guess errs by O(τ³), and
one solve usually certifies the step).
For Shannon's entropy with no or a quadratic potential, Ψ is self-concordant (a convex quadratic
plus −log of affine functions), so the damped step :math:`1/(1 + \\lambda)` for a Newton decrement
:math:`\\lambda > 1/4` stays inside the domain without a line search, and after a full step the
new decrement is certified below :math:`(\\lambda/(1-\\lambda))^2` (Nesterov, Thm. 4.1.14)
without another solve.  Other energies use a fraction-to-the-boundary rule and Armijo
backtracking on Ψ.

References for comparison: Gaussian mixtures in 1-D (:func:`mixture_quantile` by safeguarded
Newton on :math:`\\log F` or :math:`\\log(1 - F)`, accurate in both tails; :func:`heat_mixture`,
the exact solution of :math:`\\partial_t\\rho = \\partial_{xx}\\rho`), :func:`quantile_w2` (W2
between equal-mass atoms and a law given by its quantile function),
:func:`quantisation_floor`, and the Barenblatt profile of the porous-medium equation
:math:`\\partial_t\\rho = \\partial_{xx}(\\rho^m)` (:func:`barenblatt`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from scipy.linalg.lapack import dptsv
from scipy.special import betainc, betaincinv, beta as beta_fn, log_ndtr, ndtri, roots_laguerre, roots_legendre

from verify.mixtures import GaussianMixture

__all__ = [
    "Entropy",
    "SHANNON",
    "power",
    "Potential",
    "quadratic_potential",
    "JKOInfo",
    "lagrangian_jko_1d",
    "jko_energy",
    "midpoint_nodes",
    "particle_density",
    "mixture_1d",
    "mixture_cdf",
    "mixture_pdf",
    "mixture_score",
    "mixture_quantile",
    "heat_mixture",
    "quantile_w2",
    "cell_means",
    "quantisation_floor",
    "Barenblatt",
    "barenblatt",
]

Array = np.ndarray


# --- energies ------------------------------------------------------------------------------


def _lse(a: Array) -> Array:
    """log-sum-exp over the leading (component) axis: a few elementwise passes, several times
    faster than reducing a short trailing axis or than scipy's ``logsumexp``."""
    m = np.max(a, axis=0)
    m = np.where(np.isfinite(m), m, 0.0)
    return np.log(np.sum(np.exp(a - m), axis=0)) + m


def _xlogx(s: Array) -> Array:
    s = np.asarray(s, dtype=float)
    return np.where(s > 0, s * np.log(np.where(s > 0, s, 1.0)), 0.0)


@dataclass(frozen=True)
class Entropy:
    """A generalised entropy :math:`f(\\alpha) = \\int g(d\\alpha/dx)\\,dx` (otdiff eq. (16)).

    ``g``, ``g1``, ``g2`` are :math:`g, g', g''` (vectorised callables on densities
    :math:`s > 0`).  ``pressure`` is :math:`P(s) = s g'(s) - g(s)` (computed from ``g``, ``g1`` when
    not given; a closed form saves work in the Newton loop).  ``self_concordant`` marks entropies
    whose discrete gap energy :math:`n\\Delta g(1/(n\\Delta))` is self-concordant in Δ (Shannon:
    :math:`-\\log(n\\Delta)`), which lets the solver skip line searches.
    """

    g: Callable[[Array], Array]
    g1: Callable[[Array], Array]
    g2: Callable[[Array], Array]
    name: str
    pressure: Callable[[Array], Array] | None = None
    self_concordant: bool = False

    def p(self, s: Array) -> Array:
        """The pressure :math:`P(s) = s g'(s) - g(s)`; the flow is :math:`\\partial_t\\rho = \\Delta P(\\rho)`."""
        if self.pressure is not None:
            return self.pressure(s)
        return s * self.g1(s) - self.g(s)


#: Shannon–Boltzmann: :math:`g(s) = s\\log s`, :math:`P(s) = s` (the heat equation, otdiff Theorem 5.1).
SHANNON = Entropy(
    g=_xlogx,
    g1=lambda s: np.log(s) + 1.0,
    g2=lambda s: 1.0 / s,
    name="s log s",
    pressure=lambda s: s,
    self_concordant=True,
)


def power(m: float) -> Entropy:
    """:math:`g(s) = s^m/(m-1)`, m > 1: :math:`P(s) = s^m`, the porous-medium equation
    :math:`\\partial_t\\rho = \\Delta(\\rho^m)` (otdiff §5.2)."""
    if isinstance(m, bool) or not isinstance(m, (int, float, np.floating, np.integer)) or not math.isfinite(m) or m <= 1:
        raise ValueError(f"m must be a finite number > 1 for the power entropy s^m/(m-1), got {m!r}")
    m = float(m)
    return Entropy(
        g=lambda s: s**m / (m - 1.0),
        g1=lambda s: m * s ** (m - 1.0) / (m - 1.0),
        g2=lambda s: m * s ** (m - 2.0),
        name=f"s^{m:g}/({m:g}-1)",
        pressure=lambda s: s**m,
    )


@dataclass(frozen=True)
class Potential:
    """A potential energy :math:`\\int V\\,d\\alpha`: ``v``, ``v1``, ``v2`` are :math:`V, V', V''`
    (vectorised).  ``quadratic`` marks :math:`V'' \\equiv` const (keeps Shannon's step
    self-concordant)."""

    v: Callable[[Array], Array]
    v1: Callable[[Array], Array]
    v2: Callable[[Array], Array]
    name: str
    quadratic: bool = False


def quadratic_potential(q: float, c: float = 0.0) -> Potential:
    """:math:`V(x) = \\frac q2 (x - c)^2`; the flow of :math:`\\int V d\\alpha` is :math:`\\dot x = -q(x - c)`."""
    for name, val in (("q", q), ("c", c)):
        if isinstance(val, bool) or not isinstance(val, (int, float, np.floating, np.integer)) or not math.isfinite(val):
            raise ValueError(f"{name} must be a finite number, got {val!r}")
    q, c = float(q), float(c)
    return Potential(
        v=lambda x: 0.5 * q * (x - c) ** 2,
        v1=lambda x: q * (x - c),
        v2=lambda x: np.full(np.shape(x), q),
        name=f"{q:g}(x - {c:g})²/2",
        quadratic=True,
    )


# --- the scheme ----------------------------------------------------------------------------


@dataclass
class JKOInfo:
    """Solver statistics of :func:`lagrangian_jko_1d`.

    ``newton_iterations[k]`` is the number of tridiagonal solves of step k; ``damped`` counts
    damped Newton steps and ``backtracks`` Armijo halvings; ``decrement_bound`` is the largest,
    over the steps, certified (self-concordant case) or last computed Newton decrement λ of the
    returned positions — the distance to the exact minimiser of each step is at most
    :math:`\\sqrt{\\tau_{\\mathrm{eff}}}\\,\\lambda/(1-\\lambda)`, :math:`1/\\tau_{\\mathrm{eff}} = 1/\\tau + \\min V''`.
    """

    newton_iterations: Array
    damped: int = 0
    backtracks: int = 0
    decrement_bound: float = 0.0
    rounding_stops: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return int(self.newton_iterations.sum())

    @property
    def max(self) -> int:
        return int(self.newton_iterations.max()) if self.newton_iterations.size else 0

    @property
    def mean(self) -> float:
        return float(self.newton_iterations.mean()) if self.newton_iterations.size else 0.0


def _positive_int(name: str, v: Any, minimum: int = 1) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {v!r}")
    return int(v)


def _positive(name: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)) or not (math.isfinite(v) and v > 0):
        raise ValueError(f"{name} must be a positive finite number, got {v!r}")
    return float(v)


def _sorted_positions(name: str, x: Any, minimum: int) -> Array:
    a = np.asarray(x, dtype=float)
    if a.ndim != 1 or a.size < minimum:
        raise ValueError(f"{name} must be a 1-D array of at least {minimum} particle positions, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or inf (first at index {int(np.argmin(np.isfinite(a)))})")
    gaps = np.diff(a)
    if gaps.size and not np.all(gaps > 0):
        i = int(np.argmin(gaps > 0))
        raise ValueError(
            f"{name} must be strictly increasing (sorted, distinct particles): {name}[{i}] = {a[i]!r} >= {name}[{i + 1}] = {a[i + 1]!r}; "
            "sort the particles and remove duplicates"
        )
    return a


def jko_energy(x: Any, entropy: Entropy | None = SHANNON, potential: Potential | None = None) -> float:
    """The discrete energy :math:`E(x) = \\sum_{i=1}^{n-1}\\Delta_i g(1/(n\\Delta_i)) + \\frac1n\\sum_i V(x_i)`
    of sorted equal-mass particles ``x : (n,)`` (the f of otdiff (13) on n-atom measures)."""
    a = _sorted_positions("x", x, 2 if entropy is not None else 1)
    n = a.size
    e = 0.0
    if entropy is not None:
        gaps = np.diff(a)
        e += float(np.sum(gaps * entropy.g(1.0 / (n * gaps))))
    if potential is not None:
        e += float(np.mean(potential.v(a)))
    return e


def _objective(y: Array, x: Array, tau: float, n: int, entropy: Entropy | None, potential: Potential | None) -> float:
    val = float(np.sum((y - x) ** 2)) / (2.0 * tau)
    if entropy is not None:
        gaps = np.diff(y)
        if np.any(gaps <= 0):
            return math.inf
        val += n * float(np.sum(gaps * entropy.g(1.0 / (n * gaps))))
    if potential is not None:
        val += float(np.sum(potential.v(y)))
    return val


def _jko_step(
    x: Array, y: Array, tau: float, entropy: Entropy | None, potential: Potential | None, tol: float, max_newton: int,
    concordant: bool, info: JKOInfo,
) -> tuple[Array, int, float]:
    """One JKO step from ``x`` with the initial guess ``y``; returns (positions, solves, λ bound)."""
    n = x.size
    inv_tau = 1.0 / tau
    lam_prev = math.inf
    f_y = None
    for it in range(1, max_newton + 1):
        grad = (y - x) * inv_tau
        diag = np.full(n, inv_tau)
        if entropy is SHANNON:
            # n P(u) = 1/Δ and n² u³ g''(u) = 1/Δ²: two operations instead of a dozen.
            p = 1.0 / np.diff(y)
            a = p * p
        elif entropy is not None:
            u = 1.0 / (n * np.diff(y))
            p = n * entropy.p(u)
            a = (n * n) * u**3 * entropy.g2(u)
        if entropy is not None:
            grad[:-1] += p
            grad[1:] -= p
            diag[:-1] += a
            diag[1:] += a
            off = -a
        else:
            off = np.zeros(n - 1)
        if potential is not None:
            grad += potential.v1(y)
            diag += potential.v2(y)
        _, _, delta, flag = dptsv(diag, off, -grad)
        if flag != 0:
            raise RuntimeError(
                f"JKO step is not strictly convex at Newton iteration {it} (tridiagonal Hessian not positive definite, "
                f"LAPACK dptsv info = {flag}); with a concave potential reduce tau below 1/max(-V'')"
            )
        lam = math.sqrt(max(float(-grad @ delta), 0.0))
        if concordant:
            if lam > 0.25:
                y = y + delta / (1.0 + lam)
                info.damped += 1
                lam_prev = lam
                continue
            y = y + delta
            bound = (lam / (1.0 - lam)) ** 2
            if bound <= tol:
                return y, it, bound
            if lam < 1e-7 and lam >= 0.5 * lam_prev:
                info.rounding_stops += 1  # the decrement no longer falls: rounding floor of the gradient
                return y, it, lam
            lam_prev = lam
            continue
        # General energies: fraction to the boundary, then Armijo backtracking on Ψ.
        step = 1.0
        if entropy is not None:
            dgap = np.diff(delta)
            shrinking = dgap < 0
            if np.any(shrinking):
                step = min(1.0, 0.95 * float(np.min(-np.diff(y)[shrinking] / dgap[shrinking])))
        if f_y is None:
            f_y = _objective(y, x, tau, n, entropy, potential)
        slope = float(grad @ delta)
        while True:
            cand = y + step * delta
            f_c = _objective(cand, x, tau, n, entropy, potential)
            # Near the optimum the decrease falls below the rounding of Ψ: accept the full step.
            if f_c <= f_y + 1e-4 * step * slope or (step == 1.0 and lam * lam <= 1e3 * np.finfo(float).eps * max(1.0, abs(f_y))):
                break
            step *= 0.5
            info.backtracks += 1
            if step < 1e-12:
                raise RuntimeError(f"JKO step: line search failed at Newton iteration {it} (decrement {lam:.3g})")
        y, f_y = cand, f_c
        if step < 1.0:
            info.damped += 1
        elif lam <= tol:
            return y, it, lam
        elif lam < 1e-7 and lam >= 0.5 * lam_prev:
            info.rounding_stops += 1
            return y, it, lam
        lam_prev = lam
    raise RuntimeError(f"JKO step: Newton did not converge in {max_newton} iterations (last decrement {lam:.3g}, tol {tol:g})")


def lagrangian_jko_1d(
    x0: Any,
    tau: float,
    n_steps: int,
    entropy: Entropy | None = SHANNON,
    potential: Potential | None = None,
    tol: float = 1e-10,
    *,
    trajectory: bool = False,
    record_every: int = 1,
    max_newton: int = 50,
    return_info: bool = False,
) -> Array | tuple[Array, JKOInfo]:
    """``n_steps`` JKO steps (otdiff eq. (13)) of n equal-mass particles in one dimension.

    .. math::

        x^{k+1} = \\arg\\min_{y_1<\\dots<y_n} \\frac{1}{2\\tau}\\,\\frac1n\\sum_i (y_i - x^k_i)^2
            + \\sum_{i=1}^{n-1}\\Delta_i(y)\\,g\\Big(\\frac{1}{n\\Delta_i(y)}\\Big) + \\frac1n\\sum_i V(y_i)

    (see the module docstring for the discretisation, the boundary treatment and the solver).

    Parameters
    ----------
    x0 : (n,) array
        Strictly increasing initial positions; particle i stands for the quantile (i − ½)/n.
    tau : float
        Time step τ > 0.
    n_steps : int
        Number of steps (0 returns ``x0``).
    entropy : Entropy or None
        g of otdiff (16) (default :data:`SHANNON`, the heat equation); None for a pure potential flow.
    potential : Potential or None
        V of :math:`\\int V d\\alpha` (default none).
    tol : float
        Bound on the Newton decrement λ of each returned step (distance to the exact minimiser of
        the step at most :math:`\\sqrt\\tau\\,\\lambda/(1-\\lambda)` for convex V).
    trajectory : bool
        Return the positions after every ``record_every`` steps (shape ``(n_steps // record_every + 1, n)``,
        the first row ``x0``) instead of the final positions only.
    record_every : int
        Recording stride of ``trajectory``; must divide ``n_steps``.
    max_newton : int
        Newton iterations per step before ``RuntimeError``.
    return_info : bool
        Also return a :class:`JKOInfo` (Newton iteration counts per step).

    Returns
    -------
    (n,) or (n_records, n) array, optionally with a :class:`JKOInfo`.
    """
    x = _sorted_positions("x0", x0, 2 if entropy is not None else 1).copy()
    tau = _positive("tau", tau)
    n_steps = _positive_int("n_steps", n_steps, 0)
    tol = _positive("tol", tol)
    max_newton = _positive_int("max_newton", max_newton)
    record_every = _positive_int("record_every", record_every)
    if trajectory and n_steps % record_every:
        raise ValueError(f"record_every must divide n_steps = {n_steps}, got {record_every}")
    if entropy is not None and not isinstance(entropy, Entropy):
        raise TypeError(f"entropy must be an Entropy or None, got {type(entropy).__name__}")
    if potential is not None and not isinstance(potential, Potential):
        raise TypeError(f"potential must be a Potential or None, got {type(potential).__name__}")
    concordant = entropy is not None and entropy.self_concordant and (potential is None or potential.quadratic)
    if entropy is None and (potential is None or potential.quadratic):
        concordant = True  # a convex quadratic: Newton's first full step is exact
    info = JKOInfo(newton_iterations=np.zeros(n_steps, dtype=np.int32))
    records = [x.copy()] if trajectory else []
    hist: list[Array] = []
    for k in range(n_steps):
        # Quadratic extrapolation of the last three steps: the guess errs by O(τ³), and one
        # Newton solve usually certifies the step.
        if len(hist) == 2:
            guess = 3.0 * (x - hist[1]) + hist[0]
        elif len(hist) == 1:
            guess = 2.0 * x - hist[0]
        else:
            guess = x.copy()
        if entropy is not None and len(hist) and not np.all(np.diff(guess) > 0):
            guess = x.copy()
        new, its, lam = _jko_step(x, guess, tau, entropy, potential, tol, max_newton, concordant, info)
        info.newton_iterations[k] = its
        info.decrement_bound = max(info.decrement_bound, lam)
        hist = [hist[-1], x] if hist else [x]
        x = new
        if trajectory and (k + 1) % record_every == 0:
            records.append(x.copy())
    out = np.array(records) if trajectory else x
    return (out, info) if return_info else out


def midpoint_nodes(n: int) -> Array:
    """The quantile levels :math:`s_i = (i - \\frac12)/n`, i = 1..n, that the particles stand for."""
    n = _positive_int("n", n)
    return (np.arange(1, n + 1) - 0.5) / n


def particle_density(x: Any) -> tuple[Array, Array]:
    """Midpoints of neighbouring particles and the density :math:`1/(n\\Delta_i)` on each gap
    (histogram-free density of an equal-mass particle measure)."""
    a = _sorted_positions("x", x, 2)
    return 0.5 * (a[1:] + a[:-1]), 1.0 / (a.size * np.diff(a))


# --- one-dimensional Gaussian mixtures -------------------------------------------------------


def mixture_1d(weights: Any, means: Any, variances: Any) -> GaussianMixture:
    """A one-dimensional :class:`verify.mixtures.GaussianMixture` from flat lists."""
    w = np.asarray(weights, dtype=float).ravel()
    m = np.asarray(means, dtype=float).ravel()
    v = np.asarray(variances, dtype=float).ravel()
    if not (w.size == m.size == v.size) or w.size == 0:
        raise ValueError(f"weights, means and variances must have the same positive length, got {w.size}, {m.size}, {v.size}")
    if not np.all(np.isfinite(v)) or np.any(v <= 0):
        raise ValueError(f"variances must be positive and finite, got {v.tolist()}")
    return GaussianMixture(w, m[:, None], v[:, None, None])


def _mix1(mix: Any) -> tuple[Array, Array, Array]:
    if not isinstance(mix, GaussianMixture):
        raise TypeError(f"mix must be a verify.mixtures.GaussianMixture, got {type(mix).__name__}")
    if mix.dim != 1:
        raise ValueError(f"mix must be one-dimensional, got dimension {mix.dim}")
    sd = np.sqrt(mix.covs[:, 0, 0])
    if np.any(sd <= 0):
        raise ValueError(f"mix needs positive component variances, got {(sd ** 2).tolist()}")
    keep = mix.weights > 0
    return np.log(mix.weights[keep]), mix.means[keep, 0], sd[keep]


def _z(mix: Any, x: Any) -> tuple[Array, Array, Array, Array]:
    """Log-weights, means, standard deviations (shape (K, 1, ...)) and standardised points
    :math:`(x - \\mu_k)/\\sigma_k`, components first: shape ``(K,) + x.shape``."""
    logw, mu, sd = _mix1(mix)
    x = np.asarray(x, dtype=float)
    ex = (slice(None),) + (None,) * x.ndim
    logw, mu, sd = logw[ex], mu[ex], sd[ex]
    return logw, mu, sd, (x - mu) / sd


def mixture_cdf(mix: GaussianMixture, x: Any, *, upper: bool = False) -> Array:
    """:math:`F(x) = \\sum_k w_k\\Phi((x - \\mu_k)/\\sigma_k)`, or :math:`1 - F(x)` with ``upper=True``
    (computed directly, accurate in the right tail)."""
    logw, _, _, z = _z(mix, x)
    return np.exp(_lse(logw + log_ndtr(-z if upper else z)))


def mixture_pdf(mix: GaussianMixture, x: Any) -> Array:
    """The density :math:`\\sum_k w_k\\varphi((x-\\mu_k)/\\sigma_k)/\\sigma_k`."""
    logw, _, sd, z = _z(mix, x)
    return np.exp(_lse(logw - 0.5 * z**2 - np.log(sd) - 0.5 * math.log(2 * math.pi)))


def mixture_score(mix: GaussianMixture, x: Any) -> Array:
    """:math:`\\partial_x\\log\\rho(x) = -\\sum_k\\pi_k(x)(x - \\mu_k)/\\sigma_k^2` (posterior weights π)."""
    logw, _, sd, z = _z(mix, x)
    logc = (logw - np.log(sd)) - 0.5 * z * z
    e = np.exp(logc - logc.max(axis=0))  # unnormalised posterior weights
    return -np.sum(e * (z / sd), axis=0) / np.sum(e, axis=0)


def mixture_quantile(mix: GaussianMixture, s: Any, *, upper: bool = False, max_iter: int = 200) -> Array:
    """Quantile :math:`F^{-1}(s)` of a 1-D Gaussian mixture, vectorised; with ``upper=True``
    ``s`` is the upper-tail mass r and the result is :math:`F^{-1}(1 - r)` without forming 1 − r.

    Safeguarded Newton on :math:`\\log F(x) = \\log s` (or :math:`\\log(1-F)` for levels above 1/2),
    which keeps full relative accuracy in both tails, inside the bracket
    :math:`[\\min_k q_k, \\max_k q_k]` of the component quantiles :math:`q_k = \\mu_k + \\sigma_k\\Phi^{-1}(s)`
    (F is an average of the component CDFs, so it crosses s between them).  Stops when the step
    is below 4 ulp of the scale; raises ``RuntimeError`` when that fails within ``max_iter``.
    """
    logw, mu, sd = _mix1(mix)
    s = np.asarray(s, dtype=float)
    if not np.all(np.isfinite(s)) or np.any(s <= 0) or np.any(s >= 1):
        bad = s[~(np.isfinite(s) & (s > 0) & (s < 1))]
        raise ValueError(f"s must lie in the open interval (0, 1), got {bad.ravel()[:3].tolist()}")
    shape = s.shape
    s = s.ravel()
    if s.size == 0:
        return np.empty(shape)
    # Solve on the side of the smaller tail mass r: log F(x) = log r on the left,
    # log(1 - F(x)) = log r on the right.
    if upper:
        right = s < 0.5
        r = np.where(right, s, 1.0 - s)
    else:
        right = s > 0.5
        r = np.where(right, 1.0 - s, s)
    log_r = np.log(r)
    sign = np.where(right, -1.0, 1.0)
    zq = ndtri(r)
    qk = mu[:, None] + sd[:, None] * (sign * zq)
    lo, hi = qk.min(axis=0), qk.max(axis=0)
    logw, mu, sd = logw[:, None], mu[:, None], sd[:, None]
    log_norm = np.log(sd) + 0.5 * math.log(2 * math.pi)
    # Start from the inverse of a tabulated log F (log(1 - F) on the right) inside the bracket:
    # Newton from there converges in a few steps, where the bare bracket can need bisections.
    grid = np.linspace(lo.min(), hi.max(), 513)
    zg = (grid - mu) / sd
    x = np.empty(s.size)
    for side, sgn in ((~right, 1.0), (right, -1.0)):
        if np.any(side):
            table = _lse(logw + log_ndtr(sgn * zg))
            if sgn > 0:
                x[side] = np.interp(log_r[side], table, grid)
            else:
                x[side] = np.interp(log_r[side], table[::-1], grid[::-1])
    x = np.clip(x, lo, hi)
    scale = float(np.max(np.abs(mu)) + np.max(sd))
    ulp = 4 * np.finfo(float).eps
    done = (hi - lo) <= ulp * (np.abs(x) + scale)
    for _ in range(max_iter):
        idx = np.flatnonzero(~done)
        if idx.size == 0:
            break
        xa, sg = x[idx], sign[idx]
        z = (xa - mu) / sd
        logt = _lse(logw + log_ndtr(sg * z))  # log F or log(1 - F)
        logp = _lse(logw - 0.5 * z**2 - log_norm)
        h = logt - log_r[idx]
        # h increases with x on the left side and decreases on the right: keep the root bracketed.
        root_right = np.where(sg > 0, h < 0, h > 0)
        lo_a = np.where(root_right, xa, lo[idx])
        hi_a = np.where(root_right, hi[idx], xa)
        slope = sg * np.exp(logp - logt)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            xn = xa - h / slope
        tol = ulp * (np.abs(xa) + scale)
        # A Newton step below the tolerance is convergence even when it does not move x off the
        # bracket end it sits on; other steps leaving the bracket are replaced by bisection.
        conv = (np.abs(xn - xa) <= tol) | ((hi_a - lo_a) <= tol) | (h == 0)
        outside = ~conv & (~np.isfinite(xn) | (xn <= lo_a) | (xn >= hi_a))
        xn = np.where(outside, 0.5 * (lo_a + hi_a), np.where(h == 0, xa, xn))
        x[idx], lo[idx], hi[idx] = xn, lo_a, hi_a
        done[idx[conv]] = True
    else:
        raise RuntimeError(f"mixture_quantile: no convergence in {max_iter} iterations for {int((~done).sum())} levels")
    return x.reshape(shape)


def heat_mixture(mix: GaussianMixture, t: float, diffusivity: float = 1.0) -> GaussianMixture:
    """The solution at time t of :math:`\\partial_t\\rho = D\\,\\partial_{xx}\\rho` from the mixture
    ``mix``: each component's variance grows by :math:`2Dt` (convolution with
    :math:`\\mathcal N(0, 2Dt)`).  ``ValueError`` when a variance would not stay positive
    (backward diffusion beyond the smallest component variance)."""
    _mix1(mix)
    if not (math.isfinite(t) and t >= 0):
        raise ValueError(f"t must be a non-negative finite time, got {t!r}")
    if not math.isfinite(diffusivity):
        raise ValueError(f"diffusivity must be finite, got {diffusivity!r}")
    v = mix.covs[:, 0, 0] + 2.0 * diffusivity * t
    if np.any(v <= 0):
        raise ValueError(
            f"diffusivity = {diffusivity:g} at t = {t:g} makes a component variance non-positive ({v.min():.3g}): "
            "backward diffusion has no Gaussian-mixture solution this long"
        )
    return GaussianMixture(mix.weights, mix.means, v[:, None, None])


# --- W2 against a quantile function --------------------------------------------------------

Quantile = Callable[[Array], Array]


#: Length of the end pieces integrated by Gauss–Laguerre; longer end cells (n < 16) add
#: Gauss–Legendre panels of doubling length up to the cell edge.
_TAIL = 1.0 / 16


def _end_rule(h: float, n_quad: int, n_tail: int) -> tuple[Array, Array]:
    """Nodes r in (0, h] and weights for :math:`\\int_0^h F(r)\\,dr` with F singular at r = 0 (a
    quantile function near a tail): Gauss–Laguerre in u on :math:`r = h_t e^{-u}`,
    :math:`h_t = \\min(h, 1/16)` (the integrand :math:`F(h_te^{-u})h_te^{-u}` is smooth in u and
    decays like :math:`e^{-u}`), then panels :math:`[h_t2^k, h_t2^{k+1}]` with ``n_quad``-point
    Gauss–Legendre (each panel as far from the singularity as it is long)."""
    gl_x, gl_w = roots_legendre(n_quad)
    lg_x, lg_w = roots_laguerre(n_tail)
    ht = min(h, _TAIL)
    nodes, weights = [ht * np.exp(-lg_x)], [lg_w * ht]
    a = ht
    while a < h * (1 - 1e-12):
        b = min(2 * a, h)
        nodes.append(a + (b - a) * 0.5 * (gl_x + 1.0))
        weights.append((b - a) * 0.5 * gl_w)
        a = b
    return np.concatenate(nodes), np.concatenate(weights)


def _cell_values(quantile: Quantile, n: int, n_quad: int, n_tail: int, upper: Quantile | None):
    """Quantile values and weights per cell ((i−1)/n, i/n]: Gauss–Legendre inside, and on the two
    end pieces of length h (1/n, or 1/2 when n = 1), where Q has its integrable (for instance
    logarithmic) singularities, the rule of :func:`_end_rule`."""
    gl_x, gl_w = roots_legendre(n_quad)
    gx, gw = 0.5 * (gl_x + 1.0), 0.5 * gl_w
    h = 1.0 / n if n > 1 else 0.5
    tail_r, tail_w = _end_rule(h, n_quad, n_tail)
    low = np.asarray(quantile(tail_r), dtype=float)
    high = np.asarray(upper(tail_r) if upper is not None else quantile(1.0 - tail_r), dtype=float)
    if n > 2:
        left = np.arange(1, n - 1)[:, None] / n
        inner = np.asarray(quantile((left + gx[None, :] / n).ravel()), dtype=float).reshape(n - 2, n_quad)
    else:
        inner = np.empty((0, n_quad))
    inner_w = gw / n
    for name, arr in (("lower tail", low), ("upper tail", high), ("interior", inner)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"quantile returned non-finite values in the {name} cells")
    return low, high, tail_w, inner, inner_w


def quantile_w2(x: Any, quantile: Quantile, n_quad: int = 8, *, upper: Quantile | None = None, n_tail: int = 40) -> float:
    """:math:`W_2` between :math:`\\frac1n\\sum_i\\delta_{x_i}` (x sorted) and the law with quantile
    function Q:

    .. math::

        W_2^2 = \\int_0^1 |F^{-1}(s) - Q(s)|^2ds = \\sum_{i=1}^n\\int_{(i-1)/n}^{i/n}|x_i - Q(s)|^2ds,

    the n-atom measure's quantile function being :math:`x_i` on :math:`((i-1)/n, i/n]`.
    ``n_quad``-point Gauss–Legendre per interior cell; the two end cells by ``n_tail``-point
    Gauss–Laguerre in :math:`u`, :math:`s = h_te^{-u}`, :math:`h_t = \\min(1/n, 1/16)`, which integrates
    the tail singularity of Q (:math:`\\sqrt{2\\log(1/s)}` for Gaussian tails), plus Legendre panels
    up to the cell edge when the cell is longer.  ``upper(r)`` should return :math:`Q(1 - r)`
    accurately for small r (default ``quantile(1 - r)``, which loses the far right tail below
    :math:`r \\approx 10^{-16}`; harmless for bounded support).
    """
    a = _sorted_positions("x", x, 1)
    n = a.size
    n_quad = _positive_int("n_quad", n_quad)
    n_tail = _positive_int("n_tail", n_tail)
    low, high, tail_w, inner, inner_w = _cell_values(quantile, n, n_quad, n_tail, upper)
    total = float(tail_w @ (a[0] - low) ** 2) + float(tail_w @ (a[-1] - high) ** 2)
    if n > 2:
        total += float(np.sum(((a[1:-1, None] - inner) ** 2) @ inner_w))
    return math.sqrt(total)


def cell_means(quantile: Quantile, n: int, n_quad: int = 8, *, upper: Quantile | None = None, n_tail: int = 40) -> Array:
    """The best n-atom equal-mass approximation of a law in W2: atoms at the cell means
    :math:`m_i = n\\int_{(i-1)/n}^{i/n}Q(s)\\,ds` (the L² projection of Q on functions constant on
    the cells)."""
    n = _positive_int("n", n)
    low, high, tail_w, inner, inner_w = _cell_values(quantile, n, n_quad, n_tail, upper)
    if n == 1:
        return np.array([tail_w @ low + tail_w @ high])
    out = np.empty(n)
    out[0], out[-1] = tail_w @ low * n, tail_w @ high * n
    if n > 2:
        out[1:-1] = inner @ inner_w * n
    return out


def quantisation_floor(quantile: Quantile, n: int, n_quad: int = 8, *, upper: Quantile | None = None, n_tail: int = 40) -> float:
    """:math:`\\min W_2(\\frac1n\\sum_i\\delta_{y_i}, \\mu)` over n equal-mass atoms: W2 of
    :func:`cell_means`.  No n-particle scheme can be closer to μ in W2; for Gaussian tails the
    floor decays like :math:`n^{-1/2}` up to a logarithm (about :math:`n^{-0.55}` for n in 10²–10⁴)."""
    return quantile_w2(cell_means(quantile, n, n_quad, upper=upper, n_tail=n_tail), quantile, n_quad, upper=upper, n_tail=n_tail)


# --- Barenblatt ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Barenblatt:
    """The Barenblatt (source-type) solution of the porous-medium equation
    :math:`\\partial_t\\rho = \\partial_{xx}(\\rho^m)` in one dimension, mass 1:

    .. math::

        \\rho(t, x) = t^{-\\alpha}\\big(C - k\\,x^2t^{-2\\alpha}\\big)_+^{1/(m-1)}, \\qquad
        \\alpha = \\frac{1}{m+1},\\quad k = \\frac{m-1}{2m(m+1)},

    C fixed by the mass.  With :math:`a = 1/(m-1)` and the radius :math:`R(t) = t^\\alpha\\sqrt{C/k}`,
    :math:`x = R(2w - 1)` maps the support to :math:`w \\in [0, 1]`, where the CDF is the
    regularised incomplete beta function :math:`I_w(a+1, a+1)`; hence the quantile
    :math:`Q(s) = R\\,(2I^{-1}_s(a+1, a+1) - 1)` (``scipy.special.betaincinv``) and
    :math:`\\int(1-u^2)^a du = B(\\tfrac12, a+1)` gives
    :math:`C^{a + 1/2} = \\sqrt k / B(\\tfrac12, a+1)`.
    """

    m: float
    t: float

    def __post_init__(self) -> None:
        if isinstance(self.m, bool) or not (isinstance(self.m, (int, float, np.floating, np.integer)) and math.isfinite(self.m) and self.m > 1):
            raise ValueError(f"m must be a finite number > 1, got {self.m!r}")
        if isinstance(self.t, bool) or not (isinstance(self.t, (int, float, np.floating, np.integer)) and math.isfinite(self.t) and self.t > 0):
            raise ValueError(f"t must be a positive finite time, got {self.t!r}")

    @property
    def alpha(self) -> float:
        return 1.0 / (self.m + 1.0)

    @property
    def k(self) -> float:
        return (self.m - 1.0) / (2.0 * self.m * (self.m + 1.0))

    @property
    def a(self) -> float:
        return 1.0 / (self.m - 1.0)

    @property
    def c(self) -> float:
        return (math.sqrt(self.k) / float(beta_fn(0.5, self.a + 1.0))) ** (1.0 / (self.a + 0.5))

    @property
    def radius(self) -> float:
        """Half-width of the support, :math:`R(t) = t^{\\alpha}\\sqrt{C/k}`."""
        return self.t**self.alpha * math.sqrt(self.c / self.k)

    def density(self, x: Any) -> Array:
        x = np.asarray(x, dtype=float)
        inside = np.maximum(self.c - self.k * x**2 * self.t ** (-2 * self.alpha), 0.0)
        return self.t ** (-self.alpha) * inside**self.a

    def cdf(self, x: Any) -> Array:
        w = np.clip((np.asarray(x, dtype=float) / self.radius + 1.0) / 2.0, 0.0, 1.0)
        return betainc(self.a + 1.0, self.a + 1.0, w)

    def quantile(self, s: Any) -> Array:
        s = np.asarray(s, dtype=float)
        if not np.all((s >= 0) & (s <= 1)):
            raise ValueError("s must lie in [0, 1]")
        return self.radius * (2.0 * betaincinv(self.a + 1.0, self.a + 1.0, s) - 1.0)

    def quantile_upper(self, r: Any) -> Array:
        """:math:`Q(1 - r)` for small r, by the symmetry :math:`Q(1 - r) = -Q(r)`."""
        return -self.quantile(r)


def barenblatt(m: float, t: float) -> Barenblatt:
    """The Barenblatt profile of :math:`\\partial_t\\rho = \\partial_{xx}(\\rho^m)` at time t (mass 1)."""
    return Barenblatt(m, t)
