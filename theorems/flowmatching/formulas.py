"""The printed formulas of otdiff §3.1–§3.3 (flow matching) and mathai eq. (12), with mutants.

Proposition 3.2's covariance and field are written once against :mod:`verify.algebra` and
evaluated exactly or in float64.  The conditional-expectation field (7) is a definition; it is
transcribed as its two ingredients, the interpolant :math:`Z_t = a_0 X_0 + a_1 X_1` and the
regressed quantity :math:`D = b_0 X_0 + b_1 X_1`, from which the checks compute
:math:`v_t(z) = \\mathbb E[D \\mid Z_t = z]` in closed form (Bayes) for Gaussian-mixture data.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "Prop32",
    "Prop32SignFlip",
    "Prop32SigmaLinearWeight",
    "Prop32Transposed",
    "Prop32TimeSwap",
    "Prop31",
    "Prop31TargetSign",
    "Prop31TargetDropsX0",
    "Prop31InterpolantTimeSwap",
    "Convolution",
    "ConvolutionScaleSwap",
    "ConvolutionSqrtScales",
]


class Prop32:
    """otdiff, Proposition 3.2, as printed: for centred Gaussians,

    .. math::

        \\Sigma_t := (1-t)^2\\Sigma_0 + t^2\\Sigma_1, \\qquad v_t(z) = A_t z, \\qquad
        A_t = (-(1-t)\\Sigma_0 + t\\Sigma_1)\\Sigma_t^{-1}.
    """

    def sigma_t(self, s0: Any, s1: Any, t: Any, la: Any) -> Any:
        return (1 - t) ** 2 * s0 + t**2 * s1

    def a_t(self, s0: Any, s1: Any, t: Any, la: Any) -> Any:
        return la.mm(-(1 - t) * s0 + t * s1, la.inv(self.sigma_t(s0, s1, t, la)))


class Prop32SignFlip(Prop32):
    """Mutant: the Σ0 term of A_t with its sign flipped."""

    def a_t(self, s0, s1, t, la):
        return la.mm((1 - t) * s0 + t * s1, la.inv(self.sigma_t(s0, s1, t, la)))


class Prop32SigmaLinearWeight(Prop32):
    """Mutant: Σ_t with (1−t) in place of (1−t)²."""

    def sigma_t(self, s0, s1, t, la):
        return (1 - t) * s0 + t**2 * s1


class Prop32Transposed(Prop32):
    """Mutant: A_t transposed, Σ_t^{-1}(−(1−t)Σ0 + tΣ1)."""

    def a_t(self, s0, s1, t, la):
        return la.mm(la.inv(self.sigma_t(s0, s1, t, la)), -(1 - t) * s0 + t * s1)


class Prop32TimeSwap(Prop32):
    """Mutant: t and 1−t exchanged in Σ_t and A_t."""

    def sigma_t(self, s0, s1, t, la):
        return t**2 * s0 + (1 - t) ** 2 * s1

    def a_t(self, s0, s1, t, la):
        return la.mm(-t * s0 + (1 - t) * s1, la.inv(self.sigma_t(s0, s1, t, la)))


class Prop31:
    """otdiff, Proposition 3.1, eq. (7) (and mathai eq. (12), the same field with s for t):

    .. math::

        v_t(z) = \\mathbb{E}[X_1 - X_0 \\mid (1-t)X_0 + tX_1 = z], \\qquad
        \\alpha_t = \\mathrm{Law}((1-t)X_0 + tX_1), \\quad (X_0, X_1) \\sim \\alpha_0\\otimes\\alpha_1.
    """

    def interpolant(self, t: float) -> tuple[float, float]:
        """(a0, a1) with Z_t = a0 X0 + a1 X1."""
        return (1 - t, t)

    def target(self) -> tuple[float, float]:
        """(b0, b1) with D = b0 X0 + b1 X1, the quantity whose conditional mean is v_t."""
        return (-1.0, 1.0)


class Prop31TargetSign(Prop31):
    """Mutant: E[X0 − X1 | Z_t = z] (sign slip)."""

    def target(self):
        return (1.0, -1.0)


class Prop31TargetDropsX0(Prop31):
    """Mutant: E[X1 | Z_t = z] (the −X0 dropped)."""

    def target(self):
        return (0.0, 1.0)


class Prop31InterpolantTimeSwap(Prop31):
    """Mutant: Z_t = tX0 + (1−t)X1 (t and 1−t exchanged)."""

    def interpolant(self, t):
        return (t, 1 - t)


class Convolution:
    """otdiff §3.1: :math:`\\alpha_t = \\alpha_0^{1-t} * \\alpha_1^t`, with :math:`\\alpha^s` the law
    of :math:`sX`; :meth:`scales` returns the two scalings (1−t, t)."""

    def scales(self, t: float) -> tuple[float, float]:
        return (1 - t, t)


class ConvolutionScaleSwap(Convolution):
    """Mutant: α0^t * α1^{1−t}."""

    def scales(self, t):
        return (t, 1 - t)


class ConvolutionSqrtScales(Convolution):
    """Mutant: scalings √(1−t), √t (a variance-preserving interpolation mistaken for this one)."""

    def scales(self, t):
        return ((1 - t) ** 0.5, t**0.5)
