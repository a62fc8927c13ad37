"""otdiff §7.1–§7.2 (Gaussian attention dynamics): the printed (30) is refuted with its minimal
exact counterexample and the correction verified; where the printed and corrected forms agree;
the tilted-Gaussian field against finite-token attention; bad input; and each kind of evidence
rejecting some mutant."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from verify.claims import Status
from verify.particles import gaussian_samples
from verify.properties import search
from verify.stats import false_alarm, mean_se, rounding_tol, t_multiplier
from verify.strategies import general_matrices, orthogonal_matrices, spd_matrices
from theorems.attention import BLOW_UP, POTENTIAL, THM_7_1, THM_7_1_CORRECTED, derivation, formulas, properties, simulation

E11 = np.array([[1.0, 0.0], [0.0, 0.0]])
E12 = np.array([[0.0, 1.0], [0.0, 0.0]])


def test_printed_30_is_refuted_with_the_minimal_counterexample_and_corrected(quick_results):
    assert derivation.minimal_counterexample(formulas.Thm71()) == {
        "d": 2, "Sigma": "[[1, 0], [0, 1]]", "Q": "[[1, 0], [0, 0]]", "K": "[[0, 1], [0, 0]]", "V": "[[1, 0], [0, 0]]",
        "formula": "[[0, 0], [1, 0]]", "derived": "[[0, 0], [0, 0]]", "size": 5,
    }
    assert derivation.minimal_counterexample(formulas.Thm71Corrected(), max_size=6) is None
    assert THM_7_1.corrected_by == THM_7_1_CORRECTED.id and THM_7_1_CORRECTED.corrects == THM_7_1.id
    printed = quick_results[THM_7_1.id]
    assert printed.verdict.value == "REFUTED"
    assert {e.name for e in printed.evidence if e.status == Status.FAIL} == {"tilted-gaussian", "attention-layers", "ode-fuzz"}
    (sym,) = [e for e in printed.evidence if e.name == "tilted-gaussian"]
    assert sym.counterexample["Q"] == "[[1, 0], [0, 0]]" and sym.counterexample["derived"] == "[[0, 0], [0, 0]]"
    assert quick_results[THM_7_1_CORRECTED.id].verdict.value == "VERIFIED"
    assert quick_results[BLOW_UP.id].verdict.value == "VERIFIED"
    assert quick_results[POTENTIAL.id].verdict.value == "VERIFIED"


def test_readable_counterexample_and_asymmetry_of_the_printed_rhs():
    """K = V = Σ = Id, Q = E12: printed [[0, 0], [2, 0]] (not symmetric), derived [[0, 1], [1, 0]]."""
    eye = np.eye(2)
    printed = formulas.Thm71().sigma_dot(eye, E12, eye, eye)
    np.testing.assert_array_equal(printed, [[0, 0], [2, 0]])
    np.testing.assert_array_equal(formulas.Thm71Corrected().sigma_dot(eye, E12, eye, eye), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(derivation.derived_rhs(eye, E12, eye, eye), [[0, 1], [1, 0]])
    assert not np.array_equal(printed, printed.T)


@given(spd_matrices(1), general_matrices(1), general_matrices(1), general_matrices(1))
def test_printed_and_corrected_coincide_in_dimension_one(s, q, k, v):
    a = formulas.Thm71().sigma_dot(s, q, k, v)
    b = formulas.Thm71Corrected().sigma_dot(s, q, k, v)
    np.testing.assert_allclose(a, b, rtol=0, atol=rounding_tol(float(np.abs(b).max()), terms=5))


@given(
    st.integers(2, 3).flatmap(lambda d: st.tuples(spd_matrices(d), orthogonal_matrices(d), general_matrices(d), st.lists(st.floats(-2, 2), min_size=2 * d, max_size=2 * d)))
)
@example((np.eye(2), np.eye(2), E12, [1.0, -1.0, 0.5, 2.0]))
def test_printed_and_corrected_coincide_for_symmetric_commuting_query_and_key(args):
    """Q = U diag(a) Uᵀ, K = U diag(b) Uᵀ: QᵀKᵀ = KᵀQ and KᵀQᵀ = QᵀK, so (30) is right."""
    s, u, v, eigs = args
    d = len(s)
    q = (u * np.array(eigs[:d])) @ u.T
    k = (u * np.array(eigs[d:])) @ u.T
    a = formulas.Thm71().sigma_dot(s, q, k, v)
    b = formulas.Thm71Corrected().sigma_dot(s, q, k, v)
    scale = float(np.linalg.norm(s, 2) ** 2 * np.linalg.norm(q, 2) * np.linalg.norm(k, 2) * np.linalg.norm(v, 2)) + 1e-300
    np.testing.assert_allclose(a, b, rtol=0, atol=rounding_tol(scale, terms=8 * d))


def test_the_first_condition_alone_does_not_rescue_the_printed_form():
    """Q = Id makes the first terms agree (QᵀKᵀ = KᵀQ for every K) but not the second:
    the printed and derived forms agree for all V, Σ iff QᵀKᵀ = KᵀQ *and* KᵀQᵀ = QᵀK."""
    k = np.array([[1.0, 2.0], [0.0, 1.0]])
    s, v, q = np.eye(2), np.eye(2), np.eye(2)
    np.testing.assert_array_equal(q.T @ k.T, k.T @ q)
    diff = formulas.Thm71().sigma_dot(s, q, k, v) - formulas.Thm71Corrected().sigma_dot(s, q, k, v)
    np.testing.assert_array_equal(diff, k.T - k)


def test_example_of_the_blow_up_remark_is_the_same_for_printed_and_corrected():
    s = np.array([[2.0, 0.5], [0.5, 1.0]])
    q, k, v = formulas.BlowUp().example_parameters(0.7, 2)
    np.testing.assert_allclose(formulas.Thm71().sigma_dot(s, q, k, v), 1.4 * s @ s, rtol=1e-14)
    np.testing.assert_allclose(formulas.Thm71Corrected().sigma_dot(s, q, k, v), 1.4 * s @ s, rtol=1e-14)
    assert formulas.BlowUp().blow_up_time(s, 0.7) == pytest.approx(1 / (1.4 * np.linalg.eigvalsh(s)[-1]), rel=1e-14)


def test_tilted_gaussian_field_matches_finite_token_attention():
    """Γ_θ[α_n](x) for n i.i.d. tokens of N(0, Σ0) (plain Monte Carlo) against VΣ0KᵀQx, at three
    queries, R independent replicates; Student-t multiplier, Bonferroni over the 6 entries.
    The self-normalised estimator's O(1/n) bias is far below the error bar at n = 4000."""
    rng = np.random.default_rng(2024)
    queries = np.array([[1.0, 0.0], [0.0, 1.0], [-1.5, 2.0]])
    reps, n = 20, 4000
    est = np.stack([simulation.attention_at(queries, gaussian_samples(rng, simulation.SIGMA0, n), simulation.Q, simulation.K, simulation.V) for _ in range(reps)])
    mean, se = mean_se(est)
    closed = queries @ simulation.tilted_gaussian_field(simulation.SIGMA0, simulation.Q, simulation.K, simulation.V).T
    k = t_multiplier(false_alarm(5.0), 6, reps - 1)
    assert np.all(np.abs(mean - closed) <= k * se), (mean, closed, se)
    # and the test has teeth: the field of the printed (30), VΣQᵀKᵀx, is far outside the error bar
    printed = queries @ (simulation.V @ simulation.SIGMA0 @ simulation.Q.T @ simulation.K.T).T
    assert np.max(np.abs(mean - printed) / se) > 10 * k


@given(properties.ode_parameters())
def test_quadrature_route_equals_the_tilted_gaussian_closed_form(p):
    s, q, k, v = p["Sigma"], p["Q"], p["K"], p["V"]
    a = properties.quadrature_field(s, q, k, v)
    closed = v @ s @ k.T @ q
    scale = float(np.linalg.norm(v, 2) * np.linalg.norm(s, 2) ** 0.5 * max(np.linalg.norm(np.linalg.cholesky(s).T @ k.T @ q, 2), 1.0))
    np.testing.assert_allclose(a, closed, rtol=0, atol=rounding_tol(scale, terms=12 ** len(s), cond=float(np.linalg.cond(s))))


def test_printed_form_shrinks_to_dimension_two_without_pins():
    def predicate(p):
        s, q, k, v = p["Sigma"], p["Q"], p["K"], p["V"]
        diff = np.abs(formulas.Thm71().sigma_dot(s, q, k, v) - derivation.derived_rhs(s, q, k, v)).max()
        scale = float(np.linalg.norm(s, 2) ** 2 * np.linalg.norm(q, 2) * np.linalg.norm(k, 2) * np.linalg.norm(v, 2)) + 1e-300
        return bool(diff <= rounding_tol(scale, terms=15)), {}

    res = search(properties.ode_parameters(), predicate, seed=0, max_examples=100, shrink=True)
    assert res.found and len(res.example["Sigma"]) == 2
    np.testing.assert_array_equal(res.example["Sigma"], np.eye(2))
    assert sum(int(np.count_nonzero(res.example[m])) for m in ("Q", "K", "V")) == 3


def test_potential_minimal_counterexamples():
    assert derivation.minimal_potential_counterexample(formulas.Potential(), max_nonzero=3) is None
    cex = derivation.minimal_potential_counterexample(formulas.PotentialKtQ())
    assert cex == {"d": 2, "atom y": [1, 0], "weight": 1, "x": [0, 0], "Q": [[1, 0], [0, 0]], "K": [[0, 1], [0, 0]], "grad phi": "[[0, 0]]", "Gamma": "[[0, 1]]"}
    assert derivation.minimal_potential_counterexample(formulas.PotentialNoLog())["grad phi"] == "[[E]]"


def test_gaussian_potential_is_a_quadratic_form():
    """φ[N(0, Σ)](x) = ½xᵀQᵀKΣKᵀQx, through the printed φ on the Gauss–Hermite measure."""
    atoms, w = simulation.gauss_hermite_measure(simulation.SIGMA0)
    x = np.array([[0.5, -1.0], [1.0, 2.0]])
    q, k = simulation.Q, simulation.K
    phi = formulas.Potential().phi(x, atoms, w, q, k)
    closed = 0.5 * np.einsum("mi,ij,mj->m", x, q.T @ k @ simulation.SIGMA0 @ k.T @ q, x)
    np.testing.assert_allclose(phi, closed, rtol=0, atol=1e-13)


NOT_SPD = np.array([[1.0, 2.0], [2.0, 1.0]])
BAD_CALLS = [
    (lambda: simulation.tilted_gaussian_field(NOT_SPD, simulation.Q, simulation.K, simulation.V), "sigma is not positive definite"),
    (lambda: simulation.tilted_gaussian_field(simulation.SIGMA0, np.eye(3), simulation.K, simulation.V), r"q must have shape \(2, 2\)"),
    (lambda: simulation.antithetic_tokens(np.random.default_rng(0), NOT_SPD, 10, 2), "sigma0 is not positive definite"),
    (lambda: simulation.antithetic_tokens(np.random.default_rng(0), simulation.SIGMA0, 7, 2), "n must be an even integer"),
    (lambda: simulation.antithetic_tokens(np.random.default_rng(0), simulation.SIGMA0, 8, 0), "reps must be a positive integer"),
    (lambda: simulation.attention_field(np.zeros(5), simulation.Q, simulation.K, simulation.V), "tokens must have shape"),
    (lambda: simulation.attention_field(np.zeros((4, 2)), simulation.Q, simulation.K, np.ones((2, 3))), r"v must have shape \(2, 2\)"),
    (lambda: simulation.attention_at(np.zeros((3, 3)), np.zeros((4, 2)), simulation.Q, simulation.K, simulation.V), r"queries must have shape \(m, 2\)"),
    (lambda: simulation.transformer_layers(np.zeros((4, 2)), simulation.Q, simulation.K, simulation.V, 4), r"tokens must have shape \(R, n, d\)"),
    (lambda: simulation.transformer_layers(np.zeros((1, 4, 2)), simulation.Q, simulation.K, simulation.V, 0), "layers must be a positive integer"),
    (lambda: simulation.covariance_path(formulas.Thm71Corrected(), NOT_SPD, simulation.Q, simulation.K, simulation.V, [1.0]), "sigma0 is not positive definite"),
    (lambda: simulation.covariance_path(formulas.Thm71Corrected(), simulation.SIGMA0, simulation.Q, simulation.K, simulation.V, [1.0, 0.5]), "times must be"),
    (lambda: simulation.gauss_hermite_measure(NOT_SPD), "sigma is not positive definite"),
]


@pytest.mark.parametrize("call,message", BAD_CALLS)
def test_bad_input_raises_value_error_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
