"""verify.jko: the Lagrangian JKO solver (exact steps, energy decrease, order, convergence to the
heat, Fokker–Planck and porous-medium flows), the 1-D mixture quantiles, W2 against a quantile
function, the quantisation floor and the Barenblatt profile, each against an independent
computation; and the bad-input table."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st
from scipy.optimize import minimize
from scipy.special import ndtr

from verify import jko
from verify.jko import (
    SHANNON,
    barenblatt,
    cell_means,
    heat_mixture,
    jko_energy,
    lagrangian_jko_1d,
    midpoint_nodes,
    mixture_1d,
    mixture_cdf,
    mixture_pdf,
    mixture_quantile,
    mixture_score,
    particle_density,
    power,
    quadratic_potential,
    quantile_w2,
    quantisation_floor,
)
from verify.stats import fit_power_law

MIX = mixture_1d([0.3, 0.5, 0.2], [-2.0, 0.3, 2.5], [0.2, 0.4, 0.15])


# --- mixtures -----------------------------------------------------------------------------


def _mp_cdf(x: mpmath.mpf) -> mpmath.mpf:
    return sum(w * mpmath.ncdf((x - m) / mpmath.sqrt(v)) for w, m, v in ((0.3, -2, 0.2), (0.5, 0.3, 0.4), (0.2, 2.5, 0.15)))


@pytest.mark.parametrize("s", [1e-40, 1e-8, 0.01, 0.3, 0.5, 0.77, 0.999])
def test_mixture_quantile_matches_a_40_digit_root(s):
    mpmath.mp.dps = 40
    q = float(mixture_quantile(MIX, np.array([s]))[0])
    root = mpmath.findroot(lambda x: _mp_cdf(x) - mpmath.mpf(s), q)
    # Newton stops at 4 ulp of the scale; the CDF itself is accurate to a few ulp relative.
    assert abs(q - float(root)) <= 1e-13 * (1 + abs(q))


@given(st.floats(1e-300, 0.4999))
@example(1e-300)
def test_upper_quantile_is_the_mirror_tail_without_cancellation(r):
    """Q(1 − r) by the upper-tail solver: 1 − F there is r to full relative accuracy (forming
    1 − r first would lose everything below r ≈ 1e-16)."""
    x = mixture_quantile(MIX, np.array([r]), upper=True)[0]
    assert abs(mixture_cdf(MIX, np.array([x]), upper=True)[0] / r - 1) <= 1e-11


def test_mixture_density_and_score_match_finite_differences():
    x = np.linspace(-4, 4, 17)
    h = 1e-5
    fd_pdf = (mixture_cdf(MIX, x + h) - mixture_cdf(MIX, x - h)) / (2 * h)
    np.testing.assert_allclose(mixture_pdf(MIX, x), fd_pdf, rtol=1e-7, atol=1e-12)
    fd_score = (np.log(mixture_pdf(MIX, x + h)) - np.log(mixture_pdf(MIX, x - h))) / (2 * h)
    np.testing.assert_allclose(mixture_score(MIX, x), fd_score, rtol=1e-6, atol=1e-8)


def test_heat_mixture_grows_every_variance_by_2t_and_refuses_a_negative_one():
    out = heat_mixture(MIX, 0.25)
    np.testing.assert_allclose(out.covs[:, 0, 0], MIX.covs[:, 0, 0] + 0.5)
    with pytest.raises(ValueError, match="backward diffusion"):
        heat_mixture(MIX, 0.25, diffusivity=-1.0)


# --- W2 against a quantile function and the quantisation floor ------------------------------


def _exact_w2_sq_gaussian(x: np.ndarray) -> float:
    """Σ_i ∫_{cell i} (x_i − y)² dN(0,1)(y), cells between the quantiles i/n, by the truncated
    moments ∫_a^b y φ = φ(a) − φ(b), ∫_a^b y² φ = Φ(b) − Φ(a) + aφ(a) − bφ(b)."""
    n = len(x)
    edges = np.concatenate([[-np.inf], mixture_quantile(mixture_1d([1.0], [0.0], [1.0]), np.arange(1, n) / n), [np.inf]])
    finite = np.where(np.isfinite(edges), edges, 0.0)
    phi = np.where(np.isfinite(edges), np.exp(-finite**2 / 2) / math.sqrt(2 * math.pi), 0.0)
    xphi = finite * phi  # y φ(y) → 0 at ±∞
    m0 = ndtr(edges[1:]) - ndtr(edges[:-1])
    m1 = phi[:-1] - phi[1:]
    m2 = m0 + xphi[:-1] - xphi[1:]
    return float(np.sum(m2 - 2 * x * m1 + x**2 * m0))


@pytest.mark.parametrize("n", [1, 2, 7, 200])
def test_quantile_w2_matches_truncated_moments_for_a_gaussian(n):
    std = mixture_1d([1.0], [0.0], [1.0])
    q = lambda s: mixture_quantile(std, s)
    up = lambda r: mixture_quantile(std, r, upper=True)
    x = mixture_quantile(std, midpoint_nodes(n)) + 0.01 * np.sin(np.arange(n))
    x = np.sort(x)
    assert abs(quantile_w2(x, q, upper=up) ** 2 - _exact_w2_sq_gaussian(x)) <= 1e-12


def test_quantisation_floor_is_attained_by_cell_means_and_beats_other_atoms():
    q = lambda s: mixture_quantile(MIX, s)
    up = lambda r: mixture_quantile(MIX, r, upper=True)
    n = 50
    floor = quantisation_floor(q, n, upper=up)
    means = cell_means(q, n, upper=up)
    assert quantile_w2(means, q, upper=up) == pytest.approx(floor, rel=1e-12)
    mid = mixture_quantile(MIX, midpoint_nodes(n))
    assert quantile_w2(mid, q, upper=up) > floor
    assert quantile_w2(means + 1e-3, q, upper=up) > floor


def test_quantisation_floor_of_a_gaussian_decays_like_n_to_about_minus_055():
    std = mixture_1d([1.0], [0.0], [1.0])
    q = lambda s: mixture_quantile(std, s)
    up = lambda r: mixture_quantile(std, r, upper=True)
    ns = [100, 300, 1000, 3000, 10000]
    fit = fit_power_law(ns, [quantisation_floor(q, n, upper=up) for n in ns])
    # n^(-1/2) up to a logarithmic factor: the Gaussian tail cells dominate.
    assert -0.6 < fit.slope < -0.5


# --- the Lagrangian JKO scheme -----------------------------------------------------------------


def _objective(y, x, tau, entropy, potential):
    n = len(x)
    return np.sum((y - x) ** 2) / (2 * tau * n) + jko_energy(y, entropy, potential)


@pytest.mark.parametrize("entropy,potential", [(SHANNON, None), (SHANNON, quadratic_potential(2.0, 0.5)), (power(2.0), None), (power(3.0), quadratic_potential(1.0))])
def test_one_step_is_the_minimiser_of_the_discrete_jko_problem(entropy, potential):
    """scipy's BFGS on the objective (13) of the discrete measures cannot improve the step."""
    x = np.array([-1.3, -0.4, 0.1, 0.5, 1.4, 2.0])
    tau = 0.05
    y = lagrangian_jko_1d(x, tau, 1, entropy, potential)
    f = lambda z: _objective(np.sort(z), x, tau, entropy, potential) if np.all(np.diff(np.sort(z)) > 0) else np.inf
    res = minimize(f, y + 1e-3 * np.cos(np.arange(6)), method="Nelder-Mead", options={"xatol": 1e-11, "fatol": 1e-14, "maxiter": 20000})
    assert f(y) <= res.fun + 1e-12
    assert np.all(np.diff(y) > 0)


def test_steps_decrease_the_energy_by_at_least_the_transport_cost():
    """JKO's a priori estimate: E(x_{k+1}) + W2²(x_k, x_{k+1})/(2τ) ≤ E(x_k) (x_k is admissible)."""
    x = mixture_quantile(MIX, midpoint_nodes(200))
    traj = lagrangian_jko_1d(x, 0.01, 20, trajectory=True)
    for a, b in zip(traj[:-1], traj[1:]):
        assert jko_energy(b) + np.mean((a - b) ** 2) / 0.02 <= jko_energy(a) + 1e-12


def test_a_pure_quadratic_potential_step_is_the_proximal_map():
    x = np.linspace(-2, 3, 11)
    y = lagrangian_jko_1d(x, 0.1, 1, entropy=None, potential=quadratic_potential(2.0, 0.5))
    np.testing.assert_allclose(y, (x + 0.1 * 2.0 * 0.5) / (1 + 0.1 * 2.0), rtol=0, atol=1e-14)


def test_heat_jko_converges_at_first_order_in_tau_at_the_inner_nodes():
    n, t = 600, 0.25
    s = midpoint_nodes(n)
    exact = mixture_quantile(heat_mixture(MIX, t), s)
    inner = (s > 0.05) & (s < 0.95)
    errs = []
    for k in (8, 16, 32):
        x, info = lagrangian_jko_1d(mixture_quantile(MIX, s), t / k, k, return_info=True)
        errs.append(float(np.abs(x - exact)[inner].max()))
        assert info.total >= k and info.decrement_bound <= 1e-10
    # Errors halve with τ while the time error dominates the O(1/n) space error.
    assert 1.6 < errs[0] / errs[1] < 2.4 and 1.4 < errs[1] / errs[2] < 2.4


def test_newton_needs_about_one_or_two_solves_per_step_after_the_first():
    x = mixture_quantile(MIX, midpoint_nodes(2000))
    _, info = lagrangian_jko_1d(x, 1e-3, 100, return_info=True)
    assert info.newton_iterations[0] >= 2
    assert info.mean <= 2.5 and info.max <= 12


def test_porous_medium_jko_follows_the_barenblatt_profile():
    n, m = 300, 2.0
    s = midpoint_nodes(n)
    x0 = barenblatt(m, 1.0).quantile(s)
    exact = barenblatt(m, 2.0).quantile(s)
    inner = (s > 0.05) & (s < 0.95)
    e = [float(np.abs(lagrangian_jko_1d(x0, 1.0 / k, k, entropy=power(m)) - exact)[inner].max()) for k in (20, 40, 80)]
    assert e[0] > e[1] > e[2] and e[2] < 2e-3


def test_particle_density_is_one_over_n_gaps():
    mid, dens = particle_density([0.0, 0.5, 2.0])
    np.testing.assert_allclose(mid, [0.25, 1.25])
    np.testing.assert_allclose(dens, [1 / 1.5, 1 / 4.5])
    np.testing.assert_allclose(midpoint_nodes(4), [0.125, 0.375, 0.625, 0.875])


def test_a_concave_potential_with_a_large_step_is_reported():
    with pytest.raises(RuntimeError, match="not strictly convex"):
        lagrangian_jko_1d(np.linspace(-1, 1, 5), 2.0, 1, entropy=None, potential=quadratic_potential(-1.0))


# --- Barenblatt ----------------------------------------------------------------------------


@pytest.mark.parametrize("m", [1.5, 2.0, 3.0])
def test_barenblatt_has_mass_one_and_an_inverse_cdf_quantile(m):
    b = barenblatt(m, 1.7)
    s = np.linspace(0.0, 1.0, 21)
    np.testing.assert_allclose(b.cdf(b.quantile(s)), s, atol=1e-13)
    u = np.linspace(-1.0, 1.0, 200001) * b.radius
    assert np.trapezoid(b.density(u), u) == pytest.approx(1.0, abs=2e-5)
    assert b.quantile(np.array([1.0]))[0] == pytest.approx(b.radius)
    np.testing.assert_allclose(b.quantile_upper(np.array([1e-3])), b.quantile(np.array([1 - 1e-3])), rtol=1e-10)


def test_barenblatt_solves_the_porous_medium_equation():
    m = sp.Rational(3)
    t, x = sp.symbols("t x", positive=True)
    b = barenblatt(3.0, 1.0)
    c = sp.nsimplify(b.c, rational=False)
    alpha, k = 1 / (m + 1), (m - 1) / (2 * m * (m + 1))
    rho = t ** (-alpha) * (c - k * x**2 * t ** (-2 * alpha)) ** (1 / (m - 1))
    res = sp.diff(rho, t) - sp.diff(rho**m, x, 2)
    for tv, xv in ((1, sp.Rational(1, 3)), (2, sp.Rational(1, 2))):
        assert abs(float(res.subs({t: tv, x: xv}))) < 1e-12
    assert float(rho.subs({t: 1, x: sp.Rational(1, 3)})) == pytest.approx(float(b.density(np.array([1 / 3]))[0]), rel=1e-12)


# --- entropies -----------------------------------------------------------------------------


def test_pressures_of_the_entropies():
    s = np.array([0.3, 1.0, 2.5])
    np.testing.assert_allclose(SHANNON.p(s), s)
    np.testing.assert_allclose(power(2.5).p(s), s**2.5)
    np.testing.assert_allclose(s * power(2.5).g1(s) - power(2.5).g(s), s**2.5)


# --- bad input ----------------------------------------------------------------------------

_X = np.linspace(-1.0, 1.0, 5)
BAD = [
    (lambda: lagrangian_jko_1d(np.array([0.0, 2.0, 1.0]), 0.1, 1), "x0 must be strictly increasing"),
    (lambda: lagrangian_jko_1d(np.array([0.0, 0.0, 1.0]), 0.1, 1), "x0 must be strictly increasing"),
    (lambda: lagrangian_jko_1d(np.array([0.0, np.nan]), 0.1, 1), "x0 contains NaN"),
    (lambda: lagrangian_jko_1d(np.array([[0.0, 1.0]]), 0.1, 1), "x0 must be a 1-D array"),
    (lambda: lagrangian_jko_1d(_X, 0.0, 1), "tau must be a positive finite number"),
    (lambda: lagrangian_jko_1d(_X, float("inf"), 1), "tau must be a positive finite number"),
    (lambda: lagrangian_jko_1d(_X, 0.1, -1), "n_steps must be an integer >= 0"),
    (lambda: lagrangian_jko_1d(_X, 0.1, 1.5), "n_steps must be an integer >= 0"),
    (lambda: lagrangian_jko_1d(_X, 0.1, 4, trajectory=True, record_every=3), "record_every must divide n_steps"),
    (lambda: lagrangian_jko_1d(_X, 0.1, 1, tol=-1.0), "tol must be a positive finite number"),
    (lambda: power(1.0), "m must be a finite number > 1"),
    (lambda: quadratic_potential(float("nan")), "q must be a finite number"),
    (lambda: barenblatt(0.5, 1.0), "m must be a finite number > 1"),
    (lambda: barenblatt(2.0, 0.0), "t must be a positive finite time"),
    (lambda: mixture_quantile(MIX, np.array([0.0])), "s must lie in the open interval"),
    (lambda: mixture_quantile(MIX, np.array([1.2])), "s must lie in the open interval"),
    (lambda: mixture_1d([1.0], [0.0], [0.0]), "variances must be positive"),
    (lambda: heat_mixture(MIX, -1.0), "t must be a non-negative finite time"),
    (lambda: quantile_w2(np.array([1.0, 0.0]), lambda s: s), "x must be strictly increasing"),
    (lambda: midpoint_nodes(0), "n must be an integer >= 1"),
]


@pytest.mark.parametrize("call,message", BAD, ids=[m for _, m in BAD])
def test_bad_input_raises_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_type_errors_name_the_argument():
    with pytest.raises(TypeError, match="entropy must be an Entropy"):
        lagrangian_jko_1d(_X, 0.1, 1, entropy="shannon")
    with pytest.raises(TypeError, match="mix must be a verify.mixtures.GaussianMixture"):
        mixture_quantile([0.5], np.array([0.5]))


def test_module_declares_its_public_names():
    assert set(jko.__all__) >= {"lagrangian_jko_1d", "quantile_w2", "quantisation_floor", "mixture_quantile", "barenblatt", "Entropy", "SHANNON", "power"}


def test_jko_benchmark_rows_and_markdown_on_a_small_configuration():
    from verify.bench import jko_markdown, run_jko_benchmarks

    rows = run_jko_benchmarks(configs=((300, 0.02, 0.2), (300, 0.04, 0.2)), repeats=1)
    assert [r["kind"] for r in rows] == ["jko", "jko"]
    for r in rows:
        assert r["w2"] >= r["floor"] > 0 and r["inner_error"] < r["max_error"]
        assert r["newton_total"] >= r["steps"] and r["decrement_bound"] <= 1e-10
    text = jko_markdown(rows)
    assert text.startswith("## Lagrangian JKO") and "| 300 | 0.02 | 10 |" in text and "First order in τ" in text
    with pytest.raises(ValueError, match="t / tau must be a positive integer"):
        run_jko_benchmarks(configs=((10, 0.3, 1.0),))
