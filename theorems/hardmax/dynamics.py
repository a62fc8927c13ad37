"""Hardmax self-attention dynamics of mlcontrol §4.1, eqs. (4.1a)–(4.1b), in exact rational and
in float64 arithmetic, with the exact geometry the checks of Theorem 4.1 need.

.. math::

    z_i(k+1) = z_i(k) + \\frac{\\alpha}{1+\\alpha}\\,\\frac{1}{|\\mathcal C_i(k)|}
    \\sum_{\\ell\\in\\mathcal C_i(k)}\\big(z_\\ell(k) - z_i(k)\\big), \\qquad
    \\mathcal C_i(k) = \\Big\\{j : \\langle z_j(k), Az_i(k)\\rangle
    = \\max_{\\ell}\\langle z_\\ell(k), Az_i(k)\\rangle\\Big\\}.

The engine is parameterised by the *score matrix* M (the printed (4.1b) has M = A) and the
*step* s (the printed (4.1a) has s = α/(1+α)), so that the same code runs the printed
dynamics and the mutants of :mod:`theorems.hardmax.formulas`.

Exact runs and their certificate
--------------------------------
:func:`run_exact` iterates (4.1) in :class:`fractions.Fraction` arithmetic (ties are exact) and
stops at the first layer k where a *settling certificate* holds:

- every member of every attention set :math:`\\mathcal C_i(k)` is stationary (the mean of its
  own attention set is itself), so each token moves towards a fixed target :math:`c_i`, and
  from then on :math:`z_i(k+m) = c_i + \\sigma u_i`, :math:`u_i = z_i(k) - c_i`,
  :math:`\\sigma = (1 - s)^m \\in (0, 1]`;
- along these straight paths every score is a polynomial of degree ≤ 2 in σ; the ties inside
  each :math:`\\mathcal C_i(k)` are identities in σ, and every competitor's score stays strictly
  below on the whole interval (0, 1] (decided exactly: :func:`positive_on_unit_interval`).

By induction on m the attention sets then never change, so :math:`Z(k) \\to (c_i)_i`
geometrically, with rate 1 − s, and the leader set is final.  The certificate is a proof,
not an extrapolation; a run that does not settle within ``max_layers`` is reported undecided.

Leaders never lose their status: if :math:`\\mathcal C_i(k) = \\{i\\}` every other token lies in
the open half-space :math:`\\{\\langle z, Az_i\\rangle < \\langle z_i, Az_i\\rangle\\}`, and a step
moves each token to a convex combination of itself (weight 1 − s > 0) and of tokens of the
closed half-space, which stays in the open one.  So the leader index sets are nondecreasing,
and the runs check it on every layer.

Faces and projections
---------------------
:func:`faces` lists the faces of the convex polytope spanned by a few points of
:math:`\\mathbb R^d`, d ≤ 2 (vertices, edges, the polygon itself); :func:`project_origin` solves
the small quadratic programme :math:`\\min_{x\\in\\operatorname{conv}V} x^\\top N x` exactly by
enumerating active sets (affinely independent supports) and checking the KKT conditions.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from numbers import Rational
from typing import Any, Sequence

import numpy as np

from verify.stats import rounding_tol

__all__ = [
    "Vec",
    "exact_number",
    "exact_tokens",
    "exact_matrix",
    "exact_alpha",
    "as_tokens",
    "as_alpha",
    "scores_exact",
    "argmax_sets",
    "positive_on_unit_interval",
    "ExactRun",
    "run_exact",
    "FloatRun",
    "run_float",
    "tie_tolerance",
    "hull_2d",
    "faces",
    "project_origin",
    "active_set_projection",
    "a_norm",
]

Vec = tuple  # a tuple of Fractions


# --- validation ---------------------------------------------------------------------------------


def exact_number(x: Any, name: str) -> Fraction:
    """``x`` as an exact :class:`~fractions.Fraction` (ints, Fractions, sympy Rationals and finite
    floats, which are dyadic rationals); ``ValueError`` naming ``name`` otherwise."""
    if isinstance(x, (bool, np.bool_)):
        raise ValueError(f"{name} must be a rational number, got the boolean {x!r}")
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    if isinstance(x, Rational):
        return Fraction(int(x.numerator), int(x.denominator))
    if hasattr(x, "is_Rational") and getattr(x, "is_Rational"):  # sympy Rational / Integer
        return Fraction(int(x.p), int(x.q))
    if isinstance(x, (float, np.floating)):
        if not math.isfinite(float(x)):
            raise ValueError(f"{name} must be finite, got {x!r}")
        return Fraction(float(x))
    raise ValueError(f"{name} must be a rational number (int, Fraction, sympy Rational or finite float), got {x!r} of type {type(x).__name__}")


def exact_tokens(Z: Any, name: str = "Z") -> tuple[Vec, ...]:
    """Tokens :math:`(z_1, \\dots, z_n) \\in (\\mathbb R^d)^n` as a tuple of exact rows.

    Raises ``ValueError`` for an empty or ragged array."""
    rows = [list(r) for r in Z]
    if not rows or not rows[0]:
        raise ValueError(f"{name} must hold at least one token of dimension ≥ 1, got {Z!r}")
    d = len(rows[0])
    for i, r in enumerate(rows):
        if len(r) != d:
            raise ValueError(f"{name} must be an (n, d) array: token {i} has {len(r)} entries, token 0 has {d}")
    return tuple(tuple(exact_number(v, f"{name}[{i}][{j}]") for j, v in enumerate(r)) for i, r in enumerate(rows))


def exact_matrix(A: Any, d: int, name: str = "A", spd: bool = True) -> tuple[Vec, ...]:
    """A (d, d) rational matrix; with ``spd`` it must be symmetric and positive definite
    (exact Sylvester test: the pivots of its LDLᵀ factorisation are positive)."""
    M = exact_tokens(A, name)
    if len(M) != d or len(M[0]) != d:
        raise ValueError(f"{name} must be a ({d}, {d}) matrix to act on tokens of dimension {d}, got shape ({len(M)}, {len(M[0])})")
    if spd:
        for i in range(d):
            for j in range(i):
                if M[i][j] != M[j][i]:
                    raise ValueError(f"{name} must be symmetric: {name}[{i}][{j}] = {M[i][j]} ≠ {name}[{j}][{i}] = {M[j][i]}")
        work = [list(r) for r in M]
        for k in range(d):
            piv = work[k][k]
            if piv <= 0:
                raise ValueError(f"{name} must be positive definite: pivot {k} of its LDLᵀ factorisation is {piv} ≤ 0")
            for i in range(k + 1, d):
                f = work[i][k] / piv
                for j in range(k, d):
                    work[i][j] -= f * work[k][j]
    return M


def exact_alpha(alpha: Any) -> Fraction:
    """The step parameter α > 0 of (4.1a), exactly."""
    a = exact_number(alpha, "alpha")
    if a <= 0:
        raise ValueError(f"alpha must be positive (mlcontrol §4.1: α > 0), got {a}")
    return a


def as_tokens(Z: Any, name: str = "Z") -> np.ndarray:
    """Tokens as a float array of shape (n, d) or (B, n, d); ``ValueError`` for NaN/inf, empty
    or wrongly shaped input."""
    z = np.asarray(Z, dtype=float)
    if z.ndim not in (2, 3) or 0 in z.shape:
        raise ValueError(f"{name} must have shape (n, d) or (B, n, d) with n, d ≥ 1, got {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError(f"{name} contains NaN or inf")
    return z


def as_alpha(alpha: Any) -> float:
    a = float(alpha)
    if not (math.isfinite(a) and a > 0):
        raise ValueError(f"alpha must be positive and finite (mlcontrol §4.1: α > 0), got {alpha!r}")
    return a


# --- exact arithmetic ------------------------------------------------------------------------------


def _dot(u: Sequence, v: Sequence):
    return sum((a * b for a, b in zip(u, v)), Fraction(0))


def _matvec(M: Sequence[Sequence], v: Sequence) -> Vec:
    return tuple(_dot(row, v) for row in M)


def _sub(u: Sequence, v: Sequence) -> Vec:
    return tuple(a - b for a, b in zip(u, v))


def _mean(points: Sequence[Sequence]) -> Vec:
    m = len(points)
    return tuple(sum(c, Fraction(0)) / m for c in zip(*points))


def a_norm(x: Sequence, N: Sequence[Sequence]):
    """:math:`\\|x\\|_N^2 = x^\\top N x` (exact for rational input)."""
    return _dot(x, _matvec(N, x))


def scores_exact(Z: Sequence[Vec], M: Sequence[Vec]) -> list[list[Fraction]]:
    """:math:`G_{i\\ell} = \\langle z_\\ell, M z_i\\rangle`, the scores of (4.1b) with M = A."""
    Mz = [_matvec(M, z) for z in Z]
    return [[_dot(zl, Mz[i]) for zl in Z] for i in range(len(Z))]


def argmax_sets(G: Sequence[Sequence]) -> tuple[frozenset, ...]:
    """:math:`\\mathcal C_i = \\{j : G_{ij} = \\max_\\ell G_{i\\ell}\\}` (exact ties)."""
    out = []
    for row in G:
        top = max(row)
        out.append(frozenset(j for j, g in enumerate(row) if g == top))
    return tuple(out)


def positive_on_unit_interval(a, b, c) -> bool:
    """Whether :math:`q(\\sigma) = a + b\\sigma + c\\sigma^2 > 0` for every σ ∈ (0, 1] (exact)."""
    if a + b + c <= 0 or a < 0:
        return False
    if a == 0 and (b < 0 or (b == 0 and c <= 0)):
        return False
    if c > 0:
        v = -b / (2 * c)
        if 0 < v < 1 and a - b * b / (4 * c) <= 0:
            return False
    return True


def _certificate(Z, C, targets, stationary, M) -> bool:
    """The settling certificate of the module docstring at the current layer."""
    n = len(Z)
    if not all(stationary[j] for Ci in C for j in Ci):
        return False
    c = targets
    u = [_sub(Z[i], c[i]) for i in range(n)]
    Mc = [_matvec(M, ci) for ci in c]
    Mu = [_matvec(M, ui) for ui in u]
    for i in range(n):
        members = sorted(C[i])
        j0 = members[0]
        a0, b0 = _dot(c[j0], Mc[i]), _dot(c[j0], Mu[i])
        for j in members[1:]:
            if _dot(c[j], Mc[i]) != a0 or _dot(c[j], Mu[i]) != b0:
                return False
        for l in range(n):
            if l in C[i]:
                continue
            a = a0 - _dot(c[l], Mc[i])
            b = b0 - _dot(u[l], Mc[i]) - _dot(c[l], Mu[i])
            q = -_dot(u[l], Mu[i])
            if not positive_on_unit_interval(a, b, q):
                return False
    return True


@dataclass
class ExactRun:
    """An exact run of (4.1) up to the layer where the settling certificate holds.

    ``positions[k]``, ``sets[k]`` (the attention sets) and ``leaders[k]`` (indices with
    :math:`\\mathcal C_i(k) = \\{i\\}`) for k = 0, …, ``certified_at``; ``limits`` are the
    certified limits :math:`z_i^*`; ``stabilised_at`` the first layer from which the leader set
    is final; ``monotone`` whether the leader sets never lost an index.
    """

    positions: list[tuple[Vec, ...]] = field(default_factory=list)
    sets: list[tuple[frozenset, ...]] = field(default_factory=list)
    leaders: list[frozenset] = field(default_factory=list)
    certified_at: int | None = None
    limits: tuple[Vec, ...] | None = None
    final_leaders: frozenset | None = None
    stabilised_at: int | None = None
    monotone: bool = True

    @property
    def settled(self) -> bool:
        return self.certified_at is not None

    def leader_points(self) -> list[Vec]:
        """The leaders of the final layer, as points (they never move)."""
        last = self.positions[-1]
        return [last[i] for i in sorted(self.final_leaders or ())]


def run_exact(Z0: Any, M: Any, step: Any, max_layers: int = 80) -> ExactRun:
    """Iterate :math:`z_i \\leftarrow z_i + s\\,(\\bar z_{\\mathcal C_i} - z_i)` exactly, with
    scores :math:`\\langle z_\\ell, M z_i\\rangle`, until the settling certificate holds.

    Parameters
    ----------
    Z0 : (n, d) rational
        Initial tokens.
    M : (d, d) rational
        Score matrix (the printed (4.1b): M = A).
    step : rational in (0, 1]
        The step s (the printed (4.1a): s = α/(1+α)).
    max_layers : int
        Give up (``settled`` False) after this many layers.
    """
    Z = exact_tokens(Z0, "Z0")
    d = len(Z[0])
    Mx = exact_matrix(M, d, "M", spd=False)
    s = exact_number(step, "step")
    if not 0 < s <= 1:
        raise ValueError(f"step must lie in (0, 1], got {s}")
    if int(max_layers) != max_layers or max_layers < 0:
        raise ValueError(f"max_layers must be a non-negative integer, got {max_layers!r}")
    run = ExactRun()
    for k in range(int(max_layers) + 1):
        C = argmax_sets(scores_exact(Z, Mx))
        L = frozenset(i for i, Ci in enumerate(C) if Ci == frozenset((i,)))
        if run.leaders and not run.leaders[-1] <= L:
            run.monotone = False
        run.positions.append(Z)
        run.sets.append(C)
        run.leaders.append(L)
        targets = tuple(_mean([Z[j] for j in sorted(Ci)]) for Ci in C)
        stationary = [targets[i] == Z[i] for i in range(len(Z))]
        if _certificate(Z, C, targets, stationary, Mx):
            run.certified_at = k
            run.limits = targets
            run.final_leaders = L
            k0 = k
            while k0 > 0 and run.leaders[k0 - 1] == L:
                k0 -= 1
            run.stabilised_at = k0
            return run
        Z = tuple(tuple(zi + s * (mi - zi) for zi, mi in zip(z, m)) for z, m in zip(Z, targets))
    return run


# --- float64 runs, vectorised over configurations and tokens ----------------------------------------


def tie_tolerance(Z: np.ndarray, M: np.ndarray, layer: int) -> np.ndarray:
    """Per-configuration tolerance below which two float scores count as tied.

    A score :math:`\\langle z_\\ell, Mz_i\\rangle` is computed with 2d rounded operations, and
    each layer moves a token by a mean of at most n tokens plus 3 operations, whose rounding
    errors add up (the update is a convex combination, so they are not amplified): after k
    layers the positions carry at most k(n + 3) roundings of size ε R, R the largest token
    norm.  Hence :func:`verify.stats.rounding_tol` with scale :math:`\\|M\\|R^2` and
    2d + 2k(n + 3) terms.
    """
    Z = np.asarray(Z, dtype=float)
    n, d = Z.shape[-2], Z.shape[-1]
    R = np.max(np.linalg.norm(Z, axis=-1), axis=-1)
    norm_m = float(np.linalg.norm(M, 2))
    scale = norm_m * R**2
    base = rounding_tol(1.0, terms=2 * d + 2 * layer * (n + 3))
    return base * np.maximum(scale, np.finfo(float).tiny)


@dataclass
class FloatRun:
    """A float64 run: ``positions`` (K+1, B, n, d), ``sets`` (K+1, B, n, n) booleans (row i is
    :math:`\\mathcal C_i`), ``leaders`` (K+1, B, n) booleans, ``targets`` (K+1, B, n, d)."""

    positions: np.ndarray
    sets: np.ndarray
    leaders: np.ndarray
    targets: np.ndarray


def run_float(Z0: Any, M: Any, step: float, layers: int) -> FloatRun:
    """Iterate (4.1) in float64 for ``layers`` layers on B configurations at once.

    Parameters
    ----------
    Z0 : (n, d) or (B, n, d)
        Initial tokens.
    M : (d, d)
        Score matrix (printed: A).
    step : float in (0, 1]
        The step s = α/(1+α) of (4.1a).
    layers : int
        Number of layers K.

    Ties are decided up to :func:`tie_tolerance` (an exact tie of rational data stays a tie;
    a float run never separates two scores closer than their rounding error).
    """
    Z = as_tokens(Z0, "Z0")
    if Z.ndim == 2:
        Z = Z[None]
    M = np.asarray(M, dtype=float)
    d = Z.shape[-1]
    if M.shape != (d, d) or not np.all(np.isfinite(M)):
        raise ValueError(f"M must be a finite ({d}, {d}) matrix, got shape {M.shape}")
    s = float(step)
    if not 0 < s <= 1:
        raise ValueError(f"step must lie in (0, 1], got {step!r}")
    if int(layers) != layers or layers < 0:
        raise ValueError(f"layers must be a non-negative integer, got {layers!r}")
    K = int(layers)
    B, n, _ = Z.shape
    pos = np.empty((K + 1, B, n, d))
    sets = np.empty((K + 1, B, n, n), dtype=bool)
    targ = np.empty((K + 1, B, n, d))
    for k in range(K + 1):
        pos[k] = Z
        G = np.einsum("bld,de,bie->bil", Z, M, Z)  # G[b, i, l] = <z_l, M z_i>
        tol = tie_tolerance(Z, M, k)[:, None, None]
        C = G >= G.max(axis=2, keepdims=True) - tol
        sets[k] = C
        m = (C[..., None] * Z[:, None, :, :]).sum(axis=2) / C.sum(axis=2)[..., None]
        targ[k] = m
        Z = Z + s * (m - Z)
    eye = np.eye(n, dtype=bool)
    leaders = np.all(sets == eye, axis=3)
    return FloatRun(pos, sets, leaders, targ)


# --- faces and exact projections -----------------------------------------------------------------


def _cross(o, a, b):
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def hull_2d(points: Sequence[Vec]) -> list[Vec]:
    """Vertices of the convex hull of rational points of the plane, counter-clockwise
    (Andrew's monotone chain, exact; collinear points are not vertices)."""
    pts = sorted(set(tuple(p) for p in points))
    if len(pts) <= 2:
        return pts
    lower: list = []
    for p in pts:
        while len(lower) >= 2 and _cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list = []
    for p in reversed(pts):
        while len(upper) >= 2 and _cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def faces(points: Sequence[Sequence]) -> list[list[Vec]]:
    """The non-empty faces of the polytope :math:`\\operatorname{conv}(\\text{points})` of
    :math:`\\mathbb R^d`, d ≤ 2, each as its list of vertices: the vertices, the edges and
    the polytope itself.

    Raises ``ValueError`` for d > 2 (the checks use d ≤ 2) or no points."""
    P = [tuple(exact_number(v, "points") for v in p) for p in points]
    if not P:
        raise ValueError("points must hold at least one point (the polytope of no leaders is empty)")
    d = len(P[0])
    if d == 1:
        lo, hi = min(P), max(P)
        return [[lo]] if lo == hi else [[lo], [hi], [lo, hi]]
    if d != 2:
        raise ValueError(f"faces are implemented for d ≤ 2, got d = {d}")
    H = hull_2d(P)
    out: list[list[Vec]] = [[v] for v in H]
    if len(H) == 2:
        out.append(list(H))
    elif len(H) >= 3:
        out += [[H[k], H[(k + 1) % len(H)]] for k in range(len(H))]
        out.append(list(H))
    return out


def _solve(Mat: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction] | None:
    """Exact Gaussian elimination; ``None`` when singular."""
    m = len(rhs)
    a = [list(r) + [rhs[i]] for i, r in enumerate(Mat)]
    for col in range(m):
        piv = next((r for r in range(col, m) if a[r][col] != 0), None)
        if piv is None:
            return None
        a[col], a[piv] = a[piv], a[col]
        for r in range(m):
            if r != col and a[r][col] != 0:
                f = a[r][col] / a[col][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col])]
    return [a[i][m] / a[i][i] for i in range(m)]


def project_origin(V: Sequence[Sequence], N: Sequence[Sequence]) -> Vec:
    """The N-norm projection of the origin onto :math:`\\operatorname{conv}(V)`,
    :math:`\\arg\\min_{x \\in \\operatorname{conv} V} x^\\top N x`, exactly.

    One point: itself.  A segment [u, v]: :math:`t^* = -\\langle u, Ne\\rangle/\\|e\\|_N^2`,
    e = v − u, clamped to [0, 1].  A polygon of the plane: the origin if it lies inside,
    otherwise the best of its edges (the minimiser of a strictly convex function over a polygon
    that does not contain its unconstrained minimiser lies on the boundary).  Otherwise
    active-set enumeration: for each affinely independent support S ⊂ V (smallest first), the
    minimiser over the affine hull of S solves :math:`D^\\top N D\\mu = -D^\\top N v_0`
    (:math:`D = [v_j - v_0]`); it is the answer when its barycentric coordinates are ≥ 0 and the
    KKT condition :math:`\\langle Nx, v - x\\rangle \\ge 0` holds for every v ∈ V (N positive
    definite: the minimiser is unique).
    """
    P = [tuple(exact_number(v, "V") for v in p) for p in V]
    if not P:
        raise ValueError("V must hold at least one point")
    d = len(P[0])
    Nx = exact_matrix(N, d, "N")
    P = sorted(set(P))
    if len(P) == 1:
        return P[0]
    if len(P) == 2:
        # the segment: t* = −⟨u, N e⟩/‖e‖²_N clamped to [0, 1] (the KKT solution of the QP)
        u, e = P[0], _sub(P[1], P[0])
        t = min(max(-_dot(u, _matvec(Nx, e)) / _dot(e, _matvec(Nx, e)), Fraction(0)), Fraction(1))
        return tuple(ui + t * ei for ui, ei in zip(u, e))
    if d == 2:
        H = hull_2d(P)
        if len(H) >= 3:
            origin = (Fraction(0), Fraction(0))
            if all(_cross(H[k], H[(k + 1) % len(H)], origin) >= 0 for k in range(len(H))):
                return origin  # 0 ∈ conv V: the unconstrained minimiser
            # otherwise the minimiser lies on the boundary, the union of the edges
            best = [project_origin([H[k], H[(k + 1) % len(H)]], Nx) for k in range(len(H))]
            return min(best, key=lambda x: a_norm(x, Nx))
        P = sorted(H)
        if len(P) == 2:
            return project_origin(P, Nx)
    return active_set_projection(P, Nx)


def active_set_projection(V: Sequence[Sequence], N: Sequence[Sequence]) -> Vec:
    """:func:`project_origin` by active-set enumeration alone (any d; slower): the reference
    the fast paths are tested against."""
    P = sorted(set(tuple(exact_number(v, "V") for v in p) for p in V))
    d = len(P[0])
    Nx = exact_matrix(N, d, "N")
    for size in range(1, min(len(P), d + 1) + 1):
        for S in itertools.combinations(P, size):
            v0 = S[0]
            D = [_sub(v, v0) for v in S[1:]]
            if D:
                ND = [_matvec(Nx, col) for col in D]
                gram = [[_dot(D[a], ND[b]) for b in range(len(D))] for a in range(len(D))]
                mu = _solve(gram, [-_dot(ND[a], v0) for a in range(len(D))])
                if mu is None:
                    continue
                if any(m < 0 for m in mu) or sum(mu) > 1:
                    continue
                x = tuple(v0[c] + sum((mu[a] * D[a][c] for a in range(len(D))), Fraction(0)) for c in range(d))
            else:
                x = v0
            grad = _matvec(Nx, x)
            if all(_dot(grad, _sub(v, x)) >= 0 for v in P):
                return x
    raise AssertionError("no active set satisfied the KKT conditions (N not positive definite?)")  # pragma: no cover
