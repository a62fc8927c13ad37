"""The printed statements of otdiff §4.1 (Static Optimal Transport), their mutants, and the
one-dimensional laws and exact instances the checks use.

Each claim's formulas are a class whose methods evaluate what the paper prints; a mutant is a
subclass overriding one method with a deliberate slip.  The same method text runs on float64
arrays and on exact sympy values (rationals, radicals), so the checks evaluate one formula
exactly and in floating point.

Printed material (otdiff, §4.1):

- (9)  :math:`\\inf_{T_\\sharp\\alpha_0 = \\alpha_1}\\int\\|x - T(x)\\|^2 d\\alpha_0(x)` (Monge);
- (10) :math:`W_2(\\alpha_0, \\alpha_1)^2 = \\inf_{\\pi\\in\\Pi(\\alpha_0, \\alpha_1)}\\iint\\|x - y\\|^2 d\\pi(x, y)`
  (Kantorovich), with :math:`\\pi^\\star = (\\mathrm{Id}, T)_\\sharp\\alpha_0` optimal and (9) = (10)
  when an optimal Monge map exists (:class:`Kantorovich`);
- T is the gradient of a convex function, hence monotone,
  :math:`\\langle T(x) - T(y), x - y\\rangle \\ge 0`; not every monotone map is such a gradient in
  higher dimensions (:class:`MonotoneGradient`);
- in one dimension T is the unique increasing map pushing α0 to α1,
  :math:`T = F_1^{-1}\\circ F_0` (:class:`Rearrangement1D`);
- Theorem 4.1 (Brenier): "there is a unique :math:`T = \\nabla\\phi` such that
  :math:`T_\\sharp\\alpha_0 = \\alpha_1`, and this T is the unique solution to (9)"
  (:class:`Brenier41`: the class of potentials φ over which uniqueness is asserted is *any* φ
  as printed; :class:`Brenier41Corrected`: convex φ).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp
from scipy import special

from theorems.bures.formulas import Prop43

__all__ = [
    "Law1D",
    "uniform",
    "power",
    "exponential",
    "normal",
    "check_sample",
    "is_symmetric",
    "is_psd",
    "Rearrangement1D",
    "Rearrangement1DDecreasing",
    "Rearrangement1DInverse",
    "Rearrangement1DMomentMatching",
    "Brenier41",
    "Brenier41Corrected",
    "Brenier41Concave",
    "Brenier41Monotone",
    "MonotoneGradient",
    "MonotonePairingSign",
    "MonotoneKnothe",
    "MonotoneConverseAlways",
    "Kantorovich",
    "KantorovichTransposed",
    "KantorovichUnsquared",
    "KantorovichIndependent",
    "GaussianInstance",
    "GAUSSIAN_INSTANCES",
    "rotation",
]


# --- validation --------------------------------------------------------------------------------


def _is_sym(x: Any) -> bool:
    return isinstance(x, (sp.Basic, sp.MatrixBase))


def _real_param(name: str, value: Any, *, positive: bool = False) -> Any:
    """A finite real parameter (float, int, Fraction or sympy number); ``ValueError`` naming
    the argument otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    if isinstance(value, sp.Basic):
        if not (value.is_real and value.is_finite):
            raise ValueError(f"{name} must be a finite real number, got {value!r}")
        v = float(value)
    else:
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a real number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if positive and not v > 0:
        raise ValueError(f"{name} must be positive, got {value!r}")
    return value


def check_sample(name: str, x: Any, *, ndim: int | None = None) -> np.ndarray:
    """``x`` as a finite float array (of ``ndim`` dimensions when given).

    Raises
    ------
    ValueError
        When ``x`` is not numeric, has the wrong number of axes, or contains NaN or inf.
    """
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a numeric array, got {type(x).__name__}") from None
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} axes, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or inf")
    return a


def is_symmetric(m: Any, tol: float = 0.0) -> bool:
    """Whether the square matrix ``m`` is symmetric: exactly for sympy matrices, within
    ``tol`` (absolute, max-entry) for arrays."""
    if isinstance(m, sp.MatrixBase):
        return all(_sign(e) == 0 for e in (m - m.T))
    a = check_sample("m", m, ndim=2)
    if a.shape[0] != a.shape[1]:
        raise ValueError(f"m must be square, got shape {a.shape}")
    return bool(np.max(np.abs(a - a.T), initial=0.0) <= tol)


def _sign(e: Any) -> int:
    """Exact sign of a closed numeric sympy expression (rationals exactly; radicals and other
    constants at 50 digits, |e| < 1e-40 read as 0); symbolic expressions are simplified."""
    e = sp.nsimplify(e) if isinstance(e, float) else sp.sympify(e)
    if e == 0:
        return 0
    if e.is_Rational:
        return 1 if e > 0 else -1
    if e.free_symbols:
        e = sp.simplify(e)
        if e == 0:
            return 0
        if e.free_symbols:
            raise ValueError(f"cannot decide the sign of {e} (free symbols {sorted(map(str, e.free_symbols))})")
    v = sp.N(e, 50)
    if abs(v) < sp.Float(10) ** -40:
        return 0
    return 1 if v > 0 else -1


def is_psd(m: Any, tol: float = 0.0) -> bool:
    """Whether the *symmetric part* of ``m`` is positive semidefinite: for sympy matrices
    exactly (every principal minor ≥ 0), for arrays by ``eigvalsh`` ≥ −``tol``."""
    if isinstance(m, sp.MatrixBase):
        s = (m + m.T) / 2
        n = s.rows
        for k in range(1, n + 1):
            for idx in itertools.combinations(range(n), k):
                if _sign(s.extract(list(idx), list(idx)).det()) < 0:
                    return False
        return True
    a = check_sample("m", m, ndim=2)
    if a.shape[0] != a.shape[1]:
        raise ValueError(f"m must be square, got shape {a.shape}")
    return bool(np.min(np.linalg.eigvalsh((a + a.T) / 2)) >= -tol)


# --- one-dimensional laws -----------------------------------------------------------------------


@dataclass(frozen=True)
class Law1D:
    """A law on the line with closed-form CDF F and quantile function :math:`F^{-1}`.

    Every method accepts a float array or a sympy expression and answers in kind (so the
    printed map :math:`F_1^{-1}\\circ F_0` is evaluated exactly and in float64 by the same
    text).  Kinds: ``uniform`` (a, b) on [a, b]; ``power`` (k) with :math:`F(x) = x^k` on [0, 1]
    (density :math:`kx^{k-1}`; k = 2 is Beta(2, 1)); ``exponential`` (rate λ);
    ``normal`` (mean m, standard deviation s).  Build them with :func:`uniform`,
    :func:`power`, :func:`exponential`, :func:`normal`, which validate the parameters.
    """

    kind: str
    p: Any
    q: Any = None

    def __str__(self) -> str:
        return {
            "uniform": f"U[{self.p}, {self.q}]",
            "power": f"power({self.p}) (F = x^{self.p} on [0, 1])",
            "exponential": f"Exp({self.p})",
            "normal": f"N({self.p}, {self.q}²)",
        }[self.kind]

    # exact versions of the parameters (sympy numbers) when a sympy argument is given
    def _par(self, exact: bool) -> tuple[Any, Any]:
        if not exact:
            return float(self.p), (None if self.q is None else float(self.q))
        conv = lambda v: sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sp.nsimplify(v)  # noqa: E731
        return conv(self.p), (None if self.q is None else conv(self.q))

    @property
    def support(self) -> tuple[float, float]:
        if self.kind == "uniform":
            return float(self.p), float(self.q)
        if self.kind == "power":
            return 0.0, 1.0
        if self.kind == "exponential":
            return 0.0, math.inf
        return -math.inf, math.inf

    def cdf(self, x: Any) -> Any:
        """:math:`F(x)` (inside the support)."""
        exact = _is_sym(x)
        p, q = self._par(exact)
        if not exact:
            x = check_sample("x", x)
        if self.kind == "uniform":
            return (x - p) / (q - p)
        if self.kind == "power":
            return x**p
        if self.kind == "exponential":
            return 1 - sp.exp(-p * x) if exact else -np.expm1(-p * x)
        return (1 + sp.erf((x - p) / (q * sp.sqrt(2)))) / 2 if exact else special.ndtr((x - p) / q)

    def quantile(self, u: Any) -> Any:
        """:math:`F^{-1}(u)`, u in [0, 1]."""
        exact = _is_sym(u)
        p, q = self._par(exact)
        if not exact:
            u = check_sample("u", u)
            if np.any((u < 0) | (u > 1)):
                bad = u[(u < 0) | (u > 1)].ravel()[0]
                raise ValueError(f"u must lie in [0, 1] (a quantile level), got {bad!r}")
        if self.kind == "uniform":
            return p + (q - p) * u
        if self.kind == "power":
            return u ** (1 / p) if exact else np.power(u, 1.0 / p)
        if self.kind == "exponential":
            return -sp.log(1 - u) / p if exact else -np.log1p(-u) / p
        return p + q * sp.sqrt(2) * sp.erfinv(2 * u - 1) if exact else p + q * special.ndtri(u)

    def pdf(self, x: Any) -> np.ndarray:
        """Density (float64 only; zero outside the support)."""
        x = check_sample("x", x)
        p, q = self._par(False)
        lo, hi = self.support
        inside = (x >= lo) & (x <= hi)
        if self.kind == "uniform":
            d = np.full_like(x, 1 / (q - p))
        elif self.kind == "power":
            d = p * np.power(np.clip(x, 0, 1), p - 1)
        elif self.kind == "exponential":
            d = p * np.exp(-p * np.clip(x, 0, None))
        else:
            d = np.exp(-0.5 * ((x - p) / q) ** 2) / (q * math.sqrt(2 * math.pi))
        return np.where(inside, d, 0.0)

    def mean(self, exact: bool = False) -> Any:
        p, q = self._par(exact)
        return {"uniform": lambda: (p + q) / 2, "power": lambda: p / (p + 1), "exponential": lambda: 1 / p, "normal": lambda: p}[self.kind]()

    def std(self, exact: bool = False) -> Any:
        p, q = self._par(exact)
        sqrt = sp.sqrt if exact else math.sqrt
        return {
            "uniform": lambda: (q - p) / sqrt(12),
            "power": lambda: sqrt(p / (p + 2)) / (p + 1),
            "exponential": lambda: 1 / p,
            "normal": lambda: q,
        }[self.kind]()

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` i.i.d. draws by inversion, :math:`F^{-1}(U)`."""
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        if isinstance(n, bool) or int(n) != n or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}")
        return self.quantile(rng.random(int(n)))

    def interior_points(self) -> list[sp.Rational]:
        """Rational points inside the support, for exact evaluations."""
        lo, hi = self.support
        if math.isinf(hi):
            base = 0.0 if not math.isinf(lo) else -2.0
            return [sp.Rational(k, 4) + sp.nsimplify(base) for k in range(1, 13)]
        lo_r, hi_r = sp.nsimplify(self.p) if self.kind == "uniform" else 0, sp.nsimplify(self.q) if self.kind == "uniform" else 1
        return [lo_r + (hi_r - lo_r) * sp.Rational(k, 8) for k in range(1, 8)]


def uniform(a: Any, b: Any) -> Law1D:
    """U[a, b]; ``ValueError`` unless a < b are finite."""
    _real_param("a", a)
    _real_param("b", b)
    if not float(a) < float(b):
        raise ValueError(f"uniform needs a < b, got a = {a!r}, b = {b!r}")
    return Law1D("uniform", a, b)


def power(k: Any) -> Law1D:
    """The law with CDF :math:`x^k` on [0, 1], k > 0."""
    return Law1D("power", _real_param("k", k, positive=True))


def exponential(rate: Any) -> Law1D:
    """Exp(rate), rate > 0."""
    return Law1D("exponential", _real_param("rate", rate, positive=True))


def normal(mean: Any, sd: Any) -> Law1D:
    """N(mean, sd²), sd > 0."""
    return Law1D("normal", _real_param("mean", mean), _real_param("sd", sd, positive=True))


# --- §4.1: "In one dimension, T reduces to the unique increasing map pushing α0 to α1" ----------


class Rearrangement1D:
    """otdiff §4.1: in one dimension the optimal map is the increasing rearrangement.

    .. math::

        T = F_1^{-1}\\circ F_0,

    the unique nondecreasing map with :math:`T_\\sharp\\alpha_0 = \\alpha_1` (α0 without atoms);
    its cost is the quantile formula
    :math:`\\int_0^1 |F_0^{-1}(u) - F_1^{-1}(u)|^2 du = W_2^2(\\alpha_0, \\alpha_1)`.
    """

    def map_1d(self, x: Any, law0: Law1D, law1: Law1D) -> Any:
        """The printed map T(x) (array or sympy expression)."""
        return law1.quantile(law0.cdf(x))


class Rearrangement1DDecreasing(Rearrangement1D):
    """Mutant: the anti-monotone rearrangement :math:`F_1^{-1}\\circ(1 - F_0)` (pushes α0 to
    α1, gradient of a concave function, the most expensive coupling)."""

    def map_1d(self, x, law0, law1):
        return law1.quantile(1 - law0.cdf(x))


class Rearrangement1DInverse(Rearrangement1D):
    """Mutant: :math:`T = F_0^{-1}\\circ F_1` (composition in the wrong order: the map from α1
    to α0)."""

    def map_1d(self, x, law0, law1):
        return law0.quantile(law1.cdf(x))


class Rearrangement1DMomentMatching(Rearrangement1D):
    """Mutant: the Gaussian (moment-matching) map :math:`m_1 + \\frac{s_1}{s_0}(x - m_0)` used
    beyond Gaussians (increasing, right only for location–scale pairs)."""

    def map_1d(self, x, law0, law1):
        exact = _is_sym(x)
        return law1.mean(exact) + law1.std(exact) / law0.std(exact) * (x - law0.mean(exact))


# --- Theorem 4.1 (Brenier) ------------------------------------------------------------------------


class Brenier41:
    """otdiff, Theorem 4.1 (Brenier), as printed.

    .. math::

        \\exists!\\ T = \\nabla\\phi \\ \\text{ such that } T_\\sharp\\alpha_0 = \\alpha_1,
        \\text{ and this } T \\text{ is the unique solution to (9)}.

    The printed statement puts no condition on φ.  :meth:`admissible` says whether a map with
    Jacobian ``jac`` belongs to the class over which uniqueness is asserted: as printed, the
    gradients (Jacobian symmetric).  The checks enumerate the maps that push α0 to α1 and
    count the admissible ones.
    """

    def admissible(self, jac: Any, tol: float = 0.0) -> bool:
        """T = ∇φ for some φ (symmetric Jacobian ∇²φ)."""
        return is_symmetric(jac, tol)


class Brenier41Corrected(Brenier41):
    """otdiff, Theorem 4.1 with the convexity of φ restored (Brenier 1991; the sentence before
    the theorem: "T is the gradient of a convex function").

    .. math::

        \\exists!\\ T = \\nabla\\phi,\\ \\phi \\text{ convex, such that } T_\\sharp\\alpha_0 = \\alpha_1,
        \\text{ and this } T \\text{ is the unique solution to (9)}.
    """

    def admissible(self, jac, tol=0.0):
        """T = ∇φ with φ convex: ∇²φ symmetric positive semidefinite."""
        return is_symmetric(jac, tol) and is_psd(jac, tol)


class Brenier41Concave(Brenier41Corrected):
    """Mutant: φ concave (∇²φ ⪯ 0): selects the anti-monotone map."""

    def admissible(self, jac, tol=0.0):
        neg = -jac if isinstance(jac, sp.MatrixBase) else -np.asarray(jac, dtype=float)
        return is_symmetric(jac, tol) and is_psd(neg, tol)


class Brenier41Monotone(Brenier41Corrected):
    """Mutant: "T monotone" in place of "T = ∇φ, φ convex" (the symmetric part of the Jacobian
    positive semidefinite; §4.1 warns that not every monotone map is such a gradient)."""

    def admissible(self, jac, tol=0.0):
        return is_psd(jac, tol)


# --- §4.1: gradient of a convex function, hence monotone -----------------------------------------


class MonotoneGradient:
    """otdiff §4.1: T is the gradient of a convex function, hence monotone,

    .. math::

        \\langle T(x) - T(y), x - y\\rangle \\geq 0 \\quad \\forall x, y;

    "not every monotone map is the gradient of a convex function" in higher dimensions (in one
    dimension every nondecreasing map is the derivative of its convex primitive).  For Gaussians
    T is the map of Proposition 4.3 (imported from :mod:`theorems.bures.formulas`).
    """

    def gaussian_map(self, s0: Any, s1: Any, la: Any) -> Any:
        """The printed optimal map between N(0, Σ0) and N(0, Σ1) (otdiff, Proposition 4.3)."""
        return Prop43().map(s0, s1, la)

    def pairing(self, tx: Any, ty: Any, x: Any, y: Any) -> Any:
        """:math:`\\langle T(x) - T(y), x - y\\rangle` over the last axis (arrays (..., d)) or
        for sympy column vectors."""
        if isinstance(tx, sp.MatrixBase):
            return ((tx - ty).T * (x - y))[0, 0]
        return np.sum((np.asarray(tx) - np.asarray(ty)) * (np.asarray(x) - np.asarray(y)), axis=-1)

    def monotone_is_gradient_of_convex(self, d: int) -> bool:
        """Whether every monotone map of :math:`\\mathbb R^d` is the gradient of a convex
        function (as the text says: only for d = 1)."""
        if isinstance(d, bool) or int(d) != d or d < 1:
            raise ValueError(f"d must be a positive integer, got {d!r}")
        return int(d) == 1


class MonotonePairingSign(MonotoneGradient):
    """Mutant: :math:`\\langle T(x) - T(y), y - x\\rangle \\geq 0` (sign of the pairing)."""

    def pairing(self, tx, ty, x, y):
        return super().pairing(tx, ty, y, x)


class MonotoneKnothe(MonotoneGradient):
    """Mutant: the Knothe–Rosenblatt map :math:`L_1L_0^{-1}` (Cholesky factors
    :math:`\\Sigma_i = L_iL_i^\\top`): it pushes N(0, Σ0) to N(0, Σ1), but A is lower triangular,
    not symmetric — not a gradient."""

    def gaussian_map(self, s0, s1, la):
        if isinstance(s0, sp.MatrixBase):
            return sp.Matrix(s1).cholesky(hermitian=False) * sp.Matrix(s0).cholesky(hermitian=False).inv()
        return np.linalg.cholesky(s1) @ np.linalg.inv(np.linalg.cholesky(s0))


class MonotoneConverseAlways(MonotoneGradient):
    """Mutant: every monotone map is the gradient of a convex function, in every dimension."""

    def monotone_is_gradient_of_convex(self, d):
        super().monotone_is_gradient_of_convex(d)
        return True


# --- (9)–(10): Monge, Kantorovich, π* = (Id, T)♯α0 -----------------------------------------------


def _sqrt_any(a: Any) -> Any:
    a = np.asarray(a)
    if a.dtype == object:
        return np.vectorize(sp.sqrt, otypes=[object])(a)
    return np.sqrt(a)


class Kantorovich:
    """otdiff §4.1, eqs. (9)–(10), for discrete measures :math:`\\alpha_0 = \\sum_i a_i\\delta_{x_i}`,
    :math:`\\alpha_1 = \\sum_j b_j\\delta_{y_j}`.

    .. math::

        (9)\\ \\inf_{T_\\sharp\\alpha_0 = \\alpha_1}\\int\\|x - T(x)\\|^2 d\\alpha_0(x), \\qquad
        (10)\\ W_2(\\alpha_0, \\alpha_1)^2 = \\inf_{\\pi\\in\\Pi(\\alpha_0, \\alpha_1)}\\iint\\|x - y\\|^2 d\\pi(x, y),

    and, when an optimal Monge map T exists, :math:`\\pi^\\star = (\\mathrm{Id}, T)_\\sharp\\alpha_0` is
    an optimal coupling and the values of (9) and (10) coincide.  A map T of the support is
    given by indices: :math:`T(x_i) = y_{\\sigma(i)}`.  Arrays may hold floats or exact sympy
    numbers (object dtype).
    """

    def ground_cost(self, x: Any, y: Any) -> Any:
        """:math:`\\|x_i - y_j\\|^2`, shape (n, m), for points x (n, d), y (m, d)."""
        diff = np.asarray(x)[:, None, :] - np.asarray(y)[None, :, :]
        return np.sum(diff * diff, axis=-1)

    def kantorovich_cost(self, plan: Any, x: Any, y: Any) -> Any:
        """The objective of (10): :math:`\\sum_{ij}\\pi_{ij}\\|x_i - y_j\\|^2`."""
        return np.sum(np.asarray(plan) * self.ground_cost(x, y))

    def monge_cost(self, x: Any, tx: Any, a: Any) -> Any:
        """The objective of (9): :math:`\\sum_i a_i\\|x_i - T(x_i)\\|^2`."""
        diff = np.asarray(x) - np.asarray(tx)
        return np.sum(np.asarray(a) * np.sum(diff * diff, axis=-1))

    def induced_coupling(self, a: Any, sigma: Any, m: int) -> Any:
        """:math:`\\pi^\\star = (\\mathrm{Id}, T)_\\sharp\\alpha_0`: :math:`\\pi_{i\\sigma(i)} = a_i`."""
        a = np.asarray(a)
        plan = np.zeros((len(a), m), dtype=a.dtype)
        plan[np.arange(len(a)), np.asarray(sigma)] = a
        return plan


class KantorovichTransposed(Kantorovich):
    """Mutant: :math:`\\pi^\\star = (T, \\mathrm{Id})_\\sharp\\alpha_0` (the pair in the wrong order:
    :math:`\\pi_{\\sigma(i) i} = a_i`)."""

    def induced_coupling(self, a, sigma, m):
        return super().induced_coupling(a, sigma, m).T.copy()


class KantorovichUnsquared(Kantorovich):
    """Mutant: (10) with the cost :math:`\\|x - y\\|` (the W1 problem) in place of
    :math:`\\|x - y\\|^2`."""

    def ground_cost(self, x, y):
        return _sqrt_any(super().ground_cost(x, y))


class KantorovichIndependent(Kantorovich):
    """Mutant: :math:`\\pi^\\star = \\alpha_0\\otimes\\alpha_1` (the independent coupling of flow
    matching, §3.1) in place of :math:`(\\mathrm{Id}, T)_\\sharp\\alpha_0`."""

    def induced_coupling(self, a, sigma, m):
        plan = super().induced_coupling(a, sigma, m)
        return np.outer(np.asarray(a), plan.sum(axis=0))


# --- exact Gaussian instances -----------------------------------------------------------------------


def rotation(c: Any, s: Any) -> sp.Matrix:
    """The 2x2 rotation with cosine c and sine s (exact, c² + s² = 1 required)."""
    c, s = sp.nsimplify(c), sp.nsimplify(s)
    if sp.expand(c**2 + s**2 - 1) != 0:
        raise ValueError(f"rotation needs c² + s² = 1, got c = {c}, s = {s}")
    return sp.Matrix([[c, -s], [s, c]])


@dataclass(frozen=True)
class GaussianInstance:
    """An exact pair :math:`\\Sigma_0 = R_0^2`, :math:`\\Sigma_1 = R_0^{-1}B^2R_0^{-1}` with
    :math:`R_0 \\succ 0` and :math:`B = Q\\,\\mathrm{diag}(b)\\,Q^\\top \\succ 0` rational, so that
    :math:`\\Sigma_0^{1/2} = R_0` and :math:`(\\Sigma_0^{1/2}\\Sigma_1\\Sigma_0^{1/2})^{1/2} = B`.

    The symmetric solutions of :math:`A\\Sigma_0A = \\Sigma_1` (the linear gradient maps
    pushing N(0, Σ0) to N(0, Σ1)) are :math:`A_\\varepsilon = R_0^{-1}Q\\,\\mathrm{diag}(\\varepsilon b)Q^\\top R_0^{-1}`,
    ε ∈ {±1}^d — all of them when the b_i are distinct; every linear pushforward is
    :math:`A_+R_0UR_0^{-1}` with U orthogonal.
    """

    name: str
    r0: tuple
    q: tuple
    b: tuple
    extra_symmetric: tuple = ()

    @property
    def R0(self) -> sp.Matrix:
        return sp.Matrix(self.r0)

    @property
    def Q(self) -> sp.Matrix:
        return sp.Matrix(self.q)

    @property
    def B(self) -> sp.Matrix:
        return self.Q * sp.diag(*self.b) * self.Q.T

    @property
    def sigma0(self) -> sp.Matrix:
        return self.R0 * self.R0

    @property
    def sigma1(self) -> sp.Matrix:
        ri = self.R0.inv()
        return ri * self.B * self.B * ri

    def symmetric_solutions(self) -> list[tuple[str, sp.Matrix]]:
        """(label, A_ε) for every sign pattern, then the extra symmetric solutions (repeated b)."""
        ri = self.R0.inv()
        out = []
        for eps in itertools.product((1, -1), repeat=len(self.b)):
            a = ri * self.Q * sp.diag(*[e * bi for e, bi in zip(eps, self.b)]) * self.Q.T * ri
            out.append(("A_ε, ε = (" + ", ".join("+" if e > 0 else "−" for e in eps) + ")", a))
        for label, u in self.extra_symmetric:
            out.append((label, self.pushforward(sp.Matrix(u))))
        return out

    def pushforward(self, u: sp.Matrix) -> sp.Matrix:
        """The linear pushforward :math:`A_+R_0UR_0^{-1}` for an orthogonal U."""
        ri = self.R0.inv()
        return ri * self.B * ri * self.R0 * sp.Matrix(u) * ri


_P = ((sp.Rational(3, 5), sp.Rational(-4, 5)), (sp.Rational(4, 5), sp.Rational(3, 5)))
_Q = ((sp.Rational(5, 13), sp.Rational(-12, 13)), (sp.Rational(12, 13), sp.Rational(5, 13)))
_I2 = ((1, 0), (0, 1))


def _spd(q, lam) -> tuple:
    m = sp.Matrix(q) * sp.diag(*lam) * sp.Matrix(q).T
    return tuple(tuple(m.row(i)) for i in range(m.rows))


#: Exact instances, simplest first (the first failing one is the minimal counterexample).
GAUSSIAN_INSTANCES: tuple[GaussianInstance, ...] = (
    GaussianInstance("d = 1, Σ0 = Σ1 = 1", ((1,),), ((1,),), (1,)),
    GaussianInstance("d = 1, Σ0 = 1, Σ1 = 4", ((1,),), ((1,),), (2,)),
    GaussianInstance(
        "d = 2, Σ0 = Σ1 = Id",
        _I2,
        _I2,
        (1, 1),
        extra_symmetric=(("reflection across the line at angle atan(1/2)", ((sp.Rational(3, 5), sp.Rational(4, 5)), (sp.Rational(4, 5), sp.Rational(-3, 5)))),),
    ),
    GaussianInstance("d = 2, commuting: Σ0 = diag(1, 4), Σ1 = diag(9, 1/4)", ((1, 0), (0, 2)), _I2, (3, 1)),
    GaussianInstance("d = 2, non-commuting (R0 = P diag(1, 2) Pᵀ, B = Q diag(3, 1) Qᵀ)", _spd(_P, (1, 2)), _Q, (3, 1)),
)
