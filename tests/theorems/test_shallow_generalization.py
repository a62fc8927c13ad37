"""mlcontrol Theorem 2.2 (generalization bound): the printed (2.11) is refuted by every kind of
evidence with the minimal counterexample, the correction passes every check, every mutant is
refuted with a counterexample, and the formulas validate their inputs."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from scipy.stats import wasserstein_distance

from verify.claims import Kind, Status, Verdict
from verify.relaxation import network_from_measure, relaxed_value
from theorems.shallow import generalization as G


@pytest.fixture(scope="module")
def results(quick_results):
    return {c.id: quick_results[c.id] for c in (G.THM_2_2, G.THM_2_2_CORRECTED)}


def test_printed_bound_is_refuted_by_every_kind_and_the_correction_passes_every_check(results):
    printed = results["mlcontrol/thm-2.2"]
    assert printed.verdict == Verdict.REFUTED == G.THM_2_2.expected
    assert {e.kind for e in printed.evidence if e.status == Status.FAIL} == set(Kind), [(e.name, e.status, e.summary) for e in printed.evidence]
    sym = next(e for e in printed.evidence if e.kind == Kind.SYMBOLIC)
    assert sym.counterexample["instance"] == "minimal-violation" and sym.counterexample["failed"] == ["(2.11)"]
    prop = next(e for e in printed.evidence if e.kind == Kind.PROPERTY)
    assert prop.counterexample["yp"] == [1.0, -2.0] and prop.counterexample["theta"] == [[1.0, 1.0, 0.0]]
    num = next(e for e in printed.evidence if e.kind == Kind.NUMERIC)
    assert "shifted" in num.counterexample["case"] and num.counterexample["ε"] == 0.0
    assert num.metrics["min U − r of (2.13)"] > -1e-8  # (2.13) itself holds
    corrected = results["mlcontrol/thm-2.2/corrected"]
    assert corrected.verdict == Verdict.VERIFIED and all(e.status == Status.PASS for e in corrected.evidence), [(e.name, e.summary) for e in corrected.evidence]


def test_every_mutant_fails_some_check_with_a_counterexample(results):
    for r in results.values():
        assert len(r.mutant_results) == len(r.claim.mutants) >= 3
        for m in r.mutant_results:
            failing = [e for e in m.evidence if e.status == Status.FAIL]
            assert failing and all(e.counterexample is not None for e in failing), (r.claim.id, m.mutant.name)
    # The correction's mutants are refuted by the exact check and by hypothesis.
    for m in results["mlcontrol/thm-2.2/corrected"].mutant_results:
        assert {e.kind for e in m.evidence if e.status == Status.FAIL} >= {Kind.SYMBOLIC, Kind.PROPERTY}, m.mutant.name


def test_minimal_counterexample_exactly_and_in_floats():
    """train {(0,0),(1,1)}, test {(0,1),(2,−2)}, f = σ(x): LHS 5/2 > 1 + √2 = RHS; the
    corrected RHS is 1/2 + 3√2/2; Θ is the solution of (P0) and (2.13) holds with equality."""
    f, c = G.GeneralizationBound(), G.GeneralizationBoundCorrected()
    X, y, Xp, yp = [[sp.Integer(0)], [sp.Integer(1)]], [0, 1], [[0], [2]], [1, -2]
    th = [[1, 1, 0]]
    Xs = [[sp.Integer(0)], [sp.Integer(1)]]
    assert f.lhs([[sp.Integer(1), 1, 0]], Xp, yp) == sp.Rational(5, 2)
    assert sp.simplify(f.bound_211(th, Xs, y, Xp, yp) - (1 + sp.sqrt(2))) == 0
    assert sp.simplify(c.bound_211(th, Xs, y, Xp, yp) - (sp.Rational(1, 2) + 3 * sp.sqrt(2) / 2)) == 0
    assert sp.Rational(5, 2) > 1 + sp.sqrt(2)
    m = G.minimal_violation()
    lhs, rhs = f.lhs(m["theta"], m["Xp"], m["yp"]), f.bound_211(m["theta"], m["X"], m["y"], m["Xp"], m["yp"])
    assert lhs == pytest.approx(2.5, abs=1e-14) and rhs == pytest.approx(1 + math.sqrt(2), abs=1e-14)
    R = relaxed_value(np.array(m["X"]), np.array(m["y"]), 0.0)
    assert R.lower == pytest.approx(1.0, abs=1e-8) and R.upper == pytest.approx(1.0, abs=1e-8)
    fit = network_from_measure(R.atoms, R.weights, 2)
    assert f.r(fit, m["X"], m["y"], m["Xp"]) == pytest.approx(f.upper_213(0.0, m["X"], m["Xp"], R.upper), abs=1e-8) == pytest.approx(0.5)
    # Exact (2.13) chain with the dual certificate, and the instance separating the bound without sensitivity.
    assert G._certified_value(X, y, sp.Integer(0), [-1, 1]) == 1
    assert G._certified_value(X, y, sp.Rational(1, 4), [sp.Rational(-1, 2), 1]) == sp.sqrt(5) / 4
    one = dict(X=[[Fraction(0)]], y=[0], Xp=[[1]], yp=[0])
    assert f.lhs([[2, 1, 0]], one["Xp"], one["yp"]) == 2
    assert f.bound_211([[2, 1, 0]], **one) == 3 and G.BoundNoSensitivity().bound_211([[2, 1, 0]], **one) == 1


def test_kr_distance_agrees_with_scipy_and_the_exact_assignment():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=7), rng.normal(size=5)
    assert G.kr_distance(a, b) == pytest.approx(wasserstein_distance(a, b), abs=1e-14)
    A = [[0, 0], [1, 1]]
    B = [[0, 1], [2, -2]]
    exact = G.kr_distance([[sp.Integer(v) for v in r] for r in A], B)
    assert sp.simplify(exact - (sp.Rational(1, 2) + sp.sqrt(2))) == 0
    assert G.kr_distance(np.array(A, float), np.array(B, float)) == pytest.approx(float(exact), abs=1e-14)


_BAD = [
    (lambda f: f.lhs([[1, 1]], [[0]], [0]), "theta must have shape"),
    (lambda f: f.bias([[1, 1, 0]], [[0], [1]], [0]), "y must have shape"),
    (lambda f: f.irreducible([[0]], [0], [[0, 1]], [0]), "Xp must have the dimension"),
    (lambda f: f.upper_213(-0.1, [[0]], [[1]], 1.0), "eps must be"),
    (lambda f: f.upper_213(0.0, [[0]], [[1]], float("nan")), "val must be"),
    (lambda f: f.sensitivity([[1, 1, 0]], [[0]], [[1]], L=-1), "L must be"),
    (lambda f: f.network([[1, 1, 0]], [[float("inf")]]), "X must be finite"),
    (lambda f: f.lhs([[1, 1, 0]], [], []), "Xp must be non-empty"),
    (lambda f: G.kr_distance([[sp.Integer(0)]], [[0], [1]]), "exact d_KR needs"),
    (lambda f: f.bias([["a", 1, 0]], [[0]], [0]), "theta must be a numeric array"),
]


@pytest.mark.parametrize("call,message", _BAD)
def test_bad_input_raises_value_error_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call(G.GeneralizationBound())
