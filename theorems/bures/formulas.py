"""The printed formulas of otdiff §4.2 (Proposition 4.3; Theorem 4.2 in the Gaussian case),
and their mutants.

Each formula is transcribed exactly as printed and written once against the arithmetic
interface of :mod:`verify.algebra` (``la``), so the same text is evaluated exactly (sympy), in
float64 and at 50 digits.  A mutant is a subclass that overrides one method with a deliberate
slip; the claims' checks must reject every mutant.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "Prop43",
    "Prop43CrossTermFactor",
    "Prop43CrossTermUnrooted",
    "Prop43MapNoOuterRoot",
    "Prop43MapInverse",
    "Prop43GeodesicTimeSwap",
    "Thm42",
    "Thm42VelocityAtStart",
    "Thm42PathTimeReversed",
    "Thm42FractionSquared",
]


class Prop43:
    """otdiff, Proposition 4.3, as printed.

    .. math::

        T(x) = \\Sigma_0^{-\\frac12}\\left(\\Sigma_0^{\\frac12}\\Sigma_1\\Sigma_0^{\\frac12}\\right)^{\\frac12}
        \\Sigma_0^{-\\frac12} x, \\qquad
        W_2^2(\\alpha_0, \\alpha_1) = \\operatorname{Tr}\\left(\\Sigma_0 + \\Sigma_1
        - 2\\left(\\Sigma_0^{1/2}\\Sigma_1\\Sigma_0^{1/2}\\right)^{1/2}\\right),

    .. math::

        \\Sigma_t = ((1-t)\\mathrm{Id} + tT)\\,\\Sigma_0\\,((1-t)\\mathrm{Id} + tT)^\\top.
    """

    def map(self, s0: Any, s1: Any, la: Any) -> Any:
        """The matrix of the printed optimal map T."""
        r0 = la.sqrtm(s0)
        ir0 = la.inv(r0)
        return la.mm(ir0, la.sqrtm(la.mm(r0, s1, r0)), ir0)

    def bures_sq(self, s0: Any, s1: Any, la: Any) -> Any:
        """The printed squared Bures distance."""
        r0 = la.sqrtm(s0)
        return la.trace(s0 + s1 - 2 * la.sqrtm(la.mm(r0, s1, r0)))

    def geodesic_cov(self, s0: Any, s1: Any, t: Any, la: Any) -> Any:
        """The printed covariance of the geodesic interpolation at time t."""
        m = (1 - t) * la.eye(la.dim(s0)) + t * self.map(s0, s1, la)
        return la.mm(m, s0, la.T(m))


class Prop43CrossTermFactor(Prop43):
    """Mutant: the cross term of the Bures distance without its factor 2."""

    def bures_sq(self, s0, s1, la):
        r0 = la.sqrtm(s0)
        return la.trace(s0 + s1 - la.sqrtm(la.mm(r0, s1, r0)))


class Prop43CrossTermUnrooted(Prop43):
    """Mutant: the outer square root of the cross term dropped, Tr(Σ0 + Σ1 − 2Σ0^{1/2}Σ1Σ0^{1/2})."""

    def bures_sq(self, s0, s1, la):
        r0 = la.sqrtm(s0)
        return la.trace(s0 + s1 - 2 * la.mm(r0, s1, r0))


class Prop43MapNoOuterRoot(Prop43):
    """Mutant: T without its outer (left) Σ0^{-1/2}."""

    def map(self, s0, s1, la):
        r0 = la.sqrtm(s0)
        return la.mm(la.sqrtm(la.mm(r0, s1, r0)), la.inv(r0))


class Prop43MapInverse(Prop43):
    """Mutant: the roles of Σ0 and Σ1 exchanged (the map from α1 to α0, a direction slip)."""

    def map(self, s0, s1, la):
        return super().map(s1, s0, la)


class Prop43GeodesicTimeSwap(Prop43):
    """Mutant: Σ_t with (1−t) and t exchanged."""

    def geodesic_cov(self, s0, s1, t, la):
        m = t * la.eye(la.dim(s0)) + (1 - t) * self.map(s0, s1, la)
        return la.mm(m, s0, la.T(m))


class Thm42(Prop43):
    """otdiff, Theorem 4.2 (Benamou–Brenier), eq. (12), specialised to Gaussians.

    With T the optimal Monge map (Proposition 4.3, inherited),

    .. math::

        \\alpha_t = ((1-t)\\mathrm{Id} + tT)_\\sharp\\alpha_0, \\qquad
        v_t((1-t)x + tT(x)) = T(x) - x,

    so for linear T the path map is :math:`P_t = (1-t)\\mathrm{Id} + tT` and the velocity is
    linear, :math:`v_t(z) = (T - \\mathrm{Id})P_t^{-1} z`.  The geodesic property stated with
    the theorem in the issue, :math:`W_2(\\alpha_0, \\alpha_t) = t\\,W_2(\\alpha_0, \\alpha_1)`,
    is :meth:`geodesic_fraction`.
    """

    def path_map(self, s0, s1, t, la):
        """P_t of (12): the particle at x moves to (1−t)x + tT(x)."""
        return (1 - t) * la.eye(la.dim(s0)) + t * self.map(s0, s1, la)

    def velocity(self, s0, s1, t, la):
        """Matrix V_t of the linear field of (12): v_t(P_t x) = (T − Id)x."""
        return la.mm(self.map(s0, s1, la) - la.eye(la.dim(s0)), la.inv(self.path_map(s0, s1, t, la)))

    def geodesic_fraction(self, t):
        """W2(α0, α_t) / W2(α0, α1)."""
        return t


class Thm42VelocityAtStart(Thm42):
    """Mutant: v_t(x) = T(x) − x, the field evaluated at the start point instead of at (1−t)x + tT(x)."""

    def velocity(self, s0, s1, t, la):
        return self.map(s0, s1, la) - la.eye(la.dim(s0))


class Thm42PathTimeReversed(Thm42):
    """Mutant: α_t = (t Id + (1−t)T)♯α0, time running backwards."""

    def path_map(self, s0, s1, t, la):
        return t * la.eye(la.dim(s0)) + (1 - t) * self.map(s0, s1, la)


class Thm42FractionSquared(Thm42):
    """Mutant: W2(α0, α_t) = t² W2(α0, α1), confusing W2 with W2²."""

    def geodesic_fraction(self, t):
        return t**2
