"""Arithmetics in which a printed matrix formula is evaluated.

A claim writes its printed formula once, against the small interface below (``sqrtm``,
``inv``, ``mm``, ``T``, ``trace``, ``eye``, ``zeros``), and the checks evaluate it in float64
(:class:`NumpyAlgebra`), at arbitrary precision (:class:`MpmathAlgebra`) or exactly
(:class:`SympyAlgebra`).  Sums, differences and scalar multiples use the operators of the
underlying matrix type.
"""

from __future__ import annotations

from typing import Any, Iterable

import mpmath
import numpy as np
import sympy as sp

__all__ = ["NumpyAlgebra", "MpmathAlgebra", "SympyAlgebra", "NoKnownRoot", "is_symbolic", "inv_any", "eye_like", "zeros_like_kind", "block_any"]


class NumpyAlgebra:
    """float64 arithmetic; square roots by ``numpy.linalg.eigh`` with validation."""

    name = "float64"

    def sqrtm(self, a: np.ndarray) -> np.ndarray:
        from verify.linalg import sqrtm_sym

        return sqrtm_sym(a)

    def inv(self, a: np.ndarray) -> np.ndarray:
        a = np.asarray(a, dtype=float)
        if not np.all(np.isfinite(a)):
            raise ValueError("matrix to invert contains NaN or inf")
        return np.linalg.inv(a)

    def mm(self, *mats: np.ndarray) -> np.ndarray:
        out = mats[0]
        for m in mats[1:]:
            out = out @ m
        return out

    def T(self, a: np.ndarray) -> np.ndarray:
        return np.asarray(a).T

    def trace(self, a: np.ndarray) -> float:
        return float(np.trace(a))

    def eye(self, d: int) -> np.ndarray:
        return np.eye(d)

    def dim(self, a: np.ndarray) -> int:
        return int(np.asarray(a).shape[0])


class MpmathAlgebra:
    """Arbitrary-precision arithmetic (``dps`` digits); square roots by ``mpmath.eigsy``.

    Use inside ``mpmath.workdps(dps)``; the constructor does not change global precision.
    """

    name = "mpmath"

    def __init__(self, dps: int = 50) -> None:
        if int(dps) != dps or dps < 15:
            raise ValueError(f"dps must be an integer >= 15, got {dps!r}")
        self.dps = int(dps)

    def convert(self, a: Any) -> mpmath.matrix:
        return mpmath.matrix(np.asarray(a, dtype=float).tolist()) if isinstance(a, np.ndarray) else mpmath.matrix(a)

    def sqrtm(self, a: mpmath.matrix) -> mpmath.matrix:
        with mpmath.workdps(self.dps):
            a = (a + a.T) / 2
            lam, q = mpmath.eigsy(a)
            d = a.rows
            scale = max(abs(x) for x in lam)
            tol = d * mpmath.mpf(10) ** (-self.dps + 5) * scale
            for x in lam:
                if x < -tol:
                    raise ValueError(f"matrix is not positive semidefinite: eigenvalue {mpmath.nstr(x, 5)}")
            root = mpmath.diag([mpmath.sqrt(max(x, 0)) for x in lam])
            r = q * root * q.T
            return (r + r.T) / 2

    def inv(self, a: mpmath.matrix) -> mpmath.matrix:
        with mpmath.workdps(self.dps):
            return a**-1

    def mm(self, *mats: mpmath.matrix) -> mpmath.matrix:
        with mpmath.workdps(self.dps):
            out = mats[0]
            for m in mats[1:]:
                out = out * m
            return out

    def T(self, a: mpmath.matrix) -> mpmath.matrix:
        return a.T

    def trace(self, a: mpmath.matrix) -> mpmath.mpf:
        with mpmath.workdps(self.dps):
            return mpmath.fsum(a[i, i] for i in range(a.rows))

    def eye(self, d: int) -> mpmath.matrix:
        return mpmath.eye(d)

    def dim(self, a: mpmath.matrix) -> int:
        return int(a.rows)


def _normal(m: sp.Matrix) -> sp.Matrix:
    return m.applyfunc(lambda e: sp.cancel(e) if e.free_symbols else e)


class NoKnownRoot(LookupError):
    """The exact arithmetic could not find a square root it can justify."""


class SympyAlgebra:
    """Exact arithmetic with sympy matrices.

    Exact matrix square roots exist in closed form only in special cases, so ``sqrtm`` uses,
    in order: (1) a *registered* symmetric candidate ``C`` with :math:`C^2 = M` verified by
    simplification — a derivation registers a candidate only after arguing that ``C`` is
    positive (semi)definite (and spot-checking it at admissible points), so that by
    uniqueness of the positive square root :math:`C = M^{1/2}`; (2) diagonal matrices, rooted
    entrywise (entries must be known non-negative); (3) explicit symmetric 2x2 numeric
    matrices with non-negative determinant and positive trace, by Cayley–Hamilton:
    :math:`M^{1/2} = (M + \\sqrt{\\det M}\\,I)/\\sqrt{\\operatorname{tr} M + 2\\sqrt{\\det M}}`.
    Otherwise it raises :class:`NoKnownRoot`, and the check reports that it could not decide.
    """

    name = "sympy"

    def __init__(self, roots: Iterable[sp.Matrix] = ()) -> None:
        self.roots: list[sp.Matrix] = [sp.Matrix(r) for r in roots]

    def register_root(self, root: sp.Matrix) -> None:
        self.roots.append(sp.Matrix(root))

    def sqrtm(self, a: sp.Matrix) -> sp.Matrix:
        from verify.symbolic import is_zero_matrix

        a = sp.Matrix(a)
        if not is_zero_matrix(a - a.T):
            raise NoKnownRoot(f"matrix is not symmetric: {a.tolist()}")
        for c in self.roots:
            if c.shape == a.shape and is_zero_matrix(c - c.T) and is_zero_matrix(c * c - a):
                return c
        if a.is_diagonal():
            if all(a[i, i].is_nonnegative for i in range(a.rows)):
                return sp.diag(*[sp.sqrt(a[i, i]) for i in range(a.rows)])
            raise NoKnownRoot(f"diagonal entries not known to be non-negative: {a.tolist()}")
        if a.shape == (2, 2) and not a.free_symbols:
            det, tr = a.det(), a.trace()
            if not (det >= 0 and tr > 0):
                raise NoKnownRoot(f"matrix is not positive semidefinite: {a.tolist()}")
            s = sp.sqrt(det)
            return sp.simplify((a + s * sp.eye(2)) / sp.sqrt(tr + 2 * s))
        raise NoKnownRoot(f"no justified exact square root known for {a.tolist()}")

    # Entries are kept in rational normal form (``cancel``) after every product and inverse:
    # expression swell otherwise makes generic 2x2 identities take minutes to decide.
    def inv(self, a: sp.Matrix) -> sp.Matrix:
        return _normal(sp.Matrix(a).inv())

    def mm(self, *mats: sp.Matrix) -> sp.Matrix:
        out = sp.Matrix(mats[0])
        for m in mats[1:]:
            out = _normal(out * m)
        return out

    def T(self, a: sp.Matrix) -> sp.Matrix:
        return sp.Matrix(a).T

    def trace(self, a: sp.Matrix) -> sp.Expr:
        return sp.Matrix(a).trace()

    def eye(self, d: int) -> sp.Matrix:
        return sp.eye(d)

    def dim(self, a: sp.Matrix) -> int:
        return int(sp.Matrix(a).rows)


# --- type-dispatching helpers -------------------------------------------------------------
# Formulas that need only products, transposes and inverses are written once with ``@`` and
# ``.T`` and these helpers, and then accept numpy arrays and sympy matrices alike.


def is_symbolic(a: Any) -> bool:
    """True for a sympy matrix."""
    return isinstance(a, sp.MatrixBase)


def inv_any(a: Any) -> Any:
    """Inverse of a numpy array or a sympy matrix."""
    return a.inv() if is_symbolic(a) else np.linalg.inv(a)


def eye_like(a: Any) -> Any:
    """The identity of the size of the square matrix ``a``, of the same kind."""
    return sp.eye(a.rows) if is_symbolic(a) else np.eye(np.shape(a)[0])


def zeros_like_kind(rows: int, cols: int, like: Any) -> Any:
    """A zero matrix of shape (rows, cols), sympy if ``like`` is sympy."""
    return sp.zeros(rows, cols) if is_symbolic(like) else np.zeros((rows, cols))


def block_any(a: Any, b: Any, c: Any, d: Any) -> Any:
    """The 2 × 2 block matrix [[a, b], [c, d]]; ``ValueError`` when the blocks do not conform."""
    shapes = [tuple(m.shape) for m in (a, b, c, d)]
    if shapes[0][0] != shapes[1][0] or shapes[2][0] != shapes[3][0] or shapes[0][1] != shapes[2][1] or shapes[1][1] != shapes[3][1]:
        raise ValueError(f"blocks of shapes {shapes} do not form a block matrix")
    if any(is_symbolic(m) for m in (a, b, c, d)):
        return sp.Matrix(sp.BlockMatrix([[sp.Matrix(a), sp.Matrix(b)], [sp.Matrix(c), sp.Matrix(d)]]))
    return np.block([[a, b], [c, d]])
