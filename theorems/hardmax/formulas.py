"""The printed formulas of mlcontrol §4.1 (hardmax self-attention and its clustering theorem)
and §4.2 (softmax attention (4.2) and its hardmax limit (4.3)), with their mutants.

Notation of the paper: tokens :math:`Z = (z_1, \\dots, z_n) \\in (\\mathbb R^d)^n`, a symmetric
positive definite :math:`A \\in \\mathbb R^{d\\times d}`, a step parameter α > 0, and

.. math::

    \\mathcal C_i(Z) = \\Big\\{j \\in [n] : \\langle z_j, Az_i\\rangle
    = \\max_{\\ell\\in[n]}\\langle z_\\ell, Az_i\\rangle\\Big\\} \\qquad (4.1b).

Each printed class evaluates what the paper prints; a mutant is a subclass overriding one
method with one deliberate slip.  Methods accept exact rationals (tuples of
:class:`fractions.Fraction`, ints), float arrays and, where the checks need it, sympy
expressions; the exact and float engines are in :mod:`theorems.hardmax.dynamics`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Sequence

import numpy as np
import sympy as sp

from theorems.hardmax.dynamics import (
    Vec,
    argmax_sets,
    as_tokens,
    exact_matrix,
    exact_tokens,
    faces,
    project_origin,
    scores_exact,
)

__all__ = [
    "Thm41",
    "Thm41WithoutA",
    "Thm41EuclideanProjection",
    "Thm41LeadersOnly",
    "Thm41NoNewLeaders",
    "Eq43",
    "Eq43UniformLimit",
    "Eq43FirstArgmax",
    "Eq43WithoutA",
    "HalfSpace",
    "HalfSpaceEuclidean",
    "HalfSpaceOpen",
    "identity_like",
    "is_exact",
    "float_scores",
]


def identity_like(A: Any) -> Any:
    """The identity of the shape of A, in A's arithmetic (ints for exact input)."""
    if isinstance(A, np.ndarray) and A.dtype.kind == "f":
        return np.eye(A.shape[0])
    d = len(A)
    return [[1 if i == j else 0 for j in range(d)] for i in range(d)]


def is_exact(Z: Any) -> bool:
    """Whether tokens are given exactly (ints, Fractions, sympy Rationals) rather than as floats."""
    if isinstance(Z, np.ndarray):
        return Z.dtype.kind in "iuO" and not any(isinstance(v, float) for v in Z.ravel())
    try:
        return all(not isinstance(v, (float, np.floating)) for row in Z for v in row)
    except TypeError as exc:
        raise ValueError(f"Z must be an (n, d) array of tokens, got {Z!r}") from exc


def float_scores(Z: np.ndarray, A: np.ndarray) -> np.ndarray:
    """:math:`G_{i\\ell} = \\langle z_\\ell, Az_i\\rangle` for tokens (…, n, d), vectorised.

    Raises ``ValueError`` for NaN/inf tokens or an A that is not a finite (d, d) matrix."""
    Z = as_tokens(Z, "Z")
    A = np.asarray(A, dtype=float)
    d = Z.shape[-1]
    if A.shape != (d, d) or not np.all(np.isfinite(A)):
        raise ValueError(f"A must be a finite ({d}, {d}) matrix for tokens of dimension {d}, got shape {A.shape}")
    return np.einsum("...ld,de,...ie->...il", Z, A, Z)


# --- Theorem 4.1 ----------------------------------------------------------------------------------


class Thm41:
    """mlcontrol Theorem 4.1 (asymptotic clustering) for the hardmax dynamics (4.1).

    .. math::

        z_i(k+1) = z_i(k) + \\frac{\\alpha}{1+\\alpha}\\frac{1}{|\\mathcal C_i(k)|}
        \\sum_{\\ell\\in\\mathcal C_i(k)}\\big(z_\\ell(k) - z_i(k)\\big) \\quad (4.1a),

    with :math:`\\mathcal C_i(k)` from (4.1b).  The theorem: Z(k) converges to :math:`Z^*`
    whose tokens are leaders or A-norm projections of the origin onto faces of
    :math:`\\mathcal K = \\operatorname{conv}(\\text{leaders})`, and the leader set
    :math:`\\mathcal L(k) = \\{z_i(k) : \\mathcal C_i(k) = \\{i\\}\\}` is constant from some
    :math:`k_0` on.
    """

    def attention_form(self, A: Any) -> Any:
        """The matrix M of the scores :math:`\\langle z_\\ell, M z_i\\rangle` in (4.1b): M = A."""
        return A

    def step_size(self, alpha: Any) -> Any:
        """The step of (4.1a), :math:`\\alpha/(1+\\alpha)`."""
        return alpha / (1 + alpha)

    def limit_candidates(self, leaders: Sequence[Sequence], A: Any) -> list[Vec]:
        """The points the theorem allows as limits: the projections, in the norm
        :math:`\\|x\\|_A = \\sqrt{x^\\top Ax}`, of the origin onto the faces of the polytope
        with the leaders as vertices (a vertex is its own projection, so the leaders are
        included)."""
        V = exact_tokens(leaders, "leaders")
        Ax = exact_matrix(A, len(V[0]), "A")
        out: list[Vec] = []
        for F in faces(V):
            p = project_origin(F, Ax)
            if p not in out:
                out.append(p)
        return out

    def leaders_final_from(self) -> int | None:
        """A layer by which the leader set is final, as printed: ``None`` — "there exists
        :math:`k_0`", with no bound."""
        return None


class Thm41WithoutA(Thm41):
    """Mutant of (4.1b): attention by :math:`\\langle z_j, z_i\\rangle`, A dropped."""

    def attention_form(self, A):
        return identity_like(A)


class Thm41EuclideanProjection(Thm41):
    """Mutant of the theorem: limits are *Euclidean* projections of the origin onto faces."""

    def limit_candidates(self, leaders, A):
        return super().limit_candidates(leaders, identity_like(A))


class Thm41LeadersOnly(Thm41):
    """Mutant of the theorem: every token converges to a leader (faces dropped)."""

    def limit_candidates(self, leaders, A):
        out: list[Vec] = []
        for p in exact_tokens(leaders, "leaders"):
            if p not in out:
                out.append(p)
        return out


class Thm41NoNewLeaders(Thm41):
    """Mutant of the theorem: no leader emerges, :math:`\\mathcal L(k) = \\mathcal L(0)` for all k."""

    def leaders_final_from(self):
        return 0


# --- (4.2) → (4.3) --------------------------------------------------------------------------------


def _exact_rows(Z: Any, A: Any) -> list[list[Fraction]]:
    Zx = exact_tokens(Z, "Z")
    return scores_exact(Zx, exact_matrix(A, len(Zx[0]), "A"))


class Eq43:
    """mlcontrol §4.2: softmax self-attention (4.2) and its hardmax limit (4.3) as τ → 0.

    .. math::

        \\pi^\\tau_{i\\ell}(Z) = \\frac{\\exp\\big(\\frac1\\tau\\langle Az_i, z_\\ell\\rangle\\big)}
        {\\sum_{k=1}^n\\exp\\big(\\frac1\\tau\\langle Az_i, z_k\\rangle\\big)} \\quad (4.2), \\qquad
        \\pi^0_{i\\ell}(Z) = \\begin{cases}\\frac{1}{|\\mathcal C_i(Z)|} & \\ell\\in\\mathcal C_i(Z)\\\\
        0 & \\text{otherwise}\\end{cases} \\quad (4.3).
    """

    def softmax(self, Z: Any, A: Any, tau: Any) -> Any:
        """(4.2).  With a sympy ``tau`` (a symbol) and exact tokens: a list of rows of sympy
        expressions; otherwise a float array (…, n, n), computed with the row maximum
        subtracted (no overflow)."""
        if isinstance(tau, sp.Basic) and not tau.is_Number:
            out = []
            for row in _exact_rows(Z, A):
                ex = [sp.exp(sp.Rational(g.numerator, g.denominator) / tau) for g in row]
                den = sp.Add(*ex)
                out.append([e / den for e in ex])
            return out
        t = float(tau)
        if not (np.isfinite(t) and t > 0):
            raise ValueError(f"tau must be positive and finite (mlcontrol (4.2): τ > 0), got {tau!r}")
        Zf = np.asarray(Z, dtype=float)
        G = float_scores(Zf, np.asarray(A, dtype=float)) / t
        E = np.exp(G - G.max(axis=-1, keepdims=True))
        return E / E.sum(axis=-1, keepdims=True)

    def hardmax(self, Z: Any, A: Any, tol: float = 0.0) -> Any:
        """(4.3).  Exact tokens: rows of Fractions (exact ties).  Float tokens: an array
        (…, n, n); scores within ``tol`` of the row maximum count as tied."""
        if is_exact(Z):
            rows = _exact_rows(Z, A)
            n = len(rows)
            return [[Fraction(1, len(C)) if l in C else Fraction(0) for l in range(n)] for C in argmax_sets(rows)]
        if not (np.isfinite(tol) and tol >= 0):
            raise ValueError(f"tol must be finite and non-negative, got {tol!r}")
        G = float_scores(np.asarray(Z, dtype=float), np.asarray(A, dtype=float))
        C = G >= G.max(axis=-1, keepdims=True) - tol
        return C / C.sum(axis=-1, keepdims=True)


class Eq43UniformLimit(Eq43):
    """Mutant of (4.3): the limit is the uniform average, :math:`\\pi^0_{i\\ell} = 1/n`."""

    def hardmax(self, Z, A, tol=0.0):
        P = super().hardmax(Z, A, tol)
        if isinstance(P, np.ndarray):
            return np.full_like(P, 1.0 / P.shape[-1])
        n = len(P)
        return [[Fraction(1, n)] * n for _ in range(n)]


class Eq43FirstArgmax(Eq43):
    """Mutant of (4.3): ties broken to the first maximiser (weight 1 on the smallest index of
    :math:`\\mathcal C_i`), the usual ``argmax``."""

    def hardmax(self, Z, A, tol=0.0):
        P = super().hardmax(Z, A, tol)
        if isinstance(P, np.ndarray):
            first = np.argmax(P > 0, axis=-1)
            return (np.arange(P.shape[-1]) == first[..., None]).astype(float)
        out = []
        for row in P:
            j = next(l for l, p in enumerate(row) if p > 0)
            out.append([Fraction(int(l == j)) for l in range(len(row))])
        return out


class Eq43WithoutA(Eq43):
    """Mutant of (4.3): :math:`\\mathcal C_i` by :math:`\\langle z_i, z_\\ell\\rangle` (A dropped)."""

    def hardmax(self, Z, A, tol=0.0):
        return super().hardmax(Z, identity_like(A if is_exact(A) else np.asarray(A, dtype=float)), tol)


# --- Figure 4.1: the half-space ---------------------------------------------------------------------


class HalfSpace:
    """mlcontrol Figure 4.1 (caption): tokens attracting :math:`z_1` lie in the closed half-space

    .. math:: \\mathcal H_1 = \\{z : \\langle Az_1, z - z_1\\rangle \\ge 0\\}.

    :meth:`halfspace` returns ``(normal, offset, closed)`` for
    :math:`\\{z : \\langle \\text{normal}, z\\rangle \\ge \\text{offset}\\}` (``closed``) or
    ``>`` (open); it works on sympy matrices, exact tuples (Fractions or elements of a sympy
    polynomial ring) and float arrays (…, d).
    """

    def halfspace(self, z1: Any, A: Any) -> tuple[Any, Any, bool]:
        normal = _apply(A, z1)
        return normal, _inner(normal, z1), True


class HalfSpaceEuclidean(HalfSpace):
    """Mutant: the Euclidean half-space :math:`\\{\\langle z_1, z - z_1\\rangle \\ge 0\\}` (A dropped)."""

    def halfspace(self, z1, A):
        return z1, _inner(z1, z1), True


class HalfSpaceOpen(HalfSpace):
    """Mutant: the open half-space :math:`\\{\\langle Az_1, z - z_1\\rangle > 0\\}`."""

    def halfspace(self, z1, A):
        normal, offset, _ = super().halfspace(z1, A)
        return normal, offset, False


def _apply(A: Any, z: Any) -> Any:
    if isinstance(z, sp.MatrixBase):
        return sp.Matrix(A) * z
    if isinstance(z, np.ndarray) and z.dtype.kind == "f":
        return np.einsum("de,...e->...d", np.asarray(A, dtype=float), z)
    return tuple(sum(a * b for a, b in zip(row, z)) for row in A)


def _inner(u: Any, v: Any) -> Any:
    if isinstance(u, sp.MatrixBase):
        return (u.T * v)[0]
    if isinstance(u, np.ndarray) and u.dtype.kind == "f":
        return np.sum(u * v, axis=-1)
    return sum(a * b for a, b in zip(u, v))
