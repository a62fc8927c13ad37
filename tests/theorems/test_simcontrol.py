"""mlcontrol §3.2 (simultaneous control of neural ODEs, depth versus width): Theorems 3.1 and
3.3 are VERIFIED by exhibited controls, the sentence on the product L·P is REFUTED and its
correction VERIFIED, every mutant is refuted with a counterexample; and the construction, the
lower-bound certificates and the integrators behave as their docstrings say."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from verify.claims import Kind, Status
from theorems.simcontrol import PRODUCT, PRODUCT_CORRECTED, THM_3_1, THM_3_3, derivation, formulas as F, simulation

TRUE_CLAIMS = [THM_3_1, THM_3_3, PRODUCT_CORRECTED]
ALL_CLAIMS = TRUE_CLAIMS + [PRODUCT]


def test_theorems_and_correction_pass_every_check(quick_results):
    for claim in TRUE_CLAIMS:
        r = quick_results[claim.id]
        assert r.verdict.value == "VERIFIED" and all(e.status == Status.PASS for e in r.evidence), [(e.name, e.status, e.summary) for e in r.evidence]


def test_product_sentence_is_refuted_by_every_kind_at_n_equal_2(quick_results):
    r = quick_results[PRODUCT.id]
    assert r.verdict.value == "REFUTED" and PRODUCT.corrected_by == PRODUCT_CORRECTED.id
    assert all(e.status == Status.FAIL and e.counterexample is not None for e in r.evidence), [(e.name, e.status) for e in r.evidence]
    (sym,) = [e for e in r.evidence if e.kind == Kind.SYMBOLIC]
    assert sym.counterexample["N"] == 2 and sym.counterexample["complexity"] == [3, 2]


def test_every_mutant_is_refuted_with_a_counterexample_and_every_kind_rejects_one(quick_results):
    for claim in ALL_CLAIMS:
        r = quick_results[claim.id]
        assert len(r.mutant_results) == len(claim.mutants) >= 2
        for m in r.mutant_results:
            failing = [e for e in m.evidence if e.status == Status.FAIL]
            assert m.verdict.value == "REFUTED" and failing, (claim.id, m.mutant.name, [(e.name, e.status, e.summary) for e in m.evidence])
            assert all(e.counterexample is not None for e in failing)
            assert not any(e.status == Status.ERROR for e in m.evidence)
        for kind in Kind:
            assert any(e.kind == kind and e.status == Status.FAIL for m in r.mutant_results for e in m.evidence), (claim.id, kind)


@pytest.mark.parametrize("N,P", [(1, 1), (2, 1), (3, 2), (4, 3), (5, 5), (3, 4)])
def test_exact_construction_has_the_printed_count_and_hits_every_target(N, P):
    """Rational data on a line (the hardest case for a single direction): 2⌈N/P⌉ − 1 switches,
    total time T, exact flow x_i ↦ y_i (targets: the inputs reversed and shifted)."""
    X = F.exact([[k, 0] for k in range(N)])
    Y = F.exact([[N - 1 - k, Fraction(k, 3)] for k in range(N)])
    ctrl = F.DepthWidth().controls(X, Y, Fraction(7, 2), P)
    assert ctrl.switches() == 2 * math.ceil(N / P) - 1 == F.DepthWidth().switches(N, P)
    assert ctrl.width == P and ctrl.T == Fraction(7, 2) and len(ctrl.breakpoints()) == ctrl.switches()
    assert all(np.all(p.A @ p.W == 0) for p in ctrl.pieces)
    assert np.all(F.flow(ctrl, X) == Y)
    padded = F.pad(ctrl, ctrl.switches() + 2)
    assert padded.switches() == ctrl.switches() + 2 and padded.T == ctrl.T and np.all(F.flow(padded, X) == Y)


def test_float_construction_is_integrated_exactly_by_rk4_and_by_one_euler_step_per_piece():
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    f = F.DepthWidth()
    ctrl = f.controls(X, Y, 2.0, 2)
    for scheme, steps in (("rk4", 3), ("euler", 1)):
        end, _ = simulation.integrate(f.field, ctrl, X, steps, scheme)
        tol, kappa = simulation.rounding_budget(f.field, ctrl, X, Y, 4 * steps * len(ctrl.pieces))
        assert np.max(np.abs(end - Y)) <= tol and kappa >= 1


SWAP = (F.exact([[0, 0], [1, 0]]), F.exact([[1, 0], [0, 0]]))
CERTIFICATES = [
    (SWAP, 1, 1, "cycle 0 → 1 → 0"),  # two pieces of one neuron
    (SWAP, 1, 2, None),  # three pieces: no certificate (the construction uses four)
    (SWAP, 2, 0, "no periodic orbit"),  # autonomous, two neurons, planar
    (SWAP, 3, 0, None),  # three neurons: no certificate
    ((F.exact([[0], [1]]), F.exact([[1], [0]])), 4, 9, "flows on ℝ are increasing"),
    ((F.exact([[0, 0], [0, 1]]), F.exact([[1, 0], [0, 2]])), 1, 0, "not positive multiples"),
    ((F.exact([[0, 0], [0, 1]]), F.exact([[1, 0], [2, 1]])), 1, 0, None),  # displacements (1, 0), (2, 0)
    ((F.exact([[0, 0]]), F.exact([[1, 1]])), 1, -1, "not a number of switches"),
]


@pytest.mark.parametrize("data,P,L,expected", CERTIFICATES, ids=[f"P={c[1]},L={c[2]},{c[3]}" for c in CERTIFICATES])
def test_lower_bound_certificates_on_minimal_instances(data, P, L, expected):
    proof = F.infeasibility_certificate(*data, P, L)
    assert (proof is None) if expected is None else (expected in proof), proof


def test_product_closed_forms():
    """(L + 1)P = 2P⌈N/P⌉ ∈ [2N, 2N + 2P − 2], = 2N iff P | N; L·P = 2N − P for P | N."""
    f = F.DepthWidthProduct()
    for N in range(1, 25):
        for P in range(1, 2 * N + 1):
            L = f.switches(N, P)
            assert (L + 1) * P == 2 * P * math.ceil(N / P) and 2 * N <= (L + 1) * P <= 2 * N + 2 * P - 2
            assert ((L + 1) * P == 2 * N) == (N % P == 0)
            if N % P == 0:
                assert L * P == 2 * N - P
    assert derivation.flow_lemma()[0].startswith("Piece of (3.4)")


_X = np.array([[0.0, 0.0], [1.0, 0.0]])
BAD_CALLS = [
    (lambda: F.DepthWidth().controls(np.zeros((2, 2)), _X, 1.0, 1), r"X has repeated points: rows 0 and 1"),
    (lambda: F.DepthWidth().controls(_X, np.zeros((2, 2)), 1.0, 1), r"Y has repeated points"),
    (lambda: F.DepthWidth().controls(_X, _X[:1], 1.0, 1), r"Y must have the shape of X \(2, 2\)"),
    (lambda: F.DepthWidth().controls(np.zeros(3), np.zeros(3), 1.0, 1), r"X must have shape \(N, d\)"),
    (lambda: F.DepthWidth().controls(_X, np.array([[np.nan, 0], [1, 1]]), 1.0, 1), "X and Y must be finite"),
    (lambda: F.DepthWidth().controls(_X[:, :1], _X[::-1, :1], 1.0, 1), "the construction needs d >= 2"),
    (lambda: F.DepthWidth().controls(_X, _X[::-1], 1.0, 0), "P must be a positive integer, got 0"),
    (lambda: F.DepthWidth().controls(_X, _X[::-1], 0.0, 1), "T must be positive, got 0.0"),
    (lambda: F.infeasibility_certificate(_X, _X[::-1], 0, 1), "P must be a positive integer"),
    (lambda: F.exact([1.0, float("inf")]), "values must be finite"),
    (lambda: F.shear_interpolant(np.array([1.0, 1.0]), np.zeros((2, 2))), "s must be distinct"),
    (lambda: F.pad(F.DepthWidth().controls(_X, _X[::-1], 1.0, 1), 1), "L = 1 is below the 3 switches"),
    (lambda: F.piece_map(F.DepthWidth().controls(_X, _X[::-1], 1.0, 1).pieces[0], _X), "piece_map is exact"),
    (lambda: F.meeting_points(_X, _X, np.array([1.0, 0]), np.array([2.0, 0])), "must not be parallel"),
    (lambda: simulation.integrate(F.node_field, F.DepthWidth().controls(_X, _X[::-1], 1.0, 1), _X, 0), "steps must be >= 1"),
    (lambda: simulation.integrate(F.node_field, F.DepthWidth().controls(_X, _X[::-1], 1.0, 1), _X, 1, "rk45"), "scheme must be 'rk4' or 'euler'"),
]


@pytest.mark.parametrize("call,message", BAD_CALLS, ids=[m for _, m in BAD_CALLS])
def test_bad_input_raises_value_error_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
