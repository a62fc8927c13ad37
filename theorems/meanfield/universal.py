r"""otdiff §6.1: universal approximation and zero minimal risk for the two-layer network (19),
which is printed without a bias term.

.. math::  G_X(z) = \frac1n\sum_{i=1}^n v_i\,\sigma(\langle z, u_i\rangle)   \qquad (19)

With the ReLU, "the most widely used choice" named in the same paragraph, every :math:`G_X` is
positively homogeneous: :math:`G_X(cz) = cG_X(z)` for c ≥ 0, in particular :math:`G_X(0) = 0`.
So (19) cannot approximate the constant 1 on [−1, 1] better than to uniform distance 1, for any
n ("Universal approximation results show that as n → ∞, such models can approximate uniformly
any continuous function on compact sets"), and the data z₁ = 0, y₁ = 1 keep the risk (20) at
1/N or more ("the minimal risk is zero, meaning that the trained network can perfectly
interpolate the data").  The cited results [22, 42] have a bias: feeding (19) the lifted input
:math:`(z, 1)` restores both statements (the corrections).

The formulas classes say which input the network (19) is fed (``lift``) and which activation it
uses; the checks test the printed consequences on that network.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from verify.claims import Check, Claim, Kind, Mutant, Outcome, Source, Status, Verdict
from verify.properties import outcome, search_in
from verify.stats import fit_power_law, rounding_tol

__all__ = ["Printed19", "IdentityActivation", "ZeroLift", "Lifted19", "LiftedIdentity", "LiftedZero",
           "UNIVERSAL", "UNIVERSAL_CORRECTED", "ZERO_RISK", "ZERO_RISK_CORRECTED"]


class Printed19:
    """(19) as printed, with the ReLU: the network sees z itself."""

    def lift(self, z: np.ndarray) -> np.ndarray:
        """The input fed to (19): ``z`` of shape (m, d) → (m, d_in)."""
        return np.asarray(z, dtype=float)

    def sigma(self, s):
        return np.maximum(s, 0.0) if not isinstance(s, sp.Basic) else sp.Max(s, 0)


class IdentityActivation(Printed19):
    """Mutant: σ(s) = s (a polynomial activation; the paragraph excludes it)."""

    def sigma(self, s):
        return s


class ZeroLift(Printed19):
    """Mutant: the input (z, 0) — a constant coordinate that is zero, i.e. still no bias."""

    def lift(self, z):
        z = np.asarray(z, dtype=float)
        return np.column_stack([z, np.zeros(len(z))])


class Lifted19(Printed19):
    """Corrected: (19) fed (z, 1), so that ⟨(z, 1), u⟩ carries a bias."""

    def lift(self, z):
        z = np.asarray(z, dtype=float)
        return np.column_stack([z, np.ones(len(z))])


class LiftedIdentity(Lifted19):
    """Mutant of the correction: σ(s) = s (affine functions only)."""

    def sigma(self, s):
        return s


class LiftedZero(ZeroLift):
    """Mutant of the correction: the input (z, 0)."""


def _interpolate(formulas, z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least-squares outer weights of (19) with n = 4N inner weights: N ReLU kinks between the
    sorted inputs (u = (1, −β) on the lifted input), their mirror images, and random ones; 1-D
    inputs.  Returns the residual vector and the condition number of the features on their range."""
    order = np.argsort(z)
    zs = z[order]
    beta = np.concatenate([[zs[0] - 1.0], (zs[:-1] + zs[1:]) / 2]) if len(zs) > 1 else np.array([zs[0] - 1.0])
    L = formulas.lift(z[:, None])
    din = L.shape[1]
    U = []
    for b in beta:
        for sgn in (1.0, -1.0):
            u = np.zeros(din)
            u[0] = sgn
            if din > 1:
                u[1] = -sgn * b
            U.append(u)
    U = np.array(U)
    feats = formulas.sigma(L @ U.T)
    w, *_ = np.linalg.lstsq(feats, y, rcond=None)
    sv = np.linalg.svd(feats, compute_uv=False)
    kept = sv[sv > 1e-12 * sv[0]] if sv[0] > 0 else np.ones(1)
    cond = float(kept[0] / kept[-1])
    return feats @ w - y, cond


# --- checks ---------------------------------------------------------------------------------


def check_symbolic(formulas, ctx) -> Outcome:
    """Exact: the network at z = 0 for generic weights, and the exact interpolation of the
    minimal data z = 0, y = 1 (one neuron)."""
    n = 3
    us = sp.symbols("u1:4", real=True)
    vs = sp.symbols("v1:4", real=True)
    lifted = formulas.lift(np.array([[0.0]]))[0]
    G0 = sp.Rational(1, n) * sum(v * formulas.sigma(sum(sp.nsimplify(c) * (u if k == 0 else sp.Symbol(f"b{i}", real=True))
                                                       for k, c in enumerate(lifted)))
                                 for i, (u, v) in enumerate(zip(us, vs)))
    G0 = sp.simplify(G0)
    steps = [f"G_X(0) = {G0} for every X = (u_i, v_i) (n = 3, symbolic weights)"]
    if G0 == 0:
        return Outcome(Status.FAIL,
                       "G_X(0) = 0 for every X, so sup_[−1,1] |G_X − 1| ≥ 1 for every n: the constant 1 is not approximated, and the data "
                       "z₁ = 0, y₁ = 1 keep the risk at ≥ 1/N",
                       {"G_X(0)": 0}, counterexample={"target": "f(z) = 1 on [−1, 1]", "z": 0, "distance": 1, "data": {"z": [0], "y": [1]}},
                       steps=steps)
    res, cond = _interpolate(formulas, np.array([0.0, 0.5, 1.0]), np.array([1.0, 1.0, 0.0]))
    if np.max(np.abs(res)) > rounding_tol(1.0, terms=12, cond=cond):
        return Outcome(Status.FAIL, f"the network cannot interpolate z = (0, ½, 1), y = (1, 1, 0): residual {np.max(np.abs(res)):.3g}",
                       counterexample={"z": [0, 0.5, 1], "y": [1, 1, 0]}, steps=steps)
    steps.append("the lifted network: G(0) = (1/n)Σ v_i σ(b_i) can take any value; 3 points interpolated exactly")
    return Outcome(Status.PASS, "G_X(0) is not forced to 0 and the minimal data are interpolated", steps=steps)


def check_numeric(formulas, ctx) -> Outcome:
    """Uniform error, on a fine grid, of the network with kinks at n nodes fitted to
    f(z) = 1 + cos(πz) at those nodes on [−1, 1]: if the network can represent every continuous
    piecewise-linear function with these breakpoints (universality), the fit is the piecewise-linear
    interpolant, whose error is at most h²·max|f''|/8 = h²π²/8, h = 2/(n − 1) — the tolerance,
    plus rounding.  An error above it at every n shows the model cannot follow the target."""
    grid = np.linspace(-1, 1, ctx.pick(401, 801, 1601))
    target = 1 + np.cos(np.pi * grid)
    ns = ctx.pick([9, 17, 33, 65], [9, 17, 33, 65, 129], [9, 17, 33, 65, 129, 257])
    errs, bounds = [], []
    for n in ns:
        sub = np.round(np.linspace(0, len(grid) - 1, n)).astype(int)  # n nodes on the grid
        knots = grid[sub]
        U = _inner(formulas, knots)
        all_feats = formulas.sigma(formulas.lift(grid[:, None]) @ U.T)
        w, *_ = np.linalg.lstsq(all_feats[sub], target[sub], rcond=None)
        errs.append(float(np.max(np.abs(all_feats @ w - target))))
        h = float(np.max(np.diff(knots)))
        bounds.append(h**2 * np.pi**2 / 8 + rounding_tol(2.0, terms=2 * n, cond=float(n) ** 2))
    fit = fit_power_law(np.array(ns, float), np.maximum(np.array(errs), 1e-300))
    table = [{"n": n, "sup error": e, "interpolation bound h²π²/8": b} for n, e, b in zip(ns, errs, bounds)]
    metrics = {"errors": errs, "bounds": bounds, "slope": fit.slope}
    over = [i for i, (e, b) in enumerate(zip(errs, bounds)) if e > b]
    if over:
        i = over[-1]
        return Outcome(Status.FAIL, f"uniform error {errs[i]:.3g} at n = {ns[i]} kinks exceeds the interpolation bound {bounds[i]:.3g} "
                       f"(errors {', '.join(f'{e:.3g}' for e in errs)}; slope {fit.slope:.2f})", metrics,
                       counterexample={"target": "1 + cos(πz) on [−1, 1]", "n": ns, "sup_error": errs}, table=table)
    return Outcome(Status.PASS, f"the uniform error falls from {errs[0]:.3g} (n = {ns[0]}) to {errs[-1]:.3g} (n = {ns[-1]}), slope {fit.slope:.2f}, "
                   "within the interpolation bound h²π²/8 at every n", metrics, table=table)


def _inner(formulas, knots: np.ndarray) -> np.ndarray:
    """Inner weights with kinks at the knots (both orientations) on the lifted input."""
    din = formulas.lift(np.zeros((1, 1))).shape[1]
    U = []
    for b in knots:
        for sgn in (1.0, -1.0):
            u = np.zeros(din)
            u[0] = sgn
            if din > 1:
                u[1] = -sgn * b
            U.append(u)
    return np.array(U)


def check_property(formulas, ctx) -> Outcome:
    """Drawn 1-D data sets (distinct inputs on a grid, labels on a grid): the best network's
    risk (20) must be 0 (to rounding)."""

    @st.composite
    def data(draw):
        n = draw(st.integers(1, 6))
        z = np.array(draw(st.lists(st.integers(-8, 8), min_size=n, max_size=n, unique=True)), float) / 4
        y = np.array(draw(st.lists(st.integers(-4, 4), min_size=n, max_size=n)), float) / 2
        return {"z": z, "y": y}

    def predicate(ex):
        res, cond = _interpolate(formulas, ex["z"], ex["y"])
        risk = float(np.mean(res**2))
        if np.sqrt(risk) > rounding_tol(1.0 + float(np.max(np.abs(ex["y"]))), terms=4 * len(res), cond=cond):
            return False, {"failed": f"the minimal risk is {risk:.3g} > 0", "risk": risk}
        return True, {}

    res = search_in(ctx, data(), predicate, examples=(20, 80, 500))
    return outcome(res, "zero minimal risk", "drawn 1-D data sets")


_CHECKS = (
    Check("value-at-zero", Kind.SYMBOLIC, check_symbolic, "G_X(0) for symbolic weights; exact interpolation of minimal data"),
    Check("uniform-error", Kind.NUMERIC, check_numeric, "best uniform error for 1 + cos(πz) on [−1, 1] against n"),
    Check("interpolation-fuzz", Kind.PROPERTY, check_property, "drawn 1-D data: the minimal risk (20)"),
)

_ASSUMPTIONS = (
    "σ = ReLU, 'the most widely used choice' named in the same paragraph; the claim quantifies over the non-polynomial σ the paragraph allows",
    "(19) exactly as printed: $G_X(z) = \\frac1n\\sum_i v_i\\sigma(\\langle z, u_i\\rangle)$, no bias; d = 1 suffices for the counterexamples",
)

# the two sentences are checked on the same network, so they share checks and mutants
_PRINTED_MUTANTS = (Mutant("identity-activation", "σ(s) = s", IdentityActivation), Mutant("zero-lift", "the input (z, 0)", ZeroLift))
_CORRECTED_MUTANTS = (Mutant("as-printed", "the input z (no bias)", Printed19), Mutant("identity-activation", "σ(s) = s", LiftedIdentity),
                      Mutant("zero-lift", "the input (z, 0)", LiftedZero))

UNIVERSAL = Claim(
    id="otdiff/sec-6.1-universal",
    title="Universal approximation by the bias-free network (19) (as printed)",
    family="meanfield",
    source=Source("otdiff", "§6.1, the paragraph after (19) (universal approximation [22, 42])"),
    statement="Universal approximation results show that as $n \\rightarrow \\infty$, such models can approximate uniformly any continuous function on compact sets [22, 42].",
    assumptions=_ASSUMPTIONS,
    formulas=Printed19,
    checks=_CHECKS,
    mutants=_PRINTED_MUTANTS,
    expected=Verdict.REFUTED,
    corrected_by="otdiff/sec-6.1-universal/corrected",
    notes=("REFUTED for (19) as printed: with the ReLU, $G_X(cz) = cG_X(z)$ for c ≥ 0, so $G_X(0) = 0$ and $\\sup_{[-1,1]}|G_X - 1| \\ge 1$ for every n. "
           "The cited theorems have a bias; (19) fed $(z, 1)$ is universal (corrected)."),
)

UNIVERSAL_CORRECTED = Claim(
    id="otdiff/sec-6.1-universal/corrected",
    title="Corrected: (19) fed (z, 1) approximates continuous functions uniformly on compact sets",
    family="meanfield",
    source=Source("otdiff", "§6.1, the paragraph after (19) (corrected: a bias through the input (z, 1))"),
    statement="$$G_X(z) = \\frac1n\\sum_{i=1}^n v_i\\,\\sigma(\\langle (z, 1), u_i\\rangle),\\quad u_i \\in \\mathbb R^{d+1}: \\text{ as } n \\to \\infty \\text{ these approximate uniformly any continuous function on compact sets.}$$",
    assumptions=_ASSUMPTIONS[:1],
    formulas=Lifted19,
    checks=_CHECKS,
    mutants=_CORRECTED_MUTANTS,
    corrects="otdiff/sec-6.1-universal",
    notes="VERIFIED: piecewise-linear interpolation at n kinks converges uniformly (slope about −2 for a smooth target).",
)

ZERO_RISK = Claim(
    id="otdiff/sec-6.1-zero-risk",
    title="'The minimal risk is zero': the bias-free network (19) interpolates any data (as printed)",
    family="meanfield",
    source=Source("otdiff", "§6.1, the paragraph after Theorem 6.1 (minimal risk)"),
    statement="Since two-layer MLPs are universal approximators, the minimal risk is zero, meaning that the trained network can perfectly interpolate the data.",
    assumptions=_ASSUMPTIONS + ("the risk is (20) for the network (19) with enough neurons; distinct inputs",),
    formulas=Printed19,
    checks=_CHECKS,
    mutants=_PRINTED_MUTANTS,
    expected=Verdict.REFUTED,
    corrected_by="otdiff/sec-6.1-zero-risk/corrected",
    notes=("REFUTED for (19) as printed: z₁ = 0, y₁ = 1 gives $F(X) \\ge 1/N$ for every X ($G_X(0) = 0$); more generally $z_2 = cz_1$, c > 0, "
           "forces $y_2 = cy_1$."),
)

ZERO_RISK_CORRECTED = Claim(
    id="otdiff/sec-6.1-zero-risk/corrected",
    title="Corrected: with the input (z, 1), the minimal risk (20) is zero for distinct inputs",
    family="meanfield",
    source=Source("otdiff", "§6.1, the paragraph after Theorem 6.1 (corrected: a bias through the input (z, 1))"),
    statement="With $G_X(z) = \\frac1n\\sum_i v_i\\sigma(\\langle (z, 1), u_i\\rangle)$ and $n \\ge 2N$ neurons, $\\min_X F(X) = 0$ for any data with distinct $z_k$.",
    assumptions=_ASSUMPTIONS[:1],
    formulas=Lifted19,
    checks=_CHECKS,
    mutants=_CORRECTED_MUTANTS,
    corrects="otdiff/sec-6.1-zero-risk",
    notes="VERIFIED: kinks between consecutive inputs give a triangular feature matrix (as in mlcontrol §2.3).",
)
