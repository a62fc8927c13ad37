"""verify.stats: the values and boundaries that mutation testing showed untested (issue 9).

Every formula is compared with an independent computation (the ``statistics`` module,
``scipy.stats.linregress``, ``numpy.polyfit``, textbook quantiles, hand-computed values);
boundaries are tested on both sides; bad input is one table.  See reports/MUTATION.md.
"""

from __future__ import annotations

import math
import re
import statistics
import warnings
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats as sps

from verify.stats import (
    EPS,
    PowerFit,
    false_alarm,
    fit_power_law,
    mean_se,
    multiplier,
    rounding_tol,
    second_moment_se,
    t_multiplier,
    z_score,
)

# ---------------------------------------------------------------------------------------------
# mean_se and z_score
# ---------------------------------------------------------------------------------------------


def test_mean_se_matches_the_statistics_module_along_each_axis() -> None:
    x = np.array([[1.0, 4.0, 2.5], [2.0, 8.0, -1.0], [6.0, 5.0, 0.5], [3.0, 7.0, 4.0]])
    for axis in (0, 1):
        rows = x if axis == 1 else x.T  # the samples along `axis`
        n = x.shape[axis]
        mean, se = mean_se(x, axis=axis)
        assert mean.shape == se.shape == (x.shape[1 - axis],)
        np.testing.assert_allclose(mean, [statistics.fmean(r) for r in rows], rtol=4 * EPS)
        np.testing.assert_allclose(se, [statistics.stdev(r) / math.sqrt(n) for r in rows], rtol=8 * EPS)
    # two values: s = |a - b| / sqrt(2) with ddof = 1, so se = |a - b| / 2
    assert mean_se([1.0, 4.0]) == pytest.approx((2.5, 1.5), rel=2 * EPS)


def test_mean_se_converts_exact_rationals_to_float() -> None:
    # Exact values (fractions, as a derivation would produce) are averaged as float64.
    mean, se = mean_se([Fraction(1, 2), Fraction(3, 2), Fraction(7, 2)])
    assert mean == pytest.approx(11 / 6, rel=EPS)
    assert se == pytest.approx(statistics.stdev([0.5, 1.5, 3.5]) / math.sqrt(3), rel=4 * EPS)


def test_z_score_values_and_zero_standard_error() -> None:
    assert z_score(3.0, 2.0, 0.5) == 2.0
    assert z_score(-1.0, 2.0, 4.0) == -0.75
    # se == 0: exact agreement is z = 0, any difference is an infinite z of its sign
    assert z_score(1.5, 1.5, 0.0) == 0.0
    assert z_score(2.0, 1.0, 0.0) == math.inf
    assert z_score(1.0, 2.0, 0.0) == -math.inf


# ---------------------------------------------------------------------------------------------
# multipliers and false-alarm probabilities
# ---------------------------------------------------------------------------------------------


def test_multipliers_against_textbook_quantiles() -> None:
    # Normal: z_{0.975} = 1.959964, Bonferroni over m = 5 at alpha = 0.05: z_{0.995} = 2.575829.
    assert multiplier(0.05) == pytest.approx(1.959963984540054, rel=1e-12)
    assert multiplier(0.05, m=5) == pytest.approx(2.5758293035489, rel=1e-12)
    # Student t (tables): t_{0.975, 1} = 12.7062, t_{0.975, 10} = 2.2281, and over m = 2
    # comparisons t_{1 - 0.05/4, 5} = 3.1634.
    assert t_multiplier(0.05, 1, 1) == pytest.approx(12.706204736174705, rel=1e-10)
    assert t_multiplier(0.05, 1, 10) == pytest.approx(2.228138851986274, rel=1e-10)
    assert t_multiplier(0.05, 2, 5) == pytest.approx(sps.t.ppf(1 - 0.05 / 4, 5), rel=1e-10)
    assert t_multiplier(0.05, 2, 5) == pytest.approx(3.163381449748609, rel=1e-10)
    # heavy tails: never below the normal multiplier, and equal to it in the limit df -> inf
    for m in (1, 3):
        assert t_multiplier(1e-3, m, 4) > multiplier(1e-3, m)
        assert t_multiplier(1e-3, m, 10**9) == pytest.approx(multiplier(1e-3, m), rel=1e-6)
        assert t_multiplier(1e-3, m, 10**9) >= multiplier(1e-3, m)


def test_false_alarm_values_and_cap() -> None:
    assert false_alarm(0.5) == pytest.approx(2 * sps.norm.cdf(-0.5), rel=1e-12)
    assert false_alarm(5.0, m=3) == pytest.approx(3 * 2 * sps.norm.cdf(-5.0), rel=1e-12)
    # a union bound is a probability: capped at 1 when m comparisons exceed it
    assert false_alarm(0.1, m=10) == 1.0


# ---------------------------------------------------------------------------------------------
# second_moment_se and rounding_tol
# ---------------------------------------------------------------------------------------------


def test_second_moment_se_is_the_isserlis_formula() -> None:
    # Var S_jk = (S_jj S_kk + S_jk^2) / n, by hand for this Sigma.
    sigma = [[2.0, 0.6], [0.6, 0.5]]
    expected_n1 = np.sqrt([[2 * 2 + 2**2, 2 * 0.5 + 0.6**2], [2 * 0.5 + 0.6**2, 0.5 * 0.5 + 0.5**2]])
    np.testing.assert_allclose(second_moment_se(sigma, 1), expected_n1, rtol=2 * EPS)  # n = 1 is valid
    np.testing.assert_allclose(second_moment_se(sigma, 400), expected_n1 / 20, rtol=2 * EPS)
    # exact rational covariances (as a symbolic derivation gives them) are accepted as float64
    exact = [[Fraction(2), Fraction(3, 5)], [Fraction(3, 5), Fraction(1, 2)]]
    np.testing.assert_allclose(second_moment_se(exact, 1), expected_n1, rtol=2 * EPS)


def test_rounding_tol_formula_defaults_and_boundaries() -> None:
    # 8 (m + 1) eps kappa s
    assert rounding_tol(1.0) == 16 * EPS  # defaults terms = 1, cond = 1
    assert rounding_tol(2.0, terms=3, cond=4.0) == 8 * 4 * EPS * 4 * 2
    assert rounding_tol(0.5, terms=1, cond=1.0) == 8 * EPS
    # boundaries of the valid range are accepted: scale 0, terms 1, cond 1; a zero scale gives
    # the smallest positive tolerance, without warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tiny = rounding_tol(0.0)
    assert tiny == 16 * EPS * np.finfo(float).tiny > 0


# ---------------------------------------------------------------------------------------------
# power-law fits
# ---------------------------------------------------------------------------------------------


def test_power_fit_predict() -> None:
    fit = PowerFit(slope=-0.5, slope_se=0.0, intercept=math.log(3.0), n_points=3)
    np.testing.assert_allclose(fit.predict([4, 100]), [1.5, 0.3], rtol=4 * EPS)
    # an integer slope on integer n (an O(1/n) rate) is evaluated in floating point
    np.testing.assert_allclose(PowerFit(-1, 0.0, 0.0, 3).predict([1, 2, 4]), [1.0, 0.5, 0.25], rtol=0)


_N = np.array([10.0, 20.0, 40.0, 80.0, 160.0])
# log e = 1 - 0.5 log n plus a deterministic wiggle (the fit is not exact)
_ERR = np.exp(1.0 - 0.5 * np.log(_N) + np.array([0.03, -0.05, 0.02, 0.04, -0.03]))


@pytest.mark.parametrize("npoints", [3, 5])
def test_unweighted_fit_matches_linregress(npoints: int) -> None:
    n, err = _N[:npoints], _ERR[:npoints]
    fit = fit_power_law(n, err)
    ref = sps.linregress(np.log(n), np.log(err))
    assert fit.slope == pytest.approx(ref.slope, rel=1e-12)
    assert fit.intercept == pytest.approx(ref.intercept, rel=1e-12)
    assert fit.slope_se == pytest.approx(ref.stderr, rel=1e-10)  # residual scatter, n - 2 dof
    assert fit.n_points == npoints


@pytest.mark.parametrize("npoints", [3, 5])
@pytest.mark.parametrize("scatter", ["beyond the error bars", "within the error bars"])
def test_weighted_fit_matches_polyfit(npoints: int, scatter: str) -> None:
    # The slope error is the weighted-least-squares one, inflated by the reduced chi-square
    # only when the scatter exceeds the error bars: numpy.polyfit(w = 1/se_log) gives the
    # unscaled covariance (cov="unscaled") and the chi-square-scaled one (cov=True).
    n, err = _N[:npoints], _ERR[:npoints]
    rel = np.array([0.01, 0.02, 0.015, 0.03, 0.01])[:npoints]  # se / e, unequal weights
    if scatter == "within the error bars":
        rel = rel * 10.0
    x, y = np.log(n), np.log(err)
    fit = fit_power_law(n, err, rel * err)
    (slope, intercept), cov_unscaled = np.polyfit(x, y, 1, w=1 / rel, cov="unscaled")
    chi2 = float(np.sum(((y - (intercept + slope * x)) / rel) ** 2)) / (npoints - 2)
    assert (chi2 > 1) == (scatter == "beyond the error bars")
    assert fit.slope == pytest.approx(slope, rel=1e-10)
    assert fit.intercept == pytest.approx(intercept, rel=1e-10)
    assert fit.slope_se == pytest.approx(math.sqrt(cov_unscaled[0, 0] * max(1.0, chi2)), rel=1e-8)
    if chi2 > 1:
        _, cov_scaled = np.polyfit(x, y, 1, w=1 / rel, cov=True)
        assert fit.slope_se == pytest.approx(math.sqrt(cov_scaled[0, 0]), rel=1e-8)
    assert fit.n_points == npoints


def test_fit_converts_exact_step_sizes_to_float() -> None:
    # step sizes h = 2^-k as exact fractions, errors = 3 h^2 exactly: slope 2, C = 3
    h = [Fraction(1, 2**k) for k in range(1, 5)]
    err = [3 * x**2 for x in h]
    fit = fit_power_law(h, err, [x / 10 for x in err])
    assert fit.slope == pytest.approx(2.0, abs=1e-12)
    assert fit.intercept == pytest.approx(math.log(3.0), abs=1e-12)
    assert fit.slope_se > 0


# ---------------------------------------------------------------------------------------------
# bad input: one table
# ---------------------------------------------------------------------------------------------

BAD_CALLS = [
    # (call, exception, regex anchored at the start of the message)
    (lambda: mean_se(3.0), ValueError, r"^x needs at least 2 values along axis 0, got 0$"),
    (lambda: mean_se([[1.0, 2.0]]), ValueError, r"^x needs at least 2 values along axis 0, got 1$"),
    (lambda: mean_se([1.0, math.inf]), ValueError, r"^x contains NaN or inf$"),
    (lambda: z_score(1.0, 1.0, -0.5), ValueError, r"^se must be non-negative, got -0\.5$"),
    (lambda: multiplier(1.0), ValueError, r"^alpha must lie in \(0, 1\), got 1\.0$"),
    (lambda: multiplier(1.5), ValueError, r"^alpha must lie in \(0, 1\), got 1\.5$"),
    (lambda: multiplier(0.05, 2.5), ValueError, r"^m must be a positive integer, got 2\.5$"),
    (lambda: t_multiplier(0.05, 1, 0), ValueError, r"^df must be a positive integer, got 0$"),
    (lambda: t_multiplier(0.05, 1, 2.5), ValueError, r"^df must be a positive integer, got 2\.5$"),
    (lambda: t_multiplier(0.05, 0, 5), ValueError, r"^m must be a positive integer, got 0$"),
    (lambda: t_multiplier(1.0, 1, 5), ValueError, r"^alpha must lie in \(0, 1\), got 1\.0$"),
    (lambda: false_alarm(0.0), ValueError, r"^k must be positive, got 0\.0$"),
    (lambda: second_moment_se(np.eye(2), 0), ValueError, r"^n must be a positive integer, got 0$"),
    (lambda: rounding_tol(-1.0), ValueError, r"^scale must be finite and non-negative, got -1\.0$"),
    (lambda: rounding_tol(math.inf), ValueError, r"^scale must be finite and non-negative, got inf$"),
    (lambda: rounding_tol(1.0, terms=0), ValueError, r"^terms must be >= 1, got 0$"),
    (lambda: rounding_tol(1.0, cond=0.5), ValueError, r"^cond must be >= 1, got 0\.5$"),
    (lambda: rounding_tol(1.0, cond=math.nan), ValueError, r"^cond must be >= 1, got nan$"),
    (lambda: fit_power_law([1, 2, 3], [1, 2, 3, 4]), ValueError, r"^n and err must be 1-D of equal length, got \(3,\) and \(4,\)$"),
    (lambda: fit_power_law(np.ones((3, 3)), np.ones((3, 3))), ValueError, r"^n and err must be 1-D of equal length, got \(3, 3\) and \(3, 3\)$"),
    (lambda: fit_power_law([1, 2, 3], [1.0, 0.0, 3.0]), ValueError, r"^err must be positive and finite to fit a power law, got \[1\.0, 0\.0, 3\.0\]$"),
    (lambda: fit_power_law([1, 2, 3], [1.0, math.nan, 3.0]), ValueError, r"^err must be positive and finite"),
    (lambda: fit_power_law([1, 2, 3], [1.0, 2.0, 3.0], [0.1, 0.0, 0.1]), ValueError, r"^se must be positive and finite, got \[0\.1, 0\.0, 0\.1\]$"),
    (lambda: fit_power_law([1, 2, 3], [1.0, 2.0, 3.0], [0.1, math.nan, 0.1]), ValueError, r"^se must be positive and finite"),
    (lambda: fit_power_law([1, 2, 3], [1.0, 2.0, 3.0], [[0.1], [0.1], [0.1]]), ValueError, r"^se must have the shape of err \(3,\), got \(3, 1\)"),
]


@pytest.mark.parametrize("call, exc, pattern", BAD_CALLS, ids=[p[1:40].replace("\\", "") for _, _, p in BAD_CALLS])
def test_bad_input_raises_a_clear_error(call, exc, pattern) -> None:
    with pytest.raises(exc) as info:
        call()
    assert type(info.value) is exc
    assert re.search(pattern, str(info.value)), str(info.value)


@pytest.mark.parametrize("call, message", [
    (lambda: mean_se([1.0, 2.0, 3.0], axis=1), "axis 1 is out of range for x with 1 dimension(s)"),
    (lambda: fit_power_law([1, 2, 4], [1.0, 0.5, 0.25], se=[0.1]), "se must have the shape of err (3,), got (1,)"),
    (lambda: second_moment_se(np.eye(2), 2.5), "n must be a positive integer, got 2.5"),
    (lambda: second_moment_se(np.ones(3), 10), "sigma must be a square matrix, got shape (3,)"),
])
def test_boundary_validation_names_the_argument(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()
