"""Symbolic evidence for otdiff §5.3: eq. (17), the Wasserstein gradient of (18) and the
particle system after (18).

The reference is the definition of otdiff §5.1, applied literally by sympy: for
:math:`\\alpha = \\sum_j w_j\\delta_{y_j}` and a free point x,

.. math::

    \\frac{d}{d\\tau} f\\big((1-\\tau)\\alpha + \\tau\\delta_x\\big)\\Big|_{\\tau=0}
      = \\delta f(\\alpha)(x) - \\int\\delta f(\\alpha)\\,d\\alpha,

whose x-gradient is :math:`\\nabla_W f(\\alpha)(x)` (the subtracted constant does not depend on
x).  For (18), :math:`f(\\alpha) = \\sum_{a,b} w_a w_b k(z_a, z_b)` is a polynomial in the
weights, so the derivative is exact.  Generic kernels (sympy undefined functions g, h) give
proofs; small polynomial kernels at integer points give the minimal exact counterexamples.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Sequence

import numpy as np
import sympy as sp

from verify.claims import Outcome, Status
from verify.symbolic import zero_test
from theorems.interaction.formulas import Kernel, generic_kernel, potential_kernel, quadratic_kernel

__all__ = [
    "wasserstein_gradient_sym",
    "particle_gradient_sym",
    "minimal_counterexample_17",
    "minimal_counterexample_18",
    "minimal_counterexample_particles",
    "check_chain_rule",
    "check_first_variation",
    "check_particle_system",
]

TAU = sp.Symbol("tau")
HALF = sp.Rational(1, 2)
#: (n, d) of the generic proofs: three particles on the line, two in the plane (each case
#: covers the self-interaction term j = i and the cross terms; larger cases cost seconds).
GENERIC_CASES = ((3, 1), (2, 2))


def _obj(rows: Sequence[Sequence[Any]]) -> np.ndarray:
    return np.array([[sp.sympify(v) for v in r] for r in rows], dtype=object)


def _kfun(kernel: Kernel) -> Callable[[Sequence[Any], Sequence[Any]], sp.Expr]:
    fam, expr = kernel.family, kernel.sympy()

    def k(u, v):
        # The kernel itself has no derivatives: structural replacement is exact.
        return expr.xreplace({s: sp.sympify(c) for s, c in zip(fam.xs + fam.ys, (*u, *v))})

    return k


def wasserstein_gradient_sym(kernel: Kernel, atoms: np.ndarray, weights: Sequence[Any], at: np.ndarray) -> np.ndarray:
    """:math:`\\nabla_W f(\\alpha)` at the rows of ``at`` for (18), from the definition of the
    first variation (otdiff §5.1): differentiate :math:`f((1-\\tau)\\alpha + \\tau\\delta_x)` in
    τ at 0 and in x, then set x to each row.  Object array ``(m, d)``."""
    d = kernel.d
    x = sp.symbols(f"z_1:{d + 1}", real=True)
    k = _kfun(kernel)
    pts = [tuple(a) for a in atoms] + [x]
    ws = [(1 - TAU) * sp.sympify(w) for w in weights] + [TAU]
    fmix = sum(ws[a] * ws[b] * k(pts[a], pts[b]) for a in range(len(pts)) for b in range(len(pts)))
    dv = sp.diff(fmix, TAU).subs(TAU, 0)
    grad = [sp.diff(dv, xc) for xc in x]
    return _obj([[g.subs(dict(zip(x, row)), simultaneous=True) for g in grad] for row in at])


def particle_gradient_sym(kernel: Kernel, X: np.ndarray) -> np.ndarray:
    """Euclidean gradient of :math:`F(X) = f(\\frac1n\\sum_i\\delta_{x_i}) = \\frac{1}{n^2}\\sum_{a,b}k(x_a, x_b)`
    (the F of (17) for (18)), by sympy differentiation in symbols then substitution of ``X``."""
    n, d = X.shape
    syms = _particle_symbols(n, d)
    k = _kfun(kernel)
    F = sum(k(syms[a], syms[b]) for a in range(n) for b in range(n)) / n**2
    sub = {s: v for row_s, row_v in zip(syms, X) for s, v in zip(row_s, row_v)}
    return _obj([[sp.diff(F, s).subs(sub, simultaneous=True) for s in row] for row in syms])


def _particle_symbols(n: int, d: int) -> np.ndarray:
    return _obj([[sp.Symbol(f"x_{i + 1}" if d == 1 else f"x_{i + 1}{c + 1}", real=True) for c in range(d)] for i in range(n)])


def _uniform(n: int) -> list[sp.Rational]:
    return [sp.Rational(1, n)] * n


def _residual_zero(res: np.ndarray) -> bool:
    """Proof that an object array of expressions (possibly with undefined functions) is 0."""
    return all(sp.expand(sp.sympify(e).doit()) == 0 or sp.simplify(e) == 0 for e in np.ravel(res))


def _cases() -> str:
    return ", ".join(f"({n}, {d})" for n, d in GENERIC_CASES)


def _fmt(a: np.ndarray) -> str:
    """An exact 2-D array as a plain string, ``[[0], [1]]``."""
    return "[" + ", ".join("[" + ", ".join(str(v) for v in row) + "]" for row in np.asarray(a)) + "]"


def _tex(a: np.ndarray) -> str:
    return sp.latex(sp.Matrix(np.asarray(a).tolist()))


# --- eq. (17) ----------------------------------------------------------------------------


def _kernels_17() -> list[tuple[str, Kernel]]:
    """Kernels of (18) in d = 1 in order of simplicity (k need not be symmetric in (17))."""
    return [
        ("k(x, y) = h(x) = x", potential_kernel([1])),
        ("k(x, y) = xy", quadratic_kernel(sp.Matrix([[0]]), sp.Matrix([[HALF]]))),
        ("k(x, y) = x^2 + y^2", quadratic_kernel(sp.Matrix([[1]]), sp.Matrix([[0]]))),
    ]


_CLOUDS = [((0,),), ((0,), (1,)), ((0,), (1,), (3,))]


@functools.lru_cache(maxsize=None)
def _truth_17_concrete() -> tuple:
    out = []
    for cloud in _CLOUDS:
        X = _obj(cloud)
        for label, kernel in _kernels_17():
            out.append((label, X, particle_gradient_sym(kernel, X), -wasserstein_gradient_sym(kernel, X, _uniform(len(X)), X)))
    return tuple(out)


def _search_17(f: Any) -> tuple[dict, dict] | None:
    for label, X, grad_F, truth in _truth_17_concrete():
        got = np.asarray(f.velocity(grad_F))
        if any(sp.simplify(g - t) != 0 for g, t in zip(got.ravel(), truth.ravel())):
            arrays = {"X": X, "grad F": grad_F, "flow (15)": truth, "formula": got}
            return {"n": len(X), "d": 1, "kernel": label} | {k: _fmt(v) for k, v in arrays.items()}, {k: _tex(v) for k, v in arrays.items()}
    return None


def minimal_counterexample_17(f: Any) -> dict | None:
    """Smallest exact instance (n, then kernel) where the particle velocity of the formula,
    fed :math:`\\nabla F(X)`, differs from the velocity :math:`-\\nabla_W f(\\alpha_X)(x_i)` of (15)."""
    found = _search_17(f)
    return found[0] if found else None


@functools.lru_cache(maxsize=None)
def _truth_17_generic(n: int, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    kernel = generic_kernel(d, "asymmetric")
    X = _particle_symbols(n, d)
    return X, particle_gradient_sym(kernel, X), -wasserstein_gradient_sym(kernel, X, _uniform(n), X)


def check_chain_rule(f: Any, ctx: Any) -> Outcome:
    """(17) against (15) exactly: for (18) with a generic (not necessarily symmetric) kernel
    g and symbolic particles, (n, d) in ``GENERIC_CASES``, sympy computes :math:`\\nabla F(X)` and the
    (15) velocity :math:`-\\nabla_W f(\\alpha_X)(x_i)` from the definition of the first
    variation; the formula fed :math:`\\nabla F` must equal the latter.  Before the proof, the
    smallest integer instances (n = 1, 2, 3; kernels x, xy, x² + y²) are tried for a
    counterexample."""
    X2, g2, v2 = _truth_17_generic(2, 1)
    steps = [
        "Flow (15) restricted to $\\alpha = \\frac1n\\sum_i\\delta_{x_i}$: $\\dot x_i = -\\nabla_W f(\\alpha)(x_i)$ "
        "(otdiff §5.1 convention $v = -\\nabla_W f$); $\\nabla_W f$ from the definition of the first variation (sympy).",
        f"Generic kernel $k(x, y) = g(x, y)$, n = 2, d = 1: $$\\partial_{{x_1}}F(X) = {sp.latex(sp.expand(g2[0, 0]))}$$",
        f"$$-\\nabla_W f(\\alpha_X)(x_1) = {sp.latex(sp.expand(v2[0, 0]))}$$",
        "so $\\nabla_{x_i}F(X) = \\frac1n\\nabla_W f(\\alpha_X)(x_i)$ (chain rule through the weight $1/n$ of each atom).",
    ]
    found = _search_17(f)
    if found is not None:
        cex, tex = found
        steps.append(
            f"Minimal exact counterexample: n = {cex['n']}, d = 1, ${cex['kernel']}$, $X = {tex['X']}$: "
            f"$\\nabla F = {tex['grad F']}$, flow (15) gives $\\dot X = {tex['flow (15)']}$, the formula gives $\\dot X = {tex['formula']}$."
        )
        return Outcome(Status.FAIL, f"the formula's particles do not follow the flow (15) (n = {cex['n']}, {cex['kernel']})", {"n": cex["n"]}, counterexample=cex, steps=steps)
    proved = []
    for n, d in GENERIC_CASES:
        _, grad_F, truth = _truth_17_generic(n, d)
        proved.append(_residual_zero(np.asarray(f.velocity(grad_F)) - truth))
    metrics = {"generic_cases": len(GENERIC_CASES), "proved": sum(proved)}
    if all(proved):
        steps.append(f"The formula fed $\\nabla F$ equals the (15) velocity identically for (n, d) = {_cases()} (generic g).")
        return Outcome(Status.PASS, f"formula = (15) velocities exactly (generic kernel, (n, d) = {_cases()}); no integer counterexample", metrics, steps=steps)
    return Outcome(Status.INCONCLUSIVE, "no integer counterexample, but the generic identity was not proved", metrics, steps=steps)


# --- eq. (18): the Wasserstein gradient ---------------------------------------------------


_MEASURES = [((0,),), ((1,),), ((0,), (1,))]
_POINTS_X = [0, 1]


@functools.lru_cache(maxsize=None)
def _truth_18_concrete() -> tuple:
    out = []
    for label, h in (("h(x) = x", potential_kernel([1])), ("h(x) = x^2/2", potential_kernel([0], [[1]]))):
        for atoms in _MEASURES:
            A = _obj(atoms)
            for x in _POINTS_X:
                xa = _obj([[x]])
                grad_h = h.grad_x(xa, xa)[:, 0, :]
                out.append(("potential", label, h, A, xa, grad_h, wasserstein_gradient_sym(h, A, _uniform(len(A)), xa)))
    for label, k in (("k(x, y) = xy", quadratic_kernel(sp.Matrix([[0]]), sp.Matrix([[HALF]]))), ("k(x, y) = x^2 + y^2", quadratic_kernel(sp.Matrix([[1]]), sp.Matrix([[0]])))):
        for atoms in _MEASURES:
            A = _obj(atoms)
            for x in _POINTS_X:
                xa = _obj([[x]])
                out.append(("symmetric", label, k, A, xa, None, wasserstein_gradient_sym(k, A, _uniform(len(A)), xa)))
    return tuple(out)


def minimal_counterexample_18(f: Any) -> dict | None:
    """Smallest exact instance (case, kernel, measure α uniform on the atoms, point x) where
    the printed gradient differs from the gradient of the first variation."""
    for case, label, k, A, xa, grad_h, truth in _truth_18_concrete():
        got = np.asarray(f.gradient_potential(grad_h) if case == "potential" else f.gradient_symmetric(k, xa, A, _uniform(len(A))))
        if any(sp.simplify(g - t) != 0 for g, t in zip(got.ravel(), truth.ravel())):
            return {"case": case, "kernel": label, "alpha atoms (uniform)": _fmt(A), "x": str(xa[0, 0]), "grad_W f (first variation)": str(truth[0, 0]), "formula": str(got[0, 0])}
    return None


@functools.lru_cache(maxsize=None)
def _truth_18_generic(case: str, d: int) -> tuple:
    w = sp.Symbol("w", positive=True)
    atoms = _obj([[sp.Symbol(f"y_{j}{c + 1}" if d > 1 else f"y_{j}", real=True) for c in range(d)] for j in (1, 2)])
    x = _obj([[sp.Symbol(f"x_{c + 1}" if d > 1 else "x", real=True) for c in range(d)]])
    kernel = generic_kernel(d, "potential" if case == "potential" else "symmetric")
    truth = wasserstein_gradient_sym(kernel, atoms, [w, 1 - w], x)
    grad_h = kernel.grad_x(x, x)[:, 0, :] if case == "potential" else None
    return kernel, atoms, [w, 1 - w], x, grad_h, truth


def check_first_variation(f: Any, ctx: Any) -> Outcome:
    """The printed gradients of (18) against the gradient of the first variation (sympy, from
    the definition): generic h (case k(x, y) = h(x)) and generic symmetric
    :math:`k = g(x, y) + g(y, x)`, α = w δ_{y_1} + (1 − w) δ_{y_2}, d = 1, 2.  Integer
    instances (h = x, x²/2; k = xy, x² + y²; α = δ_0, δ_1, (δ_0 + δ_1)/2; x = 0, 1) are tried
    first for a minimal counterexample."""
    kp, A, W, x, _, tp = _truth_18_generic("potential", 1)
    ks, _, _, _, _, ts = _truth_18_generic("symmetric", 1)
    steps = [
        "$f(\\alpha) = \\iint k\\,d\\alpha\\,d\\alpha$; first variation by the definition of otdiff §5.1: "
        "$\\delta f(\\alpha)(x) = \\int (k(x, y) + k(y, x))\\,d\\alpha(y)$ up to a constant.",
        f"$k(x, y) = h(x)$, $\\alpha = w\\delta_{{y_1}} + (1-w)\\delta_{{y_2}}$: $$\\nabla_W f(\\alpha)(x) = {sp.latex(sp.expand(tp[0, 0]))}$$",
        f"$k(x, y) = g(x, y) + g(y, x)$ (generic symmetric): $$\\nabla_W f(\\alpha)(x) = {sp.latex(sp.expand(ts[0, 0]))}$$",
    ]
    cex = minimal_counterexample_18(f)
    if cex is not None:
        steps.append(
            f"Minimal exact counterexample ({cex['case']} case): ${cex['kernel']}$, α uniform on {cex['alpha atoms (uniform)']}, x = {cex['x']}: "
            f"$\\nabla_W f(\\alpha)(x) = {cex['grad_W f (first variation)']}$, the formula gives ${cex['formula']}$."
        )
        return Outcome(Status.FAIL, f"printed gradient differs from the first variation's ({cex['case']} case, {cex['kernel']})", {}, counterexample=cex, steps=steps)
    proved = []
    for case in ("potential", "symmetric"):
        for d in (1, 2):
            kernel, atoms, weights, xs, grad_h, truth = _truth_18_generic(case, d)
            got = f.gradient_potential(grad_h) if case == "potential" else f.gradient_symmetric(kernel, xs, atoms, weights)
            proved.append(_residual_zero(np.asarray(got) - truth))
    metrics = {"generic_cases": 4, "proved": sum(proved)}
    if all(proved):
        steps.append("Both printed gradients equal the first variation's gradient identically (generic h, g; d = 1, 2; two-atom α with weight w).")
        return Outcome(Status.PASS, "∇_W f = ∇h (k = h(x)) and 2∫∇_x k dα (symmetric k) proved for generic kernels, d = 1, 2", metrics, steps=steps)
    return Outcome(Status.INCONCLUSIVE, "no integer counterexample, but the generic identity was not proved", metrics, steps=steps)


# --- the particle system after (18) -------------------------------------------------------


_PARTICLE_CLOUDS = [((1,),), ((0,), (1,)), ((0,), (1,), (3,))]


@functools.lru_cache(maxsize=None)
def _truth_particles_concrete() -> tuple:
    out = []
    for cloud in _PARTICLE_CLOUDS:
        X = _obj(cloud)
        for label, k in (("k(x, y) = xy", quadratic_kernel(sp.Matrix([[0]]), sp.Matrix([[HALF]]))), ("k(x, y) = x^2 + y^2", quadratic_kernel(sp.Matrix([[1]]), sp.Matrix([[0]])))):
            out.append((label, k, X, -wasserstein_gradient_sym(k, X, _uniform(len(X)), X)))
    return tuple(out)


def _search_particles(f: Any) -> tuple[dict, dict] | None:
    for label, k, X, truth in _truth_particles_concrete():
        got = np.asarray(f.velocity(k, X))
        if any(sp.simplify(g - t) != 0 for g, t in zip(got.ravel(), truth.ravel())):
            arrays = {"X": X, "flow (15)": truth, "formula": got}
            return {"n": len(X), "d": 1, "kernel": label} | {k: _fmt(v) for k, v in arrays.items()}, {k: _tex(v) for k, v in arrays.items()}
    return None


def minimal_counterexample_particles(f: Any) -> dict | None:
    """Smallest exact instance (n, then kernel) where the printed particle velocities differ
    from the flow (15), :math:`-\\nabla_W f(\\alpha_X)(x_i)`."""
    found = _search_particles(f)
    return found[0] if found else None


@functools.lru_cache(maxsize=None)
def _truth_particles_generic(n: int, d: int) -> tuple:
    kernel = generic_kernel(d, "symmetric")
    X = _particle_symbols(n, d)
    return kernel, X, -wasserstein_gradient_sym(kernel, X, _uniform(n), X)


def _moment_residuals(f: Any) -> tuple[sp.Matrix, sp.Matrix, dict]:
    """Quadratic kernel with generic symmetric A, B (d = 2) and n = 3 symbolic particles: the
    formula's velocities move the empirical mean and covariance by
    :math:`\\dot m = -4(A+B)m`, :math:`\\dot\\Sigma = -4(A\\Sigma + \\Sigma A)`?  Returns the residuals."""
    a11, a12, a22, b11, b12, b22 = sp.symbols("a_11 a_12 a_22 b_11 b_12 b_22", real=True)
    A = sp.Matrix([[a11, a12], [a12, a22]])
    B = sp.Matrix([[b11, b12], [b12, b22]])
    k = quadratic_kernel(A, B)
    X = _particle_symbols(3, 2)
    V = np.asarray(f.velocity(k, X))
    Xm, Vm = sp.Matrix(X.tolist()), sp.Matrix(V.tolist())
    n = 3
    m = sp.Matrix([sum(Xm[:, c]) / n for c in range(2)])
    mdot = sp.Matrix([sum(Vm[:, c]) / n for c in range(2)])
    D = Xm - sp.ones(n, 1) * m.T
    Dv = Vm - sp.ones(n, 1) * mdot.T
    S = D.T * D / n
    Sdot = (Dv.T * D + D.T * Dv) / n
    return (mdot + 4 * (A + B) * m).applyfunc(sp.expand), (Sdot + 4 * (A * S + S * A)).applyfunc(sp.expand), {"A": A, "B": B}


def check_particle_system(f: Any, ctx: Any) -> Outcome:
    """The printed particle system against the flow (15) of (18) restricted to
    :math:`\\alpha_X = \\frac1n\\sum_i\\delta_{x_i}`: generic symmetric kernel
    :math:`g(x, y) + g(y, x)`, (n, d) in ``GENERIC_CASES`` (proof); and for the quadratic kernel
    :math:`x^\\top Ax + y^\\top Ay + 2x^\\top By` (generic symmetric A, B, d = 2, n = 3) the
    empirical moments follow :math:`\\dot m = -4(A+B)m`, :math:`\\dot\\Sigma = -4(A\\Sigma+\\Sigma A)`
    exactly.  Integer instances (k = xy, x² + y²; n = 1, 2, 3) are tried first."""
    _, _, v2 = _truth_particles_generic(2, 1)
    steps = [
        "Flow (15) restricted to $\\alpha_X = \\frac1n\\sum_i\\delta_{x_i}$: $\\dot x_i = -\\nabla_W f(\\alpha_X)(x_i)$, "
        "$\\nabla_W f$ from the definition of the first variation (sympy).",
        f"Generic symmetric $k = g(x, y) + g(y, x)$, n = 2, d = 1: $$-\\nabla_W f(\\alpha_X)(x_1) = {sp.latex(sp.expand(v2[0, 0]))}$$",
    ]
    found = _search_particles(f)
    if found is not None:
        cex, tex = found
        steps.append(
            f"Minimal exact counterexample: n = {cex['n']}, ${cex['kernel']}$, $X = {tex['X']}$: "
            f"flow (15) gives $\\dot X = {tex['flow (15)']}$, the formula gives $\\dot X = {tex['formula']}$."
        )
        return Outcome(Status.FAIL, f"printed particle velocities differ from the flow (15) (n = {cex['n']}, {cex['kernel']})", {"n": cex["n"]}, counterexample=cex, steps=steps)
    proved = []
    for n, d in GENERIC_CASES:
        kernel, X, truth = _truth_particles_generic(n, d)
        proved.append(_residual_zero(np.asarray(f.velocity(kernel, X)) - truth))
    rm, rs, _ = _moment_residuals(f)
    zm, zs = zero_test(rm), zero_test(rs)
    steps.append(
        "Quadratic kernel, generic symmetric A, B, n = 3 particles in d = 2: "
        f"$\\dot{{\\hat m}} + 4(A+B)\\hat m$ {'= 0 identically' if zm.proved else ('≠ 0' if zm.disproved else 'undecided')}, "
        f"$\\dot{{\\hat\\Sigma}} + 4(A\\hat\\Sigma + \\hat\\Sigma A)$ {'= 0 identically' if zs.proved else ('≠ 0' if zs.disproved else 'undecided')} "
        "(the empirical moments of the particles follow the moment ODEs of the Gaussian solution exactly, for every n)."
    )
    metrics = {"generic_cases": len(GENERIC_CASES), "proved": sum(proved), "moment_ode": "proved" if zm.proved and zs.proved else "not proved"}
    if zm.disproved or zs.disproved:
        wit = zm.witness if zm.disproved else zs.witness
        return Outcome(Status.FAIL, "the empirical moments do not follow the moment ODEs (quadratic kernel)", metrics, counterexample={"point": wit, "residual": zm.value if zm.disproved else zs.value}, steps=steps)
    if all(proved) and zm.proved and zs.proved:
        steps.append(f"The printed velocities equal $-\\nabla_W f(\\alpha_X)(x_i)$ identically (generic g; (n, d) = {_cases()}).")
        return Outcome(Status.PASS, f"particle system = flow (15) on empirical measures (generic kernel, (n, d) = {_cases()}); moment ODEs exact", metrics, steps=steps)
    return Outcome(Status.INCONCLUSIVE, "no integer counterexample, but the generic identities were not all proved", metrics, steps=steps)
