"""Monte Carlo error bars, z-scores, tolerance multipliers and convergence-rate fits.

Every numeric tolerance in the suite is built here from a stated false-alarm probability, never
from a constant tuned until a test passes:

.. math::

    |\\hat\\theta_n - \\theta| \\le k\\,\\widehat{\\mathrm{se}}, \\qquad
    k = \\Phi^{-1}\\!\\left(1 - \\frac{\\alpha}{2m}\\right),

with :math:`\\alpha` the false-alarm probability of the whole comparison and :math:`m` the
number of simultaneous comparisons (Bonferroni).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import stats as _sps

__all__ = [
    "DEFAULT_ALPHA",
    "EPS",
    "mean_se",
    "z_score",
    "multiplier",
    "false_alarm",
    "t_multiplier",
    "second_moment_se",
    "rounding_tol",
    "PowerFit",
    "fit_power_law",
]

#: False-alarm probability of one check on a correct formula (two-sided, 5 sigma).
DEFAULT_ALPHA: float = 2.0 * _sps.norm.sf(5.0)

EPS: float = float(np.finfo(np.float64).eps)


def mean_se(x: Sequence[float] | np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sample mean and its standard error :math:`s/\\sqrt{n}` (``ddof=1``).

    Raises ``ValueError`` for fewer than two finite values.
    """
    a = np.asarray(x, dtype=float)
    if a.ndim and not -a.ndim <= axis < a.ndim:
        raise ValueError(f"axis {axis} is out of range for x with {a.ndim} dimension(s)")
    n = a.shape[axis] if a.ndim else 0
    if n < 2:
        raise ValueError(f"x needs at least 2 values along axis {axis}, got {n}")
    if not np.all(np.isfinite(a)):
        raise ValueError("x contains NaN or inf")
    return a.mean(axis=axis), a.std(axis=axis, ddof=1) / math.sqrt(n)


def z_score(estimate: float, reference: float, se: float) -> float:
    """:math:`z = (\\hat\\theta - \\theta)/\\mathrm{se}`; ``inf`` when ``se == 0`` and they differ."""
    if not (np.isfinite(estimate) and np.isfinite(reference) and np.isfinite(se)):
        raise ValueError(
            f"z_score needs finite inputs, got estimate={estimate}, reference={reference}, se={se}"
        )
    if se < 0:
        raise ValueError(f"se must be non-negative, got {se}")
    diff = float(estimate) - float(reference)
    if se == 0:
        return 0.0 if diff == 0 else math.copysign(math.inf, diff)
    return diff / float(se)


def multiplier(alpha: float = DEFAULT_ALPHA, m: int = 1) -> float:
    """Two-sided normal multiplier :math:`k = \\Phi^{-1}(1 - \\alpha / (2m))`.

    ``m`` simultaneous comparisons share the false-alarm budget ``alpha`` (Bonferroni).
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
    if int(m) != m or m < 1:
        raise ValueError(f"m must be a positive integer, got {m}")
    return float(_sps.norm.isf(alpha / (2 * m)))


def t_multiplier(alpha: float, m: int, df: int) -> float:
    """Student-t version of :func:`multiplier` for a standard error estimated with ``df``
    degrees of freedom: with few replicates the studentised error has heavy tails, and the
    normal multiplier would under-state the false-alarm probability."""
    if int(df) != df or df < 1:
        raise ValueError(f"df must be a positive integer, got {df}")
    k = multiplier(alpha, m)  # validates alpha and m
    return float(max(k, _sps.t.isf(alpha / (2 * m), df)))


def false_alarm(k: float, m: int = 1) -> float:
    """Probability that at least one of ``m`` correct comparisons exceeds ``k`` (union bound)."""
    if not k > 0:
        raise ValueError(f"k must be positive, got {k}")
    return float(min(1.0, m * 2.0 * _sps.norm.sf(k)))


def second_moment_se(sigma: np.ndarray, n: int) -> np.ndarray:
    """Standard errors of the entries of :math:`\\hat S = \\frac1n\\sum_i x_i x_i^\\top` for
    :math:`x_i \\sim \\mathcal N(0, \\Sigma)` i.i.d. (Isserlis):

    .. math::

        \\operatorname{Var} \\hat S_{jk} = \\frac{\\Sigma_{jj}\\Sigma_{kk} + \\Sigma_{jk}^2}{n}.
    """
    s = np.asarray(sigma, dtype=float)
    if s.ndim != 2 or s.shape[0] != s.shape[1]:
        raise ValueError(f"sigma must be a square matrix, got shape {s.shape}")
    if isinstance(n, bool) or int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n}")
    d = np.diag(s)
    return np.sqrt((np.outer(d, d) + s**2) / n)


def rounding_tol(scale: float, terms: int = 1, cond: float = 1.0) -> float:
    r"""Tolerance for an identity that holds exactly in real arithmetic and is evaluated in
    float64: :math:`8\,(m + 1)\,\varepsilon\,\kappa\,s`.

    ``terms`` (:math:`m`) is the number of accumulated rounding operations (the length of the
    longest sum, or the dimension for a matrix factorisation), ``cond`` (:math:`\kappa`) the
    condition number by which the rounding is amplified (square roots, inverses), ``scale``
    (:math:`s`) the magnitude of the compared quantities.  This is the first-order bound of
    backward-stable linear algebra, :math:`O(m\varepsilon)` relative, with a factor 8 for
    the few passes a check chains; it is not tuned to any test.
    """
    if not (np.isfinite(scale) and scale >= 0):
        raise ValueError(f"scale must be finite and non-negative, got {scale}")
    if terms < 1:
        raise ValueError(f"terms must be >= 1, got {terms}")
    if not cond >= 1:
        raise ValueError(f"cond must be >= 1, got {cond}")
    return 8.0 * (terms + 1) * EPS * cond * max(scale, np.finfo(float).tiny)


@dataclass(frozen=True)
class PowerFit:
    """Least-squares fit of :math:`\\log e = c + p\\log n` with the slope's standard error."""

    slope: float
    slope_se: float
    intercept: float
    n_points: int

    def predict(self, n: np.ndarray | float) -> np.ndarray:
        return np.exp(self.intercept) * np.asarray(n, dtype=float) ** self.slope


def fit_power_law(
    n: Sequence[float], err: Sequence[float], se: Sequence[float] | None = None
) -> PowerFit:
    """Fit :math:`e \\approx C n^{p}` on a log-log scale.

    With ``se`` given, points are weighted by the delta-method standard error of
    :math:`\\log e`, :math:`\\mathrm{se}/e`, and the slope error comes from the weighted normal
    equations; otherwise from the residual scatter (ordinary least squares).
    """
    x = np.log(np.asarray(n, dtype=float))
    e = np.asarray(err, dtype=float)
    if x.shape != e.shape or x.ndim != 1:
        raise ValueError(f"n and err must be 1-D of equal length, got {x.shape} and {e.shape}")
    if len(x) < 3:
        raise ValueError(f"a rate fit needs at least 3 points, got {len(x)}")
    if np.any(e <= 0) or not np.all(np.isfinite(e)):
        raise ValueError(f"err must be positive and finite to fit a power law, got {e.tolist()}")
    y = np.log(e)
    X = np.column_stack([np.ones_like(x), x])
    if se is not None:
        se_arr = np.asarray(se, dtype=float)
        if se_arr.shape != e.shape:
            raise ValueError(f"se must have the shape of err {e.shape}, got {se_arr.shape}")
        s = se_arr / e
        if np.any(s <= 0) or not np.all(np.isfinite(s)):
            raise ValueError(f"se must be positive and finite, got {list(se)}")
        w = 1.0 / s**2
        cov = np.linalg.inv(X.T @ (w[:, None] * X))
        beta = cov @ (X.T @ (w * y))
        # Scale by the reduced chi-square when the scatter exceeds the error bars.
        dof = len(x) - 2
        chi2 = float(np.sum(w * (y - X @ beta) ** 2)) / dof if dof > 0 else 1.0
        cov = cov * max(1.0, chi2)
    else:
        beta, *_ = np.linalg.lstsq(X, y, rcond=None)
        resid = y - X @ beta
        dof = len(x) - 2
        sigma2 = float(resid @ resid) / dof if dof > 0 else 0.0
        cov = sigma2 * np.linalg.inv(X.T @ X)
    return PowerFit(float(beta[1]), float(math.sqrt(cov[1, 1])), float(beta[0]), len(x))
