"""verify.linalg: boundaries, defaults and messages that mutation testing showed untested (issue 9).

The round-off tolerance :math:`\\tau = 64\\, d\\, \\varepsilon \\max_i|\\lambda_i|` is tested on both
sides with diagonal matrices (their eigenvalues are computed exactly); the documented fast path
(Cholesky, no eigendecomposition) is checked by counting decompositions; defaults and the
messages of bad input are one table.  See reports/MUTATION.md.
"""

from __future__ import annotations

import math
import re

import mpmath
import numpy as np
import pytest

import verify.linalg as lin
from verify.linalg import (
    as_spd,
    brenier_map,
    brenier_map_mp,
    bures_distance_sq,
    bures_distance_sq_mp,
    check_time,
    inv_sqrtm_sym,
    known_answer_pair,
    random_orthogonal,
    random_spd,
    spd_from_spectrum,
    sqrtm_sym,
    sym_eigh,
)

EPS = float(np.finfo(np.float64).eps)


def _tau(d: int, largest: float) -> float:
    """The documented round-off tolerance 64 d eps max|lambda|."""
    return 64 * d * EPS * largest


# ---------------------------------------------------------------------------------------------
# the round-off tolerance, on both sides
# ---------------------------------------------------------------------------------------------


def test_semidefinite_accepts_negative_round_off_up_to_tau_and_clamps_it() -> None:
    d = 4
    tau = _tau(d, 1.0)  # 2^-44
    inside = np.diag([1.0, 1.0, 1.0, -0.9 * tau])
    as_spd("S", inside)
    w, _ = sym_eigh("S", inside)
    assert w[0] == 0.0 and np.all(w >= 0.0)  # clamped to exactly 0
    with pytest.raises(ValueError, match=r"^S is not positive semidefinite"):
        as_spd("S", np.diag([1.0, 1.0, 1.0, -1.1 * tau]))


def test_definite_needs_smallest_eigenvalue_strictly_above_tau() -> None:
    d = 4
    tau = _tau(d, 1.0)
    assert tau == 2.0**-44  # exactly representable: the boundary is tested exactly
    as_spd("S", np.diag([1.0, 1.0, 1.0, 1.1 * tau]), definite=True)
    for at_or_below in (tau, 0.9 * tau):
        with pytest.raises(ValueError, match=r"^S is not positive definite"):
            as_spd("S", np.diag([1.0, 1.0, 1.0, at_or_below]), definite=True)


def test_one_by_one_matrices() -> None:
    assert as_spd("s", [[2.0]]).shape == (1, 1)
    w, v = sym_eigh("s", [[4.0]])
    assert w.tolist() == [4.0] and abs(v[0, 0]) == 1.0
    assert sqrtm_sym([[4.0]]).tolist() == [[2.0]]
    assert inv_sqrtm_sym([[4.0]]).tolist() == [[0.5]]
    assert bures_distance_sq([[4.0]], [[1.0]]) == 1.0  # (2 - 1)^2
    assert brenier_map([[4.0]], [[1.0]]).tolist() == [[0.5]]


def test_sym_eigh_and_square_roots_reject_asymmetric_input() -> None:
    a = np.array([[2.0, 1.0], [1.0 + 1e-6, 2.0]])  # asymmetry 1e-6 >> 1e-10 * max|a|
    for call in (lambda: sym_eigh("A", a), lambda: sqrtm_sym(a, name="A"), lambda: inv_sqrtm_sym(a, name="A")):
        with pytest.raises(ValueError, match=r"^A is not symmetric"):
            call()


def test_rtol_accepts_every_finite_non_negative_real() -> None:
    exact = np.array([[2.0, 1.0], [1.0, 2.0]])
    assert np.array_equal(as_spd("S", exact, rtol=0), exact)  # an int 0: exact symmetry
    assert np.array_equal(as_spd("S", exact, rtol=np.float64(1e-12)), exact)
    loose = np.array([[2.0, 1.0], [1.2, 2.0]])  # asymmetry 0.2 = 0.1 * max|a|
    np.testing.assert_array_equal(as_spd("S", loose, rtol=0.5), [[2.0, 1.1], [1.1, 2.0]])


# ---------------------------------------------------------------------------------------------
# Bures distance and Brenier map: small values, the clamp, rank-deficient targets
# ---------------------------------------------------------------------------------------------


def test_small_distances_are_not_rounded_to_zero() -> None:
    # W2^2(I, c^2 I) = d (c - 1)^2: here 3 * 0.1^2
    assert bures_distance_sq(np.eye(3), 1.21 * np.eye(3)) == pytest.approx(0.03, rel=1e-13)
    assert bures_distance_sq(np.diag([1.0, 4.0]), np.diag([1.0, 4.41])) == pytest.approx(0.01, rel=1e-13)


@pytest.mark.parametrize(
    "excess, clamped",
    [(2.0**-46, True), (2.0**-45, True), (2.0**-44, False)],
    ids=["half-the-bound", "exactly-the-bound", "twice-the-bound"],
)
def test_negative_round_off_is_clamped_up_to_the_documented_bound(monkeypatch: pytest.MonkeyPatch, excess: float, clamped: bool) -> None:
    # S0 = S1 = I_2: Tr S0 + Tr S1 = 4 and the singular values of F0^T F1 = I are exactly 1.
    # Inflating them by `excess` makes the computed value exactly -4 * excess; the documented
    # clamp bound is 64 d eps (Tr S0 + Tr S1) = 64 * 2 * 2^-52 * 4 = 2^-43 = 4 * 2^-45.
    real_svd = np.linalg.svd
    monkeypatch.setattr(lin.np.linalg, "svd", lambda a, **kw: real_svd(a, **kw) * (1.0 + excess))
    if clamped:
        assert bures_distance_sq(np.eye(2), np.eye(2)) == 0.0
    else:
        with pytest.raises(FloatingPointError, match=r"computed value -2\.274e-13 is negative beyond the round-off bound 1\.137e-13"):
            bures_distance_sq(np.eye(2), np.eye(2))


def test_brenier_map_onto_rank_deficient_targets() -> None:
    # T = Sigma1^{1/2} for Sigma0 = I; a zero target is mapped by T = 0.
    t = brenier_map(np.eye(3), np.diag([4.0, 0.0, 0.0]))
    np.testing.assert_allclose(t, np.diag([2.0, 0.0, 0.0]), rtol=0, atol=4 * EPS)
    zero = brenier_map(2.0 * np.eye(3), np.zeros((3, 3)))
    assert zero.shape == (3, 3) and not zero.any()


# ---------------------------------------------------------------------------------------------
# generators
# ---------------------------------------------------------------------------------------------


def test_random_orthogonal_is_haar_not_just_orthogonal() -> None:
    # Under the Haar measure the first column is uniform on the sphere, so Q[0, 0] is symmetric
    # about 0 with variance 1/d; an unsigned QR (Householder) always gives Q[0, 0] <= 0.
    rng = np.random.default_rng(25)
    d, reps = 3, 400
    q00 = np.array([random_orthogonal(rng, d)[0, 0] for _ in range(reps)])
    assert abs(q00.mean()) <= 5 * math.sqrt(1 / d / reps)


# ---------------------------------------------------------------------------------------------
# the documented fast path: Cholesky success proves definiteness, no eigendecomposition
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def decompositions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the eigendecompositions run by verify.linalg while the test runs."""
    calls: list[str] = []
    for name in ("eigh", "eigvalsh"):
        real = getattr(np.linalg, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(lin.np.linalg, name, spy)
    return calls


def test_positive_definite_input_takes_the_cholesky_route(decompositions: list[str]) -> None:
    rng = np.random.default_rng(21)
    s0, s1 = random_spd(rng, 6, cond=1e4), random_spd(rng, 6, cond=1e4)
    w2 = bures_distance_sq(s0, s1)
    t = brenier_map(s0, s1)
    # A small pivot well above round-off (1e-12 > 64 d eps * 1 = 2.8e-14) is still Cholesky;
    # for commuting (diagonal) covariances W2^2 = sum (sqrt a_i - sqrt b_i)^2 and T = sqrt(b/a).
    a, b = np.diag([1e-12, 1.0]), np.diag([4e-12, 9.0])
    assert bures_distance_sq(a, b) == pytest.approx((1e-6 - 2e-6) ** 2 + (1.0 - 3.0) ** 2, rel=4 * EPS)
    np.testing.assert_allclose(brenier_map(a, b), np.diag([2.0, 3.0]), rtol=4 * EPS)
    assert decompositions == []
    assert w2 > 0 and np.array_equal(t, t.T)


def test_singular_input_falls_back_to_one_eigendecomposition(decompositions: list[str]) -> None:
    s0 = np.diag([1.0, 0.0, 4.0])
    s1 = np.diag([4.0, 1.0, 0.0])
    assert bures_distance_sq(s0, s1) == pytest.approx(1.0 + 1.0 + 4.0, rel=4 * EPS)
    assert decompositions == ["eigh", "eigh"]  # one per singular argument


# ---------------------------------------------------------------------------------------------
# defaults of the generators and of the 50-digit references
# ---------------------------------------------------------------------------------------------


def _extremes(s: np.ndarray) -> tuple[float, float]:
    w = np.linalg.eigvalsh(s)
    return float(w[0]), float(w[-1])


def test_random_spd_includes_both_extremes_from_d_2_and_defaults_to_cond_10() -> None:
    rng = np.random.default_rng(22)
    lo, hi = _extremes(random_spd(rng, 2, cond=100.0))
    assert lo == pytest.approx(1.0, abs=2 * 100 * EPS * 10) and hi == pytest.approx(100.0, rel=20 * EPS)
    lo, hi = _extremes(random_spd(rng, 4))
    assert lo == pytest.approx(1.0, abs=4 * 10 * EPS * 10) and hi == pytest.approx(10.0, rel=40 * EPS)


@pytest.mark.parametrize("cond", [None, 3.0])
def test_known_answer_pair_has_the_stated_spectra(cond: float | None) -> None:
    # Sigma0 and the Brenier map T are random_spd draws with condition number cond (10 by
    # default): eigenvalues in [1, cond] with both extremes, and brenier_map recovers T.
    rng = np.random.default_rng(23)
    s0, s1, ref = known_answer_pair(rng, 5) if cond is None else known_answer_pair(rng, 5, cond=cond)
    c = 10.0 if cond is None else cond
    for m in (s0, brenier_map(s0, s1)):
        lo, hi = _extremes(m)
        assert lo == pytest.approx(1.0, abs=1e-12 * c) and hi == pytest.approx(c, rel=1e-12)
    assert bures_distance_sq(s0, s1) == pytest.approx(ref, rel=1e-12)


def test_mp_references_default_to_50_digits_and_accept_15() -> None:
    rng = np.random.default_rng(24)
    s0, s1 = random_spd(rng, 3, cond=10.0), random_spd(rng, 3, cond=10.0)
    assert bures_distance_sq_mp(s0, s1) == bures_distance_sq_mp(s0, s1, dps=50)
    assert bures_distance_sq_mp(s0, s1, dps=50) != bures_distance_sq_mp(s0, s1, dps=51)
    t50, t_default = brenier_map_mp(s0, s1, dps=50), brenier_map_mp(s0, s1)
    assert all(t_default[i, j] == t50[i, j] for i in range(3) for j in range(3))
    # a zero covariance has no Cholesky factor: W2^2(0, S1) = Tr S1 exactly
    with mpmath.workdps(50):
        trace = mpmath.fsum(mpmath.mpf(float(x)) for x in np.diag(s1))
    assert bures_distance_sq_mp(np.zeros((3, 3)), s1) == trace
    # 15 digits (float64 precision) is the documented minimum and is accepted
    low = bures_distance_sq_mp(s0, s1, dps=15)
    with mpmath.workdps(50):
        assert abs(low - bures_distance_sq_mp(s0, s1)) <= 1e-12 * abs(low)
    assert math.isclose(float(low), bures_distance_sq(s0, s1), rel_tol=1e-12)


# ---------------------------------------------------------------------------------------------
# bad input: one table of complete messages (each starts with the argument's name)
# ---------------------------------------------------------------------------------------------

_SPD3 = random_spd(np.random.default_rng(123), 3, cond=10.0)
_SPD2 = random_spd(np.random.default_rng(124), 2, cond=10.0)
_NONSYM = _SPD3.copy()
_NONSYM[0, 2] += 0.1
_SHAPES = r"^sigma1 has shape \(2, 2\) but sigma0 has shape \(3, 3\); both must be d x d with the same d$"

BAD_INPUT = [
    # (id, callable, args, kwargs, exception, regex)
    ("relative-to-largest-magnitude", as_spd, ("S", np.diag([-2.0, 1.0])), {}, ValueError,
     r"^S is not positive semidefinite: smallest eigenvalue -2\.0e\+00 \(-1\.0e\+00 of the largest\), "
     r"below the round-off tolerance -5\.7e-14; pass a symmetric positive semidefinite matrix$"),
    ("relative-small-largest", as_spd, ("S", np.diag([-0.25, 0.5])), {}, ValueError,
     r"^S is not positive semidefinite: smallest eigenvalue -2\.5e-01 \(-5\.0e-01 of the largest\)"),
    ("zero-matrix", as_spd, ("S", np.zeros((2, 2))), {"definite": True}, ValueError,
     r"^S is not positive definite: smallest eigenvalue 0\.0e\+00 \(the matrix is zero\); "
     r"pass a symmetric positive definite matrix$"),
    ("inv-sqrtm-default-name", inv_sqrtm_sym, (np.diag([1.0, 0.0]),), {}, ValueError,
     r"^matrix is not positive definite: smallest eigenvalue 0\.0e\+00 \(0\.0e\+00 of the largest\); "
     r"pass a symmetric positive definite matrix$"),
    ("cond-str", random_spd, (np.random.default_rng(0), 3), {"cond": "10"}, TypeError, r"^cond must be a real number, got str$"),
    ("cond-bool", random_spd, (np.random.default_rng(0), 3), {"cond": True}, TypeError, r"^cond must be a real number, got bool$"),
    ("d-bool", random_spd, (np.random.default_rng(0), True), {}, TypeError, r"^d must be an integer, got bool$"),
    ("d-float", random_orthogonal, (np.random.default_rng(0), 2.5), {}, TypeError, r"^d must be an integer, got float$"),
    ("mp-sigma1-indefinite", bures_distance_sq_mp, (_SPD3, np.diag([1.0, 2.0, -0.5])), {}, ValueError,
     r"^sigma1 is not positive semidefinite"),
    ("mp-shapes", bures_distance_sq_mp, (_SPD3, _SPD2), {}, ValueError, _SHAPES),
    ("mp-map-shapes", brenier_map_mp, (_SPD3, _SPD2), {}, ValueError, _SHAPES),
    ("dps-14", bures_distance_sq_mp, (_SPD3, _SPD3), {"dps": 14}, ValueError, r"^dps must be at least 15 \(float64 precision\), got 14$"),
    ("rtol-bool", as_spd, ("S", np.eye(2)), {"rtol": True}, TypeError, r"^rtol must be a real number, got bool$"),
    ("rtol-str", as_spd, ("S", np.eye(2)), {"rtol": "1e-10"}, TypeError, r"^rtol must be a real number, got str$"),
    ("rtol-inf", as_spd, ("S", np.eye(2)), {"rtol": math.inf}, ValueError, r"^rtol must be finite and non-negative, got inf$"),
    ("t-str", check_time, ("t", "0.5"), {}, TypeError, r"^t must be a real number in \[0, 1\], got str '0\.5'$"),
    ("map-sigma0-asymmetric", brenier_map, (_NONSYM, _SPD3), {}, ValueError, r"^sigma0 is not symmetric: max \|a - a\.T\|"),
    ("rng-int", random_orthogonal, (0, 3), {}, TypeError, r"^rng must be a numpy\.random\.Generator, got int$"),
    ("eigenvalues-str", spd_from_spectrum, (["a", "b"], np.eye(2)), {}, TypeError, r"^eigenvalues must be a real numeric array, got dtype <U1$"),
    ("basis-nan", spd_from_spectrum, ([1.0, 2.0], [[np.nan, 0.0], [0.0, 1.0]]), {}, ValueError, r"^basis contains NaN or inf$"),
]


@pytest.mark.parametrize("fn, args, kwargs, exc, pattern", [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_bad_input(fn, args, kwargs, exc, pattern) -> None:
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    assert type(info.value) is exc
    assert re.search(pattern, str(info.value)), str(info.value)
