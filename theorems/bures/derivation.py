"""Symbolic evidence for otdiff Proposition 4.3 and Theorem 4.2 (Gaussian case), with sympy.

Parametrisation.  Every pair of 2x2 SPD matrices is written uniquely as

.. math::

    \\Sigma_0 = A^2, \\qquad \\Sigma_1 = A^{-1} R^2 A^{-1}, \\qquad A, R \\succ 0,

(take :math:`A = \\Sigma_0^{1/2}` and :math:`R = (\\Sigma_0^{1/2}\\Sigma_1\\Sigma_0^{1/2})^{1/2}`).
Then :math:`\\Sigma_0^{1/2} = A` and :math:`(\\Sigma_0^{1/2}\\Sigma_1\\Sigma_0^{1/2})^{1/2} = (R^2)^{1/2} = R`
by uniqueness of the positive square root, so the printed formulas become rational functions
of the six entries of A and R and each asserted identity is decided by simplification.  The
exact arithmetic (:class:`verify.algebra.SympyAlgebra`) only accepts a square root it is given
as a candidate *and* verifies to square to its argument.

When the generic computation cannot decide (a mutant may need a root the parametrisation
does not provide), the identity is evaluated on exact rational instances (small integer A, R;
2x2 roots by Cayley–Hamilton); the first instance with a nonzero residual, in order of size,
is the minimal counterexample.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Callable

import sympy as sp

from verify.algebra import NoKnownRoot, SympyAlgebra
from verify.claims import Outcome, Status
from verify.symbolic import gaussian_continuity_lemma, matrix_latex, small_spd_integer_matrices, sym2, zero_test

__all__ = [
    "Residual",
    "decide",
    "check_brenier_map",
    "check_bures_cost",
    "check_commuting_case",
    "check_geodesic_endpoints",
    "check_continuity_equation",
    "check_constant_speed",
]

T_SYM = sp.Symbol("t", positive=True)
#: Admissible values of the generic symbols (A, R positive definite, t in (0, 1)), where a
#: nonzero residual is a genuine counterexample.
_POINTS = [
    {"A_11": 2, "A_22": 3, "R_11": 3, "R_12": -1, "R_22": 2, "t": sp.Rational(1, 3)},
    {"A_11": 5, "A_22": 1, "R_11": 1, "R_12": 1, "R_22": 4, "t": sp.Rational(3, 4)},
]


@dataclass(frozen=True)
class Residual:
    """An identity ``lhs = rhs`` written as ``build(formulas, A, R, t, la) == 0``."""

    latex: str
    build: Callable[[Any, sp.Matrix, sp.Matrix, Any, SympyAlgebra], Any]


def _pair(a: sp.Matrix, r: sp.Matrix) -> tuple[sp.Matrix, sp.Matrix]:
    ai = a.inv()
    s0 = (a * a).applyfunc(sp.cancel)
    s1 = (ai * r * r * ai).applyfunc(sp.cancel)
    return s0, s1


def _generic_points(symbols: dict[str, sp.Symbol]) -> list[dict]:
    return [{symbols[k]: v for k, v in p.items() if k in symbols} for p in _POINTS]


def decide(
    formulas: Any,
    residuals: list[Residual],
    *,
    extra_roots: Callable[[Any, sp.Matrix, sp.Matrix, Any], list[sp.Matrix]] = lambda f, a, r, t: [],
    uses_t: bool = False,
    instance_t: sp.Rational = sp.Rational(1, 3),
    max_instances: int = 60,
) -> Outcome:
    """Decide each residual generically; fall back to exact instances for a counterexample."""
    a1, a2 = sp.symbols("A_11 A_22", positive=True)
    a, a_syms = sp.diag(a1, a2), (a1, a2)
    r, r_syms = sym2("R")
    t = T_SYM if uses_t else None
    symbols = {str(s): s for s in (*a_syms, *r_syms)}
    if t is not None:
        symbols["t"] = t
    s0, s1 = _pair(a, r)
    steps = [
        "Parametrise the SPD pair: $$\\Sigma_0 = A^2,\\quad \\Sigma_1 = A^{-1}R^2A^{-1},\\quad "
        f"A = {matrix_latex(a)} \\succ 0,\\quad R = {matrix_latex(r)} \\succ 0,$$"
        " so that $\\Sigma_0^{1/2} = A$ and $(\\Sigma_0^{1/2}\\Sigma_1\\Sigma_0^{1/2})^{1/2} = R$ "
        "(uniqueness of the positive square root).  Taking $A$ diagonal loses no generality: "
        "every formula here is built from square roots, inverses, products, transposes and "
        "traces, which commute with a common rotation $\\Sigma_i \\mapsto Q\\Sigma_iQ^\\top$, so "
        "a residual vanishes for all pairs iff it vanishes when $\\Sigma_0$ is diagonal."
    ]
    la = SympyAlgebra([a, r, *extra_roots(formulas, a, r, t)])
    statuses: list[str] = []
    for res in residuals:
        try:
            value = res.build(formulas, a, r, t, la)
            zt = zero_test(value, _generic_points(symbols))
        except NoKnownRoot as exc:
            steps.append(f"$${res.latex}$$: generic computation undecided ({exc}).")
            statuses.append("undecided")
            continue
        if zt.proved:
            steps.append(f"$${res.latex} = 0$$ identically (rational simplification).")
            statuses.append("proved")
        elif zt.disproved:
            steps.append(
                f"$${res.latex} \\neq 0$$: at the admissible point {zt.witness} it equals ${zt.value}$."
            )
            statuses.append("disproved")
        else:
            steps.append(f"$${res.latex}$$: simplification did not reach 0; undecided generically.")
            statuses.append("undecided")

    metrics = {
        "identities": len(residuals),
        "proved": statuses.count("proved"),
        "disproved": statuses.count("disproved"),
        "undecided": statuses.count("undecided"),
    }
    if all(s == "proved" for s in statuses):
        return Outcome(Status.PASS, f"all {len(residuals)} identities proved for generic 2x2 SPD pairs", metrics, steps=steps)

    # Exact instances, smallest first: the minimal counterexample, or evidence short of proof.
    mats = small_spd_integer_matrices()
    pairs = sorted(itertools.product(mats, mats), key=lambda p: sum(abs(x) for x in p[0]) + sum(abs(x) for x in p[1]))
    checked = 0  # instances on which at least one residual was actually evaluated
    for ai, ri in pairs[:max_instances]:
        evaluated = False
        s0i, s1i = _pair(ai, ri)
        # t stays symbolic while building (residuals may differentiate in t), then is fixed.
        lai = SympyAlgebra([ai, ri, *extra_roots(formulas, ai, ri, T_SYM if uses_t else None)])
        for res in residuals:
            try:
                value = res.build(formulas, ai, ri, T_SYM if uses_t else None, lai)
            except NoKnownRoot:
                continue
            if uses_t:
                value = value.subs(T_SYM, instance_t)
            zt = zero_test(value)
            evaluated = evaluated or zt.decided
            if zt.disproved:
                cex = {
                    "identity": res.latex,
                    "Sigma0": str(s0i.tolist()),
                    "Sigma1": str(s1i.tolist()),
                    "A = Sigma0^(1/2)": str(ai.tolist()),
                    "R = (Sigma0^(1/2) Sigma1 Sigma0^(1/2))^(1/2)": str(ri.tolist()),
                    "residual": zt.value,
                }
                if uses_t:
                    cex["t"] = str(instance_t)
                steps.append(
                    f"Minimal exact counterexample: $$\\Sigma_0 = {matrix_latex(s0i)},\\ "
                    f"\\Sigma_1 = {matrix_latex(s1i)}"
                    + (f",\\ t = {sp.latex(instance_t)}" if uses_t else "")
                    + f"$$ gives $${res.latex} = {sp.latex(sp.nsimplify(value) if not isinstance(value, sp.MatrixBase) else value.applyfunc(sp.nsimplify))}$$"
                )
                return Outcome(
                    Status.FAIL,
                    f"identity fails: ${res.latex}$ is nonzero at an exact instance",
                    metrics | {"instances_checked": checked + 1},
                    counterexample=cex,
                    steps=steps,
                )
        checked += evaluated
    if "disproved" in statuses:
        return Outcome(Status.FAIL, "identity disproved at an admissible generic point", metrics, steps=steps)
    return Outcome(
        Status.INCONCLUSIVE,
        f"no generic proof; identities hold on {checked} exact instances",
        metrics | {"instances_checked": checked},
        steps=steps,
    )


def _eye(la: SympyAlgebra) -> sp.Matrix:
    return la.eye(2)


# --- Proposition 4.3 ---------------------------------------------------------------------


def check_brenier_map(formulas: Any, ctx: Any) -> Outcome:
    """T pushes Σ0 to Σ1 (T Σ0 Tᵀ = Σ1), is symmetric, and A T A = R ≻ 0, so T ≻ 0 and
    T = ∇φ with φ(x) = ½xᵀTx convex: by Brenier's theorem T is the optimal map."""

    def push(f, a, r, t, la):
        s0, s1 = _pair(a, r)
        m = f.map(s0, s1, la)
        return m * s0 * m.T - s1

    def sym(f, a, r, t, la):
        s0, s1 = _pair(a, r)
        m = f.map(s0, s1, la)
        return m - m.T

    def congruent(f, a, r, t, la):
        s0, s1 = _pair(a, r)
        return a * f.map(s0, s1, la) * a - r

    return decide(
        formulas,
        [
            Residual("T\\Sigma_0T^\\top - \\Sigma_1", push),
            Residual("T - T^\\top", sym),
            Residual("ATA - R", congruent),
        ],
    )


def check_bures_cost(formulas: Any, ctx: Any) -> Outcome:
    """The transport cost of T equals the printed Bures expression:
    E|X − TX|² = Tr((Id − T)Σ0(Id − T)ᵀ) = Tr(Σ0 + Σ1 − 2(Σ0^{1/2}Σ1Σ0^{1/2})^{1/2})."""

    def cost(f, a, r, t, la):
        s0, s1 = _pair(a, r)
        i_m = _eye(la) - f.map(s0, s1, la)
        return (i_m * s0 * i_m.T).trace() - f.bures_sq(s0, s1, la)

    return decide(
        formulas,
        [Residual("\\operatorname{Tr}((\\mathrm{Id}-T)\\Sigma_0(\\mathrm{Id}-T)^\\top) - W_2^2", cost)],
    )


def check_commuting_case(formulas: Any, ctx: Any) -> Outcome:
    """Commuting (w.l.o.g. diagonal) covariances: T = diag(b_i/a_i) and
    W2² = Σ_i (a_i − b_i)², the classical formula ‖Σ0^{1/2} − Σ1^{1/2}‖_F²."""
    a1, a2, b1, b2 = sp.symbols("a_1 a_2 b_1 b_2", positive=True)
    s0 = sp.diag(a1**2, a2**2)
    s1 = sp.diag(b1**2, b2**2)
    la = SympyAlgebra()
    steps = [
        "Commuting covariances share an eigenbasis; both sides are invariant under a common "
        "rotation, so take $$\\Sigma_0 = \\mathrm{diag}(a_1^2, a_2^2),\\ \\Sigma_1 = \\mathrm{diag}(b_1^2, b_2^2),\\ a_i, b_i > 0.$$"
    ]
    tmap = formulas.map(s0, s1, la)
    w2 = formulas.bures_sq(s0, s1, la)
    classical_t = sp.diag(b1 / a1, b2 / a2)
    classical_w = (a1 - b1) ** 2 + (a2 - b2) ** 2
    zt_t = zero_test(tmap - classical_t)
    zt_w = zero_test(w2 - classical_w)
    steps.append(f"$$T = {sp.latex(tmap.applyfunc(sp.simplify))}$$ (classical: $\\mathrm{{diag}}(b_i/a_i)$)")
    steps.append(f"$$W_2^2 = {sp.latex(sp.simplify(w2))}$$ (classical: $\\sum_i (a_i - b_i)^2$)")
    metrics = {"map_matches": zt_t.proved, "distance_matches": zt_w.proved}
    if zt_t.proved and zt_w.proved:
        return Outcome(Status.PASS, "commuting case reduces to T = diag(b/a), W2² = Σ(a−b)²", metrics, steps=steps)
    if zt_t.disproved or zt_w.disproved:
        which = zt_w if zt_w.disproved else zt_t
        return Outcome(
            Status.FAIL,
            "commuting case does not reduce to the classical formula",
            metrics,
            counterexample={"point": which.witness, "difference": which.value},
            steps=steps,
        )
    return Outcome(Status.INCONCLUSIVE, "simplification undecided in the commuting case", metrics, steps=steps)


def check_geodesic_endpoints(formulas: Any, ctx: Any) -> Outcome:
    """The printed Σ_t starts at Σ0 and ends at Σ1."""

    def start(f, a, r, t, la):
        s0, s1 = _pair(a, r)
        return f.geodesic_cov(s0, s1, sp.Integer(0), la) - s0

    def end(f, a, r, t, la):
        s0, s1 = _pair(a, r)
        return f.geodesic_cov(s0, s1, sp.Integer(1), la) - s1

    return decide(
        formulas,
        [Residual("\\Sigma_{t=0} - \\Sigma_0", start), Residual("\\Sigma_{t=1} - \\Sigma_1", end)],
    )


# --- Theorem 4.2, Gaussian case ----------------------------------------------------------


def check_continuity_equation(formulas: Any, ctx: Any) -> Outcome:
    """(12) solves the continuity equation with the right end points: for Σ_t = P_tΣ0P_tᵀ and
    the printed velocity V_t, dΣ_t/dt = V_tΣ_t + Σ_tV_tᵀ; P_0 = Id and P_1Σ0P_1ᵀ = Σ1."""
    ok, lemma_steps = gaussian_continuity_lemma()

    def sigma_t(f, a, r, t, la):
        s0, s1 = _pair(a, r)
        p = f.path_map(s0, s1, t, la)
        return p * s0 * p.T, s0, s1

    def ode(f, a, r, t, la):
        sig, s0, s1 = sigma_t(f, a, r, t, la)
        v = f.velocity(s0, s1, t, la)
        return sig.diff(t) - v * sig - sig * v.T

    def start(f, a, r, t, la):
        s0, s1 = _pair(a, r)
        return f.path_map(s0, s1, sp.Integer(0), la) - _eye(la)

    def end(f, a, r, t, la):
        s0, s1 = _pair(a, r)
        p = f.path_map(s0, s1, sp.Integer(1), la)
        return p * s0 * p.T - s1

    out = decide(
        formulas,
        [
            Residual("\\dot\\Sigma_t - V_t\\Sigma_t - \\Sigma_tV_t^\\top", ode),
            Residual("P_0 - \\mathrm{Id}", start),
            Residual("P_1\\Sigma_0P_1^\\top - \\Sigma_1", end),
        ],
        uses_t=True,
    )
    out.steps = list(lemma_steps) + out.steps
    if not ok:
        return Outcome(Status.ERROR, "the continuity lemma did not verify", out.metrics, steps=out.steps)
    return out


def check_constant_speed(formulas: Any, ctx: Any) -> Outcome:
    """W2²(α0, α_t) = (geodesic fraction)² · W2²(α0, α1) along (12), with W2² the Bures
    expression (Proposition 4.3).  Root of Σ0^{1/2}Σ_tΣ0^{1/2} = (A P_t A)²: the candidate
    A P_t A is congruent to P_t = (1−t)Id + tT, a convex combination of positive definite
    matrices, hence the positive root."""

    def roots(f, a, r, t):
        if t is None:
            return []
        s0, s1 = _pair(a, r)
        la = SympyAlgebra([a, r])
        try:
            p = f.path_map(s0, s1, t, la)
        except NoKnownRoot:
            return []
        cand = (a * p * a).applyfunc(sp.cancel)
        # The argument "congruent to a convex combination of SPD matrices" is about the
        # printed path; for any other path, spot-check positivity before trusting the root.
        for point in _generic_points({str(s): s for s in cand.free_symbols}):
            c = cand.subs(point)
            if c.free_symbols or not (c.det() > 0 and c.trace() > 0):
                return []
        return [cand]

    def speed(f, a, r, t, la):
        s0, s1 = _pair(a, r)
        p = f.path_map(s0, s1, t, la)
        sig_t = p * s0 * p.T
        return f.bures_sq(s0, sig_t, la) - f.geodesic_fraction(t) ** 2 * f.bures_sq(s0, s1, la)

    return decide(
        formulas,
        [Residual("W_2^2(\\alpha_0,\\alpha_t) - \\left(\\tfrac{W_2(\\alpha_0,\\alpha_t)}{W_2(\\alpha_0,\\alpha_1)}\\right)^2_{\\text{printed}} W_2^2(\\alpha_0,\\alpha_1)", speed)],
        extra_roots=roots,
        uses_t=True,
    )
