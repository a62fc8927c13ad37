"""sympy helpers: simplify-to-zero with numerical confirmation, exact instances, LaTeX steps.

Structural equality (``==``) and ``.equals()`` are not proofs (``.equals`` may return
``None``), so :func:`zero_test` simplifies *and* evaluates at random rational points, the habit
of SymPy's own ``verify_numerically``: a nonzero value at a point is a disproof; a
simplification to 0 is a proof; anything else is undecided.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import random
import signal
import threading
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import sympy as sp
from sympy.core.function import AppliedUndef

__all__ = [
    "ZeroTest",
    "zero_test",
    "is_zero_matrix",
    "sym2",
    "latex_eq",
    "matrix_latex",
    "substitute",
    "gaussian_continuity_lemma",
    "small_spd_integer_matrices",
]


@dataclass(frozen=True)
class ZeroTest:
    """Result of :func:`zero_test`: ``proved`` (simplified to 0), ``disproved`` (nonzero at a
    point, recorded in ``witness`` with the value), or neither (undecided)."""

    proved: bool
    disproved: bool
    witness: dict | None = None
    value: str | None = None
    timed_out: bool = False

    @property
    def decided(self) -> bool:
        return self.proved or self.disproved


def _entries(expr: sp.Expr | sp.MatrixBase) -> list[sp.Expr]:
    if isinstance(expr, sp.MatrixBase):
        return list(expr)
    return [sp.sympify(expr)]


def _simplify_entry(e: sp.Expr) -> sp.Expr:
    e = sp.cancel(sp.together(e))
    # A rational function in normal form is zero only if it is literally 0; only expressions
    # with radicals or other functions need the (slow) general simplifier.
    if e != 0 and not e.is_rational_function():
        e = sp.simplify(e)
    return e


def _value_at(e: sp.Expr, point: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr | None:
    """Exact value of ``e`` at ``point``; ``None`` when symbols remain or the point is
    singular (a pole or an indeterminate form is no evidence either way)."""
    v = sp.sympify(e).subs(dict(point)) if point else sp.sympify(e)
    if v.atoms(AppliedUndef):
        return None  # an unspecified function (generic activation) has no value to compare
    if v.free_symbols or v.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        return None
    if not v.is_Rational:
        v = sp.simplify(v)
        if v.has(sp.zoo, sp.oo, -sp.oo, sp.nan) or v.free_symbols:
            return None
    return v


def zero_test(
    expr: sp.Expr | sp.MatrixBase,
    points: Sequence[Mapping[sp.Symbol, sp.Expr]] = (),
    *,
    n_random: int = 3,
    seed: int = 0,
    time_limit: float | None = 60.0,
) -> ZeroTest:
    """Decide whether ``expr`` (scalar or matrix) is identically zero.

    ``points`` are admissible parameter values (for example entries of SPD matrices) at which
    the expression is evaluated exactly; further random points are used only when every free
    symbol is unconstrained (``points`` empty).
    """
    entries = _entries(expr)
    free = sorted(set().union(*(sp.sympify(e).free_symbols for e in entries)), key=str)
    pts = list(points)
    if not pts and free:
        rnd = random.Random(seed)
        # Distinct values per point, so that differences of symbols do not vanish by accident.
        pts = [
            dict(zip(free, (sp.Rational(p, q) for p, q in rnd.sample([(p, q) for p in range(1, 30) for q in range(1, 30)], len(free)))))
            for _ in range(n_random)
        ]
    if not free:
        pts = [{}]
    # Disproof first: exact evaluation at an admissible point is cheap, simplification is not.
    for p in pts:
        for e in entries:
            v = _value_at(e, p)
            if v is None or v == 0:
                continue
            if v.is_Rational or abs(sp.N(v, 50)) > sp.Float(10) ** -40:
                return ZeroTest(False, True, {str(k): str(val) for k, val in p.items()}, str(v))
    try:
        with _time_limit(time_limit):
            if all(_simplify_entry(e) == 0 for e in entries):
                return ZeroTest(True, False)
    except _SimplifyTimeout:
        # Undecided, never a pass: the caller reports INCONCLUSIVE and says why.
        return ZeroTest(False, False, timed_out=True)
    return ZeroTest(False, False)


class _SimplifyTimeout(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float | None):
    """Interrupt sympy's simplifier after ``seconds`` (a wall-clock alarm; only in the main
    thread of a process, where signals are delivered, and not at all when ``seconds`` is None)."""
    if seconds is None or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    if not seconds > 0:
        raise ValueError(f"time_limit must be positive or None, got {seconds}")

    def expire(signum, frame):
        raise _SimplifyTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def is_zero_matrix(m: sp.MatrixBase) -> bool:
    """True only when every entry of ``m`` simplifies to 0 (a proof, not a numerical guess)."""
    return all(_simplify_entry(e) == 0 for e in _entries(m))


def sym2(name: str, *, positive_diagonal: bool = True) -> tuple[sp.Matrix, tuple[sp.Symbol, ...]]:
    """A generic symmetric 2x2 matrix ``[[a, b], [b, c]]`` with fresh real symbols."""
    a, c = sp.symbols(f"{name}_11 {name}_22", positive=positive_diagonal, real=True)
    b = sp.Symbol(f"{name}_12", real=True)
    return sp.Matrix([[a, b], [b, c]]), (a, b, c)


def substitute(m: sp.MatrixBase | sp.Expr, values: Mapping[sp.Symbol, sp.Expr]):
    """Exact substitution followed by simplification."""
    out = m.subs(dict(values))
    return sp.simplify(out)


def matrix_latex(m: sp.MatrixBase | Iterable) -> str:
    return sp.latex(sp.Matrix(m))


def latex_eq(lhs: str, rhs: sp.Expr | sp.MatrixBase | str) -> str:
    """A display-math step ``$$lhs = rhs$$`` for the report."""
    r = rhs if isinstance(rhs, str) else sp.latex(rhs)
    return f"$${lhs} = {r}$$"


@functools.lru_cache(maxsize=1)
def gaussian_continuity_lemma() -> tuple[bool, tuple[str, ...]]:
    """Lemma (d = 2, explicit entries): for :math:`\\rho_t = \\mathcal N(0, \\Sigma(t))` and
    :math:`v_t(x) = Vx`,

    .. math::

        \\frac{\\partial_t\\rho + \\operatorname{div}(\\rho v)}{\\rho}
        = \\tfrac12 x^\\top\\Sigma^{-1}E\\Sigma^{-1}x - \\tfrac12\\operatorname{tr}(\\Sigma^{-1}E),
        \\qquad E = \\dot\\Sigma - V\\Sigma - \\Sigma V^\\top,

    so the continuity equation holds for all x exactly when :math:`E = 0`.
    """
    t = sp.Symbol("t", real=True)
    x = sp.Matrix(sp.symbols("x_1 x_2", real=True))
    f11, f12, f22 = (sp.Function(n)(t) for n in ("s_11", "s_12", "s_22"))
    sig = sp.Matrix([[f11, f12], [f12, f22]])
    v = sp.Matrix(2, 2, sp.symbols("v_11 v_12 v_21 v_22", real=True))
    log_rho = -(x.T * sig.inv() * x)[0] / 2 - sp.log(sig.det()) / 2
    field = v * x
    lhs = sp.diff(log_rho, t) + v.trace() + sum(field[i] * sp.diff(log_rho, x[i]) for i in range(2))
    e = sig.diff(t) - v * sig - sig * v.T
    si = sig.inv()
    rhs = (x.T * si * e * si * x)[0] / 2 - (si * e).trace() / 2
    ok = sp.simplify(sp.together(lhs - rhs)) == 0
    steps = [
        "Lemma (explicit d = 2 entries, $\\Sigma(t)$ arbitrary smooth, $V$ arbitrary): "
        "$$\\frac{\\partial_t\\rho+\\operatorname{div}(\\rho Vx)}{\\rho} = \\tfrac12 x^\\top\\Sigma^{-1}E\\Sigma^{-1}x"
        " - \\tfrac12\\operatorname{tr}(\\Sigma^{-1}E),\\quad E = \\dot\\Sigma - V\\Sigma - \\Sigma V^\\top$$ "
        + ("verified by sympy" if ok else "NOT verified by sympy")
        + "; hence the Gaussian path with the linear field solves the continuity equation iff $E = 0$."
    ]
    return ok, tuple(steps)


def small_spd_integer_matrices(limit: int = 3) -> list[sp.Matrix]:
    """Integer SPD 2x2 matrices [[a, b], [b, c]], 1 <= a, c <= limit, |b| < limit, ac > b²,
    sorted by a + |b| + c then lexicographically (the order in which counterexamples are
    minimal)."""
    out = []
    for a, c in itertools.product(range(1, limit + 1), repeat=2):
        for b in range(-limit + 1, limit):
            if a * c > b * b:
                out.append(sp.Matrix([[a, b], [b, c]]))
    out.sort(key=lambda m: (m[0, 0] + abs(m[0, 1]) + m[1, 1], abs(m[0, 1]), m[0, 0], m[1, 1], -m[0, 1]))
    return out
