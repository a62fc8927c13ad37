"""hypothesis strategies for the suite's parameters, and the hypothesis profiles.

Parameters are *generated* to satisfy a claim's hypotheses, never drawn and filtered: an SPD
matrix is :math:`Q\\,\\mathrm{diag}(10^{u_i})\\,Q^\\top` with exponents :math:`u_i` drawn in
:math:`[0, \\log_{10}\\kappa]` (so the condition number is at most :math:`\\kappa`) and
:math:`Q` a product of Givens rotations whose angles are drawn.  Every draw shrinks towards
the simplest case (identity eigenvalues, zero angles), so a failure shrinks to a minimal,
readable counterexample.

Profiles: ``ci`` (derandomised, 20 examples, no deadline), ``dev`` (100 examples),
``thorough`` (1000 examples).  ``tests/conftest.py`` loads ``$HYPOTHESIS_PROFILE`` (default
``ci``).
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

__all__ = [
    "register_profiles",
    "dims",
    "givens",
    "orthogonal_matrices",
    "spectra",
    "spd_matrices",
    "spd_pairs",
    "times",
    "general_matrices",
]


def register_profiles() -> None:
    """Register the ``ci``, ``dev`` and ``thorough`` profiles (idempotent)."""
    common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("ci", derandomize=True, max_examples=20, database=None, print_blob=True, **common)
    settings.register_profile("dev", max_examples=100, **common)
    settings.register_profile("thorough", max_examples=1000, **common)


def dims(max_dim: int = 3) -> st.SearchStrategy[int]:
    """Dimensions 1..max_dim, shrinking to 1."""
    return st.integers(min_value=1, max_value=max_dim)


def givens(angles: list[float], d: int) -> np.ndarray:
    """Product of Givens rotations in the planes (i, j), i < j, with the given angles."""
    q = np.eye(d)
    k = 0
    for i in range(d):
        for j in range(i + 1, d):
            c, s = math.cos(angles[k]), math.sin(angles[k])
            g = np.eye(d)
            g[i, i] = g[j, j] = c
            g[i, j], g[j, i] = -s, s
            q = q @ g
            k += 1
    return q


def _angles(d: int, low: float = -math.pi, high: float = math.pi) -> st.SearchStrategy[list[float]]:
    m = d * (d - 1) // 2
    return st.lists(st.floats(low, high, allow_nan=False), min_size=m, max_size=m)


def orthogonal_matrices(d: int, reflections: bool = True) -> st.SearchStrategy[np.ndarray]:
    """Orthogonal ``(d, d)`` matrices: rotations (Givens angles), times a reflection of the
    first axis when one is drawn (``reflections=True``); shrinks to the identity."""
    flips = st.booleans() if reflections else st.just(False)

    def build(angles: list[float], flip: bool) -> np.ndarray:
        q = givens(angles, d)
        if flip:
            q[:, 0] = -q[:, 0]
        return q

    return st.builds(build, _angles(d), flips)


def spectra(d: int, max_cond: float = 100.0) -> st.SearchStrategy[np.ndarray]:
    """Eigenvalues :math:`10^{u_i}`, :math:`u_i \\in [0, \\log_{10}\\kappa]`, sorted decreasing."""
    if not (max_cond >= 1 and math.isfinite(max_cond)):
        raise ValueError(f"max_cond must be finite and >= 1, got {max_cond}")
    top = math.log10(max_cond)
    return st.lists(st.floats(0.0, top, allow_nan=False), min_size=d, max_size=d).map(
        lambda u: np.sort(10.0 ** np.asarray(u))[::-1].copy()
    )


def _spd(lam: np.ndarray, q: np.ndarray) -> np.ndarray:
    s = (q * lam) @ q.T
    return (s + s.T) / 2


def spd_matrices(d: int, max_cond: float = 100.0) -> st.SearchStrategy[np.ndarray]:
    """Symmetric positive definite ``(d, d)`` matrices with condition number <= ``max_cond``."""
    return st.builds(_spd, spectra(d, max_cond), orthogonal_matrices(d, reflections=False))


@st.composite
def spd_pairs(draw, d: int | None = None, max_cond: float = 100.0, commuting: bool | None = None):
    """Pairs ``(Sigma0, Sigma1)`` of SPD matrices.

    ``commuting=True``: a shared eigenbasis.  ``commuting=False`` (needs d >= 2): distinct
    eigenvalues for both matrices (ratio >= 1.5 between neighbours) and the second basis
    rotated from the first by an angle in [0.2, pi/2 - 0.2] in the plane of the first two
    eigenvectors, so the commutator is nonzero by construction.  ``None``: either.
    """
    dim = draw(dims()) if d is None else d
    if commuting is None:
        commuting = draw(st.booleans()) if dim >= 2 else True
    if commuting is False and dim < 2:
        raise ValueError(f"non-commuting pairs need d >= 2, got d = {dim}")
    q0 = draw(orthogonal_matrices(dim, reflections=False))
    if commuting:
        return _spd(draw(spectra(dim, max_cond)), q0), _spd(draw(spectra(dim, max_cond)), q0)
    top = math.log10(max_cond)
    gap = math.log10(1.5)
    if top < gap * (dim - 1):
        raise ValueError(f"max_cond = {max_cond} is too small for {dim} separated eigenvalues")

    def separated():
        # Distinct eigenvalues by construction: cumulative gaps of at least log10(1.5).
        extra = top - gap * (dim - 1)
        return st.lists(st.floats(0.0, extra / max(dim, 1), allow_nan=False), min_size=dim, max_size=dim).map(
            lambda u: 10.0 ** (np.cumsum(u) + gap * np.arange(dim))[::-1]
        )

    lam0, lam1 = draw(separated()), draw(separated())
    theta = draw(st.floats(0.2, math.pi / 2 - 0.2, allow_nan=False))
    rot = np.eye(dim)
    rot[0, 0] = rot[1, 1] = math.cos(theta)
    rot[0, 1], rot[1, 0] = -math.sin(theta), math.sin(theta)
    return _spd(lam0, q0), _spd(lam1, q0 @ rot)


def times(open_interval: bool = True) -> st.SearchStrategy[float]:
    """Times in (0, 1) (or [0, 1] with ``open_interval=False``)."""
    return st.floats(0.0, 1.0, exclude_min=open_interval, exclude_max=open_interval, allow_nan=False)


def general_matrices(rows: int, cols: int | None = None, bound: float = 2.0) -> st.SearchStrategy[np.ndarray]:
    """Matrices of shape ``(rows, cols)`` (square when ``cols`` is None) with entries on the
    grid (1/16)Z in [−bound, bound] — neither symmetric nor normal in general; they shrink to
    zero entries, and a grid keeps minimal counterexamples readable (no subnormal floats)."""
    c = rows if cols is None else cols
    if rows < 1 or c < 1:
        raise ValueError(f"shape must be positive, got ({rows}, {c})")
    if not (math.isfinite(bound) and bound > 0):
        raise ValueError(f"bound must be positive and finite, got {bound!r}")
    top = int(math.floor(16 * bound))
    return st.lists(st.integers(-top, top), min_size=rows * c, max_size=rows * c).map(
        lambda v: np.asarray(v, dtype=float).reshape(rows, c) / 16.0
    )
