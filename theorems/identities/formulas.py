"""The printed formulas of the identity-level claims of mathai §4–§5 and otdiff §2, their
mutants, and the derived closed forms the checks compare them with.

Printed formulas (one class each; a mutant is a subclass overriding one method with one
deliberate slip):

* :class:`Attention` — mathai eq. (13), attention as a barycentric combination of values;
* :class:`MeanFieldAttention` — mathai §5, attention as an operator on the empirical measure;
* :class:`FlowMatchingRegression` — mathai §4, the regression loss of flow matching;
* the families of fields that "do not change the evolution" (otdiff §2.1):
  :class:`IsotropicRotations`, :class:`GaussianRotations`, :class:`WeightedRotations`;
* :class:`DacorognaMoser` — otdiff eq. (3);
* :class:`LeastSquaresProblem` — otdiff eqs. (4)–(5);
* :class:`LeastSquaresInversion` — otdiff eq. (6).

The methods work on numpy arrays and on sympy expressions alike (the symbolic checks feed
them symbols).  The module-level functions are *derived* closed forms (Gaussian tilting,
conditional expectations, the Newtonian potential of a planar Gaussian, Lyapunov solutions on
Gaussian paths); :mod:`theorems.identities.derivation` proves them.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import sympy as sp

from verify.linalg import as_spd

__all__ = [
    # attention (mathai eq. (13), §5)
    "Attention",
    "AttentionUnnormalised",
    "AttentionTransposedQK",
    "AttentionColumnNormalised",
    "MeanFieldAttention",
    "MeanFieldUnnormalised",
    "MeanFieldTransposedQK",
    "MeanFieldCausal",
    "EmpiricalMeasure",
    "GaussHermiteMeasure",
    "ExactGaussianMeasure",
    "ExactDiscreteMeasure",
    "gaussian_expectation",
    "gaussian_attention",
    # flow-matching regression (mathai §4)
    "FlowMatchingRegression",
    "RegressionTargetSign",
    "RegressionTimeSwap",
    "RegressionDropsX0",
    "conditional_field_empirical",
    "conditional_field_gaussian",
    # fields that leave the evolution unchanged (otdiff §2.1)
    "IsotropicRotations",
    "IsotropicSymmetricGenerator",
    "IsotropicConstantField",
    "GaussianRotations",
    "WeightedRotations",
    "WeightedRotationsSigma",
    "WeightedRotationsLeft",
    "AnyAffineField",
    "DivergenceFreeFields",
    "weighted_divergence_ratio",
    # otdiff eqs. (3)–(6)
    "DacorognaMoser",
    "DacorognaMoserSign",
    "DacorognaMoserNoDensity",
    "LeastSquaresProblem",
    "ConstraintSign",
    "RotatedOptimum",
    "LeastSquaresInversion",
    "InversionSign",
    "InversionDensityFactor",
    "GaussianPath",
    "lyapunov",
    "newton_gradient",
    "newton_gradient_dt",
    "planar_gaussian_density",
    "bump_expectation",
    "bump_expectation_dt",
    # validation
    "check_tokens",
    "check_matrix",
    "check_open_time",
]


# --- validation ----------------------------------------------------------------------------


def _is_sym(*objs: Any) -> bool:
    return any(isinstance(o, (sp.Basic, sp.MatrixBase)) for o in objs)


def check_tokens(X: Any, name: str = "X") -> np.ndarray:
    """Tokens ``(P, d)`` with finite real entries, P, d ≥ 1."""
    a = np.asarray(X, dtype=float)
    if a.ndim != 2 or a.shape[0] < 1 or a.shape[1] < 1:
        raise ValueError(f"{name} must have shape (P, d) with P, d >= 1 (one token per row), got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or inf")
    return a


def check_matrix(name: str, M: Any, rows: int | None = None, cols: int | None = None) -> np.ndarray:
    """A finite real matrix, with the given number of rows and/or columns."""
    a = np.asarray(M, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix, got shape {a.shape}")
    if (rows is not None and a.shape[0] != rows) or (cols is not None and a.shape[1] != cols):
        want = f"({rows if rows is not None else '·'}, {cols if cols is not None else '·'})"
        raise ValueError(f"{name} must have shape {want} to match the tokens, got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or inf")
    return a


def check_open_time(name: str, s: Any) -> float:
    """A time in the open interval (0, 1)."""
    try:
        v = float(s)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number in (0, 1), got {s!r}") from None
    if not (0.0 < v < 1.0):
        raise ValueError(f"{name} must lie in the open interval (0, 1) (the interpolation is degenerate at the ends), got {s!r}")
    return v


def _check_vector(name: str, v: Any, d: int) -> np.ndarray:
    a = np.asarray(v, dtype=float)
    if a.shape != (d,):
        raise ValueError(f"{name} must have shape ({d},), got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or inf")
    return a


def _check_positive(name: str, v: Any) -> float:
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive real number, got {v!r}") from None
    if not (math.isfinite(x) and x > 0):
        raise ValueError(f"{name} must be positive and finite, got {v!r}")
    return x


# --- mathai eq. (13): attention --------------------------------------------------------------


class Attention:
    """mathai, eq. (13), as printed: for tokens :math:`X = (x[1], \\dots, x[P])`,

    .. math::

        A_\\omega(X)_p := \\sum_q M_{p,q}(Vx[q]), \\quad
        M_{p,q} := \\frac{e^{\\langle Qx[p], Kx[q]\\rangle}}{\\sum_\\ell e^{\\langle Qx[p], Kx[\\ell]\\rangle}},
        \\quad \\omega := (Q, K, V).

    Tokens are rows, ``X : (P, d)``; ``Q, K : (k, d)``, ``V : (d', d)``.  The numpy path
    subtracts each row's largest score before exponentiating (the printed ratio is unchanged).
    """

    def scores(self, X: Any, Q: Any, K: Any) -> Any:
        """:math:`S_{p,q} = \\langle Qx[p], Kx[q]\\rangle`, shape ``(P, P)``."""
        if _is_sym(X, Q, K):
            X, Q, K = sp.Matrix(X), sp.Matrix(Q), sp.Matrix(K)
            return (X * Q.T) * (X * K.T).T
        X = check_tokens(X)
        Q = check_matrix("Q", Q, cols=X.shape[1])
        K = check_matrix("K", K, rows=Q.shape[0], cols=X.shape[1])
        return (X @ Q.T) @ (X @ K.T).T

    def normalise(self, S: Any) -> Any:
        """:math:`M_{p,q} = e^{S_{p,q}}/\\sum_\\ell e^{S_{p,\\ell}}` (rows sum to one)."""
        if _is_sym(S):
            E = S.applyfunc(sp.exp)
            return sp.Matrix(E.rows, E.cols, lambda p, q: E[p, q] / sum(E[p, j] for j in range(E.cols)))
        E = np.exp(S - np.max(S, axis=1, keepdims=True))
        return E / np.sum(E, axis=1, keepdims=True)

    def weights(self, X: Any, Q: Any, K: Any) -> Any:
        """The matrix :math:`M` of eq. (13)."""
        return self.normalise(self.scores(X, Q, K))

    def apply(self, X: Any, Q: Any, K: Any, V: Any) -> Any:
        """:math:`A_\\omega(X)_p = \\sum_q M_{p,q}Vx[q]`, rows p, shape ``(P, d')``."""
        M = self.weights(X, Q, K)
        if _is_sym(M, X, V):
            return sp.Matrix(M) * (sp.Matrix(X) * sp.Matrix(V).T)
        X = check_tokens(X)
        V = check_matrix("V", V, cols=X.shape[1])
        return M @ (X @ V.T)


class AttentionUnnormalised(Attention):
    """Mutant: :math:`M_{p,q} = e^{\\langle Qx[p], Kx[q]\\rangle}` (normalisation missing)."""

    def normalise(self, S):
        return S.applyfunc(sp.exp) if _is_sym(S) else np.exp(S)


class AttentionTransposedQK(Attention):
    """Mutant: :math:`\\langle Kx[p], Qx[q]\\rangle` (Q and K exchanged: the transpose of the scores)."""

    def scores(self, X, Q, K):
        return Attention.scores(self, X, K, Q)


class AttentionColumnNormalised(Attention):
    """Mutant: :math:`e^{S_{p,q}}/\\sum_\\ell e^{S_{\\ell,q}}` (normalised over the wrong index)."""

    def normalise(self, S):
        if _is_sym(S):
            E = S.applyfunc(sp.exp)
            return sp.Matrix(E.rows, E.cols, lambda p, q: E[p, q] / sum(E[j, q] for j in range(E.rows)))
        E = np.exp(S - np.max(S, axis=0, keepdims=True))
        return E / np.sum(E, axis=0, keepdims=True)


# --- measures: what the mean-field operator integrates against --------------------------------


class EmpiricalMeasure:
    """:math:`\\mu = \\sum_i w_i\\delta_{y_i}` (uniform :math:`w_i = 1/n` by default).

    ``integrate(g)`` evaluates ``g`` at the atoms ``(n, d)``; ``g`` returns ``(m, n)`` or
    ``(m, n, k)`` (a leading axis of query points) and the atom axis is summed.
    """

    def __init__(self, points: Any, weights: Any = None) -> None:
        self.points = check_tokens(points, "points")
        n = self.points.shape[0]
        if weights is None:
            self.weights = np.full(n, 1.0 / n)
        else:
            w = np.asarray(weights, dtype=float)
            if w.shape != (n,) or not np.all(np.isfinite(w)) or np.any(w < 0) or not np.sum(w) > 0:
                raise ValueError(f"weights must be {n} finite nonnegative numbers with a positive sum, got {weights!r}")
            self.weights = w

    def integrate(self, g: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        return np.einsum("mn...,n->m...", g(self.points), self.weights)


class GaussHermiteMeasure(EmpiricalMeasure):
    """:math:`\\mathcal N(m, \\Sigma)` through its tensor Gauss–Hermite rule of ``order`` nodes
    per axis (exact for polynomials of degree < 2·order per coordinate)."""

    def __init__(self, mean: Any, cov: Any, order: int) -> None:
        if isinstance(order, bool) or int(order) != order or order < 1:
            raise ValueError(f"order must be a positive integer, got {order!r}")
        S = as_spd("cov", cov, definite=True)
        d = S.shape[0]
        m = _check_vector("mean", mean, d)
        z, w = np.polynomial.hermite_e.hermegauss(int(order))
        w = w / math.sqrt(2 * math.pi)
        grids = np.meshgrid(*([z] * d), indexing="ij")
        nodes = np.stack([g.ravel() for g in grids], axis=-1)
        weights = np.prod(np.stack(np.meshgrid(*([w] * d), indexing="ij"), axis=-1).reshape(-1, d), axis=-1)
        lam, q = np.linalg.eigh(S)
        root = (q * np.sqrt(lam)) @ q.T
        super().__init__(m + nodes @ root.T, weights)


def gaussian_expectation(expr: sp.Expr, ys: Any, mean: Any, cov: Any) -> sp.Expr:
    """:math:`\\mathbb E[g(Y)]`, :math:`Y \\sim \\mathcal N(m, \\Sigma)`, exactly, for ``expr`` a sum of
    terms :math:`p(y)e^{b\\cdot y + c}` with p of degree ≤ 2: completing the square,

    .. math::

        \\mathbb E[p(Y)e^{b\\cdot Y}] = e^{b\\cdot m + \\frac12 b^\\top\\Sigma b}\\,\\mathbb E[p(Y + \\Sigma b)].
    """
    ys = list(ys)
    m = sp.Matrix(mean)
    S = sp.Matrix(cov)
    d = len(ys)
    out = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(sp.powsimp(sp.expand(expr), combine="exp"))):
        exponent, poly = sp.Integer(0), sp.Integer(1)
        for f in sp.Mul.make_args(term):
            if isinstance(f, sp.exp):
                exponent += f.args[0]
            elif f.is_Pow and isinstance(f.base, sp.exp):
                exponent += f.base.args[0] * f.exp
            else:
                poly *= f
        ex = sp.Poly(sp.expand(exponent), *ys)
        if ex.total_degree() > 1:
            raise ValueError(f"exponent {exponent} is not affine in the integration variables")
        b = sp.Matrix([ex.coeff_monomial(y) for y in ys])
        c = ex.coeff_monomial(1)
        shift = m + S * b
        pp = sp.Poly(sp.expand(poly), *ys)
        if pp.total_degree() > 2:
            raise ValueError(f"polynomial factor {poly} has degree > 2")
        val = sp.Integer(0)
        for mon, coeff in pp.terms():
            idx = [i for i, e in enumerate(mon) for _ in range(e)]
            if len(idx) == 0:
                val += coeff
            elif len(idx) == 1:
                val += coeff * shift[idx[0]]
            else:
                i, j = idx
                val += coeff * (S[i, j] + shift[i] * shift[j])
        out += val * sp.exp(c + (b.T * m)[0] + (b.T * S * b)[0] / 2)
    if d == 0:
        raise ValueError("ys must name at least one integration variable")
    return out


class _ExactMeasure:
    """A measure integrated exactly (sympy); ``integrate(g)`` calls ``g`` on sympy columns."""


class ExactDiscreteMeasure(_ExactMeasure):
    """:math:`\\mu = \\sum_i w_i\\delta_{y_i}` with exact (sympy) atoms and weights (uniform by default)."""

    def __init__(self, points: Any, weights: Any = None) -> None:
        P = sp.Matrix(points)
        self.points = [P[i, :].T for i in range(P.rows)]
        self.weights = [sp.Rational(1, P.rows)] * P.rows if weights is None else [sp.nsimplify(w) for w in weights]

    def integrate(self, g: Callable[[sp.Matrix], Any]) -> Any:
        return sum((w * g(y) for w, y in zip(self.weights[1:], self.points[1:])), self.weights[0] * g(self.points[0]))


class ExactGaussianMeasure(_ExactMeasure):
    """:math:`\\mathcal N(m, \\Sigma)` with exact (sympy) integration of
    :math:`p(y)e^{b\\cdot y}` integrands (:func:`gaussian_expectation`)."""

    def __init__(self, mean: Any, cov: Any) -> None:
        self.mean = sp.Matrix(mean)
        self.cov = sp.Matrix(cov)
        self.ys = sp.Matrix(sp.symbols(f"y_1:{self.mean.rows + 1}", real=True))

    def integrate(self, g: Callable[[sp.Matrix], Any]) -> Any:
        val = g(self.ys)
        if isinstance(val, sp.MatrixBase):
            return val.applyfunc(lambda e: gaussian_expectation(e, list(self.ys), self.mean, self.cov))
        return gaussian_expectation(val, list(self.ys), self.mean, self.cov)


# --- mathai §5: mean-field attention --------------------------------------------------------------


class MeanFieldAttention(Attention):
    """mathai §5, attention rewritten on the empirical measure of the tokens, as printed
    (the pairing :math:`(Qx, Kx')` is the inner product of eq. (13)):

    .. math::

        \\mathcal A_\\omega(x) := \\frac{\\int e^{(Qx, Kx')} V x'\\, d\\mu(x')}{\\int e^{(Qx, Kx')}\\, d\\mu(x')},
        \\qquad \\mu := \\frac1P\\sum_p\\delta_{x[p]},

    and the token system is invariant under permutations of the indices (non-causal
    attention), so that :math:`A_\\omega(X)_p = \\mathcal A_\\omega(\\mu)(x[p])`.  Inherits eq. (13)
    (:meth:`apply`) from :class:`Attention`.
    """

    def kernel(self, x: Any, y: Any, Q: Any, K: Any) -> Any:
        """:math:`e^{(Qx, Ky)}`: ``x : (m, d)``, ``y : (n, d)`` → ``(m, n)`` (sympy: columns)."""
        if _is_sym(x, y):
            return sp.exp(((sp.Matrix(Q) * sp.Matrix(x)).T * (sp.Matrix(K) * sp.Matrix(y)))[0])
        return np.exp((np.asarray(x) @ np.asarray(Q).T) @ (np.asarray(y) @ np.asarray(K).T).T)

    def numerator(self, x: Any, Q: Any, K: Any, V: Any, mu: Any) -> Any:
        """:math:`\\int e^{(Qx, Kx')}Vx'\\,d\\mu(x')`."""
        if isinstance(mu, _ExactMeasure):
            return mu.integrate(lambda y: self.kernel(x, y, Q, K) * (sp.Matrix(V) * y))
        return mu.integrate(lambda y: self.kernel(x, y, Q, K)[..., None] * (y @ np.asarray(V).T)[None])

    def denominator(self, x: Any, Q: Any, K: Any, mu: Any) -> Any:
        """:math:`\\int e^{(Qx, Kx')}\\,d\\mu(x')`."""
        return mu.integrate(lambda y: self.kernel(x, y, Q, K))

    def field(self, x: Any, Q: Any, K: Any, V: Any, mu: Any) -> Any:
        """:math:`\\mathcal A_\\omega(\\mu)(x)` at the rows of ``x : (m, d)`` (numpy) or at one
        sympy column ``x`` for an exact measure (:class:`ExactGaussianMeasure`, :class:`ExactDiscreteMeasure`)."""
        if not isinstance(mu, _ExactMeasure):
            x = np.atleast_2d(np.asarray(x, dtype=float))
            d = mu.points.shape[1]
            if x.shape[-1] != d:
                raise ValueError(f"x must have shape (m, {d}) to match the measure's dimension, got {x.shape}")
            Q = check_matrix("Q", Q, cols=d)
            K = check_matrix("K", K, rows=Q.shape[0], cols=d)
            V = check_matrix("V", V, cols=d)
            return self.numerator(x, Q, K, V, mu) / self.denominator(x, Q, K, mu)[:, None]
        return self.numerator(x, Q, K, V, mu) / self.denominator(x, Q, K, mu)


class MeanFieldUnnormalised(MeanFieldAttention):
    """Mutant: the numerator alone (the denominator :math:`\\int e^{(Qx, Kx')}d\\mu` dropped)."""

    def field(self, x, Q, K, V, mu):
        if not isinstance(mu, _ExactMeasure):
            x = np.atleast_2d(np.asarray(x, dtype=float))
        return self.numerator(x, Q, K, V, mu)


class MeanFieldTransposedQK(MeanFieldAttention):
    """Mutant: :math:`e^{(Kx, Qx')}` (Q and K exchanged in the mean-field kernel only)."""

    def kernel(self, x, y, Q, K):
        return MeanFieldAttention.kernel(self, x, y, K, Q)


class MeanFieldCausal(MeanFieldAttention):
    """Mutant: causal attention in eq. (13), :math:`M_{p,q} = 0` for :math:`q > p` (rows
    renormalised) — not a function of the empirical measure."""

    def normalise(self, S):
        if _is_sym(S):
            E = sp.Matrix(S.rows, S.cols, lambda p, q: sp.exp(S[p, q]) if q <= p else 0)
            return sp.Matrix(E.rows, E.cols, lambda p, q: E[p, q] / sum(E[p, j] for j in range(E.cols)))
        P = S.shape[0]
        mask = np.tril(np.ones((P, P), dtype=bool))
        Sm = np.where(mask, S, -np.inf)
        E = np.exp(Sm - np.max(Sm, axis=1, keepdims=True))
        return E / np.sum(E, axis=1, keepdims=True)


def gaussian_attention(x: Any, Q: Any, K: Any, V: Any, mean: Any, cov: Any) -> np.ndarray:
    """Derived closed form of :math:`\\mathcal A_\\omega(\\mathcal N(m, \\Sigma))(x)`: the kernel
    :math:`e^{\\langle K^\\top Qx, y\\rangle}` tilts the Gaussian to :math:`\\mathcal N(m + \\Sigma K^\\top Qx, \\Sigma)`, so

    .. math::

        \\mathcal A_\\omega(\\mathcal N(m, \\Sigma))(x) = V(m + \\Sigma K^\\top Q x).

    ``x : (m, d)`` → ``(m, d')``.
    """
    S = as_spd("cov", cov, definite=True)
    d = S.shape[0]
    m = _check_vector("mean", mean, d)
    x = np.atleast_2d(np.asarray(x, dtype=float))
    if x.shape[-1] != d or not np.all(np.isfinite(x)):
        raise ValueError(f"x must be finite with shape (m, {d}), got shape {x.shape}")
    Q = check_matrix("Q", Q, cols=d)
    K = check_matrix("K", K, rows=Q.shape[0], cols=d)
    V = check_matrix("V", V, cols=d)
    return (m[None, :] + x @ (S @ K.T @ Q).T) @ V.T


# --- mathai §4: the flow-matching regression ------------------------------------------------------


class FlowMatchingRegression:
    """mathai §4, the regression problem of flow matching, as printed:

    .. math::

        \\min_\\theta E(\\theta) := \\int_0^1 \\mathbb E_{x_0\\sim\\alpha}\\sum_i
        \\|x^i - x_0 - g_\\theta((1-s)x_0 + sx^i, s)\\|^2\\,ds,

    whose minimiser over all fields is claimed to be the conditional expectation (12),
    :math:`v_s(x) = \\mathbb E(x_1 - x_0 \\mid (1-s)x_0 + sx_1 = x)` with :math:`x_1` drawn from
    the data :math:`(x^i)_i`.
    """

    def point(self, x0: Any, xi: Any, s: Any) -> Any:
        """The regression input :math:`(1-s)x_0 + sx^i`."""
        return (1 - s) * x0 + s * xi

    def target(self, x0: Any, xi: Any) -> Any:
        """The regression target :math:`x^i - x_0`."""
        return xi - x0


class RegressionTargetSign(FlowMatchingRegression):
    """Mutant: target :math:`x_0 - x^i`."""

    def target(self, x0, xi):
        return x0 - xi


class RegressionTimeSwap(FlowMatchingRegression):
    """Mutant: input :math:`sx_0 + (1-s)x^i` (s and 1 − s exchanged)."""

    def point(self, x0, xi, s):
        return s * x0 + (1 - s) * xi


class RegressionDropsX0(FlowMatchingRegression):
    """Mutant: target :math:`x^i` (the :math:`-x_0` dropped)."""

    def target(self, x0, xi):
        return xi + 0 * x0


def conditional_field_empirical(z: Any, s: Any, data: Any) -> np.ndarray:
    """Derived closed form of (12) for :math:`\\alpha = \\mathcal N(0, \\mathrm{Id})` and
    :math:`\\beta = \\frac1N\\sum_i\\delta_{x^i}`: given :math:`z = (1-s)x_0 + sx^i`,
    :math:`x_0 = (z - sx^i)/(1-s)` and :math:`x^i - x_0 = (x^i - z)/(1-s)`, and Bayes gives

    .. math::

        v_s(z) = \\frac{\\sum_i w_i(z)x^i - z}{1-s}, \\qquad
        w_i(z) \\propto \\exp\\Big(-\\frac{|z - sx^i|^2}{2(1-s)^2}\\Big).

    ``z : (m, d)`` → ``(m, d)``.
    """
    s = check_open_time("s", s)
    data = check_tokens(data, "data")
    z = np.atleast_2d(np.asarray(z, dtype=float))
    if z.shape[-1] != data.shape[1] or not np.all(np.isfinite(z)):
        raise ValueError(f"z must be finite with shape (m, {data.shape[1]}), got shape {z.shape}")
    logw = -np.sum((z[:, None, :] - s * data[None]) ** 2, axis=-1) / (2 * (1 - s) ** 2)
    w = np.exp(logw - logw.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    return (w @ data - z) / (1 - s)


def conditional_field_gaussian(z: Any, s: Any, mean: Any, cov: Any) -> np.ndarray:
    """Derived closed form of (12) for :math:`\\alpha = \\mathcal N(0, \\mathrm{Id})`,
    :math:`\\beta = \\mathcal N(m, \\Sigma)`: Gaussian conditioning of :math:`D = x_1 - x_0` on
    :math:`Z = (1-s)x_0 + sx_1`,

    .. math::

        v_s(z) = m + (s\\Sigma - (1-s)\\mathrm{Id})\\big((1-s)^2\\mathrm{Id} + s^2\\Sigma\\big)^{-1}(z - sm).
    """
    s = check_open_time("s", s)
    S = as_spd("cov", cov, definite=True)
    d = S.shape[0]
    m = _check_vector("mean", mean, d)
    z = np.atleast_2d(np.asarray(z, dtype=float))
    if z.shape[-1] != d:
        raise ValueError(f"z must have shape (m, {d}), got {z.shape}")
    eye = np.eye(d)
    B = (s * S - (1 - s) * eye) @ np.linalg.inv((1 - s) ** 2 * eye + s**2 * S)
    return m + (z - s * m) @ B.T


# --- fields that leave a Gaussian unchanged (otdiff §2.1) --------------------------------


def _inv(M: Any) -> Any:
    return M.inv() if isinstance(M, sp.MatrixBase) else np.linalg.inv(M)


def _zeros_like(M: Any) -> Any:
    return sp.zeros(*M.shape) if isinstance(M, sp.MatrixBase) else np.zeros_like(np.asarray(M, dtype=float))


class _Family:
    """A printed family of vector fields claimed to leave the evolution unchanged when added
    to :math:`v_t`.  Members are affine, :math:`w(x) = Bx + c`, built from a generic
    generator matrix ``G`` and vector ``b`` by :meth:`modification` for the Gaussian
    :math:`\\alpha = \\mathcal N(m, \\Sigma)`; ``domain`` is the class of Gaussians the statement
    is about (``"isotropic"``: :math:`\\mathcal N(0, \\sigma^2\\mathrm{Id})`; ``"gaussian"``: all)."""

    domain = "gaussian"

    def modification(self, G: Any, b: Any, mean: Any, cov: Any) -> tuple[Any, Any]:
        raise NotImplementedError

    def field(self, x: np.ndarray, G: Any, b: Any, mean: Any, cov: Any) -> np.ndarray:
        """:math:`w(x) = Bx + c` at the rows of ``x``."""
        B, c = self.modification(G, b, mean, cov)
        return np.asarray(x) @ np.asarray(B, dtype=float).T + np.asarray(c, dtype=float)


class IsotropicRotations(_Family):
    """otdiff §2.1, as printed: for :math:`\\alpha = \\mathcal N(0, \\mathrm{Id}_d)` (isotropic),
    rotations leave α unchanged; :math:`\\mathcal H_\\alpha := \\{v : \\operatorname{div}(\\alpha v) = 0\\}`
    contains the fields generated by antisymmetric matrices, :math:`w(x) = Jx`, :math:`J = G - G^\\top`."""

    domain = "isotropic"

    def modification(self, G, b, mean, cov):
        J = G - G.T
        return J, 0 * b


class IsotropicSymmetricGenerator(IsotropicRotations):
    """Mutant: :math:`w(x) = (G + G^\\top)x` (a symmetric generator: a strain, not a rotation)."""

    def modification(self, G, b, mean, cov):
        return G + G.T, 0 * b


class IsotropicConstantField(IsotropicRotations):
    """Mutant: constant fields :math:`w = b` (divergence-free, :math:`\\operatorname{div}w = 0`,
    but not :math:`\\operatorname{div}(\\alpha w) = 0`)."""

    def modification(self, G, b, mean, cov):
        return _zeros_like(G), b


class GaussianRotations(IsotropicRotations):
    """otdiff §2.1, "In the Gaussian case, :math:`\\mathcal H_\\alpha` includes vector fields
    generated by antisymmetric matrices, which induce rotations", read for every Gaussian
    :math:`\\mathcal N(m, \\Sigma)`: :math:`w(x) = J(x - m)`, :math:`J = G - G^\\top` (rotations
    about the mean)."""

    domain = "gaussian"

    def modification(self, G, b, mean, cov):
        J = G - G.T
        return J, -(J * mean if isinstance(J, sp.MatrixBase) else J @ np.asarray(mean, dtype=float))


class WeightedRotations(GaussianRotations):
    """Corrected form of the Gaussian case (derived): :math:`w(x) = J\\Sigma^{-1}(x - m)`,
    :math:`J = G - G^\\top`; an affine field :math:`B(x - m)` lies in :math:`\\mathcal H_\\alpha` for
    :math:`\\alpha = \\mathcal N(m, \\Sigma)` iff :math:`B\\Sigma` is antisymmetric.  The same set is
    :math:`\\{J\\nabla\\log\\alpha\\}` (J antisymmetric; :math:`\\nabla\\log\\alpha = -\\Sigma^{-1}(x - m)`), the
    Gaussian case of the fields that do leave an evolution unchanged for every smooth α,
    :math:`\\operatorname{div}(\\alpha J\\nabla\\log\\alpha) = \\operatorname{div}(J\\nabla\\alpha) = 0`."""

    def _generator(self, J, cov):
        return J * _inv(cov) if isinstance(J, sp.MatrixBase) else J @ _inv(np.asarray(cov, dtype=float))

    def modification(self, G, b, mean, cov):
        B = self._generator(G - G.T, cov)
        return B, -(B * mean if isinstance(B, sp.MatrixBase) else B @ np.asarray(mean, dtype=float))


class WeightedRotationsSigma(WeightedRotations):
    """Mutant: :math:`J\\Sigma(x - m)` (Σ for its inverse)."""

    def _generator(self, J, cov):
        return J * cov if isinstance(J, sp.MatrixBase) else J @ np.asarray(cov, dtype=float)


class WeightedRotationsLeft(WeightedRotations):
    """Mutant: :math:`\\Sigma^{-1}J(x - m)` (the factors in the wrong order)."""

    def _generator(self, J, cov):
        return _inv(cov) * J if isinstance(J, sp.MatrixBase) else _inv(np.asarray(cov, dtype=float)) @ J


class AnyAffineField(GaussianRotations):
    """Mutant (of the families above): any field, :math:`w(x) = Gx + b`."""

    def modification(self, G, b, mean, cov):
        return G, b


class DivergenceFreeFields(GaussianRotations):
    """Mutant: the (unweighted) divergence-free affine fields :math:`w(x) = (G - G^\\top)x + b`,
    :math:`\\operatorname{div}w = 0`."""

    def modification(self, G, b, mean, cov):
        return G - G.T, b


def weighted_divergence_ratio(x: Any, B: Any, c: Any, mean: Any, cov: Any) -> Any:
    """:math:`\\operatorname{div}(\\alpha w)/\\alpha = \\operatorname{tr}B - (\\Sigma^{-1}(x - m))\\cdot(Bx + c)`
    for :math:`w(x) = Bx + c` and :math:`\\alpha = \\mathcal N(m, \\Sigma)` (numpy rows or a sympy column)."""
    if _is_sym(x, B, c, mean, cov):
        x, B, c, m, S = (sp.Matrix(a) for a in (x, B, c, mean, cov))
        return sp.expand(B.trace() - ((S.inv() * (x - m)).T * (B * x + c))[0])
    x = np.atleast_2d(np.asarray(x, dtype=float))
    B, c, m, S = (np.asarray(a, dtype=float) for a in (B, c, mean, cov))
    return np.trace(B) - np.sum(np.linalg.solve(S, (x - m).T).T * (x @ B.T + c), axis=-1)


# --- otdiff eq. (3): Dacorogna–Moser --------------------------------------------------------------


def _div_last(vec: Any, a: Any) -> Any:
    if _is_sym(vec, a):
        return vec / a
    return np.asarray(vec) / np.asarray(a)[..., None]


class DacorognaMoser:
    """otdiff, eq. (3), as printed (Dacorogna and Moser):

    .. math::

        v_t = -\\frac{1}{\\alpha_t}\\nabla\\Delta^{-1}(\\partial_t\\alpha_t),

    with the text's assertion that this choice "is not in general a gradient field".  The
    method takes :math:`\\nabla\\Delta^{-1}(\\partial_t\\alpha_t)` and :math:`\\alpha_t` at the same points.
    """

    def velocity(self, grad_inv_laplacian: Any, alpha: Any) -> Any:
        """:math:`-\\nabla\\Delta^{-1}(\\partial_t\\alpha_t)/\\alpha_t`."""
        return -_div_last(grad_inv_laplacian, alpha)


class DacorognaMoserSign(DacorognaMoser):
    """Mutant: :math:`+\\frac1{\\alpha_t}\\nabla\\Delta^{-1}(\\partial_t\\alpha_t)`."""

    def velocity(self, grad_inv_laplacian, alpha):
        return _div_last(grad_inv_laplacian, alpha)


class DacorognaMoserNoDensity(DacorognaMoser):
    """Mutant: :math:`-\\nabla\\Delta^{-1}(\\partial_t\\alpha_t)` (the factor :math:`1/\\alpha_t` dropped)."""

    def velocity(self, grad_inv_laplacian, alpha):
        return -grad_inv_laplacian + 0 * _div_last(grad_inv_laplacian, alpha)


def _newton_parts(r: np.ndarray, s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(g, ∂g/∂ρ², e^{−u}) with :math:`\\rho^2 = r\\cdot r` (no conjugation: complex-step safe),
    :math:`u = \\rho^2/(2s^2)`, :math:`g = (1 - e^{-u})/(2\\pi\\rho^2)`; series for small u."""
    rho2 = np.sum(r * r, axis=-1)
    u = rho2 / (2 * s * s)
    small = np.abs(u) < 1e-3
    us = np.where(small, 1.0, u)
    e = np.exp(-u)
    h = np.where(small, 1 - u / 2 + u * u / 6 - u**3 / 24, -np.expm1(-us) / us)
    dh = np.where(small, -0.5 + u / 3 - u * u / 8 + u**3 / 30, (us * np.exp(-us) + np.expm1(-us)) / (us * us))
    g = h / (4 * math.pi * s * s)
    g_rho2 = dh / (8 * math.pi * s**4)
    return g, g_rho2, e


def planar_gaussian_density(x: Any, mean: Any, s: Any) -> np.ndarray:
    """Density of :math:`\\mathcal N(m, s^2\\mathrm{Id}_2)` at the rows of ``x : (n, 2)``."""
    s = _check_positive("s", s)
    r = np.asarray(x) - np.asarray(mean, dtype=float)
    return np.exp(-np.sum(r * r, axis=-1) / (2 * s * s)) / (2 * math.pi * s * s)


def newton_gradient(x: Any, mean: Any, s: Any) -> np.ndarray:
    """Derived: the gradient of the Newtonian potential N of :math:`\\alpha = \\mathcal N(m, s^2\\mathrm{Id}_2)`
    (:math:`\\Delta N = \\alpha`, N radial about m):

    .. math::

        \\nabla N(x) = \\frac{1 - e^{-|x-m|^2/(2s^2)}}{2\\pi|x - m|^2}(x - m).
    """
    s = _check_positive("s", s)
    r = np.asarray(x) - _check_vector("mean", mean, 2)
    g, _, _ = _newton_parts(r, s)
    return r * g[..., None]


def newton_gradient_dt(x: Any, mean: Any, mdot: Any, s: Any, sdot: Any) -> np.ndarray:
    """Derived: :math:`\\nabla\\Delta^{-1}(\\partial_t\\alpha_t) = \\partial_t\\nabla N_t` on the planar
    path :math:`\\alpha_t = \\mathcal N(m_t, s_t^2\\mathrm{Id}_2)` (velocity ṁ, ṡ), the inverse Laplacian
    vanishing at infinity:

    .. math::

        \\partial_t\\nabla N_t = -\\dot m\\,g + r\\Big(-2(r\\cdot\\dot m)\\,\\partial_{\\rho^2}g - \\frac{\\dot s\\,e^{-\\rho^2/2s^2}}{2\\pi s^3}\\Big),
        \\quad r = x - m_t,\\ g = \\frac{1 - e^{-\\rho^2/2s^2}}{2\\pi\\rho^2}.

    Accepts complex ``x`` (complex-step differentiation).
    """
    s = _check_positive("s", s)
    m = _check_vector("mean", mean, 2)
    md = _check_vector("mdot", mdot, 2)
    sd = float(sdot)
    r = np.asarray(x) - m
    g, g2, e = _newton_parts(r, s)
    rm = r @ md
    return -md * g[..., None] + r * (-2 * rm * g2 - sd * e / (2 * math.pi * s**3))[..., None]


def bump_expectation(mean: Any, s: float, center: Any, tau: float) -> float:
    """:math:`\\mathbb E[f(X)]` for :math:`X \\sim \\mathcal N(m, s^2\\mathrm{Id}_d)` and the bump
    :math:`f(x) = e^{-|x - c|^2/(2\\tau^2)}`: :math:`(\\tfrac{\\tau^2}{\\tau^2+s^2})^{d/2}e^{-|m-c|^2/(2(\\tau^2+s^2))}`."""
    s, tau = _check_positive("s", s), _check_positive("tau", tau)
    m, c = np.asarray(mean, dtype=float), np.asarray(center, dtype=float)
    if m.ndim != 1 or c.shape != m.shape:
        raise ValueError(f"mean and center must be vectors of the same length, got shapes {m.shape} and {c.shape}")
    v = tau * tau + s * s
    return float((tau * tau / v) ** (len(m) / 2) * math.exp(-float((m - c) @ (m - c)) / (2 * v)))


def bump_expectation_dt(mean: Any, mdot: Any, s: float, sdot: float, center: Any, tau: float) -> float:
    """:math:`\\frac{d}{dt}\\mathbb E[f(X_t)]` along :math:`\\mathcal N(m_t, s_t^2\\mathrm{Id}_d)`."""
    s, tau = _check_positive("s", s), _check_positive("tau", tau)
    m, md, c = (np.asarray(a, dtype=float) for a in (mean, mdot, center))
    v = tau * tau + s * s
    dm = m - c
    F = bump_expectation(m, s, c, tau)
    return F * (-float(dm @ md) / v + float(dm @ dm) * s * sdot / v**2 - len(m) * s * sdot / v)


# --- otdiff eqs. (4)–(6): least-squares inversion -----------------------------------------------------


class LeastSquaresProblem:
    """otdiff, eqs. (4)–(5), as printed:

    .. math::

        \\min_v \\frac12\\int_0^1\\int_{\\mathbb R^d}\\|v_t(x)\\|^2\\,d\\alpha_t(x)\\,dt
        \\quad\\text{subject to}\\quad \\operatorname{div}(\\alpha v) + \\frac{\\partial\\alpha}{\\partial t} = 0,
        \\qquad v_t(x) = \\nabla\\psi_t(x),

    ψ the Lagrange multiplier of the constraint (Lagrangian
    :math:`\\int\\frac12|v|^2\\alpha + \\psi(\\operatorname{div}(\\alpha v) + \\partial_t\\alpha)`).
    """

    def lagrangian(self, v: Any, alpha: Any) -> Any:
        """Integrand of (4) against dx: :math:`\\frac12\\|v\\|^2\\alpha`."""
        if _is_sym(v, alpha):
            return sum(c**2 for c in v) * alpha / 2
        return np.sum(np.asarray(v) ** 2, axis=-1) * alpha / 2

    def constraint(self, div_alpha_v: Any, dalpha_dt: Any) -> Any:
        """:math:`\\operatorname{div}(\\alpha v) + \\partial\\alpha/\\partial t`."""
        return div_alpha_v + dalpha_dt

    def optimal_field(self, grad_psi: Any) -> Any:
        """(5): :math:`v_t = \\nabla\\psi_t`."""
        return grad_psi


class ConstraintSign(LeastSquaresProblem):
    """Mutant: the constraint :math:`\\operatorname{div}(\\alpha v) - \\partial\\alpha/\\partial t = 0` (wrong sign in (4))."""

    def constraint(self, div_alpha_v, dalpha_dt):
        return div_alpha_v - dalpha_dt


class RotatedOptimum(LeastSquaresProblem):
    """Mutant: :math:`v_t = \\nabla\\psi_t + R\\nabla\\psi_t`, R the rotation generator of the
    first two coordinates (an optimum that is not a gradient)."""

    def optimal_field(self, grad_psi):
        if _is_sym(grad_psi):
            g = sp.Matrix(grad_psi)
            rot = sp.Matrix([-g[1], g[0]] + [0] * (g.rows - 2))
            return g + rot
        g = np.asarray(grad_psi)
        rot = np.zeros_like(g)
        rot[..., 0], rot[..., 1] = -g[..., 1], g[..., 0]
        return g + rot


class LeastSquaresInversion:
    """otdiff, eq. (6), as printed:

    .. math::

        v_t = -\\nabla\\Delta_\\alpha^{-1}(\\partial_t\\alpha_t), \\qquad
        \\Delta_\\alpha(\\varphi) := \\operatorname{div}(\\alpha_t\\nabla\\varphi).
    """

    def weighted_laplacian(self, alpha: sp.Expr, phi: sp.Expr, xs: Any) -> sp.Expr:
        """:math:`\\Delta_\\alpha\\varphi = \\operatorname{div}(\\alpha\\nabla\\varphi)` (sympy, coordinates ``xs``)."""
        return sum(sp.diff(alpha * sp.diff(phi, x), x) for x in xs)

    def velocity(self, grad_inv: Any, alpha: Any = None) -> Any:
        """:math:`-\\nabla\\Delta_\\alpha^{-1}(\\partial_t\\alpha_t)` from ``grad_inv`` :math:`= \\nabla\\Delta_\\alpha^{-1}(\\partial_t\\alpha_t)`
        (``alpha``, the density at the same points, is not used by the printed formula)."""
        return -grad_inv


class InversionSign(LeastSquaresInversion):
    """Mutant: :math:`v_t = +\\nabla\\Delta_\\alpha^{-1}(\\partial_t\\alpha_t)`."""

    def velocity(self, grad_inv, alpha=None):
        return grad_inv


class InversionDensityFactor(LeastSquaresInversion):
    """Mutant: :math:`v_t = -\\frac1{\\alpha_t}\\nabla\\Delta_\\alpha^{-1}(\\partial_t\\alpha_t)` (the 1/α of (3) carried over)."""

    def velocity(self, grad_inv, alpha=None):
        return -_div_last(grad_inv, alpha)


def lyapunov(S: Any, C: Any) -> np.ndarray:
    """The symmetric solution A of :math:`AS + SA = C` (S SPD, C symmetric), in the eigenbasis
    of S: :math:`A' _{ij} = C'_{ij}/(\\lambda_i + \\lambda_j)`."""
    S = as_spd("S", S, definite=True)
    C = np.asarray(C, dtype=float)
    if C.shape != S.shape or not np.all(np.isfinite(C)):
        raise ValueError(f"C must be a finite matrix of shape {S.shape}, got shape {C.shape}")
    lam, q = np.linalg.eigh(S)
    Cp = q.T @ ((C + C.T) / 2) @ q
    A = q @ (Cp / (lam[:, None] + lam[None, :])) @ q.T
    return (A + A.T) / 2


class GaussianPath:
    """The Gaussian path :math:`\\alpha_t = \\mathcal N(m_t, \\Sigma_t)`,
    :math:`m_t = (1-t)m_0 + tm_1`, :math:`\\Sigma_t = (1-t)\\Sigma_0 + t\\Sigma_1`, and its derived
    least-squares objects: :math:`A_t` with :math:`A_t\\Sigma_t + \\Sigma_tA_t = \\dot\\Sigma`,
    the potential :math:`\\psi_t(x) = \\dot m\\cdot(x - m_t) + \\frac12(x - m_t)^\\top A_t(x - m_t)`
    (:math:`\\operatorname{div}(\\alpha_t\\nabla\\psi_t) = -\\partial_t\\alpha_t`, so
    :math:`\\Delta_{\\alpha_t}^{-1}(\\partial_t\\alpha_t) = -\\psi_t` up to a constant) and the
    field :math:`\\nabla\\psi_t = \\dot m + A_t(x - m_t)`."""

    def __init__(self, m0: Any, m1: Any, S0: Any, S1: Any) -> None:
        self.S0 = as_spd("S0", S0, definite=True)
        self.S1 = as_spd("S1", S1, definite=True)
        if self.S0.shape != self.S1.shape:
            raise ValueError(f"S0 and S1 must have the same shape, got {self.S0.shape} and {self.S1.shape}")
        d = self.S0.shape[0]
        self.m0 = _check_vector("m0", m0, d)
        self.m1 = _check_vector("m1", m1, d)
        self.d = d
        self.mdot = self.m1 - self.m0
        self.Sdot = self.S1 - self.S0
        self._cache: dict[float, tuple] = {}

    def _at(self, t: Any) -> tuple:
        """(m_t, Σ_t, Σ_t^{-1}, A_t, log det Σ_t), cached per t (RK4 stages revisit the same times)."""
        t = self._t(t)
        if t not in self._cache:
            S = (1 - t) * self.S0 + t * self.S1
            self._cache[t] = ((1 - t) * self.m0 + t * self.m1, S, np.linalg.inv(S), lyapunov(S, self.Sdot), float(np.linalg.slogdet(S)[1]))
        return self._cache[t]

    def _t(self, t: Any) -> float:
        v = float(t)
        if not (0.0 <= v <= 1.0):
            raise ValueError(f"t must lie in [0, 1], got {t!r}")
        return v

    def mean(self, t: Any) -> np.ndarray:
        return self._at(t)[0].copy()

    def cov(self, t: Any) -> np.ndarray:
        return self._at(t)[1].copy()

    def A(self, t: Any) -> np.ndarray:
        return self._at(t)[3].copy()

    def grad_psi(self, x: Any, t: Any) -> np.ndarray:
        """:math:`\\nabla\\psi_t(x) = \\dot m + A_t(x - m_t)` (complex ``x`` allowed)."""
        m, _, _, A, _ = self._at(t)
        return self.mdot + (np.asarray(x) - m) @ A.T

    def log_density(self, x: Any, t: Any) -> np.ndarray:
        """:math:`\\log\\alpha_t(x)` (complex ``x`` allowed)."""
        m, _, Si, _, logdet = self._at(t)
        r = np.asarray(x) - m
        quad = np.sum((r @ Si) * r, axis=-1)
        return -0.5 * quad - 0.5 * logdet - self.d / 2 * math.log(2 * math.pi)

    def dt_log_density(self, x: Any, t: Any) -> np.ndarray:
        """:math:`\\partial_t\\log\\alpha_t = -\\frac12\\operatorname{tr}(\\Sigma^{-1}\\dot\\Sigma) + r^\\top\\Sigma^{-1}\\dot m + \\frac12 r^\\top\\Sigma^{-1}\\dot\\Sigma\\Sigma^{-1}r`."""
        m, _, Si, _, _ = self._at(t)
        r = np.asarray(x) - m
        y = r @ Si
        return -0.5 * np.trace(Si @ self.Sdot) + y @ self.mdot + 0.5 * np.sum((y @ self.Sdot) * y, axis=-1)
