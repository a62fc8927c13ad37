"""mathai §4–§5 and otdiff §2 identities: the printed claims get their recorded verdicts (the
Gaussian-case rotation statement of otdiff §2.1 is refuted, its correction verified), every
mutant is refuted with counterexamples and every kind of evidence rejects some mutant; the
derived closed forms agree with independent computations; bad input raises ValueError."""

from __future__ import annotations


import numpy as np
import pytest
import sympy as sp

from verify.claims import Kind, Status, Verdict
from theorems.identities import (
    EQ_3,
    EQ_4,
    EQ_6,
    MATHAI_EQ_13,
    MEAN_FIELD,
    OTDIFF_GAUSSIAN,
    OTDIFF_GAUSSIAN_CORRECTED,
    OTDIFF_NONUNIQUENESS,
    REGRESSION,
    derivation,
    formulas as F,
)
from theorems.identities.simulation import complex_step_divergence

CLAIMS = [MATHAI_EQ_13, MEAN_FIELD, REGRESSION, OTDIFF_NONUNIQUENESS, OTDIFF_GAUSSIAN, OTDIFF_GAUSSIAN_CORRECTED, EQ_3, EQ_4, EQ_6]


def test_printed_verdicts_and_mutants_in_both_directions(quick_results):
    for claim in CLAIMS:
        r = quick_results[claim.id]
        assert r.verdict == claim.expected, (claim.id, [(e.name, e.status, e.summary) for e in r.evidence])
        assert {e.kind for e in r.evidence} == set(Kind)
        if claim.expected == Verdict.VERIFIED:
            assert all(e.status == Status.PASS for e in r.evidence), (claim.id, [(e.name, e.summary) for e in r.evidence])
        else:  # the printed slip is rejected by every kind of evidence, each with a counterexample
            assert all(e.status == Status.FAIL and e.counterexample is not None for e in r.evidence), claim.id
            assert quick_results[claim.corrected_by].verdict == Verdict.VERIFIED
        for kind in Kind:
            assert any(e.kind == kind and e.status == Status.FAIL for m in r.mutant_results for e in m.evidence), (claim.id, kind)
        for m in r.mutant_results:
            failing = [e for e in m.evidence if e.status == Status.FAIL]
            assert m.verdict == Verdict.REFUTED and failing, (claim.id, m.mutant.name, [(e.name, e.status, e.summary) for e in m.evidence])
            assert all(e.counterexample is not None for e in failing)
            assert not any(e.status == Status.ERROR for e in m.evidence)


def test_minimal_counterexample_of_the_gaussian_rotation_statement():
    """N(0, diag(1, 2)) and J = E12 − E21: div(αJx)/α = −x1x2/2; isotropic Gaussians and the
    corrected fields JΣ⁻¹(x − m) have none."""
    cex = derivation.minimal_counterexample_family(F.GaussianRotations())
    assert (cex["alpha"], cex["generator"], cex["div(alpha w)/alpha"]) == ("N(0, diag(1, 2)), d = 2", "G = E12, b = 0", "-x_1*x_2/2")
    assert derivation.minimal_counterexample_family(F.IsotropicRotations()) is None
    assert derivation.minimal_counterexample_family(F.WeightedRotations()) is None
    assert derivation.minimal_counterexample_family(F.AnyAffineField())["div(alpha w)/alpha"] == "-x_1"


def test_weighted_rotations_leave_the_gaussian_invariant_at_random_points():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3, 3))
    S, m, G, x = a @ a.T + np.eye(3), rng.standard_normal(3), rng.standard_normal((3, 3)), rng.standard_normal((5, 3))
    B, c = F.WeightedRotations().modification(G, np.zeros(3), m, S)
    assert np.max(np.abs(F.weighted_divergence_ratio(x, B, c, m, S))) < 1e-12
    B, c = F.GaussianRotations().modification(G, np.zeros(3), m, S)
    assert np.max(np.abs(F.weighted_divergence_ratio(x, B, c, m, S))) > 1e-3


def test_gaussian_attention_closed_form_matches_quadrature_of_the_printed_field():
    Q, K, V = np.array([[0.6, 0.2], [-0.1, 0.4]]), np.array([[0.3, -0.5], [0.4, 0.2]]), np.array([[1.0, 0.5], [-0.3, 0.8]])
    m, S = np.array([0.5, -0.25]), np.array([[1.0, 0.3], [0.3, 0.5]])
    x = np.array([[0.0, 0.0], [1.0, -1.0]])
    gh = F.MeanFieldAttention().field(x, Q, K, V, F.GaussHermiteMeasure(m, S, 16))
    assert np.allclose(gh, F.gaussian_attention(x, Q, K, V, m, S), rtol=0, atol=1e-10)


def test_attention_rows_sum_to_one_and_mean_field_equals_eq_13_on_tokens():
    rng = np.random.default_rng(2)
    X, Q, K, V = rng.standard_normal((7, 2)), rng.standard_normal((2, 2)), rng.standard_normal((2, 2)), rng.standard_normal((2, 2))
    f = F.MeanFieldAttention()
    M = f.weights(X, Q, K)
    assert np.all(M > 0) and np.allclose(M.sum(axis=1), 1.0, atol=1e-14)
    assert np.allclose(f.field(X, Q, K, V, F.EmpiricalMeasure(X)), f.apply(X, Q, K, V), atol=1e-12)
    assert not np.allclose(F.MeanFieldCausal().apply(X[::-1], Q, K, V), F.MeanFieldCausal().apply(X, Q, K, V)[::-1])


def test_conditional_expectation_closed_forms():
    """One data point: v = (x¹ − z)/(1 − s); Gaussian data with m = 0, Σ = Id: v = (2s − 1)z/((1−s)² + s²)."""
    z = np.array([[0.3, -1.0], [2.0, 0.5]])
    assert np.allclose(F.conditional_field_empirical(z, 0.25, [[1.0, 2.0]]), (np.array([1.0, 2.0]) - z) / 0.75)
    s = 0.3
    assert np.allclose(F.conditional_field_gaussian(z, s, np.zeros(2), np.eye(2)), (2 * s - 1) * z / ((1 - s) ** 2 + s**2))


def test_newtonian_potential_and_its_time_derivative():
    """div ∇N = α (complex steps) and ∂_t∇N_t against a central difference in t."""
    m, md, s, sd = np.array([0.3, -0.2]), np.array([0.5, -1.0]), 0.8, 0.4
    x = np.array([[0.5, 0.1], [1.5, -2.0], [0.3001, -0.2]])
    lap = complex_step_divergence(lambda y: F.newton_gradient(y, m, s), x)
    assert np.allclose(lap, F.planar_gaussian_density(x, m, s), rtol=1e-10, atol=0)
    h = 1e-5
    fd = (F.newton_gradient(x, m + h * md, s + h * sd) - F.newton_gradient(x, m - h * md, s - h * sd)) / (2 * h)
    assert np.allclose(F.newton_gradient_dt(x, m, md, s, sd), fd, rtol=1e-7, atol=1e-9)
    h = 1e-4
    fd = (F.bump_expectation(m + h * md, s + h * sd, [1.0, 0.0], 0.7) - F.bump_expectation(m - h * md, s - h * sd, [1.0, 0.0], 0.7)) / (2 * h)
    assert F.bump_expectation_dt(m, md, s, sd, [1.0, 0.0], 0.7) == pytest.approx(fd, rel=1e-7)


def test_least_squares_field_on_a_gaussian_path():
    """A solves AΣ + ΣA = Σ̇, and ∇ψ = ṁ + A(x − m) satisfies ∂_t log α + div v + ∇log α·v = 0."""
    p = F.GaussianPath([0.0, 0.0], [1.0, -1.0], [[2.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [0.0, 3.0]])
    A, S = p.A(0.3), p.cov(0.3)
    assert np.allclose(A @ S + S @ A, p.Sdot, atol=1e-13)
    x = np.array([[0.2, 0.7], [-1.0, 2.0]])
    v = p.grad_psi(x, 0.3)
    grad_log = -np.linalg.solve(S, (x - p.mean(0.3)).T).T
    assert np.allclose(p.dt_log_density(x, 0.3) + np.trace(A) + np.sum(grad_log * v, axis=-1), 0.0, atol=1e-12)


def test_exact_gaussian_expectation():
    y, m, s2, b = sp.symbols("y m s2 b", positive=True)
    val = F.gaussian_expectation(sp.exp(b * y) * y, [y], [m], [[s2]])
    assert sp.simplify(val - (m + s2 * b) * sp.exp(b * m + b**2 * s2 / 2)) == 0


BAD_CALLS = [
    (lambda: F.check_tokens(np.zeros(3)), r"X must have shape \(P, d\)"),
    (lambda: F.check_tokens([[np.nan]]), "X contains NaN or inf"),
    (lambda: F.Attention().weights(np.zeros((2, 2)), np.eye(2), np.eye(3)), r"K must have shape \(2, 2\)"),
    (lambda: F.check_open_time("s", 1.0), r"s must lie in the open interval \(0, 1\)"),
    (lambda: F.EmpiricalMeasure([[0.0], [1.0]], [1.0, -1.0]), "weights must be 2 finite nonnegative numbers"),
    (lambda: F.GaussHermiteMeasure([0.0], [[1.0]], 0), "order must be a positive integer"),
    (lambda: F.gaussian_attention(np.zeros((1, 2)), np.eye(2), np.eye(2), np.eye(2), [0.0, 0.0], [[1.0, 0.0], [0.0, -1.0]]), "cov"),
    (lambda: F.conditional_field_empirical(np.zeros((1, 1)), 0.0, [[1.0]]), r"s must lie in the open interval"),
    (lambda: F.conditional_field_empirical(np.zeros((1, 2)), 0.5, [[1.0]]), r"z must be finite with shape \(m, 1\)"),
    (lambda: F.lyapunov([[1.0, 0.0], [0.0, 0.0]], np.eye(2)), "S"),
    (lambda: F.GaussianPath([0.0], [1.0], [[1.0]], [[2.0]]).mean(1.5), r"t must lie in \[0, 1\]"),
    (lambda: F.GaussianPath([0.0, 0.0], [1.0], [[1.0, 0.0], [0.0, 1.0]], np.eye(2)), r"m1 must have shape \(2,\)"),
    (lambda: F.newton_gradient(np.zeros((1, 2)), [0.0, 0.0], 0.0), "s must be positive and finite"),
    (lambda: F.planar_gaussian_density(np.zeros((1, 2)), [0.0, 0.0], "wide"), "s must be a positive real number"),
    (lambda: F.gaussian_expectation(sp.exp(sp.Symbol("y") ** 2), [sp.Symbol("y")], [0], [[1]]), "is not affine"),
]


@pytest.mark.parametrize("call,message", BAD_CALLS, ids=[m for _, m in BAD_CALLS])
def test_bad_input_raises_value_error_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
