"""otdiff §5.2: the relation after (16), the porous-medium range and the example s log s of
McCann's conditions are refuted with their minimal counterexamples, and their corrections
verified; the closed forms the checks rely on are checked independently."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from verify.claims import Status
from theorems.entropies import (
    EQ_16, EQ_16_CORRECTED, MCCANN_EXAMPLES, MCCANN_EXAMPLES_CORRECTED, POROUS, POROUS_CORRECTED, derivation, formulas, simulation,
)
from theorems.entropies.formulas import S


@pytest.mark.parametrize("printed,corrected", [(EQ_16, EQ_16_CORRECTED), (POROUS, POROUS_CORRECTED), (MCCANN_EXAMPLES, MCCANN_EXAMPLES_CORRECTED)])
def test_refuted_printed_forms_fail_every_check_and_their_corrections_pass(quick_results, printed, corrected):
    assert printed.corrected_by == corrected.id and corrected.corrects == printed.id
    assert all(e.status == Status.FAIL for e in quick_results[printed.id].evidence)
    assert quick_results[corrected.id].verdict.value == "VERIFIED"


def test_printed_relation_contradicts_the_papers_own_heat_example():
    cex = derivation.relation_counterexample(formulas.Eq16())
    assert cex["g"] == "s log s" and cex["div(rho grad g'(rho))"] == "-2" and cex["Laplacian of gtilde(rho)"] == "-4 - 4*log(2)"
    assert derivation.relation_counterexample(formulas.Eq16Corrected()) is None
    # the corrected relation turns s log s into the heat equation and s^m/(m-1) into Δρ^m
    assert sp.integrate(formulas.Eq16Corrected().gtilde_prime(S * sp.log(S)), S) == S
    m = sp.Rational(5, 2)
    assert sp.simplify(sp.integrate(formulas.Eq16Corrected().gtilde_prime(S**m / (m - 1)), S) - S**m) == 0


def test_porous_range_counterexamples():
    cex = derivation.porous_counterexample(formulas.PorousMedium())
    assert cex["p"] == "2" and cex["c"] == "0"
    assert cex["also"]["p"] == "3/2" and cex["also"]["c"] == "-1" and cex["also"]["m"] == "1/2"
    assert derivation.porous_counterexample(formulas.PorousMediumCorrected()) is None
    c, m = derivation.porous_coefficients(formulas.PorousMedium(), sp.Symbol("p", positive=True))
    p = sp.Symbol("p", positive=True)
    assert sp.simplify(c - (p - 2) / (p - 1)) == 0 and sp.simplify(m - (p - 1)) == 0


def test_second_moment_rate_matches_the_porous_medium_closed_form():
    """d/dt∫x²ρ = 2c∫ρ^m for ∂ρ = cΔρ^m in 1-D: the quadrature against the closed form at p = 3."""
    g = formulas.PorousMedium().g(sp.Integer(3))  # c = 1/2, m = 2
    rate = simulation._m2_rate(g, 4001)
    exact = 2 * 0.5 * 1 / (2 * np.sqrt(np.pi))  # ∫ρ² = 1/(2√π) for N(0, 1)
    assert abs(rate - exact) < 1e-9


def test_shannon_fails_only_the_printed_increasing_condition():
    g = S * sp.log(S)
    for d in (1, 2, 3):
        ok, why = derivation._conditions_hold(formulas.McCann(), g, d)
        assert not ok and why["condition"] == "increasing" and why["negative on"] == "Interval.open(0, exp(-1))"
        assert derivation._conditions_hold(formulas.McCannExamplesCorrected(), g, d)[0]


def test_piecewise_entropy_separates_the_last_condition():
    g = derivation.G_PW
    assert derivation._conditions_hold(formulas.McCann(), g, 1)[0]
    ok, why = derivation._conditions_hold(formulas.McCann(), g, 2)
    assert not ok and why["condition"] == "s^d g(s^-d) convex"
    t = sp.Symbol("t")
    energy = derivation.dilation_energy(g, 2, sp.Rational(3, 2), t)
    assert sp.diff(energy.rewrite(sp.Piecewise), t, 2).subs(t, 0) == -1  # f(α_t) = 3/2 − (1+t)²/2 near t = 0


@pytest.mark.parametrize("name,g", [("s^2", S**2), ("s log s", S * sp.log(S)), ("s^(3/2)", S ** sp.Rational(3, 2))])
def test_gaussian_entropy_closed_form_matches_quadrature(name, g):
    sigma = np.array([[1.7]])
    x = np.linspace(-20, 20, 40001)
    rho = np.exp(-x**2 / (2 * 1.7)) / np.sqrt(2 * np.pi * 1.7)
    quad = np.trapezoid(sp.lambdify(S, g, "numpy")(np.maximum(rho, 1e-300)), x)
    assert abs(simulation.gaussian_entropy(name, g, sigma) - quad) < 1e-8
