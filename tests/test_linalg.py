"""Tests of verify.linalg: Bures distance and Brenier map (otdiff, Proposition 4.3).

Tolerances are derived from floating-point error bounds (unit round-off ``EPS``, dimension
``d``, condition numbers), never tuned until a test passes.  The derivations are in the
comments next to each bound.
"""

from __future__ import annotations

import math
import re

import mpmath
import numpy as np
import pytest

from verify.bench import benchmarks_markdown, run_benchmarks
from verify.linalg import (
    as_spd,
    brenier_map,
    brenier_map_mp,
    bures_distance,
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


def _norm2(a: np.ndarray) -> float:
    return float(np.linalg.norm(a, 2))


def _int_psd(rng: np.random.Generator, d: int, rank: int) -> np.ndarray:
    """Exactly rank-``rank`` PSD matrix F F^T, F with small integers: exact in float64, so the
    mpmath reference sees a truly singular matrix (no round-off eigenvalues of either sign)."""
    f = rng.integers(-5, 6, size=(d, rank)).astype(np.float64)
    return f @ f.T


def _perturbation_bound(s0: np.ndarray, s1: np.ndarray, t: np.ndarray) -> float:
    """First-order bound on the float64 error of W2^2.

    dW2^2/dS0 = I - T and dW2^2/dS1 = I - T^{-1} (T the Brenier map).  The Cholesky / product /
    SVD stages are backward stable with normwise backward error of order d * EPS * ||S_i||,
    and the product and SVD add d * EPS * ||F0|| ||F1|| <= d * EPS * (||S0|| + ||S1||) / 2.
    Hence |error| <= d * EPS * (||S0|| (1 + ||T||) + ||S1|| (1 + ||T^{-1}||)).
    """
    d = s0.shape[0]
    return d * EPS * (
        _norm2(s0) * (1.0 + _norm2(t)) + _norm2(s1) * (1.0 + _norm2(np.linalg.inv(t)))
    )


# ---------------------------------------------------------------------------------------------
# (a) accuracy against the 50-digit reference
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "d, cond, seed",
    [(2, 1e4, 0), (2, 1e8, 1), (5, 1e4, 2), (5, 1e8, 3), (20, 1e2, 4), (20, 1e8, 5)],
)
def test_bures_matches_mpmath(d: int, cond: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    s0 = random_spd(rng, d, cond=cond)
    s1 = random_spd(rng, d, cond=cond)
    ref = bures_distance_sq_mp(s0, s1)
    got = bures_distance_sq(s0, s1)
    assert isinstance(got, float)
    assert abs(got - ref) / ref <= 1e-12
    assert bures_distance(s0, s1) == math.sqrt(got)


def test_bures_matches_mpmath_d50() -> None:
    # One d = 50 pair; the mpmath reference takes about 1 s here (Cholesky + one
    # eigenvalues-only eigsy at 50 digits).
    rng = np.random.default_rng(50)
    s0 = random_spd(rng, 50, cond=1e8)
    s1 = random_spd(rng, 50, cond=1e8)
    ref = bures_distance_sq_mp(s0, s1)
    assert abs(bures_distance_sq(s0, s1) - ref) / ref <= 1e-12


def test_mp_reference_keeps_global_precision() -> None:
    before = mpmath.mp.dps
    rng = np.random.default_rng(7)
    s0, s1 = random_spd(rng, 3), random_spd(rng, 3)
    v30 = bures_distance_sq_mp(s0, s1, dps=30)
    v60 = bures_distance_sq_mp(s0, s1, dps=60)
    brenier_map_mp(s0, s1, dps=40)
    assert mpmath.mp.dps == before
    with mpmath.workdps(60):
        assert abs(v30 - v60) <= mpmath.mpf(10) ** -25 * abs(v60)


# ---------------------------------------------------------------------------------------------
# known-answer pairs at large d
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1])
def test_bures_known_answer_d200(seed: int) -> None:
    d, cond = 200, 10.0
    rng = np.random.default_rng(seed)
    s0, s1, ref = known_answer_pair(rng, d, cond=cond)
    got = bures_distance_sq(s0, s1)
    # Tolerance from _perturbation_bound with the known spectra: eig(S0), eig(T) in [1, cond],
    # so ||S0|| <= cond, ||T|| <= cond, ||T^{-1}|| <= 1, ||S1|| <= cond^3, giving
    # d * EPS * (cond (1 + cond) + 2 cond^3).  The same bound covers the reference: storing
    # S1 = fl(T S0 T) perturbs it by d * EPS * ||T||^2 ||S0|| <= d * EPS * cond^3 in norm,
    # which moves W2^2 by at most that times ||I - T^{-1}|| <= 1; and
    # ||(I - T) L0||_F^2 is a sum of squares (relative error <= d * EPS, far smaller).
    tol = d * EPS * (cond * (1.0 + cond) + 2.0 * cond**3) + d * EPS * cond**3
    assert abs(got - ref) <= tol
    assert abs(got - ref) / ref <= tol / ref  # about 1e-14 relative here


# ---------------------------------------------------------------------------------------------
# (b) rank-deficient and very ill-conditioned inputs
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "d, r0, r1, seed",
    [(2, 1, 1, 0), (5, 1, 4, 1), (5, 4, 4, 2), (10, 10, 1, 3), (10, 9, 10, 4), (10, 1, 9, 5)],
)
def test_bures_rank_deficient(d: int, r0: int, r1: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    s0 = _int_psd(rng, d, r0)
    s1 = _int_psd(rng, d, r1)
    got = bures_distance_sq(s0, s1)
    assert isinstance(got, float) and math.isfinite(got) and got >= 0.0
    ref = bures_distance_sq_mp(s0, s1)
    # No Brenier map exists when S0 is singular, so bound the error by the three backward
    # stable O(d^3) stages (factor, product, SVD), each <= d * EPS times the scale
    # Tr S0 + Tr S1 (which bounds ||S_i|| and ||F0|| ||F1||): 3 d EPS (Tr S0 + Tr S1).
    tol = 3 * d * EPS * (np.trace(s0) + np.trace(s1))
    assert abs(got - ref) <= tol
    assert bures_distance(s0, s1) == math.sqrt(got)


def test_bures_rank_deficient_float_basis() -> None:
    # Zero eigenvalues in a random float basis: the stored matrix has round-off eigenvalues of
    # either sign, which the validation must accept as PSD.
    rng = np.random.default_rng(11)
    d = 6
    lam0 = np.r_[np.exp(rng.uniform(0.0, math.log(100.0), 2)), np.zeros(d - 2)]
    lam1 = np.r_[np.exp(rng.uniform(0.0, math.log(100.0), d - 1)), 0.0]
    s0 = spd_from_spectrum(lam0, random_orthogonal(rng, d))
    s1 = spd_from_spectrum(lam1, random_orthogonal(rng, d))
    got = bures_distance_sq(s0, s1)
    ref = bures_distance_sq_mp(s0, s1)
    assert math.isfinite(got) and got >= 0.0
    # Round-off eigenvalues e ~ EPS ||S|| of the stored matrices contribute up to
    # sqrt(e ||S||) ~ sqrt(EPS) ||S|| per direction to the exact answer, whichever way they are
    # treated: tolerance d * sqrt(d * EPS) * (Tr S0 + Tr S1).
    assert abs(got - ref) <= d * math.sqrt(d * EPS) * (np.trace(s0) + np.trace(s1))


@pytest.mark.parametrize("d, seed", [(2, 0), (5, 1), (20, 2)])
def test_bures_cond_1e10(d: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    s0 = random_spd(rng, d, cond=1e10)
    s1 = random_spd(rng, d, cond=1e10)
    got = bures_distance_sq(s0, s1)
    assert isinstance(got, float) and math.isfinite(got) and got >= 0.0
    ref = bures_distance_sq_mp(s0, s1)
    t = np.array(brenier_map_mp(s0, s1).tolist(), dtype=float)
    assert abs(got - ref) <= _perturbation_bound(s0, s1, t)


@pytest.mark.parametrize("cond", [1.0, 1e4, 1e10])
def test_bures_identical_inputs_nonnegative(cond: float) -> None:
    # W2^2(S, S) = 0: the computed value is Tr + Tr - 2 * (sum of singular values), pure
    # round-off, and must come back >= 0 and below the clamp bound 64 d EPS (2 Tr S).
    rng = np.random.default_rng(3)
    for d in (2, 30):
        s = random_spd(rng, d, cond=cond)
        got = bures_distance_sq(s, s)
        assert 0.0 <= got <= 64 * d * EPS * 2 * np.trace(s)
    s = _int_psd(rng, 8, 3)
    assert 0.0 <= bures_distance_sq(s, s) <= 64 * 8 * EPS * 2 * np.trace(s)


def test_eigh_fallback_paths_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    # Force the eigenvector-factor route that runs when Cholesky fails.
    import verify.linalg as lin

    rng = np.random.default_rng(12)
    d, cond = 5, 1e6
    s0 = random_spd(rng, d, cond=cond)
    s1 = random_spd(rng, d, cond=1e3)
    t_chol, w_chol = brenier_map(s0, s1), bures_distance_sq(s0, s1)
    monkeypatch.setattr(lin, "_cholesky_pd", lambda s: None)
    t_eig, w_eig = brenier_map(s0, s1), bures_distance_sq(s0, s1)
    assert _norm2(t_eig - t_chol) / _norm2(t_chol) <= 2 * d * EPS * cond  # both within d EPS kappa
    t = np.array(brenier_map_mp(s0, s1).tolist(), dtype=float)
    assert abs(w_eig - w_chol) <= 2 * _perturbation_bound(s0, s1, t)


def test_negative_beyond_round_off_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # A squared distance negative beyond the round-off bound signals a bug: never clamped.
    import verify.linalg as lin

    real_svd = np.linalg.svd
    monkeypatch.setattr(lin.np.linalg, "svd", lambda a, **kw: 1.01 * real_svd(a, **kw))
    s = np.diag([1.0, 2.0, 3.0])
    with pytest.raises(FloatingPointError, match="negative beyond the round-off bound"):
        bures_distance_sq(s, s)


def test_bures_zero_matrix() -> None:
    rng = np.random.default_rng(4)
    s1 = random_spd(rng, 4)
    assert bures_distance_sq(np.zeros((4, 4)), s1) == pytest.approx(np.trace(s1), rel=4 * 4 * EPS)


# ---------------------------------------------------------------------------------------------
# (c) agreement with POT at d = 500 (speed is measured by `verify bench`, not by a timed test)
# ---------------------------------------------------------------------------------------------


def test_bures_agrees_with_pot_d500() -> None:
    ot = pytest.importorskip("ot")
    rng = np.random.default_rng(0)
    d = 500
    s0, s1, ref = known_answer_pair(rng, d, cond=100.0)
    z = np.zeros(d)
    w_ours = bures_distance(s0, s1)
    w_pot = ot.gaussian.bures_wasserstein_distance(z, z, s0, s1)
    assert abs(w_ours**2 - ref) / ref <= 1e-12
    assert abs(float(w_pot) - w_ours) / w_ours <= 1e-10  # same quantity (both return W2)


# ---------------------------------------------------------------------------------------------
# Brenier map
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "d, cond, seed", [(3, 10.0, 0), (3, 1e8, 1), (5, 1e4, 2), (5, 1e8, 3)]
)
def test_brenier_map(d: int, cond: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    s0 = random_spd(rng, d, cond=cond)
    s1 = random_spd(rng, d, cond=cond)
    t = brenier_map(s0, s1)
    assert t.shape == (d, d)
    assert np.array_equal(t, t.T)
    assert np.linalg.eigvalsh(t).min() > 0.0
    # T depends on S0 through S0^{-1/2}: a relative perturbation EPS of S0 (per backward stable
    # O(d^3) stage, d * EPS in all) moves T and T S0 T - S1 by at most kappa(S0) times it.
    kappa = float(np.linalg.cond(s0))
    tol = d * EPS * kappa
    assert _norm2(t @ s0 @ t - s1) / _norm2(s1) <= tol
    t_mp = np.array(brenier_map_mp(s0, s1).tolist(), dtype=float)
    assert _norm2(t - t_mp) / _norm2(t_mp) <= tol
    # W2^2 = Tr((I - T) S0 (I - T)) with this T (otdiff, Proposition 4.3)
    r = np.eye(d) - t
    w2 = float(np.trace(r @ s0 @ r))
    assert abs(w2 - bures_distance_sq(s0, s1)) <= _perturbation_bound(s0, s1, t_mp) + tol * w2


def test_brenier_map_rank_deficient_target() -> None:
    rng = np.random.default_rng(5)
    s0 = random_spd(rng, 4, cond=10.0)
    s1 = _int_psd(rng, 4, 2)
    t = brenier_map(s0, s1)
    assert np.array_equal(t, t.T)
    assert np.linalg.eigvalsh(t).min() >= -4 * EPS * _norm2(t)
    tol = 4 * EPS * float(np.linalg.cond(s0))
    assert _norm2(t @ s0 @ t - s1) / _norm2(s1) <= tol
    t_mp = np.array(brenier_map_mp(s0, s1).tolist(), dtype=float)
    assert _norm2(t - t_mp) / _norm2(t_mp) <= tol


def test_brenier_map_known_answer() -> None:
    # Sigma1 = T S0 T with T SPD: the map must be recovered.
    rng = np.random.default_rng(6)
    s0 = random_spd(rng, 30, cond=10.0)
    t_true = random_spd(rng, 30, cond=10.0)
    s1 = t_true @ s0 @ t_true
    s1 = 0.5 * (s1 + s1.T)
    t = brenier_map(s0, s1)
    # kappa(S0) = 10 and the map itself has condition 10: d * EPS * kappa(S0) * kappa(T).
    assert _norm2(t - t_true) / _norm2(t_true) <= 30 * EPS * 10.0 * 10.0


# ---------------------------------------------------------------------------------------------
# helpers and generators
# ---------------------------------------------------------------------------------------------


def test_as_spd_accepts_lists_and_symmetrises() -> None:
    a = [[2, 1], [1 + 1e-14, 2]]
    s = as_spd("Sigma0", a)
    assert s.dtype == np.float64
    assert np.array_equal(s, s.T)
    assert s[0, 1] == pytest.approx(1.0 + 0.5e-14, rel=EPS)
    assert np.array_equal(as_spd("x", ((1.0, 0.0), (0.0, 0.0))), np.diag([1.0, 0.0]))
    as_spd("x", np.eye(3, dtype=np.int64), definite=True)


def test_sym_eigh_and_square_roots() -> None:
    rng = np.random.default_rng(8)
    s = random_spd(rng, 6, cond=1e4)
    w, v = sym_eigh("s", s)
    assert np.all(w >= 0) and np.all(np.diff(w) >= 0)
    assert _norm2((v * w) @ v.T - s) <= 6 * EPS * 1e4 * 10
    h = sqrtm_sym(s)
    assert np.array_equal(h, h.T)
    assert _norm2(h @ h - s) / _norm2(s) <= 6 * EPS * 100  # kappa(S^{1/2}) = 100
    g = inv_sqrtm_sym(s)
    assert np.array_equal(g, g.T)
    assert _norm2(g @ s @ g - np.eye(6)) <= 6 * EPS * 1e4
    # round-off negative eigenvalues are clamped to exactly 0
    q = random_orthogonal(rng, 5)
    p = spd_from_spectrum([0.0, 0.0, 1.0, 2.0, 3.0], q)
    w, _ = sym_eigh("p", p)
    assert np.all(w >= 0.0)
    assert np.all(np.isfinite(sqrtm_sym(p)))


def test_check_time() -> None:
    assert check_time("t", 0) == 0.0
    assert check_time("t", 1) == 1.0
    assert check_time("t", np.float32(0.25)) == 0.25
    assert check_time("t", np.array(0.5)) == 0.5


def test_generators() -> None:
    rng = np.random.default_rng(9)
    q = random_orthogonal(rng, 7)
    assert _norm2(q.T @ q - np.eye(7)) <= 7 * EPS * 10
    s = random_spd(rng, 8, cond=1e6)
    w = np.linalg.eigvalsh(s)
    # extremes 1 and cond are included (eigenvalues perturbed by <= d EPS ||S||)
    assert w[0] == pytest.approx(1.0, abs=8 * EPS * 1e6 * 10)
    assert w[-1] == pytest.approx(1e6, rel=8 * EPS * 10)
    assert random_spd(rng, 1, cond=5.0).shape == (1, 1)
    assert np.allclose(random_spd(rng, 3, cond=1.0), np.eye(3), rtol=0, atol=10 * EPS)
    s0, s1, ref = known_answer_pair(np.random.default_rng(10), 4, cond=3.0)
    assert s0.shape == s1.shape == (4, 4) and ref > 0
    assert np.array_equal(s1, s1.T)
    # reproducible from the seed
    a = known_answer_pair(np.random.default_rng(10), 4, cond=3.0)
    assert np.array_equal(a[0], s0) and np.array_equal(a[1], s1) and a[2] == ref


def test_bench_smoke() -> None:
    rows = run_benchmarks(dims=(4,), repeats=2, seed=1, jko=False)  # the JKO section has its own test (tests/test_jko.py)
    kinds = [r["kind"] for r in rows]
    assert kinds.count("machine") == 1 and kinds.count("timing") == 1
    assert kinds.count("robustness") == 5
    timing = next(r for r in rows if r["kind"] == "timing")
    assert timing["ours_rel_err"] <= 1e-12
    text = benchmarks_markdown(rows)
    assert text.startswith("# Benchmarks")
    assert "| 4 |" in text and "POT" in text and "numpy" in text


# ---------------------------------------------------------------------------------------------
# bad input: one table
# ---------------------------------------------------------------------------------------------

_RNG = np.random.default_rng(123)
_SPD3 = random_spd(_RNG, 3, cond=10.0)
_SPD2 = random_spd(_RNG, 2, cond=10.0)
_NONSYM = _SPD3.copy()
_NONSYM[0, 2] += 0.1
_INDEF = np.diag([1.0, 2.0, -0.5])
_RANKDEF = np.diag([1.0, 2.0, 0.0])
_NAN = _SPD3.copy()
_NAN[0, 1] = np.nan
_INF = _SPD3.copy()
_INF[2, 2] = np.inf
_STRINGS = [["a", "b"], ["c", "d"]]

BAD_INPUT = [
    # (callable, args, kwargs, exception, regex anchored at the start of the message)
    (as_spd, ("Sigma0", _NONSYM), {}, ValueError, r"^Sigma0 is not symmetric: max \|a - a\.T\|"),
    (as_spd, ("Sigma0", _INDEF), {}, ValueError, r"^Sigma0 is not positive semidefinite: smallest eigenvalue -5\.0e-01"),
    (as_spd, ("Sigma0", _RANKDEF), {"definite": True}, ValueError, r"^Sigma0 is not positive definite: smallest eigenvalue"),
    (as_spd, ("Sigma0", _NAN), {}, ValueError, r"^Sigma0 contains NaN or inf at index \(0, 1\)"),
    (as_spd, ("Sigma0", _INF), {}, ValueError, r"^Sigma0 contains NaN or inf at index \(2, 2\)"),
    (as_spd, ("Sigma0", np.ones((2, 3))), {}, ValueError, r"^Sigma0 must be a square 2-D array, got shape \(2, 3\)"),
    (as_spd, ("Sigma0", np.ones(3)), {}, ValueError, r"^Sigma0 must be a square 2-D array, got shape \(3,\)"),
    (as_spd, ("Sigma0", np.ones((2, 2, 2))), {}, ValueError, r"^Sigma0 must be a square 2-D array, got shape \(2, 2, 2\)"),
    (as_spd, ("Sigma0", np.zeros((0, 0))), {}, ValueError, r"^Sigma0 must be a non-empty"),
    (as_spd, ("Sigma0", [[1.0, 2.0], [3.0]]), {}, ValueError, r"^Sigma0 must be a rectangular numeric array"),
    (as_spd, ("Sigma0", _STRINGS), {}, TypeError, r"^Sigma0 must be a real numeric array"),
    (as_spd, ("Sigma0", np.eye(2) * 1j), {}, TypeError, r"^Sigma0 must be a real numeric array"),
    (as_spd, ("Sigma0", [[1, None], [None, 1]]), {}, TypeError, r"^Sigma0 must be a real numeric array"),
    (as_spd, ("Sigma0", np.eye(2)), {"rtol": -1.0}, ValueError, r"^rtol must be finite and non-negative"),
    (check_time, ("t", 1.5), {}, ValueError, r"^t must be a finite real number in \[0, 1\], got 1\.5"),
    (check_time, ("t", -0.1), {}, ValueError, r"^t must be .* got -0\.1"),
    (check_time, ("t", float("nan")), {}, ValueError, r"^t must be .* got nan"),
    (check_time, ("t", float("inf")), {}, ValueError, r"^t must be .* got inf"),
    (check_time, ("t", "0.5"), {}, TypeError, r"^t must be a real number"),
    (check_time, ("t", True), {}, TypeError, r"^t must be a real number"),
    (sym_eigh, ("A", _INDEF), {}, ValueError, r"^A is not positive semidefinite"),
    (sym_eigh, ("A", _RANKDEF), {"definite": True}, ValueError, r"^A is not positive definite"),
    (sqrtm_sym, (_INDEF,), {"name": "S"}, ValueError, r"^S is not positive semidefinite"),
    (sqrtm_sym, (np.ones((2, 3)),), {}, ValueError, r"^matrix must be a square 2-D array"),
    (inv_sqrtm_sym, (_RANKDEF,), {"name": "S"}, ValueError, r"^S is not positive definite: smallest eigenvalue 0\.0e\+00"),
    (bures_distance_sq, (_NONSYM, _SPD3), {}, ValueError, r"^sigma0 is not symmetric"),
    (bures_distance_sq, (_SPD3, _INDEF), {}, ValueError, r"^sigma1 is not positive semidefinite"),
    (bures_distance_sq, (_INDEF, _SPD3), {}, ValueError, r"^sigma0 is not positive semidefinite"),
    (bures_distance_sq, (_SPD3, _SPD2), {}, ValueError, r"^sigma1 has shape \(2, 2\) but sigma0 has shape \(3, 3\)"),
    (bures_distance_sq, (_SPD3, _INF), {}, ValueError, r"^sigma1 contains NaN or inf"),
    (bures_distance, (_NAN, _SPD3), {}, ValueError, r"^sigma0 contains NaN or inf at index \(0, 1\)"),
    (bures_distance, (_SPD3, _STRINGS), {}, TypeError, r"^sigma1 must be a real numeric array"),
    (bures_distance, (np.ones(3), _SPD3), {}, ValueError, r"^sigma0 must be a square 2-D array"),
    (brenier_map, (_RANKDEF, _SPD3), {}, ValueError, r"^sigma0 is not positive definite"),
    (brenier_map, (_INDEF, _SPD3), {}, ValueError, r"^sigma0 is not positive definite"),
    (brenier_map, (_SPD3, _INDEF), {}, ValueError, r"^sigma1 is not positive semidefinite"),
    (brenier_map, (_SPD2, _SPD3), {}, ValueError, r"^sigma1 has shape \(3, 3\) but sigma0 has shape \(2, 2\)"),
    (brenier_map, (_SPD3, _NONSYM), {}, ValueError, r"^sigma1 is not symmetric"),
    (bures_distance_sq_mp, (_INDEF, _SPD3), {}, ValueError, r"^sigma0 is not positive semidefinite"),
    (bures_distance_sq_mp, (_SPD3, _SPD2), {}, ValueError, r"^sigma1 has shape"),
    (bures_distance_sq_mp, (_SPD3, _SPD3), {"dps": 5}, ValueError, r"^dps must be at least 15"),
    (bures_distance_sq_mp, (_SPD3, _SPD3), {"dps": 50.5}, TypeError, r"^dps must be an integer"),
    (brenier_map_mp, (_RANKDEF, _SPD3), {}, ValueError, r"^sigma0 is not positive definite"),
    (brenier_map_mp, (_SPD3, _NAN), {}, ValueError, r"^sigma1 contains NaN or inf"),
    (spd_from_spectrum, ([1.0, -1.0], np.eye(2)), {}, ValueError, r"^eigenvalues must be non-negative"),
    (spd_from_spectrum, ([1.0, 2.0], np.eye(3)), {}, ValueError, r"^basis must have shape \(2, 2\)"),
    (spd_from_spectrum, ([[1.0, 2.0]], np.eye(2)), {}, ValueError, r"^eigenvalues must be a non-empty 1-D array"),
    (spd_from_spectrum, ([1.0, np.nan], np.eye(2)), {}, ValueError, r"^eigenvalues contains NaN or inf"),
    (spd_from_spectrum, ([1.0, 2.0], [["a", "b"], ["c", "d"]]), {}, TypeError, r"^basis must be a real numeric array"),
    (random_orthogonal, (np.random.default_rng(0), 0), {}, ValueError, r"^d must be a positive integer, got 0"),
    (random_orthogonal, (0, 3), {}, TypeError, r"^rng must be a numpy\.random\.Generator"),
    (random_spd, (np.random.default_rng(0), 0), {}, ValueError, r"^d must be a positive integer, got 0"),
    (random_spd, (np.random.default_rng(0), 2.5), {}, TypeError, r"^d must be an integer"),
    (random_spd, (np.random.default_rng(0), 3), {"cond": 0.5}, ValueError, r"^cond must be a finite real number >= 1, got 0\.5"),
    (random_spd, (np.random.default_rng(0), 3), {"cond": float("nan")}, ValueError, r"^cond must be .* got nan"),
    (random_spd, (np.random.default_rng(0), 3), {"cond": float("inf")}, ValueError, r"^cond must be .* got inf"),
    (known_answer_pair, (np.random.default_rng(0), -1), {}, ValueError, r"^d must be a positive integer, got -1"),
    (known_answer_pair, (np.random.default_rng(0), 3), {"cond": 0.9}, ValueError, r"^cond must be a finite real number >= 1"),
]


def _case_id(case: tuple) -> str:
    fn, args, kwargs, exc, pattern = case
    return f"{fn.__name__}-{exc.__name__}-{pattern[1:30]}"


@pytest.mark.parametrize("fn, args, kwargs, exc, pattern", BAD_INPUT, ids=[_case_id(c) for c in BAD_INPUT])
def test_bad_input(fn, args, kwargs, exc, pattern) -> None:
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    assert type(info.value) is exc
    assert re.search(pattern, str(info.value)), str(info.value)


def test_bad_input_table_covers_public_api() -> None:
    import verify.linalg as lin

    covered = {case[0].__name__ for case in BAD_INPUT}
    assert covered == set(lin.__all__)
    for fn, _args, _kwargs, _exc, pattern in BAD_INPUT:
        # every message starts with the name of the offending argument
        assert re.match(r"\^\w+ ", pattern), pattern
