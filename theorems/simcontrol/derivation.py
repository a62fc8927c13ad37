"""Exact checks of mlcontrol §3.2 (Theorems 3.1 and 3.3, and the sentence on the product L·P).

- The flow lemma, proved with sympy: a piece of (3.4) whose normals are orthogonal to its
  weights (AW = 0) leaves every :math:`\\langle a_i, x\\rangle` constant, so its flow over time t
  is :math:`x_0 + tW\\sigma(Ax_0 + b)`, and the field −v run for the same time inverts it.
- Rational instances (the two-point swap, a reversed line, a rotated square, six points, d = 3):
  the two-step controls of :mod:`theorems.simcontrol.formulas` are built in exact arithmetic,
  their switches counted and their flow computed exactly with the lemma; a claimed count below
  the construction's is decided by the exact lower-bound certificates.
- The product sentence: :math:`\\lceil N/P\\rceil = k` for :math:`N = kP - r`, 0 ≤ r ≤ P − 1, so
  :math:`L = 2k - 1` and the claimed complexity is an explicit polynomial in N, P, r; exact
  enumeration decides the invariance and the bounds.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from theorems.simcontrol import formulas as F
from verify.claims import Outcome, Status

__all__ = ["INSTANCES", "flow_lemma", "check_construction_symbolic", "check_product_symbolic", "product_table"]

#: (name, X, Y, T) exact instances, smallest first; the d = 1 one is used only when the formulas
#: claim d = 1.
INSTANCES: tuple[tuple[str, np.ndarray, np.ndarray, Fraction], ...] = (
    ("d = 1, N = 2, swap", F.exact([[0], [1]]), F.exact([[1], [0]]), Fraction(1)),
    ("d = 2, N = 1", F.exact([[0, 0]]), F.exact([[1, 2]]), Fraction(1)),
    ("d = 2, N = 2, swap", F.exact([[0, 0], [1, 0]]), F.exact([[1, 0], [0, 0]]), Fraction(1)),
    ("d = 2, N = 3, reversed line", F.exact([[0, 0], [1, 0], [2, 0]]), F.exact([[2, 0], [1, 0], [0, 0]]), Fraction(5, 2)),
    ("d = 2, N = 4, rotated square", F.exact([[0, 0], [1, 0], [1, 1], [0, 1]]), F.exact([[1, 0], [1, 1], [0, 1], [0, 0]]), Fraction(1)),
    ("d = 2, N = 6", F.exact([[0, 0], [1, 2], [-1, 1], [2, -1], [Fraction(1, 2), 3], [-2, -2]]),
     F.exact([[3, 1], [0, 0], [1, 2], [-1, Fraction(-1, 3)], [2, 2], [1, -3]]), Fraction(2)),
    ("d = 3, N = 3", F.exact([[0, 0, 0], [1, 0, 0], [0, 1, 0]]), F.exact([[0, 0, 1], [0, 0, 0], [1, 1, 1]]), Fraction(1)),
)

_LEMMA: dict[str, list[str]] = {}


def flow_lemma() -> list[str]:
    """Prove (once per process) that for :math:`A = (\\alpha_j a^\\top)_j`,
    :math:`W = (\\lambda_j a^\\perp)_j` (so AW = 0; every piece of the construction has this
    form, P = 2 shown) :math:`x(t) = x_0 + tW\\sigma(Ax_0 + b)` solves (3.4) and the field −v
    maps x(τ) back to :math:`x_0` in time τ.  Returns the derivation steps."""
    if "steps" in _LEMMA:
        return _LEMMA["steps"]
    t, tau = sp.symbols("t tau", positive=True)
    x1, x2, a1, a2, l1, l2, al1, al2, b1, b2 = sp.symbols("x1 x2 a1 a2 lambda1 lambda2 alpha1 alpha2 b1 b2", real=True)
    x0 = sp.Matrix([x1, x2])
    perp = sp.Matrix([-a2, a1])
    A = sp.Matrix([[al1 * a1, al1 * a2], [al2 * a1, al2 * a2]])
    W = sp.Matrix.hstack(l1 * perp, l2 * perp)
    b = sp.Matrix([b1, b2])
    assert (A * W).applyfunc(sp.expand) == sp.zeros(2, 2), "A W = 0 by construction"

    def field(x: sp.Matrix) -> sp.Matrix:  # (3.4) with the ReLU
        return W * (A * x + b).applyfunc(lambda s: sp.Max(0, sp.expand(s)))

    xt = x0 + t * field(x0)
    residual = (xt.diff(t) - field(xt)).applyfunc(sp.expand)
    back = (xt.subs(t, tau) - tau * field(xt.subs(t, tau)) - x0).applyfunc(sp.expand)
    if residual != sp.zeros(2, 1) or back != sp.zeros(2, 1):
        raise AssertionError(f"flow lemma failed: residual {residual.T}, back {back.T}")
    # SymPy's verify_numerically habit: evaluate at a random rational point as well.
    rng = np.random.default_rng(12345)
    point = {s: sp.Rational(int(v), 7) for s, v in zip((x1, x2, a1, a2, l1, l2, al1, al2, b1, b2, t, tau), rng.integers(-20, 21, 12))}
    point[t] = point[tau] = sp.Rational(3, 4)
    assert (xt.diff(t) - field(xt)).subs(point) == sp.zeros(2, 1)
    _LEMMA["steps"] = [
        "Piece of (3.4) with rows a_j = α_j a and columns w_j = λ_j a^⊥: A W = 0, so d/dt(A x) = A W σ(Ax + b) = 0 along trajectories.",
        "Hence x(t) = x₀ + t W σ(A x₀ + b): sympy expands ẋ(t) − W σ(A x(t) + b) to 0 (and at a random rational point).",
        "The field −v for the same time maps x(τ) back to x₀ (expanded to 0): step 2 is step 'Y → Z' run backwards.",
        "Construction: n₁, n₂ with distinct ⟨n₁, x_i⟩ and ⟨n₂, y_i⟩; z_i with ⟨n₁, z_i⟩ = ⟨n₁, x_i⟩, ⟨n₂, z_i⟩ = ⟨n₂, y_i⟩; "
        "shear X → Z along n₁^⊥ with kinks just below the sorted ⟨n₁, x_i⟩ (lower-triangular, one neuron per point), "
        "⌈N/P⌉ pieces of P neurons; then the shear Y → Z along n₂^⊥, reversed: 2⌈N/P⌉ − 1 switches.",
    ]
    return _LEMMA["steps"]


def _fmt(M: np.ndarray) -> list[list[str]]:
    return [[str(v) for v in row] for row in M]


def check_construction_symbolic(formulas: Any, ctx: Any) -> Outcome:
    """On the exact instances (dimension ≥ the claimed minimum) and widths P ∈ {1, 2, N, N + 1}
    allowed by the claim: build the controls with the claimed count (or refute the count with a
    certificate), count the switches, and map every x_i exactly."""
    steps = list(flow_lemma())
    table: list[dict[str, Any]] = []
    undecided = []
    for name, X, Y, T in INSTANCES:
        N, d = X.shape
        if d < formulas.min_dim():
            continue
        for P in sorted({p for p in (1, 2, N, N + 1) if p in formulas.widths(N)}):
            kind, obj, L = F.realise(formulas, X, Y, T, P)
            if kind == "proof":
                table.append({"data": name, "P": P, "claimed L": L, "result": obj})
                return Outcome(Status.FAIL, f"{name}, P = {P}: no control with {L} switches exists: {obj}", {"N": N, "P": P, "L": L},
                               counterexample={"X": _fmt(X), "Y": _fmt(Y), "P": P, "L": L, "proof": obj}, steps=steps, table=table)
            if kind == "undecided":
                undecided.append(f"{name}, P = {P}: claimed L = {L}, the construction needs {obj}")
                table.append({"data": name, "P": P, "claimed L": L, "result": f"undecided (construction needs {obj})"})
                continue
            ctrl = obj
            count = ctrl.switches()
            ok_count = count == L if formulas.exact_count else count <= L
            out = F.flow(ctrl, X)
            hits = bool(np.all(out == Y)) and ctrl.T == T
            if hits and not formulas.exact_count:  # "at most L": the same flow padded to exactly L switches
                padded = F.pad(ctrl, L)
                hits = padded.switches() == L and bool(np.all(F.flow(padded, X) == Y))
            table.append({"data": name, "P": P, "claimed L": L, "switches": count, "pieces": len(ctrl.pieces),
                          "result": "Φ_T(x_i) = y_i exactly" if hits else "MISSED"})
            if not (ok_count and hits):
                why = (f"the controls have {count} switches, the claim {'exactly' if formulas.exact_count else 'at most'} {L}"
                       if not ok_count else "the exact flow misses the targets")
                return Outcome(Status.FAIL, f"{name}, P = {P}: {why}", {"N": N, "P": P, "L": L, "switches": count},
                               counterexample={"X": _fmt(X), "Y": _fmt(Y), "T": str(T), "P": P, "L": L, "switches": count,
                                               "Phi_T(x_i)": _fmt(out), "breakpoints": [str(b) for b in ctrl.breakpoints()]},
                               steps=steps, table=table)
    if undecided:
        return Outcome(Status.INCONCLUSIVE, "the construction needs more switches than claimed and no certificate decides: " + "; ".join(undecided),
                       steps=steps, table=table)
    how = "exactly" if formulas.exact_count else "at most (and, padded with null pieces, exactly)"
    return Outcome(Status.PASS, f"{len(table)} exact instances: controls with {how} the claimed switches map every x_i to y_i exactly",
                   {"instances": len(table)}, steps=steps, table=table)


# --- the product sentence ---------------------------------------------------------------------


def product_table(formulas: Any, N_max: int) -> tuple[dict | None, list[dict[str, Any]]]:
    """Exact enumeration for N ≤ N_max: the claimed complexity over ``formulas.widths(N)`` and
    the claimed bounds for 1 ≤ P ≤ 2N.  Returns (first violation or None, table)."""
    table = []
    for N in range(1, N_max + 1):
        vals = {P: formulas.complexity(formulas.switches(N, P), P) for P in formulas.widths(N)}
        table.append({"N": N, "complexity over the claimed widths": str(vals)})
        if len(set(vals.values())) > 1:
            P1, v1 = next(iter(vals.items()))
            P2, v2 = next((P, v) for P, v in vals.items() if v != v1)
            return {"N": N, "P": [P1, P2], "L": [formulas.switches(N, P1), formulas.switches(N, P2)], "complexity": [v1, v2],
                    "failed": f"not invariant: N = {N}, P = {P1} gives {v1}, P = {P2} gives {v2}"}, table
        for P in range(1, 2 * N + 1):
            bounds = formulas.bounds(N, P)
            if bounds is None:
                continue
            v = formulas.complexity(formulas.switches(N, P), P)
            if not bounds[0] <= v <= bounds[1]:
                return {"N": N, "P": P, "L": formulas.switches(N, P), "complexity": v, "bounds": list(bounds),
                        "failed": f"N = {N}, P = {P}: complexity {v} outside the claimed [{bounds[0]}, {bounds[1]}]"}, table
    return None, table


def check_product_symbolic(formulas: Any, ctx: Any) -> Outcome:
    """:math:`N = kP - r` with 0 ≤ r ≤ P − 1 gives :math:`\\lceil N/P\\rceil = k` and L = 2k − 1;
    the claimed complexity in terms of N, P, r (sympy), then exact enumeration of the invariance
    and the bounds for N ≤ 12 (30 at standard)."""
    k, P, r, N = sp.symbols("k P r N", integer=True, nonnegative=True)
    L = 2 * k - 1
    C = sp.expand(sp.sympify(formulas.complexity(L, P)).subs(k, (N + r) / P))
    steps = [
        "N = kP − r with 0 ≤ r ≤ P − 1 ⇔ (k − 1)P < N ≤ kP ⇔ ⌈N/P⌉ = k, so Theorem 3.3 gives L = 2k − 1.",
        f"Claimed complexity with k = (N + r)/P: {sp.sstr(C)}; over widths dividing N (r = 0): {sp.sstr(sp.expand(C.subs(r, 0)))}.",
    ]
    # the derivation must agree with the enumeration at exact points
    for n in range(1, 9):
        for p in range(1, n + 2):
            kk = math.ceil(n / p)
            assert sp.sympify(C.subs({N: n, P: p, r: kk * p - n})) == formulas.complexity(formulas.switches(n, p), p)
    violation, table = product_table(formulas, ctx.pick(12, 30, 60))
    if violation is not None:
        return Outcome(Status.FAIL, violation["failed"], {"N": violation["N"]}, counterexample=violation, steps=steps, table=table[-3:])
    return Outcome(Status.PASS, f"invariant over the claimed widths and within the claimed bounds for every N ≤ {len(table)} "
                   f"(complexity = {sp.sstr(C)})", {"N_max": len(table)}, steps=steps, table=table[:6])
