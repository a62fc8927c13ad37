"""The printed formulas of otdiff §5.3 (interacting particles), their mutants, and the
interaction kernels they are evaluated on.

Convention of otdiff §5.1: the Wasserstein gradient flow (15) moves mass with the velocity
:math:`v = -\\nabla_W f(\\alpha)`, :math:`\\nabla_W f = \\nabla[\\delta f(\\alpha)]`, where the first
variation satisfies :math:`f((1-\\tau)\\alpha + \\tau\\beta) = f(\\alpha) + \\tau\\int\\delta f(\\alpha)\\,
d(\\beta - \\alpha) + o(\\tau)`.

Every formula is written with numpy operations that work both on float arrays and on numpy
object arrays of sympy expressions, so the symbolic checks evaluate the same text exactly.
Point clouds are rows: ``x : (m, d)``.  A mutant is a subclass overriding one method with one
deliberate slip.

The kernels are sympy expressions in :math:`x, y \\in \\mathbb R^d` and numeric parameters,
differentiated once by sympy and lambdified once per (family, d); binding parameter values is
free, so property checks can draw thousands of kernels.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import sympy as sp

__all__ = [
    "Kernel",
    "quadratic_kernel",
    "potential_kernel",
    "exp_inner_kernel",
    "gaussian_confined_kernel",
    "abs_kernel",
    "generic_kernel",
    "interaction_energy",
    "Eq17",
    "Eq17SignFlip",
    "Eq17DoubleGradient",
    "Eq17Corrected",
    "Eq17CorrectedAsPrinted",
    "Eq17CorrectedSignFlip",
    "Eq17CorrectedSquaredN",
    "Eq18",
    "Eq18NoFactorTwo",
    "Eq18SignFlip",
    "Eq18SecondArgument",
    "Eq18PotentialDoubled",
    "Eq18Particles",
    "Eq18ParticlesOneOverN",
    "Eq18ParticlesOneOverNSquared",
    "Eq18ParticlesSignFlip",
]


# --- kernels -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Family:
    """Sympy expression of a kernel family with its partial gradients, in the symbols
    ``xs``, ``ys`` (points) and ``ps`` (parameters); lambdified lazily."""

    name: str
    d: int
    xs: tuple[sp.Symbol, ...]
    ys: tuple[sp.Symbol, ...]
    ps: tuple[sp.Symbol, ...]
    expr: sp.Expr
    dx: tuple[sp.Expr, ...]
    dy: tuple[sp.Expr, ...]

    @functools.cached_property
    def symmetric(self) -> bool:
        """Whether k(x, y) = k(y, x) for all parameter values (sympy, structural after expansion)."""
        swap = dict(zip(self.xs + self.ys, self.ys + self.xs))
        return bool(sp.expand(self.expr - self.expr.xreplace(swap)) == 0)

    @functools.cached_property
    def numeric(self) -> tuple[Callable[..., list], Callable[..., list], Callable[..., list]]:
        """Lambdified (values, x-gradient, y-gradient), each returning a list of arrays."""
        if self.expr.atoms(sp.core.function.AppliedUndef):
            raise TypeError(f"kernel family {self.name!r} is symbolic (undefined functions) and has no numeric values")
        args = (*self.xs, *self.ys, *self.ps)
        return tuple(sp.lambdify(args, list(e), modules="numpy") for e in ((self.expr,), self.dx, self.dy))


#: family name -> (builder(x, y, params, d) -> sympy expression, number of parameters in d).
_BUILDERS: dict[str, tuple[Callable[..., sp.Expr], Callable[[int], int]]] = {}


def _builder(name: str, n_params: Callable[[int], int]):
    def register(fn):
        _BUILDERS[name] = (fn, n_params)
        return fn

    return register


@_builder("quadratic", lambda d: 2 * d * d)
def _quadratic(x, y, p, d):
    a = sp.Matrix(d, d, p[: d * d])
    b = sp.Matrix(d, d, p[d * d :])
    xv, yv = sp.Matrix(x), sp.Matrix(y)
    return (xv.T * a * xv + yv.T * a * yv + 2 * xv.T * b * yv)[0]


@_builder("potential", lambda d: d + d * d + 1)
def _potential(x, y, p, d):
    c = sp.Matrix(p[:d])
    q = sp.Matrix(d, d, p[d : d + d * d])
    xv = sp.Matrix(x)
    return (c.T * xv)[0] + (xv.T * q * xv)[0] / 2 + p[-1] * sum(sp.cos(xi) for xi in x)


@_builder("exp-inner", lambda d: 1)
def _exp_inner(x, y, p, d):
    return sp.exp(p[0] * sum(xi * yi for xi, yi in zip(x, y)))


@_builder("gaussian-confined", lambda d: 2)
def _gaussian_confined(x, y, p, d):
    r2 = sum((xi - yi) ** 2 for xi, yi in zip(x, y))
    return sp.exp(-r2 / (2 * p[0] ** 2)) + p[1] * (sum(xi**2 for xi in x) + sum(yi**2 for yi in y)) / 2


@_builder("abs", lambda d: 0)
def _abs(x, y, p, d):
    return sp.Abs(x[0] - y[0])


@_builder("generic", lambda d: 0)
def _generic(x, y, p, d):
    g = sp.Function("g")
    return g(*x, *y) + g(*y, *x)


@_builder("generic-asymmetric", lambda d: 0)
def _generic_asymmetric(x, y, p, d):
    return sp.Function("g")(*x, *y)


@_builder("generic-potential", lambda d: 0)
def _generic_potential(x, y, p, d):
    return sp.Function("h")(*x)


@functools.lru_cache(maxsize=None)
def _family(name: str, d: int) -> _Family:
    if name not in _BUILDERS:
        raise ValueError(f"kernel family must be one of {sorted(_BUILDERS)}, got {name!r}")
    if isinstance(d, bool) or int(d) != d or d < 1:
        raise ValueError(f"d must be a positive integer, got {d!r}")
    if name == "abs" and d != 1:
        raise ValueError(f"the kernel |x − y| is used in d = 1 only, got d = {d}")
    build, n_params = _BUILDERS[name]
    xs = sp.symbols(f"kx_1:{d + 1}", real=True)
    ys = sp.symbols(f"ky_1:{d + 1}", real=True)
    ps = sp.symbols(f"kp_1:{n_params(d) + 1}", real=True) if n_params(d) else ()
    expr = build(xs, ys, ps, d)
    return _Family(name, d, xs, ys, ps, expr, tuple(expr.diff(v) for v in xs), tuple(expr.diff(v) for v in ys))


class Kernel:
    """An interaction kernel :math:`k(x, y)` on :math:`\\mathbb R^d`: a family with bound
    parameter values.

    ``value(x, y) : (m, n)``, ``grad_x(x, y) : (m, n, d)`` (:math:`\\nabla_1 k(x_a, y_j)`),
    ``grad_y(x, y) : (m, n, d)`` (:math:`\\nabla_2 k(x_a, y_j)`) for ``x : (m, d)``,
    ``y : (n, d)``; leading batch dimensions broadcast.  Float inputs are evaluated by the
    lambdified expressions; numpy object arrays of sympy expressions exactly, by substitution.
    """

    def __init__(self, family: str, d: int, params: Sequence[Any] = (), label: str | None = None) -> None:
        self.family = _family(family, d)
        params = tuple(params)
        if len(params) != len(self.family.ps):
            raise ValueError(f"kernel family {family!r} in d = {d} takes {len(self.family.ps)} parameters, got {len(params)}")
        self.params = params
        self.d = d
        self.label = label or family

    @functools.cached_property
    def symmetric(self) -> bool:
        """Whether :math:`k(x, y) = k(y, x)` identically (decided by sympy with the parameters bound)."""
        if self.family.symmetric:
            return True
        fam = self.family
        e = self.sympy()
        return bool(sp.expand(e - e.xreplace(dict(zip(fam.xs + fam.ys, fam.ys + fam.xs)))) == 0)

    def sympy(self) -> sp.Expr:
        """The kernel as a sympy expression in ``family.xs``, ``family.ys`` with the parameters bound."""
        return self.family.expr.subs(dict(zip(self.family.ps, self.params)))

    def __repr__(self) -> str:
        return f"Kernel({self.label!r}, d={self.d})"

    def _points(self, name: str, z: Any) -> np.ndarray:
        z = np.asarray(z)
        if z.ndim < 2 or z.shape[-1] != self.d:
            raise ValueError(f"{name} must have shape (..., m, {self.d}) for a kernel on R^{self.d}, got {z.shape}")
        if z.dtype != object:
            z = z.astype(float)
            if not np.all(np.isfinite(z)):
                raise ValueError(f"{name} contains NaN or inf")
        return z

    def _eval(self, x: Any, y: Any, which: int) -> list[np.ndarray]:
        x, y = self._points("x", x), self._points("y", y)
        shape = np.broadcast_shapes(x.shape[:-2], y.shape[:-2]) + (x.shape[-2], y.shape[-2])
        if x.dtype == object or y.dtype == object:
            exprs = ((self.family.expr,), self.family.dx, self.family.dy)[which]
            fam = self.family
            xb = np.broadcast_to(x[..., :, None, :], shape + (self.d,))
            yb = np.broadcast_to(y[..., None, :, :], shape + (self.d,))
            out = [np.empty(shape, dtype=object) for _ in exprs]
            base = dict(zip(fam.ps, self.params))
            # xreplace is exact and fast unless derivatives of undefined functions must become
            # Subs objects (generic kernels), which only subs does.
            exprs = [e.xreplace(base) for e in exprs]
            plain = [not e.has(sp.Derivative) for e in exprs]
            for idx in np.ndindex(*shape):
                sub = {s: sp.sympify(v) for s, v in zip(fam.xs + fam.ys, (*xb[idx], *yb[idx]))}
                for o, e, p in zip(out, exprs, plain):
                    o[idx] = e.xreplace(sub) if p else e.subs(sub, simultaneous=True)
            return out
        args = [x[..., :, None, c] for c in range(self.d)] + [y[..., None, :, c] for c in range(self.d)]
        vals = self.family.numeric[which](*args, *self.params)
        return [np.broadcast_to(np.asarray(v, dtype=float), shape) for v in vals]

    def value(self, x: Any, y: Any) -> np.ndarray:
        """:math:`k(x_a, y_j)`, shape ``(..., m, n)``."""
        return self._eval(x, y, 0)[0]

    def grad_x(self, x: Any, y: Any) -> np.ndarray:
        """:math:`\\nabla_x k(x_a, y_j)` (gradient in the first argument), shape ``(..., m, n, d)``."""
        return np.stack(self._eval(x, y, 1), axis=-1)

    def grad_y(self, x: Any, y: Any) -> np.ndarray:
        """:math:`\\nabla_y k(x_a, y_j)` (gradient in the second argument), shape ``(..., m, n, d)``."""
        return np.stack(self._eval(x, y, 2), axis=-1)


def _matrix_params(*mats: Any, d: int) -> list[Any]:
    out: list[Any] = []
    for m in mats:
        arr = np.asarray(m, dtype=object if isinstance(m, sp.MatrixBase) else None)
        if arr.shape != (d, d):
            raise ValueError(f"matrix parameters must have shape ({d}, {d}), got {arr.shape}")
        out.extend(arr.ravel().tolist())
    return out


def quadratic_kernel(a: Any, b: Any, *, symmetric_b: bool = True) -> Kernel:
    """:math:`k(x, y) = x^\\top A x + y^\\top A y + 2x^\\top B y`; symmetric when B is.

    ``A`` must be symmetric (only its symmetric part enters); ``B`` must be symmetric unless
    ``symmetric_b=False`` (the chain-rule checks of (17) also use non-symmetric kernels).
    For symmetric B, :math:`\\nabla_W f(\\alpha)(x) = 4(Ax + Bm)`, m the mean of α.
    """
    a_arr, b_arr = np.asarray(a), np.asarray(b)
    if a_arr.ndim != 2 or a_arr.shape[0] != a_arr.shape[1]:
        raise ValueError(f"A must be a square matrix, got shape {a_arr.shape}")
    d = a_arr.shape[0]
    for name, m, need in (("A", a_arr, True), ("B", b_arr, symmetric_b)):
        if m.shape != (d, d):
            raise ValueError(f"{name} must have shape ({d}, {d}), got {m.shape}")
        if not need:
            continue
        if m.dtype == object:
            if sp.Matrix(m.tolist()) != sp.Matrix(m.tolist()).T:
                raise ValueError(f"{name} must be symmetric, got {sp.Matrix(m.tolist())}")
        elif not np.allclose(m, m.T, rtol=0, atol=1e-12 * (1 + np.abs(m).max())):
            raise ValueError(f"{name} must be symmetric: max |{name} − {name}ᵀ| = {np.abs(m - m.T).max():.3g}")
    return Kernel("quadratic", d, _matrix_params(a, b, d=d), label="quadratic")


def potential_kernel(c: Any, q: Any | None = None, wiggle: Any = 0) -> Kernel:
    """:math:`k(x, y) = h(x)`, :math:`h(x) = \\langle c, x\\rangle + \\tfrac12 x^\\top Q x +
    s\\sum_i\\cos x_i` (independent of y; not symmetric unless h is constant)."""
    c = list(np.asarray(c).ravel()) if not isinstance(c, (list, tuple)) else list(c)
    d = len(c)
    if d < 1:
        raise ValueError("c must have at least one entry")
    q = np.zeros((d, d)) if q is None else q
    return Kernel("potential", d, [*c, *_matrix_params(q, d=d), wiggle], label="potential h(x)")


def exp_inner_kernel(d: int, beta: Any) -> Kernel:
    """:math:`k(x, y) = \\exp(\\beta\\langle x, y\\rangle)`: symmetric, not translation invariant."""
    return Kernel("exp-inner", d, [beta], label="exp(β⟨x,y⟩)")


def gaussian_confined_kernel(d: int, width: Any, confinement: Any) -> Kernel:
    """:math:`k(x, y) = e^{-|x-y|^2/(2s^2)} + \\tfrac{\\lambda}{2}(|x|^2 + |y|^2)`: a Gaussian
    interaction plus a quadratic confinement (symmetric, not translation invariant)."""
    if not (isinstance(width, sp.Basic) or width > 0):
        raise ValueError(f"width must be positive, got {width!r}")
    return Kernel("gaussian-confined", d, [width, confinement], label="Gaussian + confinement")


def abs_kernel() -> Kernel:
    """:math:`k(x, y) = |x - y|` in d = 1; :math:`\\nabla_x k = \\operatorname{sign}(x - y)`,
    sign(0) = 0."""
    return Kernel("abs", 1, (), label="|x − y|")


def generic_kernel(d: int, kind: str = "symmetric") -> Kernel:
    """A generic kernel for symbolic proofs: ``symmetric`` :math:`g(x, y) + g(y, x)`,
    ``asymmetric`` :math:`g(x, y)`, ``potential`` :math:`h(x)`; g, h undefined sympy functions."""
    names = {"symmetric": "generic", "asymmetric": "generic-asymmetric", "potential": "generic-potential"}
    if kind not in names:
        raise ValueError(f"kind must be one of {sorted(names)}, got {kind!r}")
    return Kernel(names[kind], d, (), label=f"generic {kind}")


def _weights(weights: Any, n: int) -> np.ndarray:
    w = np.asarray(weights)
    if w.shape[-1:] != (n,):
        raise ValueError(f"weights must have shape (..., {n}) like the atoms, got {w.shape}")
    if w.dtype != object:
        w = w.astype(float)
        if not np.all(np.isfinite(w)):
            raise ValueError("weights contain NaN or inf")
    return w


def interaction_energy(kernel: Kernel, points: Any, weights: Any) -> Any:
    """The functional (18) of a weighted discrete measure :math:`\\sum_a w_a\\delta_{z_a}`:

    .. math::

        f(\\alpha) = \\iint k(x, y)\\,d\\alpha(x)\\,d\\alpha(y) = \\sum_{a, b} w_a w_b\\, k(z_a, z_b)
        \\qquad\\text{(otdiff, eq. (18))}.

    ``points : (..., m, d)``, ``weights : (..., m)`` (signed weights allowed: the definition is
    a polynomial in the weights, which :mod:`verify.variation` relies on).
    """
    z = np.asarray(points)
    w = _weights(weights, z.shape[-2])
    kv = kernel.value(z, z)
    return (w[..., :, None] * w[..., None, :] * kv).sum(axis=(-2, -1))


# --- (17) --------------------------------------------------------------------------------


def _grad(grad_f: Any) -> np.ndarray:
    g = np.asarray(grad_f)
    if g.ndim != 2 or g.shape[0] < 1:
        raise ValueError(f"grad_F must have shape (n, d) (one row per particle), got {g.shape}")
    return g


class Eq17:
    """otdiff, §5.3, eq. (17), as printed: for :math:`\\alpha_t = \\frac1n\\sum_i\\delta_{x_i(t)}`
    the particles of the flow (15) evolve by

    .. math::

        \\dot X(t) = -\\nabla F(X), \\qquad F(X) := f\\Big(\\frac1n\\sum_{i=1}^n\\delta_{x_i}\\Big).

    ``velocity(grad_F)`` maps the Euclidean gradient :math:`\\nabla F(X)`, shape ``(n, d)``, to
    the printed particle velocities.
    """

    def velocity(self, grad_F: Any) -> Any:
        return -_grad(grad_F)


class Eq17SignFlip(Eq17):
    """Mutant: gradient ascent, :math:`\\dot X = +\\nabla F(X)`."""

    def velocity(self, grad_F):
        return _grad(grad_F)


class Eq17DoubleGradient(Eq17):
    """Mutant: :math:`\\dot X = -2\\nabla F(X)` (a factor 2 borrowed from the symmetric kernel)."""

    def velocity(self, grad_F):
        return -2 * _grad(grad_F)


class Eq17Corrected:
    """(17) corrected: since :math:`\\nabla_{x_i}F(X) = \\frac1n\\nabla_W f(\\alpha_X)(x_i)`
    (chain rule through the weight 1/n), the particles of the flow (15) evolve by

    .. math::

        \\dot X(t) = -n\\,\\nabla F(X), \\qquad F(X) := f\\Big(\\frac1n\\sum_{i=1}^n\\delta_{x_i}\\Big);

    equivalently :math:`\\dot X = -\\nabla F` for the gradient in the metric
    :math:`\\frac1n\\sum_i|u_i|^2` that W2 induces on n-particle configurations.
    """

    def velocity(self, grad_F: Any) -> Any:
        g = _grad(grad_F)
        return -g.shape[0] * g


class Eq17CorrectedAsPrinted(Eq17Corrected):
    """Mutant: the printed form, :math:`\\dot X = -\\nabla F(X)` (the factor n dropped)."""

    def velocity(self, grad_F):
        return -_grad(grad_F)


class Eq17CorrectedSignFlip(Eq17Corrected):
    """Mutant: :math:`\\dot X = +n\\nabla F(X)`."""

    def velocity(self, grad_F):
        g = _grad(grad_F)
        return g.shape[0] * g


class Eq17CorrectedSquaredN(Eq17Corrected):
    """Mutant: :math:`\\dot X = -n^2\\nabla F(X)` (the weight 1/n counted twice)."""

    def velocity(self, grad_F):
        g = _grad(grad_F)
        return -(g.shape[0] ** 2) * g


# --- (18) --------------------------------------------------------------------------------


def _cloud(kernel: Kernel, x: Any, atoms: Any, weights: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not isinstance(kernel, Kernel):
        raise TypeError(f"kernel must be a Kernel, got {type(kernel).__name__}")
    x, atoms = np.asarray(x), np.asarray(atoms)
    if x.ndim != 2 or atoms.ndim != 2:
        raise ValueError(f"x and atoms must have shape (m, d) and (n, d), got {x.shape} and {atoms.shape}")
    return x, atoms, _weights(weights, atoms.shape[0])


class Eq18:
    """otdiff, §5.3, after eq. (18), as printed: for :math:`f(\\alpha) = \\iint k(x, y)\\,d\\alpha(x)\\,d\\alpha(y)`,

    .. math::

        k(x, y) = h(x):\\quad \\nabla_W f(\\alpha) = \\nabla h \\quad\\text{(independently of } \\alpha);

    .. math::

        k \\text{ symmetric}:\\quad \\nabla_W f(\\alpha)(x) = 2\\int\\nabla_x k(x, y)\\,d\\alpha(y).
    """

    def gradient_potential(self, grad_h: Any) -> Any:
        """:math:`\\nabla_W f(\\alpha)(x)` for k(x, y) = h(x), given :math:`\\nabla h(x)` (shape ``(m, d)``)."""
        return np.asarray(grad_h)

    def gradient_symmetric(self, kernel: Kernel, x: Any, atoms: Any, weights: Any) -> Any:
        """:math:`\\nabla_W f(\\alpha)(x_a)` for symmetric k and :math:`\\alpha = \\sum_j w_j\\delta_{y_j}`;
        ``x : (m, d)``, ``atoms : (n, d)``, ``weights : (n,)``; returns ``(m, d)``."""
        x, atoms, w = _cloud(kernel, x, atoms, weights)
        return 2 * (w[None, :, None] * kernel.grad_x(x, atoms)).sum(axis=1)


class Eq18NoFactorTwo(Eq18):
    """Mutant: :math:`\\int\\nabla_x k(x, y)\\,d\\alpha(y)` (the factor 2 of the symmetric case dropped)."""

    def gradient_symmetric(self, kernel, x, atoms, weights):
        x, atoms, w = _cloud(kernel, x, atoms, weights)
        return (w[None, :, None] * kernel.grad_x(x, atoms)).sum(axis=1)


class Eq18SignFlip(Eq18):
    """Mutant: :math:`-2\\int\\nabla_x k(x, y)\\,d\\alpha(y)`."""

    def gradient_symmetric(self, kernel, x, atoms, weights):
        x, atoms, w = _cloud(kernel, x, atoms, weights)
        return -2 * (w[None, :, None] * kernel.grad_x(x, atoms)).sum(axis=1)


class Eq18SecondArgument(Eq18):
    """Mutant: the gradient in the second argument, :math:`2\\int\\nabla_y k(x, y)\\,d\\alpha(y)`
    (equal to the sign flip for translation-invariant kernels; differs for the kernels used)."""

    def gradient_symmetric(self, kernel, x, atoms, weights):
        x, atoms, w = _cloud(kernel, x, atoms, weights)
        return 2 * (w[None, :, None] * kernel.grad_y(x, atoms)).sum(axis=1)


class Eq18PotentialDoubled(Eq18):
    """Mutant: :math:`\\nabla_W f = 2\\nabla h` for k(x, y) = h(x) (the symmetric-case formula
    applied to a kernel that is not symmetric)."""

    def gradient_potential(self, grad_h):
        return 2 * np.asarray(grad_h)


# --- the particle system after (18) -------------------------------------------------------


def _particles(kernel: Kernel, x: Any) -> np.ndarray:
    if not isinstance(kernel, Kernel):
        raise TypeError(f"kernel must be a Kernel, got {type(kernel).__name__}")
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[0] < 1:
        raise ValueError(f"X must have shape (n, d) with n >= 1, got {x.shape}")
    return x


class Eq18Particles:
    """otdiff, §5.3, the particle system displayed after (18), as printed (symmetric k):

    .. math::

        \\dot x_i(t) = -\\frac{2}{n}\\sum_{j=1}^n \\nabla_x k(x_i(t), x_j(t)).

    ``velocity(kernel, X)`` with ``X : (n, d)`` returns the velocities ``(n, d)``.
    """

    def velocity(self, kernel: Kernel, X: Any) -> Any:
        x = _particles(kernel, X)
        return -2 * kernel.grad_x(x, x).sum(axis=1) / x.shape[0]


class Eq18ParticlesOneOverN(Eq18Particles):
    """Mutant: :math:`-\\frac1n\\sum_j\\nabla_x k(x_i, x_j)` (the factor 2 dropped)."""

    def velocity(self, kernel, X):
        x = _particles(kernel, X)
        return -kernel.grad_x(x, x).sum(axis=1) / x.shape[0]


class Eq18ParticlesOneOverNSquared(Eq18Particles):
    """Mutant: :math:`-\\frac{2}{n^2}\\sum_j\\nabla_x k(x_i, x_j)`, the scaling that (17) as
    printed gives (:math:`-\\nabla F`)."""

    def velocity(self, kernel, X):
        x = _particles(kernel, X)
        return -2 * kernel.grad_x(x, x).sum(axis=1) / x.shape[0] ** 2


class Eq18ParticlesSignFlip(Eq18Particles):
    """Mutant: :math:`+\\frac{2}{n}\\sum_j\\nabla_x k(x_i, x_j)`."""

    def velocity(self, kernel, X):
        x = _particles(kernel, X)
        return 2 * kernel.grad_x(x, x).sum(axis=1) / x.shape[0]
