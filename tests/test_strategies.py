"""The hypothesis strategies generate what they promise (by construction, not by filtering)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from verify.strategies import dims, orthogonal_matrices, spd_matrices, spd_pairs, times


@given(dims().flatmap(lambda d: orthogonal_matrices(d)))
def test_orthogonal_matrices_are_orthogonal(q):
    np.testing.assert_allclose(q @ q.T, np.eye(len(q)), atol=1e-12)
    assert abs(abs(np.linalg.det(q)) - 1) < 1e-12


@given(dims().flatmap(lambda d: orthogonal_matrices(d, reflections=False)))
def test_rotations_have_unit_determinant(q):
    assert np.linalg.det(q) > 0


@given(st.sampled_from([1.0, 10.0, 1e4]).flatmap(lambda c: st.tuples(st.just(c), dims().flatmap(lambda d: spd_matrices(d, c)))))
def test_spd_matrices_respect_the_condition_bound(args):
    cond, s = args
    w = np.linalg.eigvalsh(s)
    np.testing.assert_array_equal(s, s.T)
    assert w[0] > 0 and w[-1] / w[0] <= cond * (1 + 1e-9)


@given(st.integers(2, 4).flatmap(lambda d: spd_pairs(d, max_cond=100.0, commuting=False)))
def test_non_commuting_pairs_do_not_commute(pair):
    s0, s1 = pair
    comm = s0 @ s1 - s1 @ s0
    assert np.linalg.norm(comm) > 1e-3 * np.linalg.norm(s0) * np.linalg.norm(s1)
    for s in pair:
        w = np.linalg.eigvalsh(s)
        assert w[0] > 0 and w[-1] / w[0] <= 100.0 * (1 + 1e-9)


@given(st.integers(1, 4).flatmap(lambda d: spd_pairs(d, commuting=True)))
def test_commuting_pairs_commute(pair):
    s0, s1 = pair
    np.testing.assert_allclose(s0 @ s1, s1 @ s0, atol=1e-9 * np.linalg.norm(s0) * np.linalg.norm(s1))


@given(times())
def test_times_lie_in_the_open_unit_interval(t):
    assert 0.0 < t < 1.0
