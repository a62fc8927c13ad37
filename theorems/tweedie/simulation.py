"""Particle and closed-form evidence for otdiff Proposition 3.3 and the statements around it.

Data with an exact score: α0 = N(0, Id) and α1 a Gaussian mixture, so α_t is a Gaussian
mixture with explicit score (:func:`verify.mixtures.score`) and the field (7) is explicit by
Bayes (:func:`verify.mixtures.conditional_mean`).  Narrow components (variance 0.02) make α1
close to a point cloud while keeping the score finite at t = 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from verify.claims import FigureSpec, Outcome, Status
from verify.mixtures import GaussianMixture, conditional_mean, interpolant_samples, log_density, score
from verify.particles import exact_ot, integrate_particles, transport_test
from verify.stats import rounding_tol, z_score

__all__ = [
    "MIXTURE_2D",
    "MIXTURE_1D",
    "check_definition_vs_formula",
    "check_kernel_regression",
    "check_transport",
    "check_tweedie_numeric",
    "check_gradient_numeric",
]

EYE2 = np.eye(2)
MIXTURE_2D = GaussianMixture(
    weights=np.array([0.25, 0.35, 0.4]),
    means=np.array([[2.0, 0.5], [-1.5, 1.5], [-0.5, -2.0]]),
    covs=np.array([np.eye(2) * 0.02] * 3),
)
MIXTURE_1D = GaussianMixture(weights=np.array([0.4, 0.6]), means=np.array([[-1.5], [1.5]]), covs=np.array([[[0.05]], [[0.05]]]))
TIMES = (0.2, 0.35, 0.5, 0.65, 0.8)


def _k(ctx: Any, m: int) -> float:
    return ctx.multiplier(m)


def _definition(x: np.ndarray, t: float, mix: GaussianMixture, s0: np.ndarray) -> np.ndarray:
    return conditional_mean(x, (1 - t, t), (-1.0, 1.0), s0, mix)


def check_definition_vs_formula(f: Any, ctx: Any) -> Outcome:
    """At t ∈ {0.2, …, 0.8} and 200 points x drawn from α_t (2-D mixture data), the formula
    fed the exact score equals (7) computed by Bayes, to rounding."""
    n = ctx.pick(200, 500, 2000)
    rng = ctx.rng()
    rows, worst = [], (0.0, None)
    for t in TIMES:
        x = interpolant_samples(rng, (1 - t, t), EYE2, MIXTURE_2D, n)
        truth = _definition(x, t, MIXTURE_2D, EYE2)
        got = np.asarray(f.field(x, t, score(x, (1 - t, t), EYE2, MIXTURE_2D)))
        err = np.linalg.norm(got - truth, axis=1)
        # Rounding: the component gains (1/((1−t)²+0.02t²)) amplify relative errors.
        tol = rounding_tol(float(np.max(np.abs(truth))) + float(np.max(np.abs(x))), terms=32, cond=1.0 / ((1 - t) ** 2 + 0.02 * t**2))
        i = int(np.argmax(err))
        rows.append({"t": t, "max |formula − (7)|": float(err[i]), "rounding bound": tol})
        if err[i] / tol > worst[0]:
            worst = (float(err[i] / tol), {"t": t, "x": x[i].tolist(), "field (7)": truth[i].tolist(), "formula": got[i].tolist()})
    metrics = {"points": n * len(TIMES), "worst_error_over_bound": worst[0]}
    if worst[0] <= 1:
        return Outcome(Status.PASS, f"formula = (7) at {n * len(TIMES)} points (t, x), to rounding", metrics, table=rows)
    return Outcome(Status.FAIL, f"formula differs from (7): worst at t = {worst[1]['t']} ({worst[0]:.2g}× the rounding bound)", metrics, counterexample=worst[1], table=rows)


def _local_linear(z: np.ndarray, y: np.ndarray, x0: float, h: float) -> tuple[float, float]:
    """Local-linear regression of y on z at x0 (Gaussian kernel, bandwidth h): estimate and
    sandwich standard error."""
    w = np.exp(-0.5 * ((z - x0) / h) ** 2)
    dz = z - x0
    s0, s1, s2 = w.sum(), (w * dz).sum(), (w * dz * dz).sum()
    lw = w * (s2 - s1 * dz) / (s0 * s2 - s1 * s1)  # equivalent kernel: estimate = Σ lw_i y_i
    est = float(lw @ y)
    slope = float((s0 * (w * dz) @ y - s1 * (w @ y)) / (s0 * s2 - s1 * s1))
    resid = y - est - slope * dz
    return est, float(np.sqrt(np.sum(lw**2 * resid**2)))


def check_kernel_regression(f: Any, ctx: Any) -> Outcome:
    """(7) estimated from particles, independently of any closed form: local-linear regression
    of X1 − X0 on Z_t (1-D mixture data) at x ∈ {−1, 0, 0.8}, t ∈ {0.3, 0.7}, bandwidths h and
    2h combined by Richardson extrapolation (bias O(h²) → O(h⁴)), against the formula fed the
    exact score.  z = (estimate − formula)/se with a conservative se of the extrapolation."""
    n = ctx.pick(100_000, 400_000, 2_000_000)
    h = ctx.pick(0.08, 0.05, 0.03)
    rng = ctx.rng()
    x0 = rng.standard_normal(n)
    x1 = MIXTURE_1D.sample(rng, n)[:, 0]
    rows, zs = [], []
    for t in (0.3, 0.7):
        z = (1 - t) * x0 + t * x1
        y = x1 - x0
        for xq in (-1.0, 0.0, 0.8):
            e1, s1 = _local_linear(z, y, xq, h)
            e2, s2 = _local_linear(z, y, xq, 2 * h)
            est = e1 + (e1 - e2) / 3
            se = 4 / 3 * s1 + 1 / 3 * s2
            sc = score(np.array([[xq]]), (1 - t, t), np.eye(1), MIXTURE_1D)[0, 0]
            ref = float(np.asarray(f.field(xq, t, sc)))
            zz = z_score(est, ref, se)
            zs.append(zz)
            rows.append({"t": t, "x": xq, "estimate (h, 2h Richardson)": est, "se": se, "formula": ref, "z": zz, "bias estimate": (e1 - e2) / 3})
    k = _k(ctx, len(zs))
    worst = int(np.argmax(np.abs(zs)))
    metrics = {"n": n, "h": h, "z": float(zs[worst]), "k": k}
    if max(abs(z) for z in zs) <= k:
        return Outcome(Status.PASS, f"kernel regression of X1−X0 on Z_t matches the formula: max|z| = {abs(zs[worst]):.2f} ≤ {k:.2f}", metrics, table=rows)
    return Outcome(Status.FAIL, f"kernel regression of X1−X0 on Z_t differs from the formula: |z| = {abs(zs[worst]):.1f} > {k:.2f}", metrics, counterexample=rows[worst], table=rows)


def check_transport(f: Any, ctx: Any) -> Outcome:
    """Particles drawn from α_{t₀} (t₀ = 0.02) and integrated along the formula (exact score,
    RK4) to t₁ = 0.98 must have law α_{t₁} ≈ α1: :func:`verify.particles.transport_test`
    (exact W2² against the fresh-vs-fresh null with the null's error bar; nearest-atom counts
    against a fresh sample, χ²).  The integration error (step halving on the transported
    particles) must be below the W2 resolution.  The end points avoid the 1/t and 1/(1−t)
    singularities of the printed and corrected forms.  Figures: the formula's particles, those
    moved by (7) itself and fresh samples; W2² to α_t along the way."""
    n = ctx.pick(80, 150, 500)
    reps = ctx.pick(30, 40, 100)
    # RK4 at 96 steps errs by about 1e-4 (step halving, in the metrics), far below the W2
    # statistic's resolution (about 0.1 at standard).
    steps = ctx.pick(48, 96, 384)
    t0, t1 = 0.02, 0.98
    rng = ctx.rng()

    def field(t, x):
        return np.asarray(f.field(x, t, score(x, (1 - t, t), EYE2, MIXTURE_2D)))

    start = interpolant_samples(rng, (1 - t0, t0), EYE2, MIXTURE_2D, n * reps)
    with np.errstate(all="ignore"):
        moved = integrate_particles(field, start, t0, t1, steps)
        coarse = integrate_particles(field, start, t0, t1, steps // 2)
    # Particles far outside the data's range are counted as diverged (a finite blow-up).
    runaway = ~np.all(np.isfinite(moved), axis=1) | (np.abs(np.nan_to_num(moved, nan=np.inf)).max(axis=1) > 100 * np.abs(MIXTURE_2D.means).max())
    err = float(np.max(np.linalg.norm(moved[~runaway] - coarse[~runaway], axis=1)) / 15) if (~runaway).any() else float("inf")
    # Figures are for the report (standard fidelity and above); quick runs skip their cost.
    figs = _transport_figures(f, field, start[:n], moved[:n], rng, n, steps, t0, t1) if ctx.figures else []
    metrics: dict[str, Any] = {"n": n, "reps": reps, "steps": steps, "diverged": int(runaway.sum()), "integration_error": err}
    if runaway.any():
        return Outcome(Status.FAIL, f"{int(runaway.sum())} of {n * reps} particles run away (beyond 100× the data's range) along the formula before t = {t1}", metrics, counterexample={"diverged": int(runaway.sum())}, figures=figs)
    sampler = lambda g, k: interpolant_samples(g, (1 - t1, t1), EYE2, MIXTURE_2D, k)
    res = transport_test(rng, moved.reshape(reps, n, 2), sampler, ctx.alpha_for(what="two-sample W2 and atom-count tests"), centers=MIXTURE_2D.means)
    metrics |= {k: res[k] for k in ("delta", "se", "z", "k", "chi2_p")}
    text = f"W2² excess {res['delta']:.2e} ± {res['se']:.1e} (z = {res['z']:.2f}, k = {res['k']:.2f}), atom counts p = {res['chi2_p']:.2g}"
    if not res["passed"]:
        return Outcome(Status.FAIL, f"particles moved by the formula do not have law α1: {text}", metrics,
                       counterexample={k: res[k] for k in ("delta", "se", "z", "counts_moved", "counts_fresh", "chi2_p")}, figures=figs)
    if 2 * np.sqrt(res["mean_w2_moved"]) * err + err**2 > res["se"]:
        return Outcome(Status.INCONCLUSIVE, f"integration error {err:.1e} not below the W2 resolution {res['se']:.1e}", metrics, figures=figs)
    return Outcome(Status.PASS, f"particles moved by the formula are indistinguishable from α1: {text}; integration error {err:.1e}", metrics, figures=figs)


def _transport_figures(f, field, start, moved, rng, n, steps, t0, t1) -> list[FigureSpec]:
    truth_moved = integrate_particles(lambda t, x: _definition(x, t, MIXTURE_2D, EYE2), start, t0, t1, steps)
    fresh = interpolant_samples(rng, (1 - t1, t1), EYE2, MIXTURE_2D, n)
    scatter = FigureSpec(
        "transport-scatter",
        "scatter",
        "Particles at t = 0.98: formula under test vs the field (7) vs fresh α1 samples",
        {"series": {"fresh α_0.98 samples": fresh.tolist(), "moved by (7) (Bayes)": truth_moved.tolist(), "moved by the formula": np.where(np.isfinite(moved), moved, np.nan).tolist()}},
        "The same starting particles integrated with RK4 along the formula (fed the exact score) and along (7); a correct field lands on the mixture's atoms.",
    )
    grid = np.linspace(t0, t1, 8)
    path_f, path_7, cur_f, cur_7 = [], [], start.copy(), start.copy()
    for a, b in zip(grid[:-1], grid[1:]):
        seg = max(1, int(round(steps * (b - a) / (t1 - t0))))
        with np.errstate(all="ignore"):
            cur_f = integrate_particles(field, cur_f, a, b, seg)
        cur_7 = integrate_particles(lambda t, x: _definition(x, t, MIXTURE_2D, EYE2), cur_7, a, b, seg)
        ref = interpolant_samples(rng, (1 - b, b), EYE2, MIXTURE_2D, n)
        path_f.append(exact_ot(cur_f, ref)[0] if np.all(np.isfinite(cur_f)) and np.abs(cur_f).max() < 1e100 else float("nan"))
        path_7.append(exact_ot(cur_7, ref)[0])
    lines = FigureSpec(
        "transport-distance",
        "lines",
        "Exact W2² between moved particles and fresh α_t samples along the way",
        {"x": grid[1:].tolist(), "series": {"formula under test": path_f, "field (7) by Bayes": path_7}, "logy": True, "xlabel": "t", "ylabel": "W2² to a fresh α_t sample"},
        "Same starting particles; a field that solves the continuity equation for α_t stays at the sampling-noise level.",
    )
    return [scatter, lines]


def check_tweedie_numeric(f: Any, ctx: Any) -> Outcome:
    """Tweedie's identity on 2-D mixture priors: Y ~ mixture, Z = Y + σε; the posterior mean
    by Bayes vs the formula with the exact score of Z, at σ ∈ {0.3, 0.7, 1.5}, to rounding."""
    rng = ctx.rng()
    rows, worst = [], (0.0, None)
    for sig in (0.3, 0.7, 1.5):
        z = interpolant_samples(rng, (sig, 1.0), EYE2, MIXTURE_2D, 300)
        truth = conditional_mean(z, (sig, 1.0), (0.0, 1.0), EYE2, MIXTURE_2D)
        got = np.asarray(f.posterior_mean(z, sig, score(z, (sig, 1.0), EYE2, MIXTURE_2D)))
        err = float(np.max(np.abs(got - truth)))
        tol = rounding_tol(float(np.max(np.abs(z))) + 1, terms=32, cond=max(1.0, 1 / (sig**2 + 0.02)))
        rows.append({"sigma": sig, "max |formula − Bayes|": err, "rounding bound": tol})
        if err / tol > worst[0]:
            worst = (err / tol, sig)
    if worst[0] <= 1:
        return Outcome(Status.PASS, "E[Y | Z] by Bayes = z + σ²∇log p_Z(z) to rounding (2-D mixture prior)", {"worst_error_over_bound": worst[0]}, table=rows)
    return Outcome(Status.FAIL, f"formula differs from the Bayes posterior mean (σ = {worst[1]})", {"worst_error_over_bound": worst[0]}, counterexample={"sigma": worst[1]}, table=rows)


def check_gradient_numeric(f: Any, ctx: Any) -> Outcome:
    """For α0 = N(0, Σ0) of the setting and 2-D mixture data: (i) the Jacobian of (7) is
    symmetric (central differences with step h and h/2; tolerance 4× the Richardson error
    estimate); (ii) (7) is L²(α_t)-orthogonal to the divergence-free perturbation
    w = R∇α_t/α_t (R the rotation by 90°): ∫⟨v_t, R∇α_t⟩dx = 0, so no such perturbation lowers
    the energy of (4) to first order.  Quadrature on a 2-D grid; error estimated by halving."""
    s0 = np.asarray(f.reference_cov(2))
    rows, ok = [], True
    rng = ctx.rng()
    for t in (0.3, 0.6, 0.85):
        pts = interpolant_samples(rng, (1 - t, t), s0, MIXTURE_2D, 50)
        jac = {}
        for h in (1e-3, 5e-4):
            cols = [(_definition(pts + h * e, t, MIXTURE_2D, s0) - _definition(pts - h * e, t, MIXTURE_2D, s0)) / (2 * h) for e in EYE2]
            jac[h] = np.stack(cols, axis=2)  # (n, component, derivative)
        asym = np.abs(jac[5e-4][:, 0, 1] - jac[5e-4][:, 1, 0])
        err_est = 4 * np.abs(jac[5e-4] - jac[1e-3]).max() / 3 + rounding_tol(float(np.abs(jac[5e-4]).max()), terms=8) / 5e-4
        cross, cross_err, abs_sum, n_pts = _orthogonality(t, s0)
        cross_tol = 4 * cross_err + rounding_tol(abs_sum, terms=n_pts)
        rows.append({"t": t, "max |∂₂v₁ − ∂₁v₂|": float(asym.max()), "FD error bound": float(err_est), "∫⟨v, R∇α_t⟩": cross, "tolerance": cross_tol})
        ok &= bool(asym.max() <= err_est) and abs(cross) <= cross_tol
    if ok:
        return Outcome(Status.PASS, "(7) has a symmetric Jacobian and is orthogonal to divergence-free perturbations", {"times": 3}, table=rows)
    return Outcome(Status.FAIL, "(7) is not a gradient field here (asymmetric Jacobian or non-zero pairing with R∇α_t)", {"times": 3}, counterexample={"Sigma0": s0.tolist(), "rows": rows}, table=rows)


def _orthogonality(t: float, s0: np.ndarray) -> tuple[float, float, float, int]:
    """∫⟨v_t, R∇α_t⟩ dx on grids of spacing δ and δ/2 (trapezoid).  Returns the fine value, the
    difference between the two (quadrature error estimate), ∫|⟨v_t, R∇α_t⟩| dx (the scale of
    the rounding in the sum) and the number of grid points."""
    vals = []
    for m in (161, 321):
        g = np.linspace(-6, 6, m)
        xx, yy = np.meshgrid(g, g)
        pts = np.column_stack([xx.ravel(), yy.ravel()])
        dens = np.exp(log_density(pts, (1 - t, t), s0, MIXTURE_2D))
        grad = dens[:, None] * score(pts, (1 - t, t), s0, MIXTURE_2D)
        rot = np.column_stack([-grad[:, 1], grad[:, 0]])
        v = _definition(pts, t, MIXTURE_2D, s0)
        terms = np.sum(v * rot, axis=1) * (g[1] - g[0]) ** 2
        vals.append(float(np.sum(terms)))
    return vals[1], abs(vals[1] - vals[0]), float(np.sum(np.abs(terms))), len(terms)
