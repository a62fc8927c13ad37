"""The printed statements of otdiff §5.2 about generalised entropies (16) and McCann's
condition, their corrections, and mutants.

Every function g is a sympy expression in the positive symbol :data:`S`; the checks
differentiate and lambdify it.  Conventions of otdiff §5.1: the Wasserstein gradient flow of
f has velocity −∇_W f = −∇[δf], so for (16), :math:`f(\\alpha) = \\int g(\\rho)\\,dx`,
:math:`\\delta f = g'(\\rho)` and the flow is :math:`\\partial_t\\rho = \\mathrm{div}(\\rho\\nabla g'(\\rho))`.
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "S",
    "Eq16",
    "Eq16NoS",
    "Eq16SecondDerivativeSquared",
    "Eq16Corrected",
    "Eq16CorrectedAsPrinted",
    "Eq16CorrectedSSquared",
    "Eq16CorrectedNoS",
    "PorousMedium",
    "PorousMediumFromHalf",
    "PorousMediumCorrected",
    "PorousMediumCorrectedAsPrinted",
    "PorousMediumCorrectedFromThreeHalves",
    "McCann",
    "McCannNoLastCondition",
    "McCannOneDimensional",
    "McCannExamples",
    "McCannExamplesQFromHalf",
    "McCannExamplesCorrected",
    "McCannExamplesCorrectedWithIncreasing",
    "McCannExamplesCorrectedQFromHalf",
]

S = sp.Symbol("s", positive=True)


# --------------------------------------------------------------------------- (16)
class Eq16:
    """otdiff (16) and the sentence after it, as printed: :math:`f(\\alpha) = \\int g(d\\alpha/dx)\\,dx`
    gives :math:`\\partial_t\\alpha_t = \\Delta(\\tilde g(\\alpha_t))` with :math:`\\tilde g` defined by

    .. math::

        s\\,g'(s) = \\tilde g'(s).

    ``gtilde_prime(g)`` returns :math:`\\tilde g'` as a sympy expression in :data:`S`.
    """

    def gtilde_prime(self, g: sp.Expr) -> sp.Expr:
        return S * sp.diff(g, S)


class Eq16NoS(Eq16):
    """Mutant: :math:`\\tilde g' = g'`."""

    def gtilde_prime(self, g):
        return sp.diff(g, S)


class Eq16SecondDerivativeSquared(Eq16):
    """Mutant: :math:`\\tilde g' = s^2 g''`."""

    def gtilde_prime(self, g):
        return S**2 * sp.diff(g, S, 2)


class Eq16Corrected(Eq16):
    """The relation that makes (16)'s flow :math:`\\Delta\\tilde g(\\rho)`:
    :math:`\\mathrm{div}(\\rho\\nabla g'(\\rho)) = \\mathrm{div}(\\rho g''(\\rho)\\nabla\\rho)`, so

    .. math::

        \\tilde g'(s) = s\\,g''(s), \\qquad\\text{i.e. } \\tilde g(s) = s\\,g'(s) - g(s) \\text{ (the pressure)}.
    """

    def gtilde_prime(self, g):
        return S * sp.diff(g, S, 2)


class Eq16CorrectedAsPrinted(Eq16Corrected):
    """Mutant: the printed relation :math:`\\tilde g' = s g'`."""

    gtilde_prime = Eq16.gtilde_prime


class Eq16CorrectedSSquared(Eq16Corrected):
    """Mutant: :math:`\\tilde g' = s^2 g''`."""

    gtilde_prime = Eq16SecondDerivativeSquared.gtilde_prime


class Eq16CorrectedNoS(Eq16Corrected):
    """Mutant: :math:`\\tilde g' = g''`."""

    def gtilde_prime(self, g):
        return sp.diff(g, S, 2)


# --------------------------------------------------------------------------- porous medium
class PorousMedium:
    """otdiff §5.2, as printed: :math:`g(s) = s^{p-1}/(p-1)` with :math:`p > 1` yields the
    porous medium (slow diffusion) equation, i.e. the flow of (16) is
    :math:`\\partial_t\\rho = c\\,\\Delta(\\rho^m)` with :math:`c > 0` and :math:`m > 1`, for every
    admissible p.  ``admissible(p)`` is the printed range; ``g(p)`` the printed entropy."""

    range_text = "p > 1"

    def admissible(self, p: sp.Rational) -> bool:
        return bool(p > 1)

    def g(self, p: sp.Expr) -> sp.Expr:
        return S ** (p - 1) / (p - 1)


class PorousMediumFromHalf(PorousMedium):
    """Mutant: the range p > 1/2."""

    range_text = "p > 1/2"

    def admissible(self, p):
        return bool(p > sp.Rational(1, 2)) and p != 1


class PorousMediumCorrected(PorousMedium):
    """Corrected range: :math:`g(s) = s^{p-1}/(p-1)` gives
    :math:`\\partial_t\\rho = \\frac{p-2}{p-1}\\Delta(\\rho^{p-1})`, slow diffusion exactly for
    :math:`p > 2` (exponent m = p − 1 > 1); for 1 < p < 2 the flow is a backward (ill-posed)
    diffusion, and p = 2 (f = mass) does not move."""

    range_text = "p > 2"

    def admissible(self, p):
        return bool(p > 2)


class PorousMediumCorrectedAsPrinted(PorousMediumCorrected):
    """Mutant: the printed range p > 1."""

    range_text = "p > 1"
    admissible = PorousMedium.admissible


class PorousMediumCorrectedFromThreeHalves(PorousMediumCorrected):
    """Mutant: the range p > 3/2."""

    range_text = "p > 3/2"

    def admissible(self, p):
        return bool(p > sp.Rational(3, 2))


# --------------------------------------------------------------------------- McCann
def _lim(expr: sp.Expr, at: sp.Expr) -> sp.Expr:
    """One-sided limit at 0⁺ or ∞; for a piecewise g, of its first or last piece."""
    if isinstance(expr, sp.Piecewise):
        expr = expr.args[0].expr if at == 0 else expr.args[-1].expr
    return sp.limit(expr, S, at, "+") if at == 0 else sp.limit(expr, S, at)


def _diff(g: sp.Expr, k: int) -> sp.Expr:
    """k-th derivative in S; a Piecewise is differentiated piece by piece (sympy's own route
    through the conditions' assumptions is slow, and the breakpoints carry no mass here)."""
    if isinstance(g, sp.Piecewise):
        return sp.Piecewise(*[(sp.diff(e, S, k), c) for e, c in g.args], evaluate=False)
    return sp.diff(g, S, k)


def _convex_decreasing_last(g: sp.Expr, d: int) -> dict[str, sp.Expr]:
    if isinstance(g, sp.Piecewise):
        phi = sp.Piecewise(*[(sp.expand(e.subs(S, S ** (-d)) * S**d), c.subs(S, S ** (-d))) for e, c in g.args], evaluate=False)
    else:
        phi = g.subs(S, S ** (-d)) * S**d
    return {"s^d g(s^-d) convex": _diff(phi, 2), "s^d g(s^-d) decreasing": -_diff(phi, 1)}


class McCann:
    """otdiff §5.2, McCann's theorem as printed: f of the form (16) with
    :math:`g:\\mathbb R^+\\to\\mathbb R` is geodesically convex provided :math:`g(0) = 0`, g is convex,
    increasing, super-linear, and :math:`s\\mapsto g(s^{-d})s^d` is convex and decreasing; in
    particular :math:`t\\mapsto f(\\alpha_t)` is convex along Benamou–Brenier geodesics.

    ``conditions(g, d)``: name -> an expression in :data:`S` that must be ≥ 0 on (0, ∞), or a
    value that must be 0 ("g(0) = 0") or ∞ ("super-linear")."""

    def conditions(self, g: sp.Expr, d: int) -> dict[str, sp.Expr]:
        out = {
            "g(0) = 0": _lim(g, 0),
            "convex": _diff(g, 2),
            "increasing": _diff(g, 1),
            "super-linear": _lim(g / S if not isinstance(g, sp.Piecewise) else sp.Piecewise(*[(e / S, c) for e, c in g.args]), sp.oo),
        }
        out.update(_convex_decreasing_last(g, d))
        return out


class McCannNoLastCondition(McCann):
    """Mutant: the condition on :math:`s\\mapsto g(s^{-d})s^d` dropped."""

    def conditions(self, g, d):
        out = McCann.conditions(self, g, d)
        return {k: v for k, v in out.items() if not k.startswith("s^d")}


class McCannOneDimensional(McCann):
    """Mutant: the last condition taken in dimension one, :math:`s\\mapsto s\\,g(1/s)`, whatever d
    (in one dimension it follows from convexity of g)."""

    def conditions(self, g, d):
        return McCann.conditions(self, g, 1)


class McCannExamples:
    """otdiff §5.2, as printed: "Examples of such g include g(s) = s^q for q > 1 and the Shannon
    entropy g(s) = s log(s)" — "such g" meaning g satisfying the printed conditions of
    :class:`McCann`.  ``examples()`` lists them (q symbolic, with its printed range)."""

    q_range_text = "q > 1"

    def examples(self) -> list[tuple[str, sp.Expr]]:
        return [("s^q", S ** sp.Symbol("q", positive=True)), ("s log s", S * sp.log(S))]

    def q_admissible(self, q: sp.Rational) -> bool:
        return bool(q > 1)

    def conditions(self, g, d):
        return McCann().conditions(g, d)


class McCannExamplesQFromHalf(McCannExamples):
    """Mutant: s^q for q > 1/2."""

    q_range_text = "q > 1/2"

    def q_admissible(self, q):
        return bool(q > sp.Rational(1, 2))


class McCannExamplesCorrected(McCannExamples):
    """McCann's own hypothesis (McCann 1997): :math:`g(0) = 0` and :math:`s\\mapsto s^dg(s^{-d})`
    convex and non-increasing on (0, ∞); both printed examples satisfy it (s log s is not
    increasing on (0, 1/e), so it does not satisfy the printed list)."""

    def conditions(self, g, d):
        out = {"g(0) = 0": _lim(g, 0)}
        out.update(_convex_decreasing_last(g, d))
        return out


class McCannExamplesCorrectedWithIncreasing(McCannExamplesCorrected):
    """Mutant: the printed 'increasing' kept."""

    conditions = McCannExamples.conditions


class McCannExamplesCorrectedQFromHalf(McCannExamplesCorrected):
    """Mutant: s^q for q > 1/2."""

    q_range_text = "q > 1/2"

    def q_admissible(self, q):
        return bool(q > sp.Rational(1, 2))
