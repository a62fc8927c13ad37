"""mathai §3 / otdiff §6.3 (ResNet → neural ODE) and mathai §2 (Barron's Monte-Carlo rate): the
three claims are VERIFIED with every mutant refuted by every kind of evidence, and the closed
forms and constructions the checks rely on agree with independent computations."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy.integrate import quad

from verify.claims import Kind, Status
from theorems.resnet import BARRON_MC, EQ_7, EQ_24, derivation, formulas as F
from theorems.resnet.properties import relu_features

CLAIMS = [EQ_7, EQ_24, BARRON_MC]


def test_printed_claims_pass_every_check_and_mutants_fail_every_kind(quick_results):
    for claim in CLAIMS:
        r = quick_results[claim.id]
        assert r.verdict.value == "VERIFIED" and all(e.status == Status.PASS for e in r.evidence), [(e.name, e.summary) for e in r.evidence]
        assert {m.mutant.name for m in r.mutant_results} == {m.name for m in claim.mutants}
        for m in r.mutant_results:
            failing = [e for e in m.evidence if e.status == Status.FAIL]
            assert m.verdict.value == "REFUTED"
            assert {e.kind for e in failing} == set(Kind), (claim.id, m.mutant.name, [(e.name, e.status, e.summary) for e in m.evidence])
            assert all(e.counterexample is not None for e in failing)


def _affine_path(a: float, w: float, c: float) -> F.ParameterPath:
    P = np.array([[a, w, c]])
    return F.ParameterPath(P, np.zeros_like(P), np.zeros_like(P))


def test_resnet_and_ode_against_the_affine_closed_forms():
    """σ = id, one constant neuron: mathai's branch is a(wx + c), so x_L = (1 + k/L)^L(x_0 + e/k) − e/k
    with k = aw, e = ac, and the flow is e^k(x_0 + e/k) − e/k; otdiff ignores the bias."""
    ident = lambda t: t  # noqa: E731
    a, w, c, x0, L = 0.5, 1.5, 0.4, 0.3, 16
    k, e = a * w, a * c
    X = np.array([[x0]])
    path = _affine_path(a, w, c)
    net = F.resnet_output(F.MathaiResNet(), X, L, path, ident)[0, 0]
    assert net == pytest.approx((1 + k / L) ** L * (x0 + e / k) - e / k, rel=1e-13)
    flow = F.neural_ode_output(F.MathaiResNet(), X, path, ident)[0, 0]
    assert flow == pytest.approx(math.exp(k) * (x0 + e / k) - e / k, rel=1e-10)
    assert F.resnet_output(F.OtdiffResNet(), X, L, path, ident)[0, 0] == pytest.approx((1 + k / L) ** L * x0, rel=1e-13)
    # the un-rescaled mutant takes unit steps
    assert F.resnet_output(F.MathaiStepOne(), X, 3, path, ident)[0, 0] == pytest.approx((1 + k) ** 3 * (x0 + e / k) - e / k, rel=1e-13)


def test_symbolic_parts_of_the_depth_claim():
    A = derivation.depth_consistency(F.MathaiResNet())
    assert A["leading"] is None and all(c == 0 for _, c, _ in A["coefficients"])
    B = derivation.depth_global_instance(F.OtdiffResNet())
    assert (B["order"], B["coefficient"]) == (1, -Fraction(1, 2))
    assert derivation.depth_consistency(F.OtdiffSqrtDepth())["leading"] == Fraction(1, 2)


def test_cosine_instance_closed_forms_against_quadrature():
    a, s = 0.6, 2.0
    for t in (0.0, 0.7, 3.0, 9.0):
        ref = quad(lambda x: math.cos(t * x) * math.exp(-s * s * x * x / 2), -a, a)[0] / (2 * a)
        assert F.cos_mean_field_inner(np.array([[t]]), a, s)[0] == pytest.approx(ref, rel=1e-12, abs=1e-15)
    norm2 = quad(lambda x: math.exp(-s * s * x * x), -a, a)[0] / (2 * a)
    second = quad(lambda x: 0.5 * (1 + math.exp(-2 * s * s * x * x)), -a, a)[0] / (2 * a)
    assert F.cos_mean_field_norm2(1, a, s) == pytest.approx(norm2, rel=1e-12)
    assert F.cos_network_variance(1, a, s) == pytest.approx(second - norm2, rel=1e-12)
    # one neuron, d = 1: ‖cos(v·) − F_ρ‖² by quadrature
    v = 1.3
    direct = quad(lambda x: (math.cos(v * x) - math.exp(-s * s * x * x / 2)) ** 2, -a, a)[0] / (2 * a)
    assert F.cos_squared_errors(np.array([[[v]]]), a, s)[0] == pytest.approx(direct, rel=1e-12)


def test_exact_monte_carlo_error_is_variance_over_n():
    atoms, points = np.array([[1, 2, -1], [-2, 1, 1], [3, -1, 0]]), np.array([[1], [2]])
    phis = relu_features(atoms, points)
    assert phis == [[1, 3], [-4, -6], [0, 0]]
    w = [Fraction(1, 3)] * 3
    E1 = derivation.enumerate_mc_error(phis, w, 1)
    assert [n * derivation.enumerate_mc_error(phis, w, n) for n in (2, 3)] == [E1, E1] and E1 == Fraction(28, 3)  # mean (−1, −1); squared deviations 10, 17, 1


_BAD = [
    (lambda: F.resnet_output(F.MathaiResNet(), np.zeros((2, 1)), 0, _affine_path(1, 1, 0)), "L must be a positive integer"),
    (lambda: F.resnet_output(F.MathaiResNet(), np.zeros((2, 1)), 2.5, _affine_path(1, 1, 0)), "L must be a positive integer"),
    (lambda: F.resnet_output(F.MathaiResNet(), np.zeros((2, 2)), 4, _affine_path(1, 1, 0)), "X must have shape"),
    (lambda: F.neural_ode_output(F.MathaiResNet(), np.array([[np.nan]]), _affine_path(1, 1, 0)), "X contains NaN"),
    (lambda: F.neural_ode_output(F.MathaiResNet(), np.zeros((1, 1)), _affine_path(1, 1, 0), rtol=0.0), "rtol must lie"),
    (lambda: F.ParameterPath(np.zeros((1, 3)), np.zeros((1, 3)), np.zeros((2, 3))), "P0, P1, P2 must have one shape"),
    (lambda: F.ParameterPath(np.zeros((1, 4)), np.zeros((1, 4)), np.zeros((1, 4))), "neuron rows must have shape"),
    (lambda: F.split_neurons(np.zeros((2, 4)), 2), "P must have shape"),
    (lambda: F.cube_half_width(0.0, 2), "R must be positive"),
    (lambda: F.cube_half_width(1.0, 0), "d must be a positive integer"),
    (lambda: F.cos_network_variance(2, 0.5, -1.0), "s (the standard deviation"),
    (lambda: F.cos_squared_errors(np.zeros((2, 3)), 0.5, 1.0), "v must have shape"),
    (lambda: derivation.enumerate_mc_error([[Fraction(1)]], [Fraction(1)], 0), "n must be a positive integer"),
    (lambda: relu_features(np.zeros((2, 2), dtype=int), np.zeros((1, 1), dtype=int)), "atoms must have shape"),
]


@pytest.mark.parametrize("call,message", _BAD, ids=[m for _, m in _BAD])
def test_bad_input_raises_value_error_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        call()
