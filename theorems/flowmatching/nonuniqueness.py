r"""mathai §4 (Denoising pre-training): "There are infinitely many possible solutions (since v_s
can be modified by a conservative field)".

A field :math:`w` can be added to a solution :math:`v_s` of the continuity equation (11),
:math:`\partial_s\alpha_s + \operatorname{div}(\alpha_s v_s) = 0`, without changing
:math:`\alpha_s` iff :math:`\operatorname{div}(\alpha_s w) = 0`.  A conservative field
:math:`w = \nabla\varphi` never qualifies unless it vanishes: integrating
:math:`\varphi\operatorname{div}(\alpha\nabla\varphi)` by parts gives
:math:`-\int\alpha\|\nabla\varphi\|^2 = 0`.  For :math:`\alpha = \mathcal N(0, \mathrm{Id})`,
:math:`\operatorname{div}(\alpha w) = \alpha(\operatorname{div}w - \langle x, w\rangle)`; with
:math:`w = \nabla(\|x\|^2/2) = x` this is :math:`(d - \|x\|^2)\alpha \ne 0`.  The modifications
that do work are divergence-free for α — for an isotropic Gaussian the rotations
:math:`w = Jx`, J antisymmetric (d ≥ 2) — so "infinitely many solutions" holds, for the other
reason (the corrected claim).

Each formulas class returns the family of modifications it claims (parameters ``c``); the
checks test div(α w) = 0 for every member and that the family is not trivial.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from verify.claims import Check, Claim, Kind, Mutant, Outcome, Source, Status, Verdict
from verify.particles import linear_flow_propagator, push_linear
from verify.properties import outcome, search_in
from verify.stats import second_moment_se

__all__ = ["ConservativeModification", "ConstantModification", "RotationModification", "SymmetricModification",
           "ShiftedRotationModification", "NONUNIQUENESS", "NONUNIQUENESS_CORRECTED"]


class ConservativeModification:
    """As printed: conservative fields :math:`w = \\nabla\\varphi`, here the quadratic potentials
    :math:`\\varphi(x) = \\tfrac12 x^\\top Cx + b^\\top x` (C symmetric); ``c`` packs (C, b)."""

    def n_params(self, d: int) -> int:
        return d * (d + 1) // 2 + d

    def field(self, c, x):
        """w(x) for parameters ``c`` at points ``x`` (..., d); numpy or sympy."""
        d = x.shape[-1] if hasattr(x, "shape") and not isinstance(x, sp.MatrixBase) else len(x)
        C, k = _sym_from(c, d)
        b = c[k:k + d]
        if isinstance(x, sp.MatrixBase):
            return C * x + sp.Matrix(b)
        return x @ np.asarray(C, dtype=float).T + np.asarray(b, dtype=float)


class ConstantModification(ConservativeModification):
    """Mutant: any constant field (a gradient of a linear potential only)."""

    def n_params(self, d):
        return d

    def field(self, c, x):
        if isinstance(x, sp.MatrixBase):
            return sp.Matrix(c[: x.shape[0]])
        return np.broadcast_to(np.asarray(c[: x.shape[-1]], dtype=float), x.shape)


class RotationModification(ConservativeModification):
    """Corrected: :math:`w = Jx`, J antisymmetric (for an isotropic Gaussian α_s)."""

    def n_params(self, d):
        return d * (d - 1) // 2

    def field(self, c, x):
        d = x.shape[0] if isinstance(x, sp.MatrixBase) else x.shape[-1]
        J = _antisym_from(c, d)
        if isinstance(x, sp.MatrixBase):
            return J * x
        return x @ np.asarray(J, dtype=float).T


class SymmetricModification(RotationModification):
    """Mutant of the correction: J symmetric with zero diagonal (a shear, not a rotation)."""

    def field(self, c, x):
        d = x.shape[0] if isinstance(x, sp.MatrixBase) else x.shape[-1]
        S = _abs_sym(_antisym_from(c, d))
        if isinstance(x, sp.MatrixBase):
            return S * x
        return x @ np.asarray(S, dtype=float).T


class ShiftedRotationModification(RotationModification):
    """Mutant of the correction: Jx + c₁e₁ (a rotation about a point other than the mean)."""

    def field(self, c, x):
        w = super().field(c, x)
        if isinstance(x, sp.MatrixBase):
            return w + sp.Matrix([c[0] if len(c) else 0] + [0] * (x.shape[0] - 1))
        shift = np.zeros(x.shape[-1])
        shift[0] = float(c[0]) if len(c) else 0.0
        return w + shift


def _sym_from(c, d):
    k = 0
    C = sp.zeros(d, d)
    for i in range(d):
        for j in range(i, d):
            C[i, j] = C[j, i] = c[k]
            k += 1
    return C, k


def _antisym_from(c, d):
    J = sp.zeros(d, d)
    k = 0
    for i in range(d):
        for j in range(i + 1, d):
            J[i, j], J[j, i] = c[k], -c[k]
            k += 1
    return J


def _abs_sym(J):
    S = sp.zeros(*J.shape)
    for i in range(J.shape[0]):
        for j in range(J.shape[1]):
            S[i, j] = J[i, j] if i < j else J[j, i]
    return S


def _div_alpha_w(formulas, c, d):
    """div(α w)/α for α = N(0, Id) and the member ``c``, as a sympy expression in x."""
    xs = sp.Matrix(sp.symbols(f"x1:{d + 1}", real=True))
    w = formulas.field(c, xs)
    return sp.expand(sum(sp.diff(w[i], xs[i]) for i in range(d)) - (xs.T * w)[0]), xs


def check_symbolic(formulas, ctx) -> Outcome:
    """div(α w) ≡ 0 for symbolic parameters (d = 1, 2, 3): solve for the parameters that make
    it vanish; the family must be admissible (all parameters) and non-trivial (d = 2)."""
    steps = []
    for d in (1, 2, 3):
        k = formulas.n_params(d)
        if k == 0:
            steps.append(f"d = {d}: the family is empty")
            continue
        cs = sp.symbols(f"c1:{k + 1}", real=True)
        expr, xs = _div_alpha_w(formulas, list(cs), d)
        coeffs = sp.Poly(expr, *xs).coeffs() if expr != 0 else []
        steps.append(f"d = {d}: div(αw)/α = {expr}")
        if coeffs:
            sol = sp.solve(coeffs, cs, dict=True)
            only_trivial = bool(sol) and all(v == 0 for v in sol[0].values()) and len(sol[0]) == k
            member = [1] + [0] * (k - 1)
            bad, _ = _div_alpha_w(formulas, member, d)
            at0 = bad.subs({x: 0 for x in xs})
            return Outcome(Status.FAIL,
                           f"d = {d}: div(α w) ≠ 0 for the member c = {member}: div(αw)/α = {bad}"
                           + (" (only w = 0 keeps (11): the family adds no solution)" if only_trivial else ""),
                           {"d": d}, counterexample={"d": d, "alpha": "N(0, Id)", "c": member, "div(alpha w)/alpha": str(bad), "at x = 0": str(at0)},
                           steps=steps)
    if all(formulas.n_params(d) == 0 for d in (1, 2, 3)):
        return Outcome(Status.FAIL, "the family is empty: no modification", steps=steps)
    return Outcome(Status.PASS, "div(α w) ≡ 0 for every member (d = 1, 2, 3), non-trivial for d ≥ 2: infinitely many solutions of (11)", steps=steps)


def check_numeric(formulas, ctx) -> Outcome:
    """Particles of α_s = N(0, σ_s²Id), σ_s = 1 + s, d = 2, moved by v_s + w with
    v_s(x) = σ'_s/σ_s x and w a member of the family (c = 1); the flow is linear, so the particles
    move by σ_s times the affine flow of y' = My + shift/σ_s (its propagator solved once, as a
    linear flow in homogeneous coordinates); the empirical second moments
    at s = 1 are compared with σ_1²Id (z-scores, Bonferroni over the 3 entries)."""
    d = 2
    n = ctx.pick(20_000, 200_000, 2_000_000)
    rng = ctx.rng("nonuniqueness")
    x0 = rng.normal(size=(n, d))
    k = formulas.n_params(d)
    c = [1.0] + [0.0] * (k - 1)
    M = np.asarray(formulas.field(c, np.eye(d)), dtype=float).T - np.asarray(formulas.field(c, np.zeros((1, d))), dtype=float).T
    shift = np.asarray(formulas.field(c, np.zeros((1, d))), dtype=float)[0]
    # x' = (σ'/σ) x + M x + shift, σ = 1 + s: with y = x/σ, y' = M y + shift/σ is affine, hence
    # linear in homogeneous coordinates (y, 1); its propagator is solved once on the (d+1)×(d+1)
    # matrix and applied to the particles
    A = np.zeros((d + 1, d + 1))
    A[:d, :d] = M

    def generator(s: float) -> np.ndarray:
        A[:d, d] = shift / (1 + s)
        return A

    Phi = linear_flow_propagator(generator, d + 1, 0.0, 1.0)
    y = push_linear(x0, Phi[:d, :d]) + Phi[:d, d]
    x1 = 2.0 * y
    emp = x1.T @ x1 / n
    target = 4.0 * np.eye(d)
    se = second_moment_se(target, n)
    z = (emp - target) / se
    kmul = ctx.multiplier(3)
    zmax = float(np.max(np.abs(z[np.triu_indices(d)])))
    metrics = {"n": n, "max_z": zmax, "k": kmul}
    table = [{"entry": f"({i + 1},{j + 1})", "empirical": emp[i, j], "σ_1² Id": target[i, j], "z": z[i, j]} for i in range(d) for j in range(i, d)]
    if zmax > kmul:
        return Outcome(Status.FAIL, f"with the modification the particles at s = 1 have second moments {np.round(emp, 3).tolist()}, not 4·Id (max |z| = {zmax:.1f} > {kmul:.2f})",
                       metrics, counterexample={"alpha_s": "N(0, (1+s)² Id), d = 2", "c": c, "second_moments": emp.tolist()}, table=table)
    return Outcome(Status.PASS, f"the modified field keeps α_1 = N(0, 4 Id): max |z| = {zmax:.2f} ≤ {kmul:.2f} (n = {n})", metrics, table=table)


def check_property(formulas, ctx) -> Outcome:
    """Drawn dimension, parameters (on a grid) and points: div(α w)(x) = 0 for α = N(0, Id)."""

    @st.composite
    def drawn(draw):
        d = draw(st.integers(1, 3))
        k = formulas.n_params(d)
        c = [draw(st.integers(-4, 4)) / 2 for _ in range(k)]
        x = [draw(st.integers(-4, 4)) / 2 for _ in range(d)]
        return {"d": d, "c": c, "x": x}

    def predicate(ex):
        if not ex["c"]:
            return True, {}
        expr, xs = _div_alpha_w(formulas, [sp.nsimplify(v) for v in ex["c"]], ex["d"])
        val = expr.subs({s: sp.nsimplify(v) for s, v in zip(xs, ex["x"])})
        if val != 0:
            return False, {"failed": f"div(α w)/α = {val} at x = {ex['x']}"}
        return True, {}

    res = search_in(ctx, drawn(), predicate, examples=(25, 100, 1000))
    return outcome(res, "div(α w) = 0 for the claimed modifications", "drawn members and points")


_CHECKS = (
    Check("divergence", Kind.SYMBOLIC, check_symbolic, "div(α w) for symbolic members, α = N(0, Id), d = 1, 2, 3"),
    Check("particles", Kind.NUMERIC, check_numeric, "particles of N(0, (1+s)²Id) moved by v_s + w: second moments at s = 1"),
    Check("divergence-fuzz", Kind.PROPERTY, check_property, "drawn members and points"),
)

NONUNIQUENESS = Claim(
    id="mathai/sec-4-nonuniqueness",
    title="'v_s can be modified by a conservative field' without changing α_s (as printed)",
    family="flowmatching",
    source=Source("mathai", "§4, Denoising Pre-Training (after (11))"),
    statement=("There are infinitely many possible solutions (since v_s can be modified by a conservative field), but for certain specific "
               "interpolations α_s , remarkably simple expressions can be derived."),
    assumptions=("checked on α_s = N(0, σ_s² Id) (the Gaussian paths of the section), where every statement is explicit",
                 "'conservative field': a gradient field ∇φ, here with quadratic φ (the modifications of a linear v_s that keep it linear)"),
    formulas=ConservativeModification,
    checks=_CHECKS,
    mutants=(Mutant("constant-field", "modification by any constant field", ConstantModification),),
    expected=Verdict.REFUTED,
    corrected_by="mathai/sec-4-nonuniqueness/corrected",
    notes=("REFUTED: adding ∇φ keeps (11) iff div(α∇φ) = 0, which forces ∇φ = 0 (−∫α|∇φ|² = ∫φ div(α∇φ)). Minimal case: d = 1, α = N(0, 1), "
           "w = x = ∇(x²/2): div(αw) = (1 − x²)α, 1/√(2π) at x = 0. The non-uniqueness itself holds, through divergence-free fields (corrected)."),
)

NONUNIQUENESS_CORRECTED = Claim(
    id="mathai/sec-4-nonuniqueness/corrected",
    title="Corrected: v_s can be modified by any w with div(α_s w) = 0 — rotations Jx for isotropic Gaussians (d ≥ 2)",
    family="flowmatching",
    source=Source("mathai", "§4, Denoising Pre-Training (corrected: divergence-free modifications)"),
    statement="$$v_s \\mapsto v_s + w,\\quad \\operatorname{div}(\\alpha_s w) = 0;\\qquad \\alpha_s = \\mathcal N(0, \\sigma_s^2\\mathrm{Id}):\\ w(x) = Jx,\\ J^\\top = -J\\ (d \\ge 2).$$",
    assumptions=NONUNIQUENESS.assumptions[:1],
    formulas=RotationModification,
    checks=_CHECKS,
    mutants=(Mutant("conservative", "the printed conservative fields", ConservativeModification),
             Mutant("symmetric", "J symmetric (a shear)", SymmetricModification),
             Mutant("shifted-rotation", "Jx plus a constant", ShiftedRotationModification)),
    corrects="mathai/sec-4-nonuniqueness",
    notes="VERIFIED: div(αJx) = α(tr J − xᵀJx) = 0 for antisymmetric J; particles moved by v_s + Jx keep N(0, σ_s²Id).",
)
