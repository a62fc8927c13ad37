"""The false-alarm budget: what each statistical comparison spends, and what it can detect.

A check of a *correct* formula can still fail by chance when it compares a Monte Carlo estimate
with its closed form.  Every such comparison takes its multiplier from the check's budget
:math:`\\alpha_c = 2\\,\\bar\\Phi(k)` (``Context.k``, 5 by default, so
:math:`\\alpha_c = 5.7\\times10^{-7}`), split over its :math:`m` simultaneous comparisons:

.. math::

    k_m = \\Phi^{-1}\\!\\Big(1 - \\frac{\\alpha_c}{2m}\\Big), \\qquad
    \\Pr[\\text{false alarm of the check}] \\le m \\cdot 2\\bar\\Phi(k_m) = \\alpha_c .

Checks ask :class:`~verify.claims.Context` for their multiplier (``ctx.multiplier``) or their
share of :math:`\\alpha_c` (``ctx.alpha_for``); each request is a :class:`Spend` recorded on the
evidence, so a run can add them up (union bound):
:math:`\\Pr[\\text{any false alarm in the run}] \\le \\sum_{\\text{checks}} \\alpha`.
A check that requests nothing compares exact or rounding-bounded quantities (a deterministic
tolerance: exact arithmetic, a float64 rounding bound, a discretisation bound); it spends 0,
and a hypothesis example of such a predicate spends 0 too.

The power side: a comparison at multiplier :math:`k` with standard error :math:`s` detects an
effect :math:`\\delta` with probability at least :math:`1 - \\beta` when

.. math::

    |\\delta| \\ge (k + z_{1-\\beta})\\, s ,

the *minimal detectable effect*; for :math:`s = \\sigma/\\sqrt n` this gives the sample size
:math:`n \\ge ((k + z_{1-\\beta})\\sigma/\\delta)^2` a check needs to see an effect of size
:math:`\\delta` (the smallest gap between a mutant and the printed form).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable

from scipy import stats as _sps

__all__ = ["DEFAULT_POWER", "Spend", "total_false_alarm", "z_power", "detectable_effect", "sample_size"]

#: Power at which minimal detectable effects are quoted.
DEFAULT_POWER: float = 0.99


@dataclass(frozen=True)
class Spend:
    """One request against a check's false-alarm budget.

    ``alpha`` is the probability that a correct formula fails this comparison; ``k`` the
    multiplier used (``None`` when the check only took its share ``alpha`` and builds its own
    test, e.g. a Student-t or chi-square test); ``m`` the simultaneous comparisons sharing it;
    ``df`` the degrees of freedom of a Student-t multiplier.
    """

    what: str
    alpha: float
    k: float | None = None
    m: int = 1
    df: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"what": self.what, "alpha": self.alpha, "m": self.m}
        if self.k is not None:
            out["k"] = self.k
        if self.df is not None:
            out["df"] = self.df
        return out


def total_false_alarm(alphas: Iterable[float]) -> float:
    """Union bound on the probability that at least one comparison of correct formulas fails:
    :math:`\\min(1, \\sum \\alpha_i)`."""
    total = 0.0
    for a in alphas:
        if not 0 <= a <= 1:
            raise ValueError(f"each alpha must lie in [0, 1], got {a}")
        total += a
    return min(1.0, total)


def z_power(power: float) -> float:
    """:math:`z_{\\text{power}} = \\Phi^{-1}(\\text{power})`, the margin beyond k that a test needs to
    reach that power."""
    if not 0 < power < 1:
        raise ValueError(f"power must lie in (0, 1), got {power}")
    return float(_sps.norm.isf(1.0 - power))


def detectable_effect(se: float, k: float, power: float = DEFAULT_POWER) -> float:
    """Smallest effect a test ``|estimate − reference| > k·se`` detects with the given power:
    :math:`(k + z_{\\text{power}})\\,\\mathrm{se}` (one tail; the other tail only adds)."""
    if not (math.isfinite(se) and se >= 0):
        raise ValueError(f"se must be finite and non-negative, got {se}")
    if not k > 0:
        raise ValueError(f"k must be positive, got {k}")
    return (k + z_power(power)) * se


def sample_size(effect: float, sigma: float, k: float, power: float = DEFAULT_POWER) -> int:
    """Smallest n with :math:`(k + z_{\\text{power}})\\sigma/\\sqrt n \\le |\\text{effect}|`."""
    if not (math.isfinite(effect) and effect != 0):
        raise ValueError(f"effect must be finite and non-zero, got {effect}")
    if not (math.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma must be finite and positive, got {sigma}")
    return max(1, math.ceil(((detectable_effect(sigma, k, power)) / abs(effect)) ** 2))
