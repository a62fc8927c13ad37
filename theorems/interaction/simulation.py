"""Particle evidence for otdiff §5.3: eq. (17), the Wasserstein gradient of (18) and the
particle system after (18).

Three references, none of which uses the formula under test:

* **the exact Wasserstein gradient flow of the quadratic kernel**
  :math:`k(x, y) = x^\\top Ax + y^\\top Ay + 2x^\\top By` (A, B symmetric): then
  :math:`\\nabla_W f(\\alpha)(x) = 4(Ax + Bm)`, m the mean of α, so the flow (15) of an
  empirical measure moves its particles exactly by
  :math:`x_i(t) = e^{-4At}(x_i(0) - m_0) + e^{-4(A+B)t}m_0`: the empirical mean and covariance
  follow :math:`\\dot m = -4(A+B)m`, :math:`\\dot\\Sigma = -4(A\\Sigma + \\Sigma A)` for every n;
* **the quantile flow of** :math:`k(x, y) = |x - y|` in d = 1: :math:`\\nabla_W f(\\alpha)(x) =
  2(2F_\\alpha(x) - 1)`, so in quantile coordinates :math:`X(s, t) = X_0(s) - 2(2s - 1)t` until
  the first collision at :math:`t^* = 1/(4\\max\\rho_0)`; particles at the quantiles
  :math:`X_0((i - \\frac12)/n)` see :math:`\\sum_j \\operatorname{sign}(x_i - x_j) = 2i - 1 - n`
  and stay exactly at :math:`X(s_i, t)`;
* **numeric first variations** (:mod:`verify.variation`) of :math:`f(\\alpha) = \\iint k\\,d\\alpha\\,d\\alpha`
  for smooth nonlinear kernels, with their Richardson error bounds.

Tolerances: float64 rounding bounds (:func:`verify.stats.rounding_tol`) for identities exact in
real arithmetic, plus the stated error bounds of finite differences (Richardson: the
difference between steps h and h/2) and of RK4 (step halving: the difference between S and S/2
steps, about 15 times the error of the finer solution).  The :math:`\\nabla F` of (17) is
computed by central differences of :math:`F(X) = f(\\frac1n\\sum_i\\delta_{x_i})` itself, exact
up to rounding for the quadratic kernel (F is then a quadratic polynomial).  Everything that
does not depend on the formula under test is computed once per (seed, fidelity).
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np
from scipy.linalg import expm
from scipy.stats import norm

from verify.claims import FigureSpec, Outcome, Status
from verify.particles import integrate_particles
from verify.stats import fit_power_law, rounding_tol
from verify.variation import wasserstein_gradient
from theorems.interaction.formulas import (
    Kernel,
    abs_kernel,
    exp_inner_kernel,
    gaussian_confined_kernel,
    interaction_energy,
    potential_kernel,
    quadratic_kernel,
)

__all__ = [
    "A_QUAD",
    "B_QUAD",
    "quad",
    "grad_F",
    "exact_particles",
    "check_moment_flow_17",
    "check_variation_velocity_17",
    "check_variation_gradient",
    "check_moment_flow",
    "check_quantile_flow",
    "check_variation_velocity",
]

#: Quadratic kernel of the exact-flow checks: A symmetric positive definite, B symmetric, A ≠ B.
A_QUAD = np.array([[0.8, 0.3], [0.3, 0.5]])
B_QUAD = np.array([[0.4, -0.2], [-0.2, 0.1]])
MEAN0 = np.array([1.0, -0.5])
COV0 = np.array([[1.0, 0.4], [0.4, 0.6]])
T_END = 0.25


@functools.cache
def quad() -> Kernel:
    """The quadratic kernel with ``A_QUAD``, ``B_QUAD`` (built on first use: sympy work is
    kept out of import time, which every `verify` command pays)."""
    return quadratic_kernel(A_QUAD, B_QUAD)


@functools.cache
def nonlinear() -> tuple[Kernel, Kernel]:
    """Smooth symmetric kernels that are not translation invariant (∇_y k ≠ −∇_x k)."""
    return exp_inner_kernel(2, 0.5), gaussian_confined_kernel(2, 0.8, 0.3)


@functools.cache
def potential() -> Kernel:
    """k(x, y) = h(x), h(x) = ⟨c, x⟩ + xᵀQx/2 + ½Σcos x_i."""
    return potential_kernel([1.0, -0.5], [[1.0, 0.2], [0.2, 0.5]], 0.5)

#: Quantile flow of |x − y| from α0 = N(0, 1): first collision at t* = √(2π)/4 ≈ 0.63.
T_QUANTILE = 0.5


# --- shared references --------------------------------------------------------------------


def grad_F(kernel: Kernel, X: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
    """:math:`\\nabla F(X)` for :math:`F(X) = f(\\frac1n\\sum_i\\delta_{x_i})`, f of (18), by central
    differences of F with steps h and h/2 (all n·d perturbations in one batch), Richardson
    extrapolation, and an error bound: :math:`|D_{h/2} - D_h|` plus twice the rounding of an
    n²-term sum divided by the step."""
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    w = np.full(n, 1.0 / n)
    e = np.eye(n * d).reshape(n * d, n, d)
    steps = np.array([h, -h, h / 2, -h / 2])
    # One batch: every coordinate perturbed by ±h and ±h/2, plus X itself (for the scale).
    batch = np.concatenate([X[None] + s * e for s in steps] + [X[None]])
    vals = interaction_energy(kernel, batch, w)
    fv = vals[:-1].reshape(4, n, d)
    d_h = (fv[0] - fv[1]) / (2 * h)
    d_h2 = (fv[2] - fv[3]) / h
    est = (4 * d_h2 - d_h) / 3
    # Rounding of an n²-term sum of size ≤ mean|k| + |F|, differenced and divided by the step;
    # twice that covers the Richardson combination (4e₂ + e₁)/3.
    scale = float(np.abs(kernel.value(X, X)).mean()) + abs(float(vals[-1])) + 1.0
    bound = np.abs(d_h2 - d_h) + 2 * rounding_tol(scale, terms=n * n) / (h / 2)
    return est, bound


def _central_difference(kernel: Kernel, X: np.ndarray, h: float) -> np.ndarray:
    """∇F(X) by one central difference of F per coordinate (one batch)."""
    n, d = X.shape
    e = np.eye(n * d).reshape(n * d, n, d)
    vals = interaction_energy(kernel, np.concatenate([X[None] + h * e, X[None] - h * e]), np.full(n, 1.0 / n))
    return ((vals[: n * d] - vals[n * d :]) / (2 * h)).reshape(n, d)


def exact_particles(X0: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
    """Positions and velocities at time t of the particles of the flow (15) for the quadratic
    kernel :func:`quad`: :math:`x_i(t) = P_t(x_i(0) - m_0) + Q_t m_0`, :math:`P_t = e^{-4At}`,
    :math:`Q_t = e^{-4(A+B)t}`."""
    m0 = X0.mean(axis=0)
    p, q = expm(-4 * A_QUAD * t), expm(-4 * (A_QUAD + B_QUAD) * t)
    x = (X0 - m0) @ p.T + m0 @ q.T
    v = -4 * (X0 - m0) @ (A_QUAD @ p).T - 4 * m0 @ ((A_QUAD + B_QUAD) @ q).T
    return x, v


def _moments(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    m = X.mean(axis=0)
    c = (X - m).T @ (X - m) / len(X)
    return m, (c + c.T) / 2


def _cloud(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng([seed, n])
    return MEAN0 + rng.standard_normal((n, 2)) @ np.linalg.cholesky(COV0).T


def _quad_scale(X: np.ndarray) -> float:
    """Magnitude of the terms of the quadratic-kernel velocities 4(Ax + Bm) at X."""
    return 4 * (np.linalg.norm(A_QUAD, 2) + np.linalg.norm(B_QUAD, 2)) * float(np.abs(X).max() + 1)


# --- the quadratic kernel: the formula's particles against the exact flow ------------------


@functools.lru_cache(maxsize=8)
def _exact_states(seed: int, ns: tuple[int, ...], times: tuple[float, ...], with_grad: bool) -> tuple:
    """(n, t, X(t), exact velocity, ∇F(X(t)), its bound) for every n and t; the ∇F entries are
    None unless ``with_grad``."""
    out = []
    for n in ns:
        X0 = _cloud(seed, n)
        for t in times:
            x, v = exact_particles(X0, t)
            g, b = grad_F(quad(), x, 0.25) if with_grad else (None, None)
            out.append((n, t, x, v, g, b))
    return tuple(out)


VelocityFn = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def _moment_flow(velocity: VelocityFn, states: tuple, ctx: Any, seed: int, what: str) -> Outcome:
    """(a) ODE residual of the formula along the exact flow (15), for every n and t;
    (b) RK4 on the formula's own ODE for one n, moments at T against the moment ODEs."""
    rows, worst, first = [], 0.0, None
    for n, t, x, v_true, g, b in states:
        v, v_err = velocity(x) if g is None else velocity((g, b))
        v = np.asarray(v, dtype=float)
        err = float(np.abs(v - v_true).max())
        tol = float(np.max(v_err)) + rounding_tol(_quad_scale(x), terms=n * 2 + 8)
        # Least-squares speed ratio: 1 for the flow (15), 1/n for a flow slowed down n times.
        ratio = float(np.sum(v * v_true) / np.sum(v_true * v_true))
        rows.append({"n": n, "t": t, "max |v_formula − v_flow|": err, "bound": tol, "speed ratio": ratio})
        worst = max(worst, err / tol)
        if err > tol and first is None:  # states are ordered by n, then t: the smallest n first
            first = {"n": n, "t": t, "error / bound": err / tol, "speed ratio formula / flow": ratio, "X": x.tolist(), "velocity (15)": v_true.tolist(), "formula": v.tolist()}
    n_rk = 5
    steps = ctx.pick(16, 32, 64)
    X0 = _cloud(seed, n_rk)

    def field(_t, X):
        return np.asarray(velocity(X)[0], dtype=float)

    with np.errstate(all="ignore"):
        fine = integrate_particles(field, X0, 0.0, T_END, steps)
        coarse = integrate_particles(field, X0, 0.0, T_END, steps // 2)
    exact, _ = exact_particles(X0, T_END)
    m_f, s_f = _moments(fine)
    m_e, s_e = _moments(exact)
    budget = float(np.abs(fine - coarse).max()) + rounding_tol(_quad_scale(exact), terms=4 * steps)
    err_x = float(np.abs(fine - exact).max())
    err_m, err_s = float(np.abs(m_f - m_e).max()), float(np.abs(s_f - s_e).max())
    # Moments are averages of positions and products: their errors are bounded by the
    # position budget and (2 max|x − m| + budget)·budget.
    spread = float(np.abs(exact - m_e).max())
    rk_ok = err_x <= budget and err_m <= budget and err_s <= (2 * spread + budget) * budget + rounding_tol(spread**2, terms=n_rk)
    metrics = {
        "worst_residual_over_bound": worst, "n_max": max(r["n"] for r in rows), "rk4_n": n_rk, "rk4_steps": steps, "rk4_T": T_END,
        "rk4_position_error": err_x, "rk4_mean_error": err_m, "rk4_cov_error": err_s, "rk4_step_halving_budget": budget,
    }
    figs = []
    if ctx.fidelity != "quick":
        figs.append(_moment_figure(field, X0, what))
        study = _rk4_study(field, X0, exact)
        if study is not None:
            figs.append(study)
            metrics |= {"rk4_slope": study.data["slope"], "rk4_slope_se": study.data["slope_se"]}
    table = rows
    if first is None and rk_ok:
        return Outcome(
            Status.PASS,
            f"{what} move exactly as the flow (15): velocity residual ≤ {worst:.2g} of the rounding bound for n ≤ {metrics['n_max']}; "
            f"RK4 moments at T = {T_END}: |Δm| = {err_m:.1e}, |ΔΣ| = {err_s:.1e} (budget {budget:.1e})",
            metrics,
            table=table,
            figures=figs,
        )
    if first is not None:
        cex = first
        return Outcome(
            Status.FAIL,
            f"{what} do not follow the flow (15): at n = {cex['n']}, t = {cex['t']} the velocity residual is {cex['error / bound']:.3g}× the bound "
            f"(speed ratio formula/flow = {cex['speed ratio formula / flow']:.4g})",
            metrics,
            counterexample={"kernel": "x'Ax + y'Ay + 2x'By", "A": A_QUAD.tolist(), "B": B_QUAD.tolist()} | cex,
            table=table,
            figures=figs,
        )
    return Outcome(
        Status.FAIL,
        f"{what} integrated by RK4 leave the exact flow: |Δx| = {err_x:.2e} > budget {budget:.1e} at T = {T_END}",
        metrics,
        counterexample={"n": n_rk, "T": T_END, "X0": X0.tolist(), "moved": fine.tolist(), "exact": exact.tolist()},
        table=table,
        figures=figs,
    )


def _rk4_study(field, X0: np.ndarray, exact: np.ndarray) -> FigureSpec | None:
    """RK4 error of the formula's particles at T against the exact flow, for 4 to 32 steps: a
    formula that is the flow converges with slope −4; a wrong one stalls at its own offset."""
    counts = [4, 8, 16, 32]
    with np.errstate(all="ignore"):
        errs = [float(np.abs(integrate_particles(field, X0, 0.0, T_END, c) - exact).max()) for c in counts]
    if not all(np.isfinite(e) and e > 0 for e in errs):
        return None
    fit = fit_power_law(counts, errs)
    return FigureSpec(
        "rk4-convergence",
        "convergence",
        "RK4 error of the formula's particles against the exact flow (15)",
        {"n": counts, "err": errs, "slope": fit.slope, "slope_se": fit.slope_se, "intercept": fit.intercept, "ref_slope": -4.0,
         "xlabel": "RK4 steps on [0, T]", "ylabel": "max |x_i(T) − exact|"},
        f"Quadratic kernel, n = {len(X0)}, T = {T_END}; fitted slope {fit.slope:.2f} ± {fit.slope_se:.2f} (RK4: −4). "
        "A formula that is not the flow (15) levels off at its distance from the exact solution.",
    )


def _moment_figure(field, X0: np.ndarray, what: str) -> FigureSpec:
    grid = np.linspace(0.0, 2 * T_END, 11)
    cur, series = X0.copy(), {"Σ̂₁₁ (formula)": [], "Σ₁₁ exact": [], "m̂₁ (formula)": [], "m₁ exact": []}
    for i, t in enumerate(grid):
        if i:
            with np.errstate(all="ignore"):
                cur = integrate_particles(field, cur, grid[i - 1], t, 8)
        ex, _ = exact_particles(X0, float(t))
        (mf, sf), (me, se) = _moments(cur), _moments(ex)
        series["Σ̂₁₁ (formula)"].append(float(sf[0, 0]))
        series["Σ₁₁ exact"].append(float(se[0, 0]))
        series["m̂₁ (formula)"].append(float(mf[0]))
        series["m₁ exact"].append(float(me[0]))
    return FigureSpec(
        "moment-flow",
        "lines",
        f"Empirical moments vs the exact flow (15), n = {len(X0)}",
        {"x": grid.tolist(), "series": series, "xlabel": "t", "ylabel": "moment"},
        f"Quadratic kernel x'Ax + y'Ay + 2x'By; {what} integrated by RK4 (points) against the exact solution of "
        "ṁ = −4(A+B)m, Σ̇ = −4(AΣ + ΣA) from the empirical moments at t = 0.",
    )


def _ns(ctx: Any) -> tuple[int, ...]:
    return ctx.pick((1, 2, 3, 5, 10), (1, 2, 3, 5, 10, 20), (1, 2, 3, 5, 10, 20, 40))


def _times(ctx: Any) -> tuple[float, ...]:
    return ctx.pick((0.0, T_END), (0.0, T_END / 2, T_END), (0.0, T_END / 4, T_END / 2, T_END, 2 * T_END))


def check_moment_flow_17(f: Any, ctx: Any) -> Outcome:
    """(17) for the quadratic kernel against the exact flow (15): the formula fed
    :math:`\\nabla F` (central differences of F, exact for this quadratic F) must give the
    velocity of the exact particle solution at every n and t (residual within the propagated
    difference bound plus rounding), and its RK4 particles must have the exact moments at T."""
    seed = ctx.check_seed()
    states = _exact_states(seed, _ns(ctx), _times(ctx), True)

    def velocity(arg):
        if not isinstance(arg, tuple):
            # Inside RK4: one central difference, exact up to rounding for this quadratic F
            # (the step-halving budget of the integration absorbs the rounding).
            return f.velocity(_central_difference(quad(), arg, 0.25)), 0.0
        g, b = arg  # cached (∇F, bound) along the exact flow
        # The (17) formulas are linear in ∇F: the bound propagates as |velocity(bound)|.
        return f.velocity(g), np.abs(np.asarray(f.velocity(b), dtype=float))

    return _moment_flow(velocity, states, ctx, seed, "particles of the formula fed ∇F")


def check_moment_flow(f: Any, ctx: Any) -> Outcome:
    """The printed particle system for the quadratic kernel against the exact flow (15):
    velocity residual along the exact particle solution (rounding bound) for every n and t, and
    RK4 moments at T against :math:`\\dot m = -4(A+B)m`, :math:`\\dot\\Sigma = -4(A\\Sigma+\\Sigma A)`."""
    seed = ctx.check_seed()
    states = _exact_states(seed, _ns(ctx), _times(ctx), False)
    return _moment_flow(lambda X: (f.velocity(quad(), X), 0.0), states, ctx, seed, "particles of the formula")


# --- |x − y|: the quantile flow ----------------------------------------------------------


def check_quantile_flow(f: Any, ctx: Any) -> Outcome:
    """d = 1, :math:`k(x, y) = |x - y|`, α0 = N(0, 1): particles started at the quantiles
    :math:`x_i(0) = \\Phi^{-1}((i - \\frac12)/n)` and moved by the formula (RK4) must sit at the
    exact quantile flow :math:`X(s_i, t) = X_0(s_i) - 2(2s_i - 1)t` at t = 1/2 < t* ≈ 0.63.  The
    field is constant between collisions, so RK4 is exact: the tolerance is rounding."""
    ns = ctx.pick((8, 64), (8, 64, 512), (8, 64, 512, 2048))
    steps = 8
    rows, worst = [], (0.0, None)
    for n in ns:
        s = (np.arange(1, n + 1) - 0.5) / n
        x0 = norm.ppf(s)[:, None]
        with np.errstate(all="ignore"):
            moved = integrate_particles(lambda _t, x: np.asarray(f.velocity(abs_kernel(), x), dtype=float), x0, 0.0, T_QUANTILE, steps)
        exact = x0 - 2 * (2 * s[:, None] - 1) * T_QUANTILE
        err = float(np.abs(moved - exact).max()) if np.all(np.isfinite(moved)) else float("inf")
        tol = rounding_tol(float(np.abs(x0).max()) + 2 * T_QUANTILE, terms=4 * steps)
        ordered = bool(np.all(np.diff(moved[:, 0]) > 0))
        rows.append({"n": n, "max |x_i(T) − X(s_i, T)|": err, "rounding bound": tol, "order kept": ordered})
        if err / tol > worst[0]:
            i = int(np.argmax(np.abs(moved - exact)))
            worst = (err / tol, {"n": n, "i": i + 1, "s_i": float(s[i]), "x_i(0)": float(x0[i, 0]), "formula x_i(T)": float(moved[i, 0]), "quantile flow X(s_i, T)": float(exact[i, 0])})
    metrics = {"T": T_QUANTILE, "t_star": float(np.sqrt(2 * np.pi) / 4), "worst_error_over_bound": worst[0], "steps": steps}
    figs = [] if ctx.fidelity == "quick" else [_quantile_figure(f)]
    if worst[0] <= 1:
        return Outcome(Status.PASS, f"particles at the quantiles follow X(s, t) = X0(s) − 2(2s − 1)t exactly (n ≤ {max(ns)}, worst {worst[0]:.2g} of the rounding bound)", metrics, table=rows, figures=figs)
    cex = worst[1]
    return Outcome(
        Status.FAIL,
        f"particles leave the quantile flow of |x − y|: at n = {cex['n']}, particle {cex['i']} is off by {abs(cex['formula x_i(T)'] - cex['quantile flow X(s_i, T)']):.3g} ({worst[0]:.3g}× the rounding bound)",
        metrics,
        counterexample={"kernel": "|x - y|", "alpha0": "N(0, 1)", "T": T_QUANTILE} | cex,
        table=rows,
        figures=figs,
    )


def _quantile_figure(f: Any) -> FigureSpec:
    n = 8
    s = (np.arange(1, n + 1) - 0.5) / n
    x0 = norm.ppf(s)[:, None]
    grid = np.linspace(0.0, T_QUANTILE, 11)
    cur, paths = x0.copy(), [x0[:, 0].copy()]
    for a, b in zip(grid[:-1], grid[1:]):
        with np.errstate(all="ignore"):
            cur = integrate_particles(lambda _t, x: np.asarray(f.velocity(abs_kernel(), x), dtype=float), cur, float(a), float(b), 2)
        paths.append(cur[:, 0].copy())
    paths = np.array(paths)
    series = {}
    for i in (0, 2, 5, 7):
        series[f"x_{i + 1} (formula)"] = paths[:, i].tolist()
        series[f"X(s_{i + 1}, t)"] = (x0[i, 0] - 2 * (2 * s[i] - 1) * grid).tolist()
    return FigureSpec(
        "quantile-flow",
        "lines",
        "|x − y|: particles of the formula vs the quantile flow",
        {"x": grid.tolist(), "series": series, "xlabel": "t", "ylabel": "position"},
        "k(x, y) = |x − y| in d = 1, α0 = N(0, 1), n = 8 particles started at the quantiles (i − ½)/n and moved by the formula (RK4), "
        "against the exact quantile flow X(s, t) = X0(s) − 2(2s − 1)t, linear in t until the first collision t* = √(2π)/4.",
    )


# --- numeric first variations (verify.variation) -----------------------------------------


def _energy(kernel: Kernel) -> Callable[[np.ndarray, np.ndarray], float]:
    return lambda p, w: float(interaction_energy(kernel, p, w))


@functools.lru_cache(maxsize=8)
def _variation_clouds(seed: int, ns: tuple[int, ...], with_grad_F: bool) -> tuple:
    """For each smooth kernel and n: uniform cloud X, ∇_W f(α_X) at X by verify.variation with
    its bound, and (optionally) ∇F(X) by central differences with its bound."""
    rng = np.random.default_rng(seed)
    out = []
    for kernel in nonlinear():
        for n in ns:
            X = rng.standard_normal((n, 2))
            ref, bound = wasserstein_gradient(_energy(kernel), X, np.full(n, 1.0 / n), X)
            g = grad_F(kernel, X, 1e-3) if with_grad_F else (None, None)
            out.append((kernel, n, X, ref, bound, *g))
    return tuple(out)


def _velocity_vs_variation(rows_in: list[tuple], what: str) -> Outcome:
    """rows_in: (kernel, n, X, formula velocity, reference velocity −∇_W f, tolerance)."""
    rows, worst = [], (0.0, None)
    for kernel, n, X, v, v_ref, tol in rows_in:
        err = np.abs(np.asarray(v, dtype=float) - v_ref)
        ratio = float(np.max(err / tol))
        rows.append({"kernel": kernel.label, "n": n, "max |v_formula − (−∇_W f)|": float(err.max()), "max bound": float(np.max(tol)), "worst error / bound": ratio})
        if ratio > worst[0]:
            i = int(np.unravel_index(np.argmax(err / tol), err.shape)[0])
            worst = (ratio, {"kernel": kernel.label, "n": n, "X": X.tolist(), "i": i + 1, "formula": np.asarray(v, dtype=float)[i].tolist(), "-grad_W f (verify.variation)": v_ref[i].tolist(), "bound": np.asarray(tol)[i].tolist()})
    metrics = {"clouds": len(rows), "worst_error_over_bound": worst[0]}
    if worst[0] <= 1:
        return Outcome(Status.PASS, f"{what} = −∇_W f(α_X)(x_i) by numeric first variations on {len(rows)} clouds (worst {worst[0]:.2g} of the bound)", metrics, table=rows)
    cex = worst[1]
    return Outcome(Status.FAIL, f"{what} differ from −∇_W f(α_X)(x_i) ({cex['kernel']}, n = {cex['n']}: {worst[0]:.3g}× the bound)", metrics, counterexample=cex, table=rows)


def check_variation_velocity_17(f: Any, ctx: Any) -> Outcome:
    """(17) on random clouds for smooth nonlinear kernels (exp(⟨x, y⟩/2); Gaussian plus
    confinement), d = 2: the formula fed :math:`\\nabla F` (central differences of F, Richardson
    bound propagated through the linear formula) against :math:`-\\nabla_W f(\\alpha_X)(x_i)`
    from :mod:`verify.variation` (its bound)."""
    data = _variation_clouds(ctx.check_seed(), ctx.pick((2, 3, 6), (2, 3, 6, 12), (2, 3, 6, 12, 24)), True)
    rows = []
    for kernel, n, X, ref, bound, g, gb in data:
        v = f.velocity(g)
        tol = bound + np.abs(np.asarray(f.velocity(gb), dtype=float)) + rounding_tol(float(np.abs(ref).max()) + 1, terms=n)
        rows.append((kernel, n, X, v, -ref, tol))
    return _velocity_vs_variation(rows, "velocities of the formula fed ∇F")


def check_variation_velocity(f: Any, ctx: Any) -> Outcome:
    """The printed particle system on random clouds for smooth nonlinear kernels, d = 2,
    against :math:`-\\nabla_W f(\\alpha_X)(x_i)` from :mod:`verify.variation` (its bound plus the
    rounding of the n-term sum)."""
    data = _variation_clouds(ctx.check_seed(), ctx.pick((2, 3, 6), (2, 3, 6, 12), (2, 3, 6, 12, 24)), False)
    rows = []
    for kernel, n, X, ref, bound, _, _ in data:
        v = f.velocity(kernel, X)
        scale = 2 * float(np.abs(kernel.grad_x(X, X)).max()) + 1
        rows.append((kernel, n, X, v, -ref, bound + rounding_tol(scale, terms=n)))
    return _velocity_vs_variation(rows, "printed particle velocities")


@functools.lru_cache(maxsize=8)
def _gradient_clouds(seed: int, n: int, m: int) -> tuple:
    """For each kernel: atoms, Dirichlet weights, query points, ∇_W f by verify.variation and
    its bound."""
    rng = np.random.default_rng(seed)
    out = []
    for kernel in (quad(), *nonlinear(), potential()):
        atoms = rng.standard_normal((n, 2))
        w = rng.dirichlet(np.ones(n))
        x = rng.standard_normal((m, 2))
        ref, bound = wasserstein_gradient(_energy(kernel), atoms, w, x)
        out.append((kernel, atoms, w, x, ref, bound))
    return tuple(out)


def check_variation_gradient(f: Any, ctx: Any) -> Outcome:
    """The printed gradients of (18) against :mod:`verify.variation` on weighted clouds (d = 2):
    symmetric kernels (quadratic with A ≠ B, exp(⟨x, y⟩/2), Gaussian plus confinement) through
    :math:`2\\int\\nabla_x k\\,d\\alpha`, and the potential case
    :math:`h(x) = \\langle c, x\\rangle + \\frac12x^\\top Qx + \\frac12\\sum\\cos x_i` through
    :math:`\\nabla h`.  Tolerance: the variation module's bound plus rounding."""
    n, m = ctx.pick((6, 4), (12, 8), (24, 16))
    rows, worst = [], (0.0, None)
    for kernel, atoms, w, x, ref, bound in _gradient_clouds(ctx.check_seed(), n, m):
        if kernel is potential():
            got = np.asarray(f.gradient_potential(kernel.grad_x(x, x[:1])[:, 0, :]), dtype=float)
            case = "k = h(x)"
        else:
            got = np.asarray(f.gradient_symmetric(kernel, x, atoms, w), dtype=float)
            case = "symmetric"
        scale = 2 * float(np.abs(kernel.grad_x(x, atoms)).max()) + 1
        tol = bound + rounding_tol(scale, terms=n)
        err = np.abs(got - ref)
        ratio = float(np.max(err / tol))
        rows.append({"kernel": kernel.label, "case": case, "atoms": n, "points": m, "max |formula − ∇_W f|": float(err.max()), "max bound": float(tol.max()), "worst error / bound": ratio})
        if ratio > worst[0]:
            i = int(np.unravel_index(np.argmax(err / tol), err.shape)[0])
            worst = (ratio, {"kernel": kernel.label, "case": case, "atoms": atoms.tolist(), "weights": w.tolist(), "x": x[i].tolist(), "formula": got[i].tolist(), "grad_W f (verify.variation)": ref[i].tolist(), "bound": tol[i].tolist()})
    metrics = {"kernels": len(rows), "worst_error_over_bound": worst[0]}
    if worst[0] <= 1:
        return Outcome(Status.PASS, f"printed ∇_W f = numeric first-variation gradient for {len(rows)} kernels (worst {worst[0]:.2g} of the bound)", metrics, table=rows)
    cex = worst[1]
    return Outcome(Status.FAIL, f"printed ∇_W f differs from the numeric first-variation gradient ({cex['kernel']}: {worst[0]:.3g}× the bound)", metrics, counterexample=cex, table=rows)
