"""The printed formulas of mlcontrol §5, "Time Reversal in Diffusion Models for Generative AI"
(the Li–Yau inequality and the backward heat equation), their mutants, and the closed forms of
the heat-kernel mixture the checks evaluate them on.

Conventions of the bullet: the heat equation is :math:`u_t - \\Delta u = 0` (diffusivity 1), its
kernel is printed as

.. math::

    G(x, t) = (4\\pi t)^{-d/2}\\exp(-|x|^2/4t),

so each component of :math:`u(x, t) = \\frac1I\\sum_i G(x - x_i, t)` has variance 2t per
coordinate, and the score is :math:`s = \\nabla\\log u`.

The printed classes evaluate the printed expressions.  Every equation of the bullet is linear in
the derivatives of u (and, for the energy estimate, in the integrals), so the methods take the
derivative quantities (:math:`u_t`, :math:`\\Delta u`, :math:`\\operatorname{div}(su)`, …) or the
integrals as arguments and apply the printed coefficients; the checks compute those quantities
symbolically (sympy), by finite differences or by quadrature.  The methods work on floats,
numpy arrays and sympy expressions alike.  A mutant is a subclass that overrides one method with
one deliberate slip.

The module-level functions (:func:`mixture`, :func:`posterior`, :func:`score`,
:func:`hess_log`, :func:`li_yau_gap`, :func:`energy_integrals`, …) are *derived* closed forms for
the printed kernel, not printed formulas; :mod:`theorems.liyau.derivation` proves them and
:mod:`theorems.liyau.simulation` compares them with finite differences and quadrature.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy as sp
from scipy.special import logsumexp

__all__ = [
    "LiYau",
    "LiYauBoundDOverT",
    "LiYauBoundNoD",
    "LiYauKernelTwoT",
    "BackwardHeat",
    "BackwardFactorOne",
    "BackwardLaplacianSign",
    "BackwardScoreBoundNoD",
    "EnergyEstimate",
    "EnergyMiddleFactorOne",
    "EnergyRightSign",
    "EnergyBoundDOverT",
    "Diffusivity",
    "DiffusivityOneMinusNu",
    "DiffusivityMissingNu",
    "check_points",
    "check_time",
    "mixture",
    "log_mixture",
    "grad_mixture",
    "laplacian_mixture",
    "time_derivative_mixture",
    "posterior",
    "score",
    "hess_log",
    "laplacian_log",
    "li_yau_gap",
    "energy_integrals",
]


def _coords(x: Any) -> tuple[int, Any, bool]:
    """(d, |x|², symbolic?) for a point: a numpy array ``(..., d)`` or a sequence/Matrix of
    sympy coordinates."""
    if isinstance(x, sp.MatrixBase) or (isinstance(x, (list, tuple)) and any(isinstance(c, sp.Basic) for c in x)):
        cs = list(x)
        return len(cs), sum(c**2 for c in cs), True
    a = np.asarray(x, dtype=float)
    if a.ndim == 0:
        raise ValueError(f"x must have a last axis of coordinates (shape (..., d)), got a scalar {x!r}")
    if not np.all(np.isfinite(a)):
        raise ValueError("x contains NaN or inf")
    return a.shape[-1], np.sum(a * a, axis=-1), False


# --- the printed formulas ----------------------------------------------------------------


class LiYau:
    """mlcontrol §5, the Li–Yau inequality and the heat kernel, as printed: for positive
    solutions of :math:`u_t - \\Delta u = 0` in :math:`\\mathbb R^d\\times[0,\\infty)`,

    .. math::

        \\Delta\\log(u) \\ge -\\frac{d}{2t}, \\qquad G(x, t) = (4\\pi t)^{-d/2}\\exp(-|x|^2/4t).
    """

    def kernel(self, x: Any, t: Any) -> Any:
        """:math:`G(x, t)` at a point ``x`` (numpy ``(..., d)`` or sympy coordinates)."""
        d, r2, sym = _coords(x)
        if sym:
            return (4 * sp.pi * t) ** sp.Rational(-d, 2) * sp.exp(-r2 / (4 * t))
        t = check_time(t)
        return (4 * np.pi * t) ** (-d / 2) * np.exp(-r2 / (4 * t))

    def bound(self, d: int, t: Any) -> Any:
        """The lower bound :math:`-d/(2t)` of :math:`\\Delta\\log u`."""
        return -d / (2 * t)


class LiYauBoundDOverT(LiYau):
    """Mutant: the bound :math:`-d/t` (true but not sharp: it is the bound for :math:`u_t = \\frac12\\Delta u`)."""

    def bound(self, d, t):
        return -d / t


class LiYauBoundNoD(LiYau):
    """Mutant: the bound :math:`-1/(2t)` (the dimension dropped)."""

    def bound(self, d, t):
        return -1 / (2 * t)


class LiYauKernelTwoT(LiYau):
    """Mutant: the kernel :math:`(4\\pi t)^{-d/2}\\exp(-|x|^2/2t)`, which solves
    :math:`u_t = \\frac12\\Delta u`, not the printed heat equation."""

    def kernel(self, x, t):
        d, r2, sym = _coords(x)
        if sym:
            return (4 * sp.pi * t) ** sp.Rational(-d, 2) * sp.exp(-r2 / (2 * t))
        t = check_time(t)
        return (4 * np.pi * t) ** (-d / 2) * np.exp(-r2 / (2 * t))


class BackwardHeat:
    """mlcontrol §5, the backward heat equation rewritten as a Fokker–Planck equation, as
    printed:

    .. math::

        u_t - \\Delta u = u_t + \\Delta u - 2\\Delta u
          = u_t + \\Delta u - 2\\operatorname{div}\\Big(u\\frac{\\nabla u}{u}\\Big)
          = u_t + \\Delta u - 2\\operatorname{div}(u\\nabla\\log u) = 0,

    with :math:`s(x, t) = \\nabla\\log(u)`: :math:`u_t + \\Delta u - 2\\operatorname{div}(s(x,t)u) = 0`,
    and the Li–Yau inequality in score form, :math:`\\operatorname{div}s(x, t) \\ge -\\frac{d}{2t}`.

    Each member of the chain is a method of the derivative quantities the check supplies.
    """

    def heat(self, u_t: Any, lap_u: Any) -> Any:
        """:math:`u_t - \\Delta u`."""
        return u_t - lap_u

    def split(self, u_t: Any, lap_u: Any) -> Any:
        """:math:`u_t + \\Delta u - 2\\Delta u`."""
        return u_t + lap_u - 2 * lap_u

    def ratio_form(self, u_t: Any, lap_u: Any, div_ratio_flux: Any) -> Any:
        """:math:`u_t + \\Delta u - 2\\operatorname{div}(u\\nabla u/u)`; the argument is the divergence."""
        return u_t + lap_u - 2 * div_ratio_flux

    def log_form(self, u_t: Any, lap_u: Any, div_log_flux: Any) -> Any:
        """:math:`u_t + \\Delta u - 2\\operatorname{div}(u\\nabla\\log u)`."""
        return u_t + lap_u - 2 * div_log_flux

    def score_form(self, u_t: Any, lap_u: Any, div_su: Any) -> Any:
        """:math:`u_t + \\Delta u - 2\\operatorname{div}(s(x, t)u)` (the Fokker–Planck form)."""
        return u_t + lap_u - 2 * div_su

    def score_bound(self, d: int, t: Any) -> Any:
        """The lower bound :math:`-d/(2t)` of :math:`\\operatorname{div}s`."""
        return -d / (2 * t)


class BackwardFactorOne(BackwardHeat):
    """Mutant: :math:`u_t + \\Delta u - \\operatorname{div}(su)` (factor 1 instead of 2)."""

    def score_form(self, u_t, lap_u, div_su):
        return u_t + lap_u - div_su


class BackwardLaplacianSign(BackwardHeat):
    """Mutant: :math:`u_t - \\Delta u - 2\\operatorname{div}(su)` (sign of the Laplacian)."""

    def score_form(self, u_t, lap_u, div_su):
        return u_t - lap_u - 2 * div_su


class BackwardScoreBoundNoD(BackwardHeat):
    """Mutant: :math:`\\operatorname{div}s \\ge -1/(2t)` (the dimension dropped)."""

    def score_bound(self, d, t):
        return -1 / (2 * t)


class EnergyEstimate:
    """mlcontrol §5, the backward energy estimate, as printed: for u solving
    :math:`u_t + \\Delta u - 2\\operatorname{div}(s(x,t)u) = 0`,

    .. math::

        \\frac12\\frac{d}{dt}\\int u^2\\,dx - \\int|\\nabla u|^2\\,dx
          = 2\\int\\operatorname{div}(us(x,t))\\,u\\,dx
          = \\int u^2\\operatorname{div}s(x,t)\\,dx \\ge -\\frac{d}{2t}\\int u^2\\,dx.

    The methods map the integrals to the members of the chain; being linear, they apply to
    integrands as well (the symbolic check integrates by parts on integrands).
    """

    def lhs(self, ddt_int_u2: Any, int_grad_u2: Any) -> Any:
        """:math:`\\frac12\\frac{d}{dt}\\int u^2 - \\int|\\nabla u|^2`."""
        return ddt_int_u2 / 2 - int_grad_u2

    def middle(self, int_div_us_u: Any) -> Any:
        """:math:`2\\int\\operatorname{div}(us)\\,u`."""
        return 2 * int_div_us_u

    def right(self, int_u2_div_s: Any) -> Any:
        """:math:`\\int u^2\\operatorname{div}s`."""
        return int_u2_div_s

    def bound(self, d: int, t: Any, int_u2: Any) -> Any:
        """:math:`-\\frac{d}{2t}\\int u^2`."""
        return -d / (2 * t) * int_u2


class EnergyMiddleFactorOne(EnergyEstimate):
    """Mutant: :math:`\\int\\operatorname{div}(us)\\,u` instead of :math:`2\\int\\operatorname{div}(us)\\,u`."""

    def middle(self, int_div_us_u):
        return int_div_us_u


class EnergyRightSign(EnergyEstimate):
    """Mutant: :math:`-\\int u^2\\operatorname{div}s` (sign of the integration by parts)."""

    def right(self, int_u2_div_s):
        return -int_u2_div_s


class EnergyBoundDOverT(EnergyEstimate):
    """Mutant: the bound :math:`-\\frac{d}{t}\\int u^2` (true, not sharp)."""

    def bound(self, d, t, int_u2):
        return -d / t * int_u2


class Diffusivity:
    """mlcontrol §5, the tunable diffusivity, as printed: for :math:`\\nu = \\nu(t) \\ge 0`,

    .. math::

        -\\Delta u = \\nu(t)\\Delta u - (1 + \\nu(t))\\operatorname{div}(s(x, t)u).
    """

    def lhs(self, lap_u: Any) -> Any:
        """:math:`-\\Delta u`."""
        return -lap_u

    def rhs(self, nu: Any, lap_u: Any, div_su: Any) -> Any:
        """:math:`\\nu\\Delta u - (1 + \\nu)\\operatorname{div}(su)`."""
        return nu * lap_u - (1 + nu) * div_su


class DiffusivityOneMinusNu(Diffusivity):
    """Mutant: :math:`(1 - \\nu)` instead of :math:`(1 + \\nu)` (agrees at ν = 0 only)."""

    def rhs(self, nu, lap_u, div_su):
        return nu * lap_u - (1 - nu) * div_su


class DiffusivityMissingNu(Diffusivity):
    """Mutant: :math:`\\Delta u - (1 + \\nu)\\operatorname{div}(su)` (ν missing on the Laplacian; agrees at ν = 1 only)."""

    def rhs(self, nu, lap_u, div_su):
        return lap_u - (1 + nu) * div_su


# --- validation --------------------------------------------------------------------------


def check_time(t: Any, name: str = "t") -> float:
    """A time t > 0 as a float; ``ValueError`` naming ``name`` otherwise."""
    try:
        v = float(t)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive real number, got {t!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"{name} must be positive and finite (the heat kernel is defined for t > 0), got {t!r}")
    return v


def check_points(points: Any, name: str = "points") -> np.ndarray:
    """A data set ``(I, d)`` of finite coordinates, I ≥ 1."""
    p = np.asarray(points, dtype=float)
    if p.ndim != 2 or p.shape[0] < 1 or p.shape[1] < 1:
        raise ValueError(f"{name} must have shape (I, d) with I, d >= 1, got shape {p.shape}")
    if not np.all(np.isfinite(p)):
        raise ValueError(f"{name} contains NaN or inf")
    return p


def _query(x: Any, d: int) -> np.ndarray:
    q = np.asarray(x, dtype=float)
    if q.ndim == 0 or q.shape[-1] != d:
        raise ValueError(f"x must have shape (..., {d}) to match the data's dimension, got shape {q.shape}")
    if not np.all(np.isfinite(q)):
        raise ValueError("x contains NaN or inf")
    return q


def _log_components(points: Any, x: Any, t: Any) -> tuple[np.ndarray, np.ndarray, float, int]:
    """(log G(x − x_i, t) with a trailing axis i, displacements x − x_i (..., I, d), t, d)."""
    p = check_points(points)
    d = p.shape[1]
    q = _query(x, d)
    t = check_time(t)
    diff = q[..., None, :] - p
    logs = -np.sum(diff * diff, axis=-1) / (4 * t) - d / 2 * math.log(4 * math.pi * t)
    return logs, diff, t, d


# --- derived closed forms of the mixture (printed kernel) ---------------------------------


def mixture(points: Any, x: Any, t: Any) -> np.ndarray:
    """:math:`u(x, t) = \\frac1I\\sum_i G(x - x_i, t)` at the points ``x : (..., d)``."""
    return np.exp(log_mixture(points, x, t))


def log_mixture(points: Any, x: Any, t: Any) -> np.ndarray:
    """:math:`\\log u(x, t)` by log-sum-exp (no underflow far from the data)."""
    logs, _, _, _ = _log_components(points, x, t)
    return logsumexp(logs, axis=-1) - math.log(logs.shape[-1])


def posterior(points: Any, x: Any, t: Any) -> np.ndarray:
    """Posterior weights :math:`w_i(x) = G(x - x_i, t)/\\sum_j G(x - x_j, t)`, shape ``(..., I)``."""
    logs, _, _, _ = _log_components(points, x, t)
    return np.exp(logs - logsumexp(logs, axis=-1, keepdims=True))


def grad_mixture(points: Any, x: Any, t: Any) -> np.ndarray:
    """:math:`\\nabla u = \\frac1I\\sum_i G(x - x_i, t)\\,\\frac{-(x - x_i)}{2t}`, shape ``(..., d)``."""
    logs, diff, t, _ = _log_components(points, x, t)
    return np.einsum("...i,...id->...d", np.exp(logs), -diff / (2 * t)) / logs.shape[-1]


def laplacian_mixture(points: Any, x: Any, t: Any) -> np.ndarray:
    """:math:`\\Delta u = \\frac1I\\sum_i G(x - x_i, t)\\big(\\frac{|x - x_i|^2}{4t^2} - \\frac{d}{2t}\\big)`
    (second derivatives of the printed kernel in x)."""
    logs, diff, t, d = _log_components(points, x, t)
    r2 = np.sum(diff * diff, axis=-1)
    return np.sum(np.exp(logs) * (r2 / (4 * t * t) - d / (2 * t)), axis=-1) / logs.shape[-1]


def time_derivative_mixture(points: Any, x: Any, t: Any) -> np.ndarray:
    """:math:`\\partial_t u`, differentiating the printed kernel in t:
    :math:`\\partial_t G = G\\,(|x|^2/(4t^2) - d/(2t))` (the same expression as
    :func:`laplacian_mixture`: that is the heat equation)."""
    logs, diff, t, d = _log_components(points, x, t)
    r2 = np.sum(diff * diff, axis=-1)
    return np.sum(np.exp(logs) * (-d / (2 * t) + r2 / (4 * t * t)), axis=-1) / logs.shape[-1]


def score(points: Any, x: Any, t: Any) -> np.ndarray:
    """:math:`s = \\nabla\\log u = -(x - m(x))/(2t)`, :math:`m = \\sum_i w_i x_i` the posterior mean."""
    p = check_points(points)
    w = posterior(p, x, t)
    q = _query(x, p.shape[1])
    return -(q - w @ p) / (2 * check_time(t))


def _posterior_cov(points: Any, x: Any, t: Any) -> np.ndarray:
    p = check_points(points)
    w = posterior(p, x, t)
    m = w @ p
    c = p - m[..., None, :]  # centred at the posterior mean: no cancellation in the variance
    return np.einsum("...i,...ij,...ik->...jk", w, c, c)


def hess_log(points: Any, x: Any, t: Any) -> np.ndarray:
    """:math:`\\nabla^2\\log u = -\\frac{\\mathrm{Id}}{2t} + \\frac{\\mathrm{Cov}_{w(x)}(x_i)}{4t^2}`, shape ``(..., d, d)``."""
    t = check_time(t)
    c = _posterior_cov(points, x, t)
    d = c.shape[-1]
    return -np.eye(d) / (2 * t) + c / (4 * t * t)


def laplacian_log(points: Any, x: Any, t: Any) -> np.ndarray:
    """:math:`\\Delta\\log u = \\operatorname{div}s = -\\frac{d}{2t} + \\frac{\\operatorname{tr}\\mathrm{Cov}_{w(x)}}{4t^2}`."""
    t = check_time(t)
    d = check_points(points).shape[1]
    return -d / (2 * t) + li_yau_gap(points, x, t)


def li_yau_gap(points: Any, x: Any, t: Any) -> np.ndarray:
    """:math:`\\Delta\\log u + \\frac{d}{2t} = \\frac{\\operatorname{tr}\\mathrm{Cov}_{w(x)}(x_i)}{4t^2} \\ge 0`,
    computed directly (no cancellation), so a gap far below d/(2t) keeps its relative accuracy."""
    t = check_time(t)
    return np.trace(_posterior_cov(points, x, t), axis1=-2, axis2=-1) / (4 * t * t)


def energy_integrals(points: Any, t: Any) -> dict[str, float]:
    """Closed forms of the integrals of the energy estimate for the mixture u and its own score,
    from :math:`\\int G(x - a, t)G(x - b, t)\\,dx = G(a - b, 2t)` and its derivatives
    (:math:`\\delta = x_i - x_j`, sums over i, j):

    .. math::

        \\int u^2 = \\tfrac{1}{I^2}\\sum G(\\delta, 2t), \\quad
        \\int|\\nabla u|^2 = \\tfrac{1}{I^2}\\sum G(\\delta, 2t)\\Big(\\frac{d}{4t} - \\frac{|\\delta|^2}{16t^2}\\Big),

        \\tfrac12\\tfrac{d}{dt}\\int u^2 = \\int u\\Delta u = -\\int|\\nabla u|^2, \\quad
        \\int u^2\\operatorname{div}s = \\tfrac{1}{I^2}\\sum G(\\delta, 2t)\\Big(-\\frac{d}{2t} + \\frac{|\\delta|^2}{8t^2}\\Big),

    and the gap :math:`\\int u^2(\\operatorname{div}s + \\frac{d}{2t}) = \\frac{1}{I^2}\\sum G(\\delta, 2t)\\frac{|\\delta|^2}{8t^2} \\ge 0`.
    """
    p = check_points(points)
    t = check_time(t)
    n, d = p.shape
    delta = p[:, None, :] - p[None, :, :]
    r2 = np.sum(delta * delta, axis=-1)
    g = (8 * math.pi * t) ** (-d / 2) * np.exp(-r2 / (8 * t)) / n**2
    grad2 = float(np.sum(g * (d / (4 * t) - r2 / (16 * t * t))))
    return {
        "int_u2": float(np.sum(g)),
        "half_ddt_int_u2": -grad2,
        "int_grad_u2": grad2,
        "int_u_lap_u": -grad2,
        "int_u2_div_s": float(np.sum(g * (-d / (2 * t) + r2 / (8 * t * t)))),
        "gap": float(np.sum(g * r2 / (8 * t * t))),
    }
