"""Numeric checks of mlcontrol §3.2: the constructive controls in float64 on seeded random data
sets, the neural ODE (3.4) integrated by a generic explicit scheme, and the switch counts of the
constructions behind the product sentence.

Integration: classical RK4 with m steps per constant piece, vectorised over the particles, on the
printed field (``formulas.field``), and the explicit Euler scheme with one step per piece — the
ResNet (3.1) of depth L + 1.  For the constructed controls :math:`AW = 0`, so the field is
constant along each trajectory and both schemes are exact in real arithmetic: the only error
is rounding.  Its budget is :func:`verify.stats.rounding_tol` with

- scale: the largest coordinate along the way, :math:`\\max(|X|, |Y|, \\max_\\ell|x_\\ell|)` plus
  the path length :math:`\\sum_\\ell \\tau_\\ell\\max_i|W_\\ell\\sigma(A_\\ell x_i + b_\\ell)|`;
- terms: the number of field evaluations (4m per piece, 1 for Euler) plus 2N for the triangular
  solves of the construction;
- condition: :math:`\\kappa = \\max_{i,\\ell}\\|D\\Phi_{\\ell \\to T}(x_i)\\|_2`, the norm of the
  Jacobian of the remaining flow, :math:`\\prod(I + \\tau W\\,\\mathrm{diag}(\\sigma')A)` along the
  trajectory, which amplifies an error made at piece ℓ (activation patterns do not change: the
  kinks sit half a gap from the points).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from theorems.simcontrol import formulas as F
from verify.claims import FigureSpec, Outcome, Status
from verify.stats import rounding_tol

__all__ = ["datasets", "integrate", "rounding_budget", "check_construction_numeric", "check_product_numeric"]

_CACHE: dict[tuple, Any] = {}


def datasets(ctx: Any, min_dim: int = 2) -> list[tuple[str, np.ndarray, np.ndarray, float]]:
    """Seeded data sets (name, X, Y, T), the hardest smallest first: a swap of two random points,
    Gaussian inputs and targets (d = 2, N up to 6; d = 3 from standard fidelity), a 3-cycle
    inside N = 5, and for claims reaching d = 1 an order-reversed line."""
    key = (ctx.seed, ctx.fidelity, min_dim)
    if key in _CACHE:
        return _CACHE[key]
    rng = ctx.rng("simcontrol-data")
    out = []
    if min_dim <= 1:
        x = np.sort(rng.normal(size=(3, 1)), axis=0)
        out.append(("d = 1, N = 3, order reversed", x, x[::-1] + 0.5, 1.0))
    x = rng.normal(size=(2, 2))
    out.append(("d = 2, N = 2, swap (y₁ = x₂, y₂ = x₁)", x, x[::-1].copy(), float(rng.uniform(0.5, 3))))
    sizes = ctx.pick([(2, 3), (2, 6)], [(2, n) for n in range(1, 7)] + [(3, 4), (3, 6)], [(2, n) for n in range(1, 7)] * 3 + [(3, n) for n in range(2, 7)])
    for d, n in sizes:
        out.append((f"d = {d}, N = {n}, Gaussian", rng.normal(size=(n, d)), rng.normal(size=(n, d)), float(rng.uniform(0.5, 3))))
    X, Y = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    Y[[0, 1, 2]] = X[[1, 2, 0]]
    out.append(("d = 2, N = 5, a 3-cycle", X, Y, 1.0))
    _CACHE[key] = out
    return out


def integrate(field: Callable, ctrl: F.Controls, X: np.ndarray, steps: int, scheme: str = "rk4",
              keep: bool = False) -> tuple[np.ndarray, list[np.ndarray]]:
    """Integrate :math:`\\dot x = f(x; W, A, b)` piece by piece with ``steps`` steps of RK4 or
    explicit Euler per piece, all particles at once.  Returns the end points and (``keep``) the
    states after every step."""
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    if scheme not in ("rk4", "euler"):
        raise ValueError(f"scheme must be 'rk4' or 'euler', got {scheme!r}")
    x = np.array(X, dtype=float)
    path = [x.copy()] if keep else []
    for p in ctrl.pieces:
        W, A, b = (np.asarray(m, dtype=float) for m in (p.W, p.A, p.b))
        h = float(p.tau) / steps
        for _ in range(steps):
            k1 = field(x, W, A, b)
            if scheme == "euler":
                x = x + h * k1
            else:
                k2 = field(x + h / 2 * k1, W, A, b)
                k3 = field(x + h / 2 * k2, W, A, b)
                k4 = field(x + h * k3, W, A, b)
                x = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
            if keep:
                path.append(x.copy())
    return x, path


def rounding_budget(field: Callable, ctrl: F.Controls, X: np.ndarray, Y: np.ndarray, evaluations: int) -> tuple[float, float]:
    """(tolerance, κ) of the module docstring for an integration with ``evaluations`` field
    evaluations in all."""
    N, d = X.shape
    xs = [np.asarray(X, dtype=float)]
    path = 0.0
    for p in ctrl.pieces:
        v = float(p.tau) * field(xs[-1], p.W, p.A, p.b)
        path += float(np.max(np.abs(v)))
        xs.append(xs[-1] + v)
    J = np.broadcast_to(np.eye(d), (N, d, d)).copy()
    kappa = 1.0
    for p, x in zip(reversed(ctrl.pieces), reversed(xs[:-1])):
        active = (x @ p.A.T + p.b > 0).astype(float)  # (N, P)
        M = float(p.tau) * np.einsum("dp,np,pe->nde", p.W, active, p.A)
        J = J @ (np.eye(d) + M)
        kappa = max(kappa, float(np.max(np.linalg.norm(J, ord=2, axis=(1, 2)))))
    scale = max(float(np.max(np.abs(X))), float(np.max(np.abs(Y))), max(float(np.max(np.abs(x))) for x in xs)) + path
    return rounding_tol(scale, terms=evaluations + 2 * N, cond=kappa), kappa


def check_construction_numeric(formulas: Any, ctx: Any) -> Outcome:
    """Float64 controls with the claimed count on seeded data sets and widths P ∈ {1, 2, 3, N,
    N + 1} allowed by the claim; (3.4) integrated by RK4 (m = 4, 16, 32 steps per piece) and by
    Euler with one step per piece; both must land on the targets within the rounding budget."""
    m = ctx.pick(4, 16, 32)
    table: list[dict[str, Any]] = []
    undecided = []
    worst = 0.0
    figure = None
    for name, X, Y, T in datasets(ctx, formulas.min_dim()):
        N, d = X.shape
        for P in sorted({p for p in (1, 2, 3, N, N + 1) if p in formulas.widths(N)}):
            kind, obj, L = F.realise(formulas, X, Y, T, P)
            if kind == "proof":
                table.append({"data": name, "P": P, "claimed L": L, "result": obj})
                return Outcome(Status.FAIL, f"{name}, P = {P}: {obj}", {"N": N, "P": P, "L": L},
                               counterexample={"data": name, "X": X.tolist(), "Y": Y.tolist(), "P": P, "L": L, "proof": obj}, table=table)
            if kind == "undecided":
                undecided.append(f"{name}, P = {P}")
                table.append({"data": name, "P": P, "claimed L": L, "result": f"undecided (construction needs {obj})"})
                continue
            ctrl = obj
            count = ctrl.switches()
            ok_count = count == L if formulas.exact_count else count <= L
            rows = {}
            for scheme, steps in (("rk4", m), ("euler", 1)):
                end, path = integrate(formulas.field, ctrl, X, steps, scheme, keep=ctx.figures and scheme == "rk4" and figure is None and d == 2 and N >= 4)
                err = float(np.max(np.abs(end - Y)))
                tol, kappa = rounding_budget(formulas.field, ctrl, X, Y, (4 * steps if scheme == "rk4" else steps) * len(ctrl.pieces))
                rows[scheme] = (err, tol, end)
                if path:
                    figure = FigureSpec(
                        "trajectories", "trajectories", f"{name}, P = {P}: the two-step controls ({count} switches)",
                        {"series": {f"RK4, {m} steps per piece": np.array(path)}},
                        caption="Step 1 shears along n₁^⊥ (points move on lines ⟨n₁, x⟩ = const), step 2 along n₂^⊥; squares: x_i, dots: Φ_T(x_i) = y_i.",
                    )
            ratio = max(rows[s][0] / rows[s][1] for s in rows)
            worst = max(worst, ratio)
            table.append({"data": name, "P": P, "claimed L": L, "switches": count, "κ": f"{kappa:.3g}",
                          "RK4 error / budget": f"{rows['rk4'][0] / rows['rk4'][1]:.3g}", "Euler (ResNet) error / budget": f"{rows['euler'][0] / rows['euler'][1]:.3g}"})
            if not ok_count or ratio > 1:
                why = (f"the controls have {count} switches, the claim {'exactly' if formulas.exact_count else 'at most'} {L}" if not ok_count
                       else f"Φ_T misses the targets by {max(rows[s][0] for s in rows):.3g} (budget {rows['rk4'][1]:.3g})")
                return Outcome(Status.FAIL, f"{name}, P = {P}: {why}", {"N": N, "P": P, "L": L, "error": rows["rk4"][0], "budget": rows["rk4"][1]},
                               counterexample={"data": name, "X": X.tolist(), "Y": Y.tolist(), "T": T, "P": P, "L": L, "switches": count,
                                               "Phi_T(x_i) (RK4)": rows["rk4"][2].tolist()}, table=table)
    figures = [figure] if figure is not None else []
    if undecided:
        return Outcome(Status.INCONCLUSIVE, "the construction needs more switches than claimed and no certificate decides on: " + "; ".join(undecided),
                       table=table, figures=figures)
    return Outcome(Status.PASS, f"{len(table)} float data sets × widths: RK4 ({m} steps/piece) and Euler (1 step/piece) reach every target; "
                   f"worst error {worst:.3g} of the rounding budget", {"worst_error_over_budget": worst, "cases": len(table)},
                   table=table, figures=figures)


def check_product_numeric(formulas: Any, ctx: Any) -> Outcome:
    """The switches L of the constructions actually built (float data, d = 2, N ≤ 6, every
    P ≤ 2N), the claimed complexity from the measured L: invariance over the claimed widths and
    the claimed bounds."""
    theorem = F.DepthWidth()
    table = []
    key = (ctx.seed, ctx.fidelity, "measured switches")
    if key not in _CACHE:
        rng = ctx.rng("simcontrol-product")
        measured = {}
        for N in range(1, ctx.pick(6, 8, 10) + 1):
            X, Y = rng.normal(size=(N, 2)), rng.normal(size=(N, 2))
            for P in range(1, 2 * N + 1):
                measured[N, P] = theorem.controls(X, Y, 1.0, P).switches()
        _CACHE[key] = measured
    measured = _CACHE[key]
    N_max = max(N for N, _ in measured)
    for N in range(1, N_max + 1):
        vals = {P: formulas.complexity(measured[N, P], P) for P in formulas.widths(N)}
        table.append({"N": N, "measured L for P = 1, 2, …": [measured[N, P] for P in range(1, N + 1)], "claimed complexity": str(vals)})
        v1 = next(iter(vals.values()))
        if any(v != v1 for v in vals.values()):
            P1 = next(iter(vals))
            P2 = next(P for P, v in vals.items() if v != v1)
            return Outcome(Status.FAIL, f"constructions with N = {N}: P = {P1} uses L = {measured[N, P1]} switches (complexity {vals[P1]}), "
                           f"P = {P2} uses L = {measured[N, P2]} (complexity {vals[P2]})", {"N": N},
                           counterexample={"N": N, "P": [P1, P2], "L": [measured[N, P1], measured[N, P2]], "complexity": [vals[P1], vals[P2]]}, table=table)
        for P in range(1, 2 * N + 1):
            bounds = formulas.bounds(N, P)
            v = formulas.complexity(measured[N, P], P)
            if bounds is not None and not bounds[0] <= v <= bounds[1]:
                return Outcome(Status.FAIL, f"construction with N = {N}, P = {P}: L = {measured[N, P]}, complexity {v} outside [{bounds[0]}, {bounds[1]}]",
                               {"N": N, "P": P}, counterexample={"N": N, "P": P, "L": measured[N, P], "complexity": v, "bounds": list(bounds)}, table=table)
    if any(measured[N, P] != formulas.switches(N, P) for N, P in measured):
        return Outcome(Status.ERROR, "the constructions' switches differ from Theorem 3.3's count (a defect of the construction)", table=table)
    return Outcome(Status.PASS, f"constructions for N ≤ {N_max}, P ≤ 2N: complexity invariant over the claimed widths and within the claimed bounds",
                   {"constructions": len(measured)}, table=table)
