"""verify.variation: first variations and Wasserstein gradients of discrete-measure functionals
by finite differences — exact answers for functionals with a known first variation, and input
validation."""

from __future__ import annotations

import numpy as np
import pytest

from verify.variation import first_variation, wasserstein_gradient


def _linear(z: np.ndarray, w: np.ndarray) -> float:
    """f(α) = ∫ h dα with h(x) = sin x₁ + x₂²: δf(α) = h."""
    return float(w @ (np.sin(z[:, 0]) + z[:, 1] ** 2))


def _quadratic(z: np.ndarray, w: np.ndarray) -> float:
    """f(α) = (∫ x₁ dα)²: δf(α)(x) = 2 m₁ x₁ and ∇_W f = (2 m₁, 0)."""
    return float(w @ z[:, 0]) ** 2


ATOMS = np.array([[0.0, 1.0], [1.0, -1.0], [2.0, 0.5]])
WEIGHTS = np.array([0.2, 0.3, 0.5])
X = np.array([[0.3, -0.2], [1.5, 2.0]])


def test_first_variation_of_a_linear_functional_is_h_minus_its_mean():
    h = lambda z: np.sin(z[:, 0]) + z[:, 1] ** 2
    got = first_variation(_linear, ATOMS, WEIGHTS, X)
    np.testing.assert_allclose(got, h(X) - WEIGHTS @ h(ATOMS), rtol=0, atol=1e-14)


def test_wasserstein_gradient_is_within_its_bound():
    est, bound = wasserstein_gradient(_linear, ATOMS, WEIGHTS, X)
    exact = np.column_stack([np.cos(X[:, 0]), 2 * X[:, 1]])
    assert np.all(np.abs(est - exact) <= bound)
    est, bound = wasserstein_gradient(_quadratic, ATOMS, WEIGHTS, X)
    m1 = WEIGHTS @ ATOMS[:, 0]
    assert np.all(np.abs(est - np.array([2 * m1, 0.0])) <= bound)


BAD_CALLS = [
    (lambda: first_variation(_linear, ATOMS, np.array([0.5, 0.5]), X), r"weights must have shape \(3,\)"),
    (lambda: first_variation(_linear, ATOMS, np.array([0.5, 0.6, -0.1]), X), "non-negative and sum to 1"),
    (lambda: first_variation(_linear, ATOMS, np.array([0.5, 0.6, 0.1]), X), "sum to 1"),
    (lambda: first_variation(_linear, ATOMS, WEIGHTS, np.zeros((2, 3))), "x must have 2 columns"),
    (lambda: first_variation(_linear, np.array([[0.0, np.nan], [1.0, 1.0], [0.0, 0.0]]), WEIGHTS, X), "atoms contains NaN or inf"),
    (lambda: first_variation(_linear, ATOMS, WEIGHTS, np.array([[np.inf, 0.0]])), "x contains NaN or inf"),
    (lambda: first_variation(_linear, ATOMS, WEIGHTS, X, eps=0.0), "eps must be positive"),
    (lambda: wasserstein_gradient(_linear, ATOMS, WEIGHTS, X, h=-1e-3), "h must be positive"),
    (lambda: wasserstein_gradient(_linear, ATOMS, WEIGHTS[:2], X), r"weights must have shape \(3,\)"),
]


@pytest.mark.parametrize("call,message", BAD_CALLS, ids=[m for _, m in BAD_CALLS])
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
