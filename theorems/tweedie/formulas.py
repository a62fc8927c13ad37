"""The printed formulas of otdiff Proposition 3.3 and the statements around it, with mutants.

Each field is a function of the position x, the time t and the score
:math:`\\nabla\\log\\alpha_t(x)`, so the checks can feed it the exact score of data whose
:math:`\\alpha_t` is known in closed form (Gaussian mixtures, point clouds).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "Prop33",
    "Prop33ScoreSign",
    "Prop33ScoreFactor",
    "Prop33Corrected",
    "CorrectedScoreSign",
    "CorrectedScoreFactorSquared",
    "CorrectedAsPrinted",
    "Tweedie",
    "TweedieSigmaNotSquared",
    "TweedieScoreSign",
    "GradientSetting",
    "GradientSettingAnisotropic",
]


class Prop33:
    """otdiff, Proposition 3.3, as printed: with :math:`\\alpha_0 = \\mathcal N(0, \\mathrm{Id}_d)`,

    .. math::

        v_t(x) = \\frac{1}{1-t} x + \\frac{t}{1-t} \\nabla \\log \\alpha_t(x), \\qquad t \\in (0, 1).
    """

    def field(self, x: Any, t: Any, score: Any) -> Any:
        return x / (1 - t) + t / (1 - t) * score


class Prop33ScoreSign(Prop33):
    """Mutant: the score term with a minus sign."""

    def field(self, x, t, score):
        return x / (1 - t) - t / (1 - t) * score


class Prop33ScoreFactor(Prop33):
    """Mutant: the factor t dropped from the score term."""

    def field(self, x, t, score):
        return x / (1 - t) + score / (1 - t)


class Prop33Corrected:
    """The field (7) for :math:`\\alpha_0 = \\mathcal N(0, \\mathrm{Id})`, derived from Tweedie's
    identity with :math:`Z_t = tX_1 + (1-t)X_0`, noise level :math:`\\sigma = 1-t`:

    .. math::

        v_t(x) = \\frac{1}{t} x + \\frac{1-t}{t} \\nabla \\log \\alpha_t(x), \\qquad t \\in (0, 1),

    i.e. the printed formula with t and 1 − t exchanged.
    """

    def field(self, x, t, score):
        return x / t + (1 - t) / t * score


class CorrectedScoreSign(Prop33Corrected):
    """Mutant: the score term with a minus sign."""

    def field(self, x, t, score):
        return x / t - (1 - t) / t * score


class CorrectedScoreFactorSquared(Prop33Corrected):
    """Mutant: (1−t)²/t in front of the score (the factor of E[X1 | Z_t] alone)."""

    def field(self, x, t, score):
        return x / t + (1 - t) ** 2 / t * score


class CorrectedAsPrinted(Prop33Corrected):
    """Mutant: the time-convention slip of the printed statement (t and 1 − t exchanged)."""

    def field(self, x, t, score):
        return x / (1 - t) + t / (1 - t) * score


class Tweedie:
    """Tweedie's identity in the form used: for :math:`Z = Y + \\sigma\\varepsilon`,
    :math:`\\varepsilon \\sim \\mathcal N(0, \\mathrm{Id})` independent of Y,

    .. math::

        \\mathbb E[Y \\mid Z = z] = z + \\sigma^2 \\nabla \\log p_Z(z).

    With :math:`Y = tX_1` and :math:`\\sigma = 1 - t` this gives
    :math:`\\mathbb E[X_0 \\mid Z_t] = -(1-t)\\nabla\\log\\alpha_t` and the corrected Proposition 3.3.
    """

    def posterior_mean(self, z, sigma, score):
        return z + sigma**2 * score


class TweedieSigmaNotSquared(Tweedie):
    """Mutant: σ instead of σ²."""

    def posterior_mean(self, z, sigma, score):
        return z + sigma * score


class TweedieScoreSign(Tweedie):
    """Mutant: minus the score."""

    def posterior_mean(self, z, sigma, score):
        return z - sigma**2 * score


class GradientSetting:
    """otdiff §3.3: the setting in which v_t of (7) is claimed to be a gradient field — the
    reference :math:`\\alpha_0 = \\mathcal N(0, \\mathrm{Id})` (isotropic)."""

    def reference_cov(self, d: int) -> np.ndarray:
        return np.eye(d)


class GradientSettingAnisotropic(GradientSetting):
    """Mutant: the hypothesis α0 = N(0, Id) dropped (an anisotropic Gaussian reference)."""

    def reference_cov(self, d):
        return np.diag(np.linspace(1.0, 0.25, d))
