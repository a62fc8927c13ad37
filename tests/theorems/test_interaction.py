"""otdiff §5.3 (interacting particles): (17) is refuted with the minimal counterexample and
corrected by a factor n, the gradient of (18) and the particle system after it are verified,
and the kernels and references the checks rely on agree with independent computations."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

from verify.claims import Kind, Status
from verify.stats import rounding_tol
from verify.strategies import general_matrices
from verify.variation import wasserstein_gradient
from theorems.interaction import EQ_17, EQ_17_CORRECTED, EQ_18, EQ_18_PARTICLES, derivation, formulas
from theorems.interaction.simulation import grad_F

CLAIMS = [EQ_17, EQ_17_CORRECTED, EQ_18, EQ_18_PARTICLES]


def _energy(kernel):
    return lambda z, w: float(formulas.interaction_energy(kernel, z, w))


def test_printed_17_has_the_minimal_counterexample_and_a_verified_correction(quick_results):
    """n = 2, h(x) = x: the flow (15) moves both particles at speed −1, (17) at −1/2."""
    assert derivation.minimal_counterexample_17(formulas.Eq17()) == {
        "n": 2, "d": 1, "kernel": "k(x, y) = h(x) = x", "X": "[[0], [1]]", "grad F": "[[1/2], [1/2]]",
        "flow (15)": "[[-1], [-1]]", "formula": "[[-1/2], [-1/2]]",
    }
    assert derivation.minimal_counterexample_17(formulas.Eq17Corrected()) is None
    assert EQ_17.corrected_by == EQ_17_CORRECTED.id and EQ_17_CORRECTED.corrects == EQ_17.id
    assert quick_results[EQ_17.id].verdict.value == "REFUTED"
    assert quick_results[EQ_17_CORRECTED.id].verdict.value == "VERIFIED"


def test_minimal_counterexample_by_finite_differences():
    """The same counterexample without sympy: ∇F by differences of F, ∇_W f by verify.variation;
    at n = 1 the printed (17) is right (the Dirac case (14)), at n = 2 it is half the speed."""
    h = formulas.potential_kernel([1.0])
    for n, printed_speed in ((1, -1.0), (2, -0.5)):
        X = np.arange(n, dtype=float)[:, None]
        g, g_bound = grad_F(h, X, 0.5)
        ref, ref_bound = wasserstein_gradient(_energy(h), X, np.full(n, 1.0 / n), X)
        assert np.all(np.abs(ref - 1.0) <= ref_bound)
        assert np.all(np.abs(formulas.Eq17().velocity(g) - printed_speed) <= g_bound)
        assert np.all(np.abs(formulas.Eq17Corrected().velocity(g) + 1.0) <= n * g_bound)


@given(general_matrices(2, bound=1.0), general_matrices(2, bound=1.0), st.integers(1, 6), st.integers(0, 2**32 - 1))
@example(np.eye(2), np.zeros((2, 2)), 1, 0)
def test_corrected_17_is_the_particle_system_after_18_for_the_quadratic_kernel(a, b, n, seed):
    """−n∇F(X) equals −(2/n)Σ_j∇_x k(x_i, x_j) exactly (F quadratic: central differences are
    exact up to rounding), and the printed (17) is 1/n of it: the paper's internal inconsistency."""
    kernel = formulas.quadratic_kernel((a + a.T) / 2, (b + b.T) / 2)
    X = np.random.default_rng(seed).standard_normal((n, 2))
    g, bound = grad_F(kernel, X, 0.5)
    particles = formulas.Eq18Particles().velocity(kernel, X)
    tol = n * bound + rounding_tol(8 * float(np.abs(X).max() + 1), terms=n)
    assert np.all(np.abs(formulas.Eq17Corrected().velocity(g) - particles) <= tol)
    assert np.all(np.abs(n * formulas.Eq17().velocity(g) - particles) <= tol)


@given(general_matrices(2, bound=1.0), general_matrices(2, bound=1.0), st.integers(1, 5), st.integers(0, 2**32 - 1))
@example(np.eye(2), np.eye(2), 1, 0)
def test_variation_module_gives_the_closed_form_gradient_of_the_quadratic_kernel(a, b, n, seed):
    """For k = xᵀAx + yᵀAy + 2xᵀBy (A, B symmetric): ∇_W f(α)(x) = 4(Ax + Bm), m the mean of α;
    the first variation is quadratic in x, so the module's differences are exact up to rounding."""
    a, b = (a + a.T) / 2, (b + b.T) / 2
    rng = np.random.default_rng(seed)
    atoms, x = rng.standard_normal((n, 2)), rng.standard_normal((3, 2))
    w = rng.dirichlet(np.ones(n))
    est, bound = wasserstein_gradient(_energy(formulas.quadratic_kernel(a, b)), atoms, w, x)
    closed = 4 * (x @ a.T + (w @ atoms) @ b.T)
    assert np.all(np.abs(est - closed) <= bound)


def test_quantile_particles_see_an_exact_integer_drift():
    """|x − y| in d = 1: for sorted distinct particles Σ_j sign(x_i − x_j) = 2i − 1 − n, so the
    printed system moves particle i at the constant speed −2(2s_i − 1), s_i = (i − ½)/n."""
    n = 7
    X = np.sort(np.random.default_rng(0).standard_normal(n))[:, None]
    s = (np.arange(1, n + 1) - 0.5) / n
    v = formulas.Eq18Particles().velocity(formulas.abs_kernel(), X)
    np.testing.assert_allclose(v[:, 0], -2 * (2 * s - 1), rtol=0, atol=rounding_tol(2.0, terms=n))


@pytest.mark.parametrize(
    "kernel",
    [formulas.exp_inner_kernel(2, 0.7), formulas.gaussian_confined_kernel(2, 0.9, 0.4), formulas.potential_kernel([1.0, -2.0], [[1.0, 0.3], [0.3, 2.0]], 0.5),
     formulas.quadratic_kernel(np.diag([1.0, 2.0]), np.array([[0.0, 1.0], [3.0, 0.0]]), symmetric_b=False)],
    ids=lambda k: k.label,
)
def test_kernel_gradients_match_finite_differences(kernel):
    """The lambdified partial gradients (fixtures of every check) against central differences
    of the kernel values, with the Richardson error estimate as tolerance."""
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((4, 2)), rng.standard_normal((3, 2))
    for grad, moved in ((kernel.grad_x, "x"), (kernel.grad_y, "y")):
        fd = {}
        for h in (1e-3, 5e-4):
            cols = []
            for e in np.eye(2) * h:
                plus = kernel.value(x + e, y) if moved == "x" else kernel.value(x, y + e)
                minus = kernel.value(x - e, y) if moved == "x" else kernel.value(x, y - e)
                cols.append((plus - minus) / (2 * h))
            fd[h] = np.stack(cols, axis=-1)
        est = (4 * fd[5e-4] - fd[1e-3]) / 3
        # Richardson estimate of the truncation plus the rounding of a difference of values / h.
        tol = np.abs(fd[5e-4] - fd[1e-3]) + rounding_tol(float(np.abs(kernel.value(x, y)).max()) + 1, terms=4) / 5e-4
        assert np.all(np.abs(grad(x, y) - est) <= tol), moved


def test_symmetry_is_decided_with_the_parameters_bound():
    assert formulas.quadratic_kernel(np.eye(2), np.array([[1.0, 2.0], [2.0, 1.0]])).symmetric
    assert not formulas.quadratic_kernel(np.eye(2), np.array([[1.0, 2.0], [3.0, 1.0]]), symmetric_b=False).symmetric
    assert not formulas.potential_kernel([1.0]).symmetric
    assert formulas.abs_kernel().symmetric and formulas.exp_inner_kernel(3, 1.0).symmetric
    assert formulas.generic_kernel(2).symmetric and not formulas.generic_kernel(1, "asymmetric").symmetric


def test_printed_17_fails_every_kind_of_check_and_the_others_pass_all(quick_results):
    """Both directions: the refuted (17) fails each kind of check; the true claims pass each."""
    for claim in CLAIMS:
        evidence = quick_results[claim.id].evidence
        if claim is EQ_17:
            assert all(any(e.kind == kind and e.status == Status.FAIL for e in evidence) for kind in Kind), claim.id
        else:
            assert all(e.status == Status.PASS for e in evidence), [(e.name, e.status, e.summary) for e in evidence]


def test_symbolic_counterexamples_of_the_mutants_are_minimal():
    """Each mutant fails on the smallest integer instance that separates it from the truth."""
    cex = derivation.minimal_counterexample_18(formulas.Eq18SecondArgument())
    assert (cex["kernel"], cex["alpha atoms (uniform)"], cex["x"]) == ("k(x, y) = xy", "[[0]]", "1")
    cex = derivation.minimal_counterexample_18(formulas.Eq18PotentialDoubled())
    assert (cex["case"], cex["kernel"], cex["formula"]) == ("potential", "h(x) = x", "2")
    cex = derivation.minimal_counterexample_particles(formulas.Eq18ParticlesOneOverNSquared())
    assert (cex["n"], cex["flow (15)"], cex["formula"]) == (2, "[[-1], [-1]]", "[[-1/2], [-1/2]]")
    assert derivation.minimal_counterexample_18(formulas.Eq18()) is None
    assert derivation.minimal_counterexample_particles(formulas.Eq18Particles()) is None


_X = np.zeros((2, 1))
BAD_CALLS = [
    (lambda: formulas.quadratic_kernel(np.eye(2), np.array([[0.0, 1.0], [0.0, 0.0]])), "B must be symmetric"),
    (lambda: formulas.quadratic_kernel(np.eye(2), np.eye(3)), r"B must have shape \(2, 2\)"),
    (lambda: formulas.quadratic_kernel(np.ones(3), np.ones(3)), "A must be a square matrix"),
    (lambda: formulas.quadratic_kernel(sp.Matrix([[1, 0], [0, 1]]), sp.Matrix([[0, 1], [2, 0]])), "B must be symmetric"),
    (lambda: formulas.Kernel("cubic", 1), "kernel family must be one of"),
    (lambda: formulas.Kernel("abs", 2), "d = 1 only"),
    (lambda: formulas.Kernel("exp-inner", 0, [1.0]), "d must be a positive integer"),
    (lambda: formulas.Kernel("exp-inner", 2, []), "takes 1 parameters, got 0"),
    (lambda: formulas.gaussian_confined_kernel(2, 0.0, 1.0), "width must be positive"),
    (lambda: formulas.generic_kernel(1, "odd"), "kind must be one of"),
    (lambda: formulas.abs_kernel().value(np.zeros((2, 2)), _X), r"x must have shape \(\.\.\., m, 1\)"),
    (lambda: formulas.abs_kernel().grad_x(_X, np.array([[np.nan]])), "y contains NaN or inf"),
    (lambda: formulas.Eq17().velocity(np.zeros(3)), r"grad_F must have shape \(n, d\)"),
    (lambda: formulas.Eq18().gradient_symmetric(formulas.abs_kernel(), _X, _X, np.ones(3) / 3), r"weights must have shape \(\.\.\., 2\)"),
    (lambda: formulas.Eq18().gradient_symmetric(formulas.abs_kernel(), _X, _X, np.array([np.nan, 1.0])), "weights contain NaN"),
    (lambda: formulas.Eq18Particles().velocity(formulas.abs_kernel(), np.zeros(3)), r"X must have shape \(n, d\)"),
]


@pytest.mark.parametrize("call,message", BAD_CALLS, ids=[m for _, m in BAD_CALLS])
def test_bad_input_raises_value_error_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_symbolic_kernel_has_no_numeric_values():
    with pytest.raises(TypeError, match="symbolic"):
        formulas.generic_kernel(1).value(_X, _X)
