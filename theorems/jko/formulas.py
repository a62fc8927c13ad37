"""The printed formulas of otdiff §5.1–§5.2 (the JKO scheme, the first variation, the flow (15)
and Theorem 5.1), with one subclass per mutant.

Every method evaluates the printed expression with operations that work on floats, numpy arrays
and sympy expressions alike, so the symbolic checks evaluate the same text exactly.  A mutant
overrides one slip.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import sympy as sp

__all__ = [
    "sq_norm",
    "log",
    "Eq13",
    "Eq13OneOverTau",
    "Eq13SignFlip",
    "Eq14",
    "Eq14OneOverTau",
    "Eq14Explicit",
    "Eq14SignFlip",
    "Sec51",
    "Sec51SignFlip",
    "Sec51FactorTwo",
    "Thm51",
    "Thm51Diffusivity2",
    "Thm51Backward",
    "Thm51Half",
]


def sq_norm(d: Any) -> Any:
    """:math:`\\|d\\|^2` of a scalar, a sympy column or the last axis of an array."""
    if isinstance(d, sp.MatrixBase):
        return (d.T * d)[0]
    if isinstance(d, np.ndarray) and d.ndim >= 1:
        return np.sum(d * d, axis=-1)
    return d * d


def log(x: Any) -> Any:
    """Natural logarithm of a sympy expression (exact) or of floats/arrays (numpy)."""
    if isinstance(x, sp.Basic):
        return sp.log(x)
    return np.log(x)


# --- (13) --------------------------------------------------------------------------------


class Eq13:
    """otdiff, §5.1, eq. (13), as printed: the JKO step

    .. math::

        \\alpha_{t+\\tau} := \\arg\\min_{\\alpha \\in \\mathcal P(\\mathbb R^d)}
        \\Big\\{\\frac{1}{2\\tau}W_2^2(\\alpha_t, \\alpha) + f(\\alpha)\\Big\\}.

    ``objective(w2_sq, f_value, tau)`` is the minimised expression, given
    :math:`W_2^2(\\alpha_t, \\alpha)` and :math:`f(\\alpha)`.
    """

    def objective(self, w2_sq: Any, f_value: Any, tau: Any) -> Any:
        return w2_sq / (2 * tau) + f_value


class Eq13OneOverTau(Eq13):
    """Mutant: the step without the 1/2, :math:`\\frac1\\tau W_2^2 + f` (a JKO step of τ/2)."""

    def objective(self, w2_sq, f_value, tau):
        return w2_sq / tau + f_value


class Eq13SignFlip(Eq13):
    """Mutant: f with the wrong sign, :math:`\\frac{1}{2\\tau}W_2^2 - f` (maximises f)."""

    def objective(self, w2_sq, f_value, tau):
        return w2_sq / (2 * tau) - f_value


# --- (14) --------------------------------------------------------------------------------


class Eq14:
    """otdiff, §5.1, eq. (14), as printed: for :math:`\\alpha_t = \\delta_{x(t)}` and
    :math:`h(x) = f(\\delta_x)`, (13) reduces to

    .. math::

        x(t+\\tau) = \\arg\\min_x \\Big\\{\\frac{1}{2\\tau}\\|x - x(t)\\|^2 + h(x)\\Big\\},

    "precisely the implicit Euler step for the ODE :math:`\\dot x = -\\nabla h(x)`", i.e. the
    solution of :math:`x - x(t) + \\tau\\nabla h(x) = 0`.

    ``objective(x, x_prev, tau, h_x)`` is the minimised expression (``h_x`` = h(x));
    ``scheme_residual(x, x_prev, tau, grad_h)`` the equation of the scheme it is identified
    with (``grad_h`` a callable); ``euler_step`` solves that equation (not a printed formula:
    Newton's method on the residual, the same for every variant).
    """

    def objective(self, x: Any, x_prev: Any, tau: Any, h_x: Any) -> Any:
        return sq_norm(x - x_prev) / (2 * tau) + h_x

    def scheme_residual(self, x: Any, x_prev: Any, tau: Any, grad_h: Callable[[Any], Any]) -> Any:
        return x - x_prev + tau * grad_h(x)

    def euler_step(self, x_prev: Any, tau: float, grad_h: Callable[[np.ndarray], np.ndarray], *, tol: float = 1e-13, max_iter: int = 50) -> np.ndarray:
        """Solve ``scheme_residual(x, x_prev, tau, grad_h) = 0`` for x, rows of ``x_prev`` (m, d)
        at once: Newton with a central-difference Jacobian of the residual (exact for a
        residual affine in x, second-order accurate otherwise), started at ``x_prev``.
        ``RuntimeError`` when the step does not fall below ``tol`` (relative)."""
        x0 = np.atleast_2d(np.asarray(x_prev, dtype=float))
        m, d = x0.shape
        x = x0.copy()
        h = 1e-6 * (1.0 + np.abs(x0).max())
        for _ in range(max_iter):
            r = np.asarray(self.scheme_residual(x, x0, tau, grad_h), dtype=float)
            jac = np.empty((m, d, d))
            for j in range(d):
                e = np.zeros(d)
                e[j] = h
                jac[:, :, j] = (np.asarray(self.scheme_residual(x + e, x0, tau, grad_h), dtype=float)
                                - np.asarray(self.scheme_residual(x - e, x0, tau, grad_h), dtype=float)) / (2 * h)
            step = np.linalg.solve(jac, r[..., None])[..., 0]
            x = x - step
            if np.max(np.abs(step)) <= tol * (1.0 + np.max(np.abs(x))):
                return x
        raise RuntimeError(f"euler_step: Newton did not converge in {max_iter} iterations (last step {np.max(np.abs(step)):.3g})")


class Eq14OneOverTau(Eq14):
    """Mutant: :math:`\\frac1\\tau\\|x - x(t)\\|^2 + h(x)` (the factor 1/2 dropped)."""

    def objective(self, x, x_prev, tau, h_x):
        return sq_norm(x - x_prev) / tau + h_x


class Eq14Explicit(Eq14):
    """Mutant: the explicit Euler step :math:`x = x(t) - \\tau\\nabla h(x(t))` presented as the
    minimiser (the scheme's equation evaluates ∇h at the old point)."""

    def scheme_residual(self, x, x_prev, tau, grad_h):
        return x - x_prev + tau * grad_h(x_prev)


class Eq14SignFlip(Eq14):
    """Mutant: :math:`\\frac{1}{2\\tau}\\|x - x(t)\\|^2 - h(x)` (h with the wrong sign)."""

    def objective(self, x, x_prev, tau, h_x):
        return sq_norm(x - x_prev) / (2 * tau) - h_x


# --- §5.1: first variation, Wasserstein gradient and (15) ------------------------------------


class Sec51:
    """otdiff, §5.1, as printed: the Wasserstein gradient and the limiting PDE (15),

    .. math::

        \\nabla_W f(\\alpha) = \\nabla[\\delta f(\\alpha)], \\qquad
        f((1-\\tau)\\alpha + \\tau\\beta) = f(\\alpha) + \\tau\\int\\delta f(\\alpha)(x)\\,d(\\beta-\\alpha)(x) + o(\\tau),

    .. math::

        (15)\\qquad \\partial_t\\alpha_t + \\operatorname{div}(-\\nabla_W f(\\alpha_t)\\,\\alpha_t) = 0,

    with the first variations that the printed expansion gives for the three functionals of
    §5.1–§5.3 (δf is defined up to an additive constant, which the expansion cannot see):
    :math:`\\delta f = V` for :math:`f = \\int V d\\alpha`,
    :math:`\\delta f(\\alpha)(x) = \\int (k(x, y) + k(y, x))\\,d\\alpha(y)` for
    :math:`f = \\iint k\\,d\\alpha\\,d\\alpha`, and :math:`\\delta f = \\log\\rho + 1` for the
    negative entropy :math:`\\int\\rho\\log\\rho`.
    """

    def delta_potential(self, v_x: Any) -> Any:
        """δf(α)(x) for :math:`f(\\alpha) = \\int V d\\alpha`, given V(x)."""
        return v_x

    def delta_interaction(self, k_xy: Any, k_yx: Any, weights: Any) -> Any:
        """δf(α)(x_a) for :math:`f = \\iint k\\,d\\alpha\\,d\\alpha`, :math:`\\alpha = \\sum_j w_j\\delta_{y_j}`:
        ``k_xy[a, j]`` = k(x_a, y_j), ``k_yx[a, j]`` = k(y_j, x_a), ``weights`` (n,)."""
        return ((k_xy + k_yx) * weights).sum(axis=-1)

    def delta_entropy(self, rho: Any) -> Any:
        """δf(α) = log ρ + 1 for :math:`f(\\alpha) = \\int\\rho\\log\\rho\\,dx`."""
        return log(rho) + 1

    def grad_w(self, grad_delta: Any) -> Any:
        """:math:`\\nabla_W f(\\alpha) = \\nabla[\\delta f(\\alpha)]`, given :math:`\\nabla\\delta f(\\alpha)`."""
        return grad_delta

    def dt_density(self, rho: Any, grad_w: Any, div: Callable[[Any], Any]) -> Any:
        """:math:`\\partial_t\\alpha` from (15): :math:`-\\operatorname{div}(-\\nabla_W f\\,\\alpha)`,
        ``div`` the divergence operator of the caller (sympy or finite differences)."""
        return -div(-grad_w * rho)


class Sec51SignFlip(Sec51):
    """Mutant: :math:`\\nabla_W f = -\\nabla[\\delta f]` (mass moves up the gradient)."""

    def grad_w(self, grad_delta):
        return -grad_delta


class Sec51FactorTwo(Sec51):
    """Mutant: :math:`\\nabla_W f = 2\\nabla[\\delta f]`."""

    def grad_w(self, grad_delta):
        return 2 * grad_delta


# --- Theorem 5.1 ---------------------------------------------------------------------------


class Thm51:
    """otdiff, Theorem 5.1, as printed: the Wasserstein gradient flow of
    :math:`f(\\alpha) = \\int\\log(\\frac{d\\alpha}{dx})\\,d\\alpha` is the heat equation

    .. math::

        \\partial_t\\alpha_t = \\Delta\\alpha_t.

    Evaluated two ways: ``dt_density(lap_rho)`` is its right-hand side given
    :math:`\\Delta\\rho`, and ``kernel_variance(t)`` its solution operator on Gaussians
    (:math:`e^{t\\Delta}` is the convolution with :math:`\\mathcal N(0, 2t\\,\\mathrm{Id})`); the
    symbolic check proves that the two agree (for every variant), so the numeric checks may use
    the second.
    """

    def dt_density(self, lap_rho: Any) -> Any:
        return lap_rho

    def kernel_variance(self, t: Any) -> Any:
        return 2 * t


class Thm51Diffusivity2(Thm51):
    """Mutant: diffusivity 2, :math:`\\partial_t\\alpha = 2\\Delta\\alpha` (particle velocity
    :math:`-2\\nabla\\log\\rho`; kernel variance 4t)."""

    def dt_density(self, lap_rho):
        return 2 * lap_rho

    def kernel_variance(self, t):
        return 4 * t


class Thm51Backward(Thm51):
    """Mutant: velocity :math:`+\\nabla\\log\\rho`, i.e. the backward heat equation
    :math:`\\partial_t\\alpha = -\\Delta\\alpha` (kernel variance −2t)."""

    def dt_density(self, lap_rho):
        return -lap_rho

    def kernel_variance(self, t):
        return -2 * t


class Thm51Half(Thm51):
    """Mutant: :math:`\\partial_t\\alpha = \\frac12\\Delta\\alpha` (the probabilists' generator;
    kernel variance t)."""

    def dt_density(self, lap_rho):
        return lap_rho / 2

    def kernel_variance(self, t):
        return t
