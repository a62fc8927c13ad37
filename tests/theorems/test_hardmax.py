"""mlcontrol §4.1–§4.2 (hardmax self-attention, Theorem 4.1, softmax → hardmax, the half-space
of Figure 4.1): verdicts in both directions, the exact instances the checks rest on, and the
exact tools (settling certificate, projections, limits) against independent computations."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from verify.claims import Kind, Status
from theorems.hardmax import EQ_4_3, HALFSPACE, THM_4_1, derivation, dynamics, formulas, instances, simulation

CLAIMS = [THM_4_1, EQ_4_3, HALFSPACE]
F = Fraction


def test_printed_claims_pass_and_every_mutant_fails_every_kind(quick_results):
    for claim in CLAIMS:
        r = quick_results[claim.id]
        assert r.verdict.value == "VERIFIED" and all(e.status == Status.PASS for e in r.evidence), [(e.name, e.status, e.summary) for e in r.evidence]
        assert len(r.mutant_results) == len(claim.mutants) >= 2
        for m in r.mutant_results:
            failing = [e for e in m.evidence if e.status == Status.FAIL]
            assert {e.kind for e in failing} == set(Kind), (claim.id, m.mutant.name, [(e.name, e.status, e.summary) for e in m.evidence])
            assert all(e.counterexample is not None for e in failing)


def test_exact_runs_of_the_instances():
    """Figure 4.1(a): z_1 → (1, 0), the projection of 0 onto [z_2, z_3]; the bisector instance:
    z_3 → (0, 1), the A-midpoint; a leader emerges at layer 1."""
    run = dynamics.run_exact(instances.FIG_A.Z, instances.ID, F(1, 2))
    assert run.settled and run.limits == ((1, 0), (1, 1), (1, -1)) and run.final_leaders == {1, 2}
    run = dynamics.run_exact(instances.BISECTOR.Z, instances.A_FIG_B, F(1, 2))
    assert run.limits[2] == (0, 1) and run.final_leaders == {0, 1}
    run = dynamics.run_exact(instances.EMERGING.Z, instances.A_FIG_B, F(1, 2))
    assert run.leaders == [frozenset({2}), frozenset({0, 2})] and run.stabilised_at == 1 and run.monotone
    # the printed theorem on each instance; the Euclidean projection misses the bisector's limit
    for inst in instances.INSTANCES:
        assert derivation.judge_thm41(formulas.Thm41(), inst.Z, inst.A, inst.alpha)[0] == "ok"
    assert formulas.Thm41EuclideanProjection().limit_candidates([(1, 0), (-1, 2)], instances.A_FIG_B)[-1] == (F(1, 2), F(1, 2))


def test_float_run_matches_the_exact_run_on_dyadic_data():
    run = dynamics.run_float(np.array(instances.FIG_B.Z, dtype=float), np.array(instances.A_FIG_B, dtype=float), 0.5, 3)
    exact = dynamics.run_exact(instances.FIG_B.Z, instances.A_FIG_B, F(1, 2), max_layers=3)
    for k, Zk in enumerate(exact.positions):
        assert np.array_equal(run.positions[k, 0], np.array(Zk, dtype=float))
        assert [set(np.flatnonzero(row)) for row in run.sets[k, 0]] == [set(C) for C in exact.sets[k]]


def test_projection_fast_paths_agree_with_the_active_set_qp():
    rnd = random.Random(3)
    for _ in range(25):
        pts = {(F(rnd.randint(-4, 4), rnd.choice((1, 2))), F(rnd.randint(-4, 4), rnd.choice((1, 3)))) for _ in range(rnd.randint(1, 6))}
        N = rnd.choice([instances.ID, instances.A_FIG_B, ((3, -1), (-1, 1))])
        assert dynamics.project_origin(list(pts), N) == dynamics.active_set_projection(list(pts), N)


def test_positive_on_unit_interval():
    """q(σ) = a + bσ + cσ² > 0 on (0, 1]: vertex inside with q = 0, q(0) = 0 with q'(0) < 0, etc."""
    cases = {(1, 0, 0): True, (0, 1, 0): True, (0, 0, 1): True, (0, -1, 2): False, (1, -2, 1): False, (F(1, 2), -2, 2): False,
             (F(1, 2) + F(1, 100), -2, 2): True, (1, -3, 1): False, (0, 0, 0): False, (0, 1, -1): False, (0, 2, -1): True}
    for (a, b, c), want in cases.items():
        assert dynamics.positive_on_unit_interval(F(a), F(b), F(c)) is want, (a, b, c)


def test_softmax_limit_and_error_closed_form():
    tau = sp.Symbol("tau", positive=True)
    P = formulas.Eq43().softmax(instances.FIG_A.Z, instances.FIG_A.A, tau)
    assert [derivation.tau_limit(e, tau) for e in P[0]] == [(0, F(1, 4)), (F(1, 2), F(1, 4)), (F(1, 2), F(1, 4))]
    Z = np.array(instances.FIG_A.Z, dtype=float)
    G = formulas.float_scores(Z, np.eye(2))
    for t in (0.3, 0.05):
        direct = np.max(np.abs(formulas.Eq43().softmax(Z, np.eye(2), t) - formulas.Eq43().hardmax(Z, np.eye(2), 1e-15)))
        assert math.isclose(simulation.softmax_error_closed_form(G, t, 1e-15), direct, rel_tol=1e-12)


def test_minimal_counterexamples_of_the_half_space_mutants():
    assert derivation.halfspace_counterexample(formulas.HalfSpace(), radius=1) is None
    cex = derivation.halfspace_counterexample(formulas.HalfSpaceEuclidean())
    assert (cex["A"], cex["z_1"], cex["z_2"], cex["C_1"], cex["⟨Az_1, z − z_1⟩"]) == ([[2, 1], [1, 1]], "(0, 1)", "(1, 0)", [1, 2], "0")
    cex = derivation.halfspace_counterexample(formulas.HalfSpaceOpen())
    assert (cex["A"], cex["C_1"], cex["attracting token outside"]) == ([[1, 0], [0, 1]], [1], "(1, 0)")


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: dynamics.exact_tokens([[1, 2], [3]]), "Z must be an"),
        (lambda: dynamics.exact_tokens([["a", 1]]), "Z\\[0\\]\\[0\\] must be a rational"),
        (lambda: dynamics.exact_matrix([[1, 2], [0, 1]], 2), "A must be symmetric"),
        (lambda: dynamics.exact_matrix([[1, 2], [2, 1]], 2), "A must be positive definite: pivot 1"),
        (lambda: dynamics.exact_matrix([[1]], 2), "A must be a \\(2, 2\\) matrix"),
        (lambda: dynamics.exact_alpha(0), "alpha must be positive"),
        (lambda: dynamics.exact_number(float("nan"), "x"), "x must be finite"),
        (lambda: dynamics.run_exact([[1, 0]], [[1, 0], [0, 1]], F(3, 2)), "step must lie in"),
        (lambda: dynamics.run_float(np.zeros((2, 2)), np.eye(3), 0.5, 2), "M must be a finite \\(2, 2\\)"),
        (lambda: dynamics.as_tokens([[np.nan, 0.0]]), "Z contains NaN"),
        (lambda: dynamics.faces([(1, 0, 0)]), "faces are implemented for d ≤ 2"),
        (lambda: dynamics.project_origin([], instances.ID), "V must hold at least one point"),
        (lambda: derivation.judge_thm41(formulas.Thm41(), [(0, 0), (1, 0)], instances.ID, 1), "nonzero tokens"),
        (lambda: derivation.judge_thm41(formulas.Thm41(), [(1, 0), (1, 0)], instances.ID, 1), "distinct tokens"),
        (lambda: formulas.Eq43().softmax(np.eye(2), np.eye(2), -1.0), "tau must be positive"),
        (lambda: formulas.Eq43().hardmax(np.eye(2), np.eye(2), -1.0), "tol must be finite and non-negative"),
        (lambda: formulas.Eq43().softmax(np.eye(2), np.eye(3), 1.0), "A must be a finite \\(2, 2\\) matrix"),
    ],
)
def test_bad_input_is_rejected(call, match):
    with pytest.raises(ValueError, match=match):
        call()
