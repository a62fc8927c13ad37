"""mlcontrol §2.3–§2.5 (shallow ReLU networks, the no-gap relaxation): verdicts in both
directions, the exact instances the checks rest on, and the engine's certificates against
brute force."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.arrangement import arrangement_cells, relu_dual_sup
from verify.claims import Status
from verify.relaxation import certify, lift, network_from_measure, relaxed_value, solve_lp, sphere_grid
from theorems.shallow import GENERIC, GENERIC_CORRECTED, NO_GAP, REPRESENTATION, derivation, formulas as F

TRUE_CLAIMS = [REPRESENTATION, GENERIC_CORRECTED, NO_GAP]


def test_true_claims_pass_and_mutants_fail(quick_results):
    for claim in TRUE_CLAIMS:
        r = quick_results[claim.id]
        assert r.verdict.value == "VERIFIED", [(e.name, e.status, e.summary) for e in r.evidence]
        for m in r.mutant_results:
            failing = [e for e in m.evidence if e.status == Status.FAIL]
            assert failing and all(e.counterexample is not None for e in failing), (claim.id, m.mutant.name)


def test_generic_sentence_is_refuted_by_every_kind(quick_results):
    r = quick_results[GENERIC.id]
    assert r.verdict.value == "REFUTED"
    assert all(e.status == Status.FAIL for e in r.evidence), [(e.name, e.status) for e in r.evidence]


def test_exact_probabilities_of_solvable_weights():
    """x = (0, 1): arcs 3/8, 1/8, 1/8, 3/8; P = 2 gives 23/64 (and 0 for one neuron)."""
    assert derivation.solvable_probability_x01(1) == 0
    assert derivation.solvable_probability_x01(2) == sp.Rational(23, 64)
    rng = np.random.default_rng(1)
    n = 200_000
    th = rng.normal(size=(n, 2, 2))
    th /= np.linalg.norm(th, axis=2, keepdims=True)  # the rank depends only on the directions
    phi = np.maximum(np.einsum("ik,npk->nip", lift(np.array([[0.0], [1.0]])), th), 0.0)
    p = np.mean(np.abs(np.linalg.det(phi)) > 1e-12)
    assert abs(p - 23 / 64) < 5 * np.sqrt(23 / 64 * 41 / 64 / n)


def test_exact_value_of_the_two_point_instance():
    """x = (0, 1), y = (1, −1): val(PR0) = 1 + √2 exactly, and column generation finds it."""
    assert derivation.circle_sup([0, 1], [sp.sqrt(2), -1]) == 1
    sol = relaxed_value(np.array([[0.0], [1.0]]), np.array([1.0, -1.0]))
    assert sol.lower <= 1 + np.sqrt(2) <= sol.upper + 1e-12 and sol.gap < 1e-9 and len(sol.weights) == 2


def test_infeasibility_proofs():
    X = np.linspace(0, 1, 6)[:, None]
    y = np.array([1.0, -1, 1, -1, 1, -1])
    assert [F.infeasible_width(X, y, P) is not None for P in range(6)] == [True, True, True, True, False, False]
    assert F.atoms_lower_bound(X, y) == 4
    assert F.infeasible_width(np.array([[0.0], [1.0]]), np.array([1.0, 1.0]), 1) is None


@settings(max_examples=15, deadline=None, derandomize=True)
@given(st.integers(1, 3), st.integers(1, 9), st.integers(0, 10_000))
def test_exact_supremum_dominates_dense_sampling(d, n, seed):
    """The exact sup over the cells is ≥ the max over 20 000 random directions and attained."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, d))
    Z = lift(X)
    lam = rng.normal(size=n)
    ds = relu_dual_sup(Z, lam)
    th = rng.normal(size=(20_000, d + 1))
    th /= np.linalg.norm(th, axis=1, keepdims=True)
    sampled = np.abs(np.maximum(th @ Z.T, 0) @ lam).max()
    assert ds.value >= sampled - 1e-12
    assert np.isclose(abs(np.maximum(ds.argmax @ Z.T, 0) @ lam), ds.value, rtol=1e-10)


def test_cells_of_a_degenerate_arrangement():
    """Three collinear inputs in d = 2: the planes share a line, 6 cells (as for 3 points in d = 1)."""
    Z = lift(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]))
    patterns, points = arrangement_cells(Z)
    assert len(patterns) == 6 and np.all(np.sign(points @ Z.T) == patterns)


def test_grid_bracket_contains_exact_value():
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, size=(8, 2))
    y = rng.normal(size=8)
    exact = relaxed_value(X, y)
    lp = solve_lp(X, y, sphere_grid(2000, 3, 0))
    cert = certify(X, y, lp.dual)
    assert cert.lower <= exact.upper * (1 + 1e-9) and exact.lower <= lp.value * (1 + 1e-7)
    assert len(lp.support) <= 8


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="distinct"):
        solve_lp(np.array([[0.0], [0.0]]), np.array([1.0, 2.0]), sphere_grid(10, 2))
    with pytest.raises(ValueError, match="eps"):
        relaxed_value(np.array([[0.0]]), np.array([1.0]), eps=-1)
    with pytest.raises(ValueError, match="M must"):
        sphere_grid(0, 2)
    with pytest.raises(ValueError, match="theta"):
        F.network(np.zeros((2, 2)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="distinct"):
        F.interpolant_exact([[0], [0]], [1, 2])
    with pytest.raises(ValueError, match="P = 1 is smaller than the number of atoms 2"):
        network_from_measure(np.eye(2), np.ones(2), 1)
    with pytest.raises(ValueError, match="lam must be"):
        relu_dual_sup(lift(np.array([[0.0], [1.0]])), np.ones(3))


def test_atomic_measure_is_a_network_of_any_larger_width():
    """(2.5): Σ w_j δ_(a_j, b_j) is the network (2.1); padding with zero-weight neurons keeps it."""
    sol = relaxed_value(np.array([[0.0], [0.5], [1.0]]), np.array([1.0, -1.0, 2.0]))
    for P in (len(sol.weights), 5, 9):
        theta = network_from_measure(sol.atoms, sol.weights, P)
        assert theta.shape == (P, 3)
        assert np.allclose(F.network(theta, np.array([[0.0], [0.5], [1.0]])), [1.0, -1.0, 2.0], atol=1e-9)
        assert np.isclose(np.abs(theta[:, 0]).sum(), sol.upper)
