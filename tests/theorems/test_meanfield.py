"""otdiff §6.1–§6.2: the three printed slips (kernel (22), sign of the gradient, transpose of
the limit) are refuted with their minimal counterexamples and their corrections verified; the
particle reference the checks rely on is itself checked against finite differences of (20)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.claims import Status
from verify.strategies import general_matrices
from theorems.meanfield import (
    EQ_22, EQ_22_CORRECTED, GRADIENT, GRADIENT_CORRECTED, LIMIT, LIMIT_CORRECTED, derivation, formulas,
)
from theorems.meanfield.network import (
    atoms_with_second_moment, data_from_moments, mean_field_velocity, network_risk, velocity_at,
)


@pytest.mark.parametrize("printed,corrected", [(EQ_22, EQ_22_CORRECTED), (GRADIENT, GRADIENT_CORRECTED), (LIMIT, LIMIT_CORRECTED)])
def test_refuted_printed_forms_fail_every_check_and_their_corrections_pass(quick_results, printed, corrected):
    assert printed.corrected_by == corrected.id and corrected.corrects == printed.id
    assert all(e.status == Status.FAIL for e in quick_results[printed.id].evidence)
    assert quick_results[corrected.id].verdict.value == "VERIFIED"


def test_minimal_counterexamples():
    assert derivation.kernel_counterexample(formulas.Eq22()) == {
        "sigma": "identity", "z": 1, "y": 0, "alpha": "delta at (u, v) = (1, 1)", "f(alpha)": "1", "iint k": "2",
        "constant f(delta_0) - iint k(delta_0)": "0",
    }
    assert derivation.kernel_counterexample(formulas.Eq22Corrected()) is None
    cex = derivation.gradient_counterexample(formulas.Prop62Gradient())
    assert cex["(u, v)"] == (0, 1) and cex["nabla_W f (from delta f)"] == ["2", "0"] and cex["formula"] == ["-2", "0"]
    assert derivation.gradient_counterexample(formulas.Prop62GradientCorrected()) is None
    lim = derivation.limit_counterexample(formulas.Prop62Limit())
    assert lim["S_yz"] == [[0, 1], [0, 0]] and lim["Sigma_UV at the minimiser"] == [[0, 0], [1, 0]]
    assert derivation.limit_counterexample(formulas.Prop62LimitCorrected()) is None


def test_printed_gradient_is_the_velocity_that_23_integrates():
    """The printed field is −∇_W f: B_t of (23) applied to (u, v)."""
    rng = np.random.default_rng(3)
    d, dp = 2, 3
    szz = np.eye(d) + 0.2
    syz = rng.standard_normal((dp, d))
    sig = np.cov(rng.standard_normal((d + dp, 50)))
    u, v = rng.standard_normal((d, 4)), rng.standard_normal((dp, 4))
    b = formulas.Prop62Ode().b_matrix(sig, szz, syz)
    gu, gv = formulas.Prop62Gradient().gradient(u, v, sig[:d, d:], szz, syz)
    np.testing.assert_allclose(np.vstack([gu, gv]), b @ np.vstack([u, v]), atol=1e-12)


@settings(max_examples=15)
@given(general_matrices(3, 2), general_matrices(3, 2), general_matrices(4, 2), general_matrices(4, 2), st.sampled_from(["identity", "tanh"]))
def test_mean_field_velocity_is_minus_n_times_the_gradient_of_20(u, v, z, y, name):
    act, act_prime = (lambda s: s, np.ones_like) if name == "identity" else (np.tanh, lambda s: 1 - np.tanh(s) ** 2)
    gu, gv = mean_field_velocity(u, v, z, y, act, act_prime)
    h = 1e-6
    for arr, g in ((u, gu), (v, gv)):
        for idx in np.ndindex(arr.shape):
            e = np.zeros_like(arr)
            e[idx] = h
            plus = network_risk(u + e, v, z, y, act) if arr is u else network_risk(u, v + e, z, y, act)
            minus = network_risk(u - e, v, z, y, act) if arr is u else network_risk(u, v - e, z, y, act)
            fd = (plus - minus) / (2 * h)
            # central differences at h = 1e-6: truncation h²|∂³F|/6 ≈ 1e-12·|∂³F| and rounding
            # ε|F|/h ≈ 2e-10·|F|, far inside these tolerances (a wrong factor or sign is O(1))
            assert abs(g[idx] + 3 * fd) <= 1e-5 * (1 + abs(g[idx])) + 1e-7 * (1 + network_risk(u, v, z, y, act))


def test_velocity_at_the_atoms_is_the_particle_velocity():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 3))
    z, y = rng.standard_normal((4, 2)), rng.standard_normal((4, 1))
    gu, gv = mean_field_velocity(x[:, :2], x[:, 2:], z, y)
    np.testing.assert_allclose(velocity_at(x, x[:, :2], x[:, 2:], np.full(5, 0.2), z, y), np.hstack([gu, gv]), atol=1e-12)


def test_constructions_have_exact_moments():
    szz, syz = np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([[1.0, -1.0], [0.5, 0.0], [0.0, 2.0]])
    z, y = data_from_moments(szz, syz)
    np.testing.assert_allclose(z.T @ z / len(z), szz, atol=1e-13)
    np.testing.assert_allclose(y.T @ z / len(z), syz, atol=1e-13)
    sig = np.array([[1.0, 0.3, 0.1], [0.3, 2.0, -0.4], [0.1, -0.4, 0.5]])
    a = atoms_with_second_moment(sig)
    np.testing.assert_allclose(a.T @ a / len(a), sig, atol=1e-13)


def test_bad_input_raises_clear_errors():
    with pytest.raises(ValueError, match="szz is not positive definite"):
        data_from_moments(np.array([[1.0, 2.0], [2.0, 1.0]]), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="syz must have shape"):
        data_from_moments(np.eye(2), np.zeros((1, 3)))
    with pytest.raises(ValueError, match="sig is not symmetric"):
        atoms_with_second_moment(np.array([[1.0, 0.5], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="do not form a block matrix"):
        formulas.block(np.eye(2), np.zeros((2, 1)), np.zeros((2, 1)), np.eye(1))


def test_bias_free_relu_network_vanishes_at_zero_and_the_lifted_one_interpolates():
    """otdiff §6.1: (19) has no bias, so with the ReLU G_X(0) = 0 for every X; with (z, 1) the
    data z = 0, y = 1 are fitted exactly."""
    from theorems.meanfield import universal as U

    z, y = np.array([0.0, 0.5]), np.array([1.0, 1.0])
    res, _ = U._interpolate(U.Printed19(), z, y)
    assert abs(res[0] + 1.0) < 1e-12  # G(0) = 0 misses y = 1 by exactly 1
    res, _ = U._interpolate(U.Lifted19(), z, y)
    assert np.max(np.abs(res)) < 1e-12
