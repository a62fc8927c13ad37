"""Samplers, exact empirical OT and linear flows."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

from verify.particles import exact_ot, gaussian_samples, linear_flow_propagator, second_moment, transport_test
from verify.stats import rounding_tol

SIGMA = np.array([[2.0, 0.6], [0.6, 0.5]])


def test_moment_matched_samples_have_the_exact_second_moment():
    x = gaussian_samples(np.random.default_rng(0), SIGMA, 500, exact_moments=True)
    assert np.max(np.abs(second_moment(x) - SIGMA)) <= rounding_tol(2.0, terms=500, cond=np.linalg.cond(SIGMA))


def test_plain_samples_are_within_monte_carlo_error():
    n = 40_000
    x = gaussian_samples(np.random.default_rng(1), SIGMA, n)
    se = np.sqrt((np.outer(np.diag(SIGMA), np.diag(SIGMA)) + SIGMA**2) / n)
    assert np.max(np.abs(second_moment(x) - SIGMA) / se) < 5


def test_exact_ot_recovers_a_hidden_permutation():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((300, 2))
    perm = rng.permutation(300)
    value, plan = exact_ot(x, x[perm] + 1.0)  # a translation: the optimal map is x -> x + 1
    assert value == pytest.approx(2.0, rel=1e-12)
    assert np.all(np.argmax(plan, axis=1) == np.argsort(perm))


@pytest.mark.filterwarnings("ignore:numItermax reached")
def test_exact_ot_reports_non_convergence():
    rng = np.random.default_rng(3)
    with pytest.raises(RuntimeError, match="result_code"):
        exact_ot(rng.standard_normal((200, 2)), rng.standard_normal((200, 2)), num_itermax=10)


def test_linear_flow_propagator_matches_the_matrix_exponential():
    a = np.array([[0.0, 1.0], [-2.0, -0.3]])
    phi = linear_flow_propagator(lambda t: a, 2, 0.0, 1.5, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(phi, expm(1.5 * a), rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: gaussian_samples(np.random.default_rng(0), SIGMA, 0), "n must"),
        (lambda: gaussian_samples(np.random.default_rng(0), SIGMA, 1, exact_moments=True), "n must be at least d"),
        (lambda: gaussian_samples(0, SIGMA, 10), "rng must"),
        (lambda: gaussian_samples(np.random.default_rng(0), [[1.0, 2.0], [2.0, 1.0]], 10), "cov"),
        (lambda: exact_ot(np.zeros((3, 2)), np.zeros((3, 3))), "x and y"),
        (lambda: exact_ot(np.full((3, 2), np.nan), np.zeros((3, 2))), "finite"),
        (lambda: second_moment(np.zeros(3)), "x must have shape"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_transport_test_accepts_the_right_law_and_rejects_wrong_weights():
    from verify.mixtures import GaussianMixture

    right = GaussianMixture(np.array([0.3, 0.3, 0.4]), np.array([[2.0, 0.0], [-1.0, 1.5], [-1.0, -1.5]]), np.array([np.eye(2) * 0.1] * 3))
    wrong = GaussianMixture(np.array([0.4, 0.3, 0.3]), right.means, right.covs)
    rng = np.random.default_rng(5)
    sample = lambda g, n: right.sample(g, n)
    ok = transport_test(rng, right.sample(rng, 40 * 100).reshape(40, 100, 2), sample, 1e-6, centers=right.means)
    bad = transport_test(rng, wrong.sample(rng, 40 * 100).reshape(40, 100, 2), sample, 1e-6, centers=right.means)
    blown = transport_test(rng, 1e50 * right.sample(rng, 40 * 100).reshape(40, 100, 2), sample, 1e-6)
    assert ok["passed"] and not bad["passed"] and bad["chi2_p"] < 1e-6 and not blown["passed"]
