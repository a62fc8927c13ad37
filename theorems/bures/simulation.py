"""Particle evidence for otdiff Proposition 4.3 and Theorem 4.2 (Gaussian case).

Each check evaluates the printed formulas in float64 and compares them with particles:
exact finite-sample identities where they exist (a linear map moves a moment-matched sample's
second moment exactly; a gradient-of-convex map is optimal on *any* sample by cyclical
monotonicity, so ``ot.emd`` must return the identity matching), Monte Carlo comparisons with
error bars otherwise, and a convergence study of the exact empirical W2 between independent
samples.  Tolerances: ``k`` standard errors (Bonferroni over simultaneous comparisons,
:mod:`verify.stats`) for sampling error; :func:`verify.stats.rounding_tol` for exact
identities; the integrator's error budget for ODE solves.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from verify.algebra import NumpyAlgebra
from verify.claims import FigureSpec, Outcome, Status
from verify.linalg import bures_distance_sq
from verify.particles import exact_ot, gaussian_samples, linear_flow_propagator, push_linear, second_moment
from verify.stats import fit_power_law, mean_se, rounding_tol, second_moment_se, z_score

__all__ = [
    "SIGMA0",
    "SIGMA1",
    "check_pushforward_particles",
    "check_sample_optimality",
    "check_transport_cost",
    "check_empirical_w2_convergence",
    "check_geodesic_particles",
    "check_particles_follow_velocity",
    "check_kinetic_energy",
    "check_geodesic_distance",
]

#: The non-commuting pair used by the numeric checks (the property checks draw others).
SIGMA0 = np.array([[2.0, 0.6], [0.6, 0.5]])
SIGMA1 = np.array([[1.0, -0.8], [-0.8, 2.5]])
LA = NumpyAlgebra()


def _cond(s: np.ndarray) -> float:
    w = np.linalg.eigvalsh(s)
    return float(w[-1] / w[0])


def _pair_json() -> dict[str, Any]:
    return {"Sigma0": SIGMA0.tolist(), "Sigma1": SIGMA1.tolist()}


def _k(ctx: Any, m: int) -> float:
    """Multiplier for m simultaneous comparisons sharing the per-check false-alarm budget."""
    return ctx.multiplier(m)


# --- Proposition 4.3 ---------------------------------------------------------------------


def check_pushforward_particles(f: Any, ctx: Any) -> Outcome:
    """T♯N(0, Σ0) = N(0, Σ1): the second moment of T(X) for X ~ N(0, Σ0) matches Σ1 entry by
    entry within k standard errors (Isserlis: Var Ŝ_jk = (Σ_jjΣ_kk + Σ_jk²)/n)."""
    n = ctx.pick(20_000, 200_000, 2_000_000)
    x = gaussian_samples(ctx.rng(), SIGMA0, n)
    tm = f.map(SIGMA0, SIGMA1, LA)
    s_hat = second_moment(push_linear(x, tm))
    se = second_moment_se(SIGMA1, n)
    iu = np.triu_indices(2)
    z = ((s_hat - SIGMA1) / se)[iu]
    k = _k(ctx, len(z))
    worst = int(np.argmax(np.abs(z)))
    metrics = {"n": n, "z": float(z[worst]), "k": k, "max_abs_z": float(np.max(np.abs(z)))}
    table = [
        {"entry": f"({i + 1},{j + 1})", "estimate": s_hat[i, j], "closed form": SIGMA1[i, j], "se": se[i, j], "z": zz}
        for (i, j), zz in zip(zip(*iu), z)
    ]
    if np.max(np.abs(z)) <= k:
        return Outcome(Status.PASS, f"second moment of T(X) matches Σ1: max|z| = {np.max(np.abs(z)):.2f} ≤ {k:.2f} (n = {n})", metrics, table=table)
    return Outcome(
        Status.FAIL,
        f"T(X) does not have covariance Σ1: |z| = {abs(z[worst]):.1f} > {k:.2f}",
        metrics,
        counterexample=_pair_json() | {"T": tm.tolist(), "second moment of T(X)": s_hat.tolist()},
        table=table,
    )


def check_sample_optimality(f: Any, ctx: Any) -> Outcome:
    """T = ∇(½xᵀTx) with T ⪰ 0 is cyclically monotone, so on *any* sample the coupling
    x_i ↦ T(x_i) is optimal: ``ot.emd`` between {x_i} and {T x_i} must cost exactly the
    identity matching (up to rounding).  A map that is not the gradient of a convex function
    is beaten by another matching on a large enough sample."""
    n = ctx.pick(300, 800, 2000)
    x = gaussian_samples(ctx.rng(), SIGMA0, n)
    tm = f.map(SIGMA0, SIGMA1, LA)
    y = push_linear(x, tm)
    identity_cost = float(np.mean(np.sum((x - y) ** 2, axis=1)))
    w, plan = exact_ot(x, y)
    scale = float(np.mean(np.sum(x**2, 1)) + np.mean(np.sum(y**2, 1)) + identity_cost)
    tol = rounding_tol(scale, terms=n)
    unmatched = int(np.sum(np.diag(plan) < 0.5 / n))
    gap = identity_cost - w
    metrics = {"n": n, "identity_cost": identity_cost, "emd_cost": w, "gap": gap, "tol": tol, "unmatched": unmatched}
    if gap <= tol:
        return Outcome(Status.PASS, f"ot.emd returns the identity matching x_i ↦ T x_i (gap {gap:.1e} ≤ rounding {tol:.1e}, n = {n})", metrics)
    return Outcome(
        Status.FAIL,
        f"T is not optimal on the sample: ot.emd beats x_i ↦ T x_i by {gap:.3e} ({unmatched} of {n} points re-matched)",
        metrics,
        counterexample=_pair_json() | {"T": tm.tolist(), "identity_cost": identity_cost, "emd_cost": w},
    )


def check_transport_cost(f: Any, ctx: Any) -> Outcome:
    """The printed W2² equals the transport cost of the printed map:
    E|X − T X|² (Monte Carlo, error bar from the sample variance) vs the printed Bures value."""
    n = ctx.pick(50_000, 500_000, 5_000_000)
    x = gaussian_samples(ctx.rng(), SIGMA0, n)
    tm = f.map(SIGMA0, SIGMA1, LA)
    c = np.sum((x - push_linear(x, tm)) ** 2, axis=1)
    est, se = mean_se(c)
    ref = float(f.bures_sq(SIGMA0, SIGMA1, LA))
    z = z_score(float(est), ref, float(se))
    k = _k(ctx, 1)
    metrics = {"n": n, "estimate": float(est), "reference": ref, "error": float(est) - ref, "se": float(se), "z": z, "k": k}
    if abs(z) <= k:
        return Outcome(Status.PASS, f"E|X−TX|² = {est:.5f} ± {se:.5f} vs printed W2² = {ref:.5f} (z = {z:.2f})", metrics)
    return Outcome(
        Status.FAIL,
        f"E|X−TX|² = {est:.5f} ± {se:.5f} differs from printed W2² = {ref:.5f} (z = {z:.1f})",
        metrics,
        counterexample=_pair_json() | {"E|X-TX|^2": float(est), "printed W2^2": ref},
    )


@functools.lru_cache(maxsize=8)
def _empirical_w2_samples(seed: int, grid: tuple[int, ...], reps: int) -> dict[int, list[tuple]]:
    """Exact empirical W2² of independent samples X ~ N(0, Σ0), Y ~ N(0, Σ1), with the samples'
    means and covariances (ddof = 0), for every n of the grid.  None of it depends on the
    formula under test, so a run computes it once per seed and every mutant reuses it."""
    rng = np.random.default_rng(seed)
    out: dict[int, list[tuple]] = {}
    for n in grid:
        out[n] = []
        for _ in range(reps):
            x = gaussian_samples(rng, SIGMA0, n)
            y = gaussian_samples(rng, SIGMA1, n)
            w, _ = exact_ot(x, y)
            out[n].append((w, x.mean(0), y.mean(0), np.cov(x.T, ddof=0), np.cov(y.T, ddof=0)))
    return out


def check_empirical_w2_convergence(f: Any, ctx: Any) -> Outcome:
    """Exact empirical W2² between independent samples X ~ α0, Y ~ α1 converges to the printed
    Bures value.

    The empirical value has an O(n^{-1/2}) fluctuation and a positive bias.  Differencing
    against the plug-in :math:`G_n = |\\bar x - \\bar y|^2 + B(\\hat\\Sigma_X, \\hat\\Sigma_Y)`
    (printed B, covariances with ddof = 0) on the *same* samples removes the fluctuation
    (the first variation of W2² at a Gaussian pair is a quadratic, the same as that of G).
    Two facts are tested: (i) Gelbrich's bound :math:`W_2^2(\\hat\\alpha_0, \\hat\\alpha_1)
    \\ge G_n` holds on every sample (a printed B that is too large breaks it); (ii)
    :math:`D_n = W_2^2 - G_n` decreases to 0 — the fitted log-log slope is negative by more
    than k standard errors (a printed B that is too small leaves a positive floor).
    """
    grid = ctx.pick([48, 96, 192, 384, 768], [100, 200, 400, 800, 1600], [100, 200, 400, 800, 1600, 3200, 6400])
    reps = ctx.pick(6, 12, 20)
    bures = float(f.bures_sq(SIGMA0, SIGMA1, LA))
    rows = []
    violations = []
    ctx.say("empirical W2 on independent samples")
    samples = _empirical_w2_samples(ctx.check_seed(), tuple(grid), reps)
    for n in grid:
        d_vals, e_vals = [], []
        for r, (w, mx, my, cx, cy) in enumerate(samples[n]):
            g = float(np.sum((mx - my) ** 2) + f.bures_sq(cx, cy, LA))
            tol = rounding_tol(w + np.trace(cx) + np.trace(cy), terms=n, cond=max(_cond(cx), _cond(cy)))
            if w - g < -tol:
                violations.append({"n": n, "rep": r, "emd": w, "plug_in": g, "gap": w - g})
            d_vals.append(w - g)
            e_vals.append(w - bures)
        d_mean, d_se = mean_se(d_vals)
        e_mean, e_se = mean_se(e_vals)
        rows.append({"n": n, "reps": reps, "mean D_n": float(d_mean), "se D_n": float(d_se), "mean W2²_n − B": float(e_mean), "se": float(e_se)})
    ns = np.array([r["n"] for r in rows], dtype=float)
    dm = np.array([r["mean D_n"] for r in rows])
    ds = np.array([r["se D_n"] for r in rows])
    metrics: dict[str, Any] = {"bures": bures, "grid": list(grid), "reps": reps, "gelbrich_violations": len(violations)}
    if violations:
        v = min(violations, key=lambda v: v["gap"])
        return Outcome(
            Status.FAIL,
            f"printed W2² exceeds the exact OT cost of the samples (Gelbrich's bound broken {len(violations)} times; worst gap {v['gap']:.3e})",
            metrics,
            counterexample=_pair_json() | v,
            table=rows,
        )
    if np.any(dm <= 0):
        return Outcome(Status.INCONCLUSIVE, "mean D_n not positive at every n; cannot fit a rate", metrics, table=rows)
    fit = fit_power_law(ns, dm, ds)
    # Standard errors come from `reps` replicates at each of the grid points: Student-t
    # multiplier with the pooled degrees of freedom.
    k = ctx.multiplier(2, df=len(grid) * (reps - 1))
    floor, floor_se = _floor_fit(ns, dm, ds)
    metrics |= {"floor": floor, "floor_se": floor_se}
    metrics |= {"slope": fit.slope, "slope_se": fit.slope_se, "k": k, "slope_t": fit.slope / fit.slope_se, "ref_slope": -0.5}
    fig = FigureSpec(
        name="empirical-w2-convergence",
        kind="convergence",
        title="Exact empirical W2² minus the plug-in Bures value",
        data={
            "n": ns.tolist(),
            "err": dm.tolist(),
            "se": ds.tolist(),
            "slope": fit.slope,
            "intercept": fit.intercept,
            "ref_slope": -0.5,
            "xlabel": "particles per measure n",
            "ylabel": "mean of W2²(emp) − G_n",
            "extra": {"raw |mean W2²(emp) − B(Σ0,Σ1)|": [abs(r["mean W2²_n − B"]) for r in rows]},
        },
        caption=(
            "D_n = exact empirical W2² (ot.emd) minus the plug-in printed Bures value on the same samples; "
            "error bars: one standard error over replicates; dashed: fitted power law; dotted: slope −1/2, "
            "the fluctuation rate of the raw estimator (squares), which the differencing removes."
        ),
    )
    if fit.slope + k * fit.slope_se < 0 and floor <= k * floor_se:
        return Outcome(
            Status.PASS,
            f"D_n ≥ 0 on every sample and D_n → 0 with slope {fit.slope:.2f} ± {fit.slope_se:.2f} (raw estimator: −1/2); fitted floor {floor:.1e} ± {floor_se:.1e}",
            metrics,
            table=rows,
            figures=[fig],
        )
    return Outcome(
        Status.FAIL,
        f"D_n does not decrease to 0: slope {fit.slope:.2f} ± {fit.slope_se:.2f}, fitted floor {floor:.2e} ± {floor_se:.1e} (the printed value is too small)",
        metrics,
        counterexample=_pair_json() | {"n": int(ns[-1]), "mean D_n": float(dm[-1]), "se": float(ds[-1])},
        table=rows,
        figures=[fig],
    )


def _floor_fit(n: np.ndarray, d: np.ndarray, se: np.ndarray) -> tuple[float, float]:
    """Weighted fit of :math:`D_n = c + a n^{b}` (a ≥ 0, −3 ≤ b ≤ 0); returns (c, se of c).

    A printed W2² that is too small by δ leaves the floor c = δ > 0, which a pure power law
    would hide over a short range of n; the floor is resolved when δ exceeds k·se(c)."""
    from scipy.optimize import curve_fit

    def model(x, c, a, b):
        return c + a * x**b

    p0 = (0.0, float(d[0] * n[0] ** 0.7), -0.7)
    popt, pcov = curve_fit(model, n, d, p0=p0, sigma=se, absolute_sigma=True, bounds=([-np.inf, 0.0, -3.0], [np.inf, np.inf, 0.0]), maxfev=20000)
    return float(popt[0]), float(np.sqrt(max(pcov[0, 0], 0.0)))


def check_geodesic_particles(f: Any, ctx: Any) -> Outcome:
    """Particles moved along straight lines x ↦ (1−t)x + tT(x) have exactly the printed
    covariance Σ_t: with a moment-matched sample (second moment exactly Σ0) the identity is
    exact, so the tolerance is rounding only.  At t = 1 this also checks T♯Σ0 = Σ1."""
    n = ctx.pick(2_000, 20_000, 200_000)
    x = gaussian_samples(ctx.rng(), SIGMA0, n, exact_moments=True)
    tm = f.map(SIGMA0, SIGMA1, LA)
    ts = [0.0, 0.25, 0.5, 0.75, 1.0]
    rows = []
    worst = (0.0, None)
    covs = []
    for t in ts:
        moved = (1 - t) * x + t * push_linear(x, tm)
        emp = second_moment(moved)
        printed = f.geodesic_cov(SIGMA0, SIGMA1, t, LA)
        covs.append(np.asarray(printed).tolist())
        scale = float(np.linalg.norm(emp, 2))
        err = float(np.max(np.abs(emp - printed)))
        tol = rounding_tol(scale, terms=int(np.log2(n)) + 2, cond=_cond(SIGMA0))
        rows.append({"t": t, "max |Ŝ_t − Σ_t|": err, "tol": tol})
        if err / tol > worst[0]:
            worst = (err / tol, t)
        if t == 1.0:
            end_err = float(np.max(np.abs(printed - SIGMA1)))
            rows.append({"t": "1 (vs Σ1)", "max |Ŝ_t − Σ_t|": end_err, "tol": tol})
            if end_err / tol > worst[0]:
                worst = (end_err / tol, "end point Σ_1 = Σ1")
    fig = FigureSpec(
        name="geodesic-ellipses",
        kind="ellipses",
        title="Covariance ellipses along the printed geodesic Σ_t",
        data={"t": ts, "covariances": covs, "ends": [SIGMA0.tolist(), SIGMA1.tolist()]},
        caption="One-standard-deviation ellipses of the printed Σ_t at t = 0, 1/4, 1/2, 3/4, 1; dashed: N(0, Σ0) and N(0, Σ1).",
    )
    metrics = {"n": n, "worst_error_over_tol": worst[0]}
    if worst[0] <= 1.0:
        return Outcome(Status.PASS, f"moved particles have covariance Σ_t to rounding at t ∈ {ts} (worst {worst[0]:.2g} of the rounding bound)", metrics, table=rows, figures=[fig])
    return Outcome(
        Status.FAIL,
        f"printed Σ_t is not the covariance of the moved particles (at t = {worst[1]}: {worst[0]:.3g}× the rounding bound)",
        metrics,
        counterexample=_pair_json() | {"t": worst[1]},
        table=rows,
        figures=[fig],
    )


# --- Theorem 4.2, Gaussian case ----------------------------------------------------------


def check_particles_follow_velocity(f: Any, ctx: Any) -> Outcome:
    """Integrating the printed velocity field of (12) from t = 0 moves particles along the
    printed straight lines: the flow map Φ_t of ż = V_t z (solve_ivp on the 2x2 matrix, DOP853)
    equals P_t = (1−t)Id + tT.  Tolerance: the integrator's global error budget,
    rtol·e^{L t} with L = max_s ‖V_s‖ (Grönwall), times 10 for the local-to-global constant."""
    rtol = ctx.pick(1e-9, 1e-10, 1e-11)
    ts = [0.25, 0.5, 0.75, 1.0]
    grid = np.linspace(0, 1, 41)
    lip = max(float(np.linalg.norm(f.velocity(SIGMA0, SIGMA1, s, LA), 2)) for s in grid)
    rows = []
    worst = (0.0, None, None)
    for t in ts:
        phi = linear_flow_propagator(lambda s: f.velocity(SIGMA0, SIGMA1, s, LA), 2, 0.0, t, rtol=rtol, atol=rtol * 1e-2)
        p = f.path_map(SIGMA0, SIGMA1, t, LA)
        err = float(np.linalg.norm(phi - p, 2) / max(np.linalg.norm(p, 2), 1e-300))
        tol = 10 * rtol * float(np.exp(lip * t))
        rows.append({"t": t, "‖Φ_t − P_t‖/‖P_t‖": err, "tol": tol})
        if err / tol > worst[0]:
            worst = (err / tol, t, phi)
    metrics = {"rtol": rtol, "lipschitz": lip, "worst_error_over_tol": worst[0]}
    if worst[0] <= 1.0:
        return Outcome(Status.PASS, f"flow of the printed v_t equals (1−t)Id + tT within the integration budget (worst {worst[0]:.2g} of it)", metrics, table=rows)
    return Outcome(
        Status.FAIL,
        f"particles driven by the printed v_t leave the straight lines (at t = {worst[1]}: {worst[0]:.3g}× the integration budget)",
        metrics,
        counterexample=_pair_json() | {"t": worst[1], "flow map": worst[2].tolist(), "P_t": f.path_map(SIGMA0, SIGMA1, worst[1], LA).tolist()},
        table=rows,
    )


def check_kinetic_energy(f: Any, ctx: Any) -> Outcome:
    """The kinetic energy of (11) along (12) equals W2²: ∫₀¹ E|v_t(X_t)|² dt, computed on
    particles with 16-point Gauss–Legendre quadrature in t, equals (a) E|T(X) − X|² on the same
    particles (exact: the speed is constant along straight lines; rounding tolerance) and (b)
    the squared Bures distance of :func:`verify.linalg.bures_distance_sq` (Monte Carlo,
    z-test)."""
    n = ctx.pick(50_000, 500_000, 2_000_000)
    x = gaussian_samples(ctx.rng(), SIGMA0, n)
    nodes, weights = np.polynomial.legendre.leggauss(16)
    ts, ws = (nodes + 1) / 2, weights / 2
    energy = np.zeros(n)
    for t, w in zip(ts, ws):
        xt = push_linear(x, f.path_map(SIGMA0, SIGMA1, t, LA))
        vt = push_linear(xt, f.velocity(SIGMA0, SIGMA1, t, LA))
        energy += w * np.sum(vt**2, axis=1)
    tm = f.map(SIGMA0, SIGMA1, LA)
    straight = np.sum((push_linear(x, tm) - x) ** 2, axis=1)
    est, se = mean_se(energy)
    exact_gap = float(abs(np.mean(energy) - np.mean(straight)))
    tol = rounding_tol(float(np.mean(straight)), terms=16 + int(np.log2(n)), cond=_cond(SIGMA0))
    ref = bures_distance_sq(SIGMA0, SIGMA1)
    z = z_score(float(est), ref, float(se))
    k = _k(ctx, 1)
    metrics = {"n": n, "energy": float(est), "se": float(se), "reference": ref, "z": z, "k": k, "gap_to_straight_cost": exact_gap, "tol": tol}
    if exact_gap <= tol and abs(z) <= k:
        return Outcome(Status.PASS, f"∫E|v_t|²dt = {est:.5f} ± {se:.5f} = W2² = {ref:.5f} (z = {z:.2f}); equals E|TX−X|² to {exact_gap:.1e}", metrics)
    return Outcome(
        Status.FAIL,
        f"kinetic energy {est:.5f} ± {se:.5f} vs W2² = {ref:.5f} (z = {z:.1f}); gap to E|TX−X|² = {exact_gap:.2e} (tol {tol:.1e})",
        metrics,
        counterexample=_pair_json() | {"energy": float(est), "W2^2": ref},
    )


def check_geodesic_distance(f: Any, ctx: Any) -> Outcome:
    """W2(α0, α_t) = t·W2(α0, α1) along (12), on particles and in closed form.

    Particles: P_t is the gradient of a convex function, so on a sample the matching
    x_i ↦ P_t x_i is optimal and ``ot.emd`` gives W2²(x, P_t x) exactly; compare with
    (printed fraction)²·W2²(x, T x) (rounding tolerance).  Closed form: the squared Bures
    distance from Σ0 to P_tΣ0P_tᵀ vs (printed fraction)² times that to Σ1.
    """
    n = ctx.pick(200, 600, 1500)
    x = gaussian_samples(ctx.rng(), SIGMA0, n)
    tm = f.map(SIGMA0, SIGMA1, LA)
    w1, _ = exact_ot(x, push_linear(x, tm))
    b1 = bures_distance_sq(SIGMA0, SIGMA1)
    rows = []
    worst = (0.0, None)
    for t in (0.25, 0.5, 0.75):
        p = f.path_map(SIGMA0, SIGMA1, t, LA)
        wt, _ = exact_ot(x, push_linear(x, p))
        frac = f.geodesic_fraction(t)
        bt = bures_distance_sq(SIGMA0, p @ SIGMA0 @ p.T)
        scale = float(np.mean(np.sum(x**2, 1)) + w1)
        tol_p = rounding_tol(scale, terms=n)
        tol_b = rounding_tol(float(np.trace(SIGMA0) + np.trace(SIGMA1)), terms=2, cond=_cond(SIGMA0) * _cond(SIGMA1))
        ep, eb = abs(wt - frac**2 * w1), abs(bt - frac**2 * b1)
        rows.append({"t": t, "W2²(x, P_t x)": wt, "frac²·W2²(x, Tx)": frac**2 * w1, "Bures²(Σ0, Σ_t)": bt, "frac²·Bures²(Σ0, Σ1)": frac**2 * b1})
        r = max(ep / tol_p, eb / tol_b)
        if r > worst[0]:
            worst = (r, t)
    metrics = {"n": n, "worst_error_over_tol": worst[0]}
    if worst[0] <= 1.0:
        return Outcome(Status.PASS, "W2(α0, α_t) = t·W2(α0, α1) on particles (exact OT) and in closed form, to rounding", metrics, table=rows)
    return Outcome(
        Status.FAIL,
        f"W2(α0, α_t) ≠ printed fraction × W2(α0, α1) (at t = {worst[1]}: {worst[0]:.3g}× the rounding bound)",
        metrics,
        counterexample=_pair_json() | {"t": worst[1]},
        table=rows,
    )
