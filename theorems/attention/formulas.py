"""The printed formulas of otdiff §7.1–§7.2 (Gaussian attention dynamics), and their mutants.

Matrix formulas are written with ``@`` and ``.T`` only, so the same text evaluates numpy arrays
(float64, complex for complex-step derivatives, integers for exact small instances) and sympy
matrices (exact and symbolic).  A mutant is a subclass that overrides one method with one
deliberate slip; the claims' checks must reject every mutant.

Notation (otdiff (26)–(27)): :math:`\\theta = (K, Q, V)`, each :math:`d\\times d`;
:math:`\\langle Qx, Ky\\rangle = x^\\top Q^\\top K y`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy as sp

from verify.algebra import eye_like, inv_any, is_symbolic

__all__ = [
    "Thm71",
    "Thm71SignFlip",
    "Thm71Factor2",
    "Thm71SymmetrisedFirstTerm",
    "Thm71Corrected",
    "CorrectedValueUntransposed",
    "CorrectedSignFlip",
    "CorrectedFactor2",
    "CorrectedQueryKeySwap",
    "BlowUp",
    "BlowUpTimeFactor2",
    "BlowUpNever",
    "BlowUpSignFlip",
    "BlowUpMinEigenvalue",
    "Potential",
    "PotentialKtQ",
    "PotentialQKt",
    "PotentialSignFlip",
    "PotentialNoLog",
]


_is_sym = is_symbolic
_eye_like = eye_like
_inv = inv_any


def _eig_extreme(a: Any, largest: bool) -> Any:
    """Largest (smallest) eigenvalue of a symmetric matrix: exact for sympy, eigvalsh otherwise."""
    if _is_sym(a):
        eigs = list(a.eigenvals())
        return sp.Max(*eigs) if largest else sp.Min(*eigs)
    w = np.linalg.eigvalsh((np.asarray(a, dtype=float) + np.asarray(a, dtype=float).T) / 2)
    return float(w[-1] if largest else w[0])


# --- Theorem 7.1 --------------------------------------------------------------------------


class Thm71:
    """otdiff, Theorem 7.1, eq. (30), as printed: for :math:`\\alpha_0 = \\mathcal N(0, \\Sigma_0)`
    the tokens stay Gaussian, :math:`\\alpha_t = \\mathcal N(0, \\Sigma_t)`, and

    .. math::

        \\dot\\Sigma_t = V_t\\Sigma_tQ_t^\\top K_t^\\top\\Sigma_t + \\Sigma_tK_t^\\top Q_t^\\top\\Sigma_tV_t^\\top.

    ``sigma_dot`` is the right-hand side at :math:`(\\Sigma, Q, K, V)`, all :math:`d\\times d`.
    """

    def sigma_dot(self, s: Any, q: Any, k: Any, v: Any) -> Any:
        return v @ s @ q.T @ k.T @ s + s @ k.T @ q.T @ s @ v.T


class Thm71SignFlip(Thm71):
    """Mutant of the printed (30): both terms with a minus sign."""

    def sigma_dot(self, s, q, k, v):
        return -(v @ s @ q.T @ k.T @ s + s @ k.T @ q.T @ s @ v.T)


class Thm71Factor2(Thm71):
    """Mutant of the printed (30): a spurious factor 2."""

    def sigma_dot(self, s, q, k, v):
        return 2 * (v @ s @ q.T @ k.T @ s + s @ k.T @ q.T @ s @ v.T)


class Thm71SymmetrisedFirstTerm(Thm71):
    """Mutant of the printed (30), another transpose slip: the second term replaced by the
    transpose of the first, :math:`V\\Sigma Q^\\top K^\\top\\Sigma + \\Sigma KQ\\Sigma V^\\top`
    (symmetric, but with the wrong field :math:`V\\Sigma Q^\\top K^\\top`)."""

    def sigma_dot(self, s, q, k, v):
        return v @ s @ q.T @ k.T @ s + s @ k @ q @ s @ v.T


class Thm71Corrected(Thm71):
    """otdiff, Theorem 7.1, eq. (30), corrected: the tilted Gaussian gives the linear field
    :math:`\\Gamma_\\theta[\\mathcal N(0,\\Sigma)](x) = V\\Sigma K^\\top Qx`, hence

    .. math::

        \\dot\\Sigma_t = V_t\\Sigma_tK_t^\\top Q_t\\Sigma_t + \\Sigma_tQ_t^\\top K_t\\Sigma_tV_t^\\top.
    """

    def sigma_dot(self, s, q, k, v):
        return v @ s @ k.T @ q @ s + s @ q.T @ k @ s @ v.T


class CorrectedValueUntransposed(Thm71Corrected):
    """Mutant: V without its transpose in the second term."""

    def sigma_dot(self, s, q, k, v):
        return v @ s @ k.T @ q @ s + s @ q.T @ k @ s @ v


class CorrectedSignFlip(Thm71Corrected):
    """Mutant: both terms with a minus sign."""

    def sigma_dot(self, s, q, k, v):
        return -(v @ s @ k.T @ q @ s + s @ q.T @ k @ s @ v.T)


class CorrectedFactor2(Thm71Corrected):
    """Mutant: a spurious factor 2."""

    def sigma_dot(self, s, q, k, v):
        return 2 * (v @ s @ k.T @ q @ s + s @ q.T @ k @ s @ v.T)


class CorrectedQueryKeySwap(Thm71Corrected):
    """Mutant: query and key exchanged, :math:`V\\Sigma Q^\\top K\\Sigma + \\Sigma K^\\top Q\\Sigma V^\\top`."""

    def sigma_dot(self, s, q, k, v):
        return v @ s @ q.T @ k @ s + s @ k.T @ q @ s @ v.T


# --- the blow-up remark after (30) --------------------------------------------------------


class BlowUp:
    """otdiff §7.2, remark after Theorem 7.1: "Depending on (Q, K, V) and the initialization
    :math:`\\Sigma_0`, the covariance can blow up in finite time."

    The example checked: :math:`Q = K = \\mathrm{Id}`, :math:`V = \\lambda\\,\\mathrm{Id}`,
    :math:`\\lambda > 0`.  Both the printed (30) and the corrected ODE reduce to
    :math:`\\dot\\Sigma = 2\\lambda\\Sigma^2`, solved by

    .. math::

        \\Sigma_t = (\\Sigma_0^{-1} - 2\\lambda t\\,\\mathrm{Id})^{-1}, \\qquad
        t^\\star = \\frac{1}{2\\lambda\\,\\lambda_{\\max}(\\Sigma_0)},

    with :math:`\\lambda_{\\max}(\\Sigma_t) \\to \\infty` as :math:`t \\uparrow t^\\star`.
    """

    def example_parameters(self, lam: Any, d: int) -> tuple[Any, Any, Any]:
        """(Q, K, V) of the example, as numpy arrays (sympy matrices for a sympy ``lam``)."""
        if isinstance(lam, sp.Basic):
            return sp.eye(d), sp.eye(d), lam * sp.eye(d)
        return np.eye(d), np.eye(d), lam * np.eye(d)

    def closed_form(self, sigma0: Any, lam: Any, t: Any) -> Any:
        """:math:`\\Sigma_t = (\\Sigma_0^{-1} - 2\\lambda t\\,\\mathrm{Id})^{-1}` for t < t*."""
        return _inv(_inv(sigma0) - 2 * lam * t * _eye_like(sigma0))

    def blow_up_time(self, sigma0: Any, lam: Any) -> Any:
        """:math:`t^\\star = 1/(2\\lambda\\lambda_{\\max}(\\Sigma_0))`."""
        return 1 / (2 * lam * _eig_extreme(sigma0, largest=True))


class BlowUpTimeFactor2(BlowUp):
    """Mutant: blow-up time off by a factor 2, :math:`1/(\\lambda\\lambda_{\\max}(\\Sigma_0))`."""

    def blow_up_time(self, sigma0, lam):
        return 1 / (lam * _eig_extreme(sigma0, largest=True))


class BlowUpNever(BlowUp):
    """Mutant: "no blow-up", the covariance stays bounded for all t (t* = ∞)."""

    def blow_up_time(self, sigma0, lam):
        return sp.oo if _is_sym(sigma0) or isinstance(lam, sp.Basic) else math.inf


class BlowUpSignFlip(BlowUp):
    """Mutant: wrong sign of λ in the closed form, :math:`(\\Sigma_0^{-1} + 2\\lambda t\\,\\mathrm{Id})^{-1}`."""

    def closed_form(self, sigma0, lam, t):
        return _inv(_inv(sigma0) + 2 * lam * t * _eye_like(sigma0))


class BlowUpMinEigenvalue(BlowUp):
    """Mutant: the blow-up time from the smallest eigenvalue, :math:`1/(2\\lambda\\lambda_{\\min}(\\Sigma_0))`."""

    def blow_up_time(self, sigma0, lam):
        return 1 / (2 * lam * _eig_extreme(sigma0, largest=False))


# --- §7.2 potential case ------------------------------------------------------------------


class Potential:
    """otdiff §7.2, potential case, as printed: with :math:`V = Q^\\top K`,

    .. math::

        \\phi[\\alpha](x) := \\log\\int e^{\\langle Qx, Ky\\rangle}\\,d\\alpha(y), \\qquad
        \\Gamma_\\theta[\\alpha] = \\nabla_x\\phi[\\alpha],

    with :math:`\\Gamma_\\theta` of (27),
    :math:`\\Gamma_\\theta[\\alpha](x) = \\int e^{\\langle Qx, Ky\\rangle}Vy\\,d\\alpha(y) / \\int e^{\\langle Qx, Kz\\rangle}d\\alpha(z)`.

    Measures are discrete, :math:`\\alpha = \\sum_j w_j\\delta_{y_j}` (a Gaussian enters through
    its Gauss–Hermite quadrature measure).  numpy: ``x`` (m, d) queries (real or complex),
    ``atoms`` (n, d), ``weights`` (n,); sympy: ``x`` a 1 x d row, ``atoms`` n x d, ``weights``
    n x 1.
    """

    def value_matrix(self, q: Any, k: Any) -> Any:
        """The printed choice :math:`V = Q^\\top K`."""
        return q.T @ k

    def logits(self, x: Any, atoms: Any, q: Any, k: Any) -> Any:
        """:math:`\\langle Qx_i, Ky_j\\rangle`, shape (m, n)."""
        return (x @ q.T) @ (atoms @ k.T).T

    def phi(self, x: Any, atoms: Any, weights: Any, q: Any, k: Any) -> Any:
        """:math:`\\phi[\\alpha](x) = \\log\\sum_j w_j e^{\\langle Qx, Ky_j\\rangle}`, shape (m,)."""
        s = self.logits(x, atoms, q, k)
        if _is_sym(s):
            return (s.applyfunc(sp.exp) @ weights).applyfunc(sp.log)
        # The same expression, shifted by the row maximum so that exp cannot overflow.
        shift = np.max(s.real, axis=1, keepdims=True)
        return shift[:, 0] + np.log(np.exp(s - shift) @ weights)

    def gamma(self, x: Any, atoms: Any, weights: Any, q: Any, k: Any, v: Any) -> Any:
        """(27): :math:`\\Gamma_\\theta[\\alpha](x) = \\sum_j \\pi_j(x) Vy_j` with the attention
        weights :math:`\\pi_j \\propto w_j e^{\\langle Qx, Ky_j\\rangle}`; shape (m, d)."""
        s = self.logits(x, atoms, q, k)
        if _is_sym(s):
            e = s.applyfunc(sp.exp).multiply_elementwise(weights.T)
            return (e @ (atoms @ v.T)) / sum(e)
        e = np.exp(s - np.max(s.real, axis=1, keepdims=True)) * weights[None, :]
        return (e @ (atoms @ v.T)) / e.sum(axis=1, keepdims=True)


class PotentialKtQ(Potential):
    """Mutant: :math:`V = K^\\top Q` (the transpose of the printed choice)."""

    def value_matrix(self, q, k):
        return k.T @ q


class PotentialQKt(Potential):
    """Mutant: :math:`V = QK^\\top`."""

    def value_matrix(self, q, k):
        return q @ k.T


class PotentialSignFlip(Potential):
    """Mutant: :math:`V = -Q^\\top K`."""

    def value_matrix(self, q, k):
        return -(q.T @ k)


class PotentialNoLog(Potential):
    """Mutant: :math:`\\phi` without the logarithm, :math:`\\int e^{\\langle Qx, Ky\\rangle}d\\alpha(y)`."""

    def phi(self, x, atoms, weights, q, k):
        s = self.logits(x, atoms, q, k)
        if _is_sym(s):
            return s.applyfunc(sp.exp) @ weights
        return np.exp(s) @ weights
