"""otdiff §3.1–§3.3 and §4.2: family-specific properties beyond the contract."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from verify.algebra import NumpyAlgebra
from verify.mixtures import GaussianMixture, conditional_mean
from verify.stats import rounding_tol
from verify.strategies import spd_pairs, times
from theorems.flowmatching import formulas
from theorems.flowmatching.simulation import SIGMA0, SIGMA1, flow_map

LA = NumpyAlgebra()


@given(spd_pairs(max_cond=100.0), times())
def test_mixture_bayes_field_reduces_to_the_gaussian_closed_form(pair, t):
    """With a one-component, centred mixture the Bayes field of verify.mixtures is linear and
    equals Proposition 3.2's A_t: the two closed forms are computed by different code."""
    s0, s1 = pair
    d = len(s0)
    mix = GaussianMixture(np.array([1.0]), np.zeros((1, d)), s1[None])
    z = np.random.default_rng(0).standard_normal((5, d))
    v = conditional_mean(z, (1 - t, t), (-1.0, 1.0), s0, mix)
    a = formulas.Prop32().a_t(s0, s1, t, LA)
    cond = np.linalg.cond(s0) * np.linalg.cond(s1)
    np.testing.assert_allclose(v, z @ a.T, rtol=0, atol=rounding_tol(float(np.abs(z @ a.T).max()) + 1, terms=8 * d, cond=cond))


def test_flow_matching_and_ot_maps_differ_for_the_report_pair():
    """The figures' non-commuting pair: both maps push Σ0 to Σ1, only the OT map is symmetric."""
    from verify.linalg import brenier_map

    phi = flow_map(formulas.Prop32(), SIGMA0, SIGMA1)
    tm = brenier_map(SIGMA0, SIGMA1)
    np.testing.assert_allclose(phi @ SIGMA0 @ phi.T, SIGMA1, atol=1e-7)
    assert np.linalg.norm(phi - phi.T) > 1e-2 and np.linalg.norm(phi - tm) > 1e-2


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(weights=np.array([0.5, 0.6]), means=np.zeros((2, 1)), covs=np.ones((2, 1, 1))), "sum to 1"),
        (dict(weights=np.array([1.0]), means=np.zeros((1, 2)), covs=np.ones((1, 1, 1))), "expected"),
        (dict(weights=np.array([1.0]), means=np.zeros((1, 1)), covs=-np.ones((1, 1, 1))), "positive semidefinite"),
    ],
)
def test_bad_mixture_raises(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GaussianMixture(**kwargs)


def test_gradient_fields_do_not_preserve_a_gaussian_but_rotations_do():
    """mathai §4: div(α∇(x²/2)) = (1 − x²)α for α = N(0, 1); div(α Jx) = 0 for J antisymmetric."""
    import sympy as sp

    from theorems.flowmatching import nonuniqueness as N

    expr, xs = N._div_alpha_w(N.ConservativeModification(), [1, 0], 1)
    assert sp.simplify(expr - (1 - xs[0] ** 2)) == 0
    expr, _ = N._div_alpha_w(N.RotationModification(), [sp.Symbol("c")], 2)
    assert expr == 0
