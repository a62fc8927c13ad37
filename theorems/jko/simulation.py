"""Particle evidence for otdiff §5.1–§5.2: Lagrangian JKO schemes, implicit Euler, first
variations and transport by the Wasserstein gradient.

Tolerances are discretisation budgets measured on the runs themselves, never tuned constants:

* **time steps** (JKO, implicit Euler): first order, so the runs at N and 2N steps give the
  Richardson value :math:`R = 2x_{2N} - x_N` (error O(τ²)); its remaining error is bounded by the
  difference of two successive Richardson values (order ≥ 1 of the remainder);
* **particles** (Lagrangian JKO): node errors at a fixed quantile level decay like
  :math:`n^{-p}` (p ≈ 1–2: the O(1/(ns)) trace of the tails' singularity plus O(1/n²)); runs at
  n, 3n, 9n share nodes (:math:`s_i = (i - \\frac12)/n` is node 3i − 1 of 3n), the order p̂ is
  measured from the three levels, and the finest level's error is at most
  :math:`\\|R_{3n} - R_{9n}\\|/(3^{\\min(\\hat p, 1)} - 1)` (geometric tail, order ≥ min(p̂, 1));
* **RK4**: step halving, :math:`\\frac{16}{15}|x_{h/2} - x_h|`;
* **sampling** (transport against Brownian particles): Student-t multipliers with the false-alarm
  budget of :func:`verify.stats.false_alarm`, the standard error from the null terms only.

Everything that does not depend on the formula under test (JKO runs, ODE references) is
computed once per process and fidelity (the runs are deterministic).
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import minimize

from verify.claims import FigureSpec, Outcome, Status
from verify.jko import (
    SHANNON,
    Potential,
    jko_energy,
    lagrangian_jko_1d,
    midpoint_nodes,
    mixture_1d,
    mixture_pdf,
    mixture_quantile,
    mixture_score,
    particle_density,
    quadratic_potential,
    quantile_w2,
    quantisation_floor,
)
from verify.linalg import sqrtm_sym
from verify.mixtures import GaussianMixture
from verify.particles import integrate_particles
from verify.stats import EPS, fit_power_law, mean_se, rounding_tol
from verify.variation import first_variation

__all__ = [
    "MIX",
    "T_HEAT",
    "affine_weights",
    "ou_mixture",
    "check_gaussian_limit",
    "check_lagrangian_fokker_planck",
    "check_implicit_euler",
    "check_variation_and_flow",
    "check_lagrangian_heat",
    "check_transport",
]

#: Start of the Lagrangian runs: a three-component mixture (separated modes, unequal widths).
MIX = mixture_1d([0.3, 0.5, 0.2], [-2.0, 0.3, 2.5], [0.2, 0.4, 0.15])
#: Horizon of the heat runs (the backward heat equation would have no solution by then).
T_HEAT = 0.25
#: Fokker–Planck potential V = q(x − c)²/2 of the (13) check and its horizon.
Q_FP, C_FP, T_FP = 1.0, 0.5, 0.25
#: Quantile levels [S_INNER, 1 − S_INNER] are the "inner nodes" (the two tails carry a boundary
#: layer of a few particles, see verify.jko).
S_INNER = 0.05


def _fid(ctx: Any) -> str:
    return str(getattr(ctx.fidelity, "value", ctx.fidelity))


# --- reading the printed step (13) -----------------------------------------------------------


def affine_weights(f: Any, tau: float) -> tuple[float, float]:
    """Weights (a, b) of the formula's JKO objective :math:`aW_2^2 + bf + c` at step τ, read off
    by evaluation; ``ValueError`` when the objective is not affine in (W2², f)."""
    c0 = float(f.objective(0.0, 0.0, tau))
    a = float(f.objective(1.0, 0.0, tau)) - c0
    b = float(f.objective(0.0, 1.0, tau)) - c0
    w, v = 0.7315, -1.2841
    got = float(f.objective(w, v, tau))
    if abs(got - (c0 + a * w + b * v)) > rounding_tol(abs(got) + abs(a) + abs(b) + abs(c0), terms=4):
        raise ValueError(f"the objective of the formula is not affine in (W2², f) at tau = {tau}")
    return a, b


def _unbounded_fp(a: float, b: float, n: int) -> dict:
    """Objective :math:`aW_2^2(\\alpha_x, \\alpha_y) + bE(y)` along contractions
    :math:`y = \\bar x + \\lambda(x - \\bar x)` of the start: with b < 0 it decreases without bound."""
    x0 = mixture_quantile(MIX, midpoint_nodes(n))
    pot = quadratic_potential(Q_FP, C_FP)
    rows = []
    for lam in (1.0, 1e-2, 1e-4, 1e-8):
        y = x0.mean() + lam * (x0 - x0.mean())
        rows.append({"lambda": lam, "objective": a * float(np.mean((x0 - y) ** 2)) + b * jko_energy(y, SHANNON, pot)})
    return {"n": n, "a (weight of W2^2)": a, "b (weight of f)": b, "contraction": rows}


# --- (13): Gaussian steps ----------------------------------------------------------------


def _gauss_step(cov: np.ndarray, ratio: float) -> np.ndarray:
    """The JKO step of :math:`aW_2^2 + bf` for the negative entropy from :math:`\\mathcal N(0, \\Sigma)`:
    :math:`S^{1/2} = (\\Sigma^{1/2} + (\\Sigma + \\frac{2b}{a}\\mathrm{Id})^{1/2})/2` (the 1-D root
    :math:`s = (\\sigma + \\sqrt{\\sigma^2 + 2b/a})/2` in each eigendirection of Σ, see the symbolic
    check); ``ratio`` is 2b/a."""
    root = (sqrtm_sym(cov) + sqrtm_sym(cov + ratio * np.eye(len(cov)))) / 2
    s = root @ root
    return (s + s.T) / 2


GAUSS_T = 0.5
GAUSS_COVS = (np.array([[0.36]]), np.array([[0.5, 0.2], [0.2, 0.3]]))


def check_gaussian_limit(f: Any, ctx: Any) -> Outcome:
    """The τ → 0 limit of (13) on Gaussians: N steps of the formula's step (its weights read off
    the objective, the minimiser over Gaussians in closed form) from :math:`\\Sigma_0` (1-D
    :math:`\\sigma_0^2 = 0.36` and a 2-D non-diagonal :math:`\\Sigma_0`) to T = 1/2, against the heat
    solution :math:`\\Sigma_0 + 2T\\,\\mathrm{Id}`.  The Richardson limit of the iterates must match
    within its own budget, and the first-order constant :math:`\\lim (\\Sigma_N - \\Sigma(T))/\\tau
    = -\\frac12 U\\,\\mathrm{diag}(\\log(1 + 2T/\\lambda_i))U^\\top` (from the exact one-step defect
    :math:`-\\tau^2/v + O(\\tau^3)`) too."""
    ns = ctx.pick((8, 16, 32, 64), (16, 32, 64, 128, 256), (32, 64, 128, 256, 512, 1024))
    rows, figs, worst = [], [], None
    metrics: dict[str, Any] = {"T": GAUSS_T, "steps": list(ns)}
    for cov0 in GAUSS_COVS:
        d = len(cov0)
        target = cov0 + 2 * GAUSS_T * np.eye(d)
        covs, taus = {}, {}
        for n in ns:
            tau = GAUSS_T / n
            a, b = affine_weights(f, tau)
            if not (a > 0 and b > 0):
                # J(s) = a(σ − s)² − b log s: unbounded below as s → 0 when b < 0 (collapse).
                sig = float(np.sqrt(cov0[0, 0]))
                vals = {f"J(s = {s:g})": a * (sig - s) ** 2 - b * math.log(s) for s in (sig, 1e-3, 1e-9)}
                return Outcome(Status.FAIL, f"the formula's step has no minimiser over Gaussians (weights a = {a:.3g}, b = {b:.3g}): J(s) → −∞ as s → 0",
                               metrics, counterexample={"sigma0": sig, "tau": tau, "a": a, "b": b} | vals)
            cov = cov0.copy()
            for _ in range(n):
                cov = _gauss_step(cov, 2 * b / a)
            covs[n], taus[n] = cov, tau
        rich = [2 * covs[n2] - covs[n1] for n1, n2 in zip(ns[:-1], ns[1:])]
        limit_budget = float(np.abs(rich[-1] - rich[-2]).max()) + rounding_tol(float(np.abs(target).max()), terms=4 * ns[-1])
        limit_err = float(np.abs(rich[-1] - target).max())
        lam, u = np.linalg.eigh(cov0)
        const = -0.5 * (u * np.log1p(2 * GAUSS_T / lam)) @ u.T
        cs = {n: (covs[n] - target) / taus[n] for n in ns}
        crich = [2 * cs[n2] - cs[n1] for n1, n2 in zip(ns[:-1], ns[1:])]
        const_budget = float(np.abs(crich[-1] - crich[-2]).max()) + rounding_tol(float(np.abs(target).max()), terms=4 * ns[-1]) / taus[ns[-1]]
        const_err = float(np.abs(crich[-1] - const).max())
        errs = [float(np.abs(covs[n] - target).max()) for n in ns]
        fit = fit_power_law([taus[n] for n in ns], errs) if min(errs) > 0 else None
        rows.append({"d": d, "|Richardson limit − (Σ0 + 2T)|": limit_err, "limit budget": limit_budget, "|C_R − C*|": const_err, "constant budget": const_budget,
                     "slope": fit.slope if fit else None, "slope se": fit.slope_se if fit else None})
        metrics[f"slope_d{d}"] = fit.slope if fit else None
        metrics[f"slope_se_d{d}"] = fit.slope_se if fit else None
        if limit_err > limit_budget or const_err > const_budget:
            what = "limit" if limit_err > limit_budget else "first-order constant"
            worst = worst or {"d": d, "Sigma0": cov0.tolist(), "T": GAUSS_T, "failed": what, "Richardson limit": rich[-1].tolist(), "heat Sigma0 + 2T Id": target.tolist(),
                              "limit error": limit_err, "limit budget": limit_budget, "constant C_R": crich[-1].tolist(), "predicted constant": const.tolist()}
        if ctx.figures and d == 2 and fit is not None:
            figs.append(FigureSpec("gaussian-jko-convergence", "convergence", "JKO (13) on Gaussians against the heat flow Σ0 + 2t Id (d = 2)",
                                   {"n": [taus[n] for n in ns], "err": errs, "se": [0.0] * len(ns), "slope": fit.slope, "intercept": fit.intercept, "ref_slope": 1.0,
                                    "xlabel": "τ", "ylabel": "max |Σ_N − (Σ0 + 2T Id)|"},
                                   f"N = T/τ steps of the closed-form Gaussian step from Σ0 = {cov0.tolist()} to T = {GAUSS_T}; first order, constant −½ log(1 + 2T/λ) per eigendirection."))
    if worst is not None:
        return Outcome(Status.FAIL, f"the Gaussian JKO iterates do not converge to the heat flow ({worst['failed']}, d = {worst['d']})", metrics, counterexample=worst, table=rows, figures=figs)
    return Outcome(Status.PASS, f"Gaussian JKO steps converge to Σ0 + 2t Id at first order (slopes {metrics['slope_d1']:.3f}, {metrics['slope_d2']:.3f}) with the predicted constant",
                   metrics, table=rows, figures=figs)


# --- Lagrangian JKO: runs and the convergence study -------------------------------------------

_LEVELS = {"quick": ((100, 300, 900), (16, 32, 64)), "standard": ((200, 600, 1800), (32, 64, 128, 256)), "thorough": ((400, 1200, 3600), (64, 128, 256, 512))}


@functools.lru_cache(maxsize=8)
def _start(n: int) -> np.ndarray:
    return mixture_quantile(MIX, midpoint_nodes(n))


def _potential(problem: str) -> Potential | None:
    return quadratic_potential(Q_FP, C_FP) if problem == "fp" else None


@functools.lru_cache(maxsize=128)
def _run(problem: str, n: int, steps: int, tau: float) -> tuple[np.ndarray, int]:
    """Final positions of ``steps`` Lagrangian JKO steps of size τ from the midpoint quantiles of
    :data:`MIX` (``problem``: "heat" or "fp"), with the number of Newton solves."""
    x, info = lagrangian_jko_1d(_start(n), tau, steps, SHANNON, _potential(problem), return_info=True)
    x.setflags(write=False)
    return x, info.total


def ou_mixture(t: float) -> GaussianMixture:
    """Exact Fokker–Planck solution from :data:`MIX` for :math:`V = \\frac q2(x-c)^2`
    (:math:`dX = -q(X - c)dt + \\sqrt2\\,dB`): component means :math:`c + e^{-qt}(\\mu - c)`,
    variances :math:`v e^{-2qt} + (1 - e^{-2qt})/q`."""
    e = math.exp(-Q_FP * t)
    mu = C_FP + e * (MIX.means[:, 0] - C_FP)
    var = MIX.covs[:, 0, 0] * e**2 + (1 - e**2) / Q_FP
    return mixture_1d(MIX.weights, mu, var)


def _coarse(fine: np.ndarray) -> np.ndarray:
    """Values of a 3n-particle run at the nodes of the n-particle run (node 3i + 1, 0-based)."""
    return fine[1::3]


def _study(problem: str, ctx: Any, horizon: float, tau_scale: float, ref: GaussianMixture) -> dict:
    """Convergence study of the Lagrangian JKO against the law ``ref`` at the inner nodes."""
    ns, steps = _LEVELS[_fid(ctx)]
    q = lambda s: mixture_quantile(ref, s)
    runs = {(n, k): _run(problem, n, k, tau_scale * horizon / k) for n in ns for k in steps}
    out: dict[str, Any] = {"ns": ns, "steps": steps, "runs": runs}
    rich, tbud = {}, {}
    for n in ns:
        r = [2 * runs[(n, k2)][0] - runs[(n, k1)][0] for k1, k2 in zip(steps[:-1], steps[1:])]
        rich[n] = r[-1]
        inner = _inner(n)
        tbud[n] = float(np.abs(r[-1] - r[-2])[inner].max())
    diffs = [float(np.abs(rich[n1] - _coarse(rich[n2]))[_inner(n1)].max()) for n1, n2 in zip(ns[:-1], ns[1:])]
    p_hat = math.log(diffs[0] / diffs[1]) / math.log(3.0) if diffs[1] > 0 else math.inf
    nf = ns[-1]
    s = midpoint_nodes(nf)
    exact = q(s)
    inner = _inner(nf)
    err = np.abs(rich[nf] - exact)
    scale = float(np.abs(exact).max())
    newton = rounding_tol(scale, terms=steps[-1]) + math.sqrt(horizon / steps[-1]) * 1e-10 * steps[-1]
    space = diffs[1] / (3.0 ** min(p_hat, 1.0) - 1.0) if p_hat > 0 else math.inf
    budget = space + tbud[nf] + newton
    i = int(np.flatnonzero(inner)[np.argmax(err[inner])])
    out |= {"p_hat": p_hat, "space_budget": space, "time_budget": tbud[nf], "budget": budget, "error": float(err[i]), "worst": i,
            "s": s, "exact": exact, "rich": rich[nf], "diffs": diffs}
    # Errors at the finest n against the exact law, for each step count (the convergence in τ).
    fin = [float(np.abs(runs[(nf, k)][0] - exact)[inner].max()) for k in steps]
    taus = [tau_scale * horizon / k for k in steps]
    out["tau_errors"] = (taus, fin)
    out["tau_fit"] = fit_power_law(taus, fin) if len(steps) >= 3 and min(fin) > 0 else None
    tonly = [float(np.abs(runs[(nf, k)][0] - rich[nf])[inner].max()) for k in steps[:-1]]
    out["time_only_fit"] = fit_power_law(taus[:-1], tonly) if len(tonly) >= 3 and min(tonly) > 0 else None
    return out


def _inner(n: int) -> np.ndarray:
    s = midpoint_nodes(n)
    return (s >= S_INNER) & (s <= 1 - S_INNER)


def _study_outcome(study: dict, ref: GaussianMixture, ctx: Any, label: str, time_label: str) -> tuple[Status, str, dict, Any, list]:
    ns, steps = study["ns"], study["steps"]
    nf = ns[-1]
    metrics = {"n_levels": list(ns), "steps": list(steps), "p_hat_space": study["p_hat"], "inner_node_error": study["error"], "budget": study["budget"],
               "space_budget": study["space_budget"], "time_budget": study["time_budget"], "newton_solves_finest": study["runs"][(nf, steps[-1])][1]}
    if study["tau_fit"] is not None:
        metrics |= {"tau_slope": study["tau_fit"].slope, "tau_slope_se": study["tau_fit"].slope_se}
    if study["time_only_fit"] is not None:
        metrics |= {"time_error_slope": study["time_only_fit"].slope, "time_error_slope_se": study["time_only_fit"].slope_se}
    rows = []
    if not ctx.mutant:
        # W2 (quantile formula) and the quantisation floor, beside the node errors, for every n.
        q = lambda s: mixture_quantile(ref, s)
        up = lambda r: mixture_quantile(ref, r, upper=True)
        for n in ns:
            x = study["runs"][(n, steps[-1])][0]
            s = midpoint_nodes(n)
            ex = q(s)
            rows.append({"n": n, f"inner node error (Richardson in {time_label})": float(np.abs(_rich_n(study, n) - ex)[_inner(n)].max()),
                         f"max node error, all nodes ({steps[-1]} steps)": float(np.abs(x - ex).max()),
                         "W2 to the exact law": quantile_w2(x, q, upper=up), "quantisation floor": quantisation_floor(q, n, upper=up)})
        metrics |= {"w2_finest": rows[-1]["W2 to the exact law"], "floor_finest": rows[-1]["quantisation floor"]}
    if not math.isfinite(study["p_hat"]) or study["p_hat"] <= 0:
        return Status.INCONCLUSIVE, f"{label}: no convergence in n observed (order estimate {study['p_hat']:.2f})", metrics, None, rows
    i = study["worst"]
    if study["error"] <= study["budget"]:
        slope = f", slope in τ {metrics['tau_slope']:.2f} ± {metrics['tau_slope_se']:.2f}" if "tau_slope" in metrics else ""
        return (Status.PASS, f"{label}: inner-node error {study['error']:.2e} ≤ budget {study['budget']:.2e} (n ≤ {nf}, order in n {study['p_hat']:.2f}{slope})",
                metrics, None, rows)
    cex = {"n": nf, "node i": i + 1, "s_i": float(study["s"][i]), "JKO (Richardson in tau)": float(study["rich"][i]), "exact quantile": float(study["exact"][i]),
           "error": study["error"], "budget": study["budget"]}
    return Status.FAIL, f"{label}: inner-node error {study['error']:.3g} exceeds the discretisation budget {study['budget']:.2e} ({study['error'] / study['budget']:.3g}×)", metrics, cex, rows


def _rich_n(study: dict, n: int) -> np.ndarray:
    steps = study["steps"]
    return 2 * study["runs"][(n, steps[-1])][0] - study["runs"][(n, steps[-2])][0]


def check_lagrangian_fokker_planck(f: Any, ctx: Any) -> Outcome:
    """The formula's JKO step (13) on n equal-mass particles (:func:`verify.jko.lagrangian_jko_1d`)
    for :math:`f = \\int\\rho\\log\\rho + \\int V d\\alpha`, :math:`V = \\frac q2(x - c)^2`, whose
    Wasserstein gradient flow is the Fokker–Planck equation
    :math:`\\partial_t\\rho = \\Delta\\rho + \\operatorname{div}(\\rho\\nabla V)` (exact solution: a Gaussian
    mixture, :func:`ou_mixture`).  The step's weights (a, b) are read off the formula's
    objective: a step of :math:`aW_2^2 + bf` is the printed step with :math:`\\tau' = b/(2a)`.
    The Richardson limit in τ at n, 3n, 9n particles must match the exact quantiles at the
    inner nodes within the measured budget (module docstring)."""
    ns, steps = _LEVELS[_fid(ctx)]
    scales = []
    for k in steps:
        tau = T_FP / k
        a, b = affine_weights(f, tau)
        if not (a > 0 and b > 0):
            cex = _unbounded_fp(a, b, ns[0])
            return Outcome(Status.FAIL, f"the formula's step has no minimiser: with weights a = {a:.3g}, b = {b:.3g} the objective → −∞ as the particles contract",
                           {"a": a, "b": b}, counterexample=cex, table=cex["contraction"])
        scales.append(b / (2 * a) / tau)
    if max(scales) - min(scales) > 1e-12 * max(scales):
        return Outcome(Status.INCONCLUSIVE, f"the formula's effective step is not proportional to τ ({scales})")
    ref = ou_mixture(T_FP)
    study = _study("fp", ctx, T_FP, scales[0], ref)
    status, summary, metrics, cex, rows = _study_outcome(study, ref, ctx, "JKO (13) → Fokker–Planck", "τ")
    metrics["effective_step_over_tau"] = scales[0]
    figs = _convergence_figure(study, "fp-jko-convergence", "Lagrangian JKO (13) for Fokker–Planck: inner-node error against τ", ref) if ctx.figures else []
    return Outcome(status, summary, metrics, counterexample=cex, table=rows, figures=figs)


def _convergence_figure(study: dict, name: str, title: str, ref: GaussianMixture) -> list[FigureSpec]:
    taus, errs = study["tau_errors"]
    fit = study["tau_fit"]
    if fit is None:
        return []
    nf = study["ns"][-1]
    q = lambda s: mixture_quantile(ref, s)
    up = lambda r: mixture_quantile(ref, r, upper=True)
    w2 = [quantile_w2(study["runs"][(nf, k)][0], q, upper=up) for k in study["steps"]]
    floor = quantisation_floor(q, nf, upper=up)
    return [FigureSpec(name, "convergence", title,
                       {"n": taus, "err": errs, "se": [0.0] * len(taus), "slope": fit.slope, "intercept": fit.intercept, "ref_slope": 1.0,
                        "xlabel": "τ", "ylabel": f"max inner-node error (n = {nf})",
                        "extra": {"W2 to the exact law": w2, f"quantisation floor (n = {nf})": [floor] * len(taus), "space budget": [study["space_budget"]] * len(taus)}},
                       f"n = {nf} particles; inner nodes s ∈ [{S_INNER}, {1 - S_INNER}]; node error against the exact quantiles (first order in τ) beside the W2 error "
                       "(quantile formula), which the quantisation floor caps from below.")]


# --- (14): implicit Euler -----------------------------------------------------------------

Q14 = np.array([[1.0, 0.3], [0.3, 0.6]])
BETA14, GAMMA14 = 0.8, 0.5
T14 = 1.0
#: Bounds on the eigenvalues of ∇²h14 (Q's eigenvalues, plus [0, 2β] and [−γ, γ]).
H14_BOUNDS = (float(np.linalg.eigvalsh(Q14)[0]) - GAMMA14, float(np.linalg.eigvalsh(Q14)[1]) + 2 * BETA14 + GAMMA14)
START14 = np.array([[1.5, -1.0], [-2.0, 0.5], [0.5, 2.0], [-1.0, -1.5], [2.5, 1.0], [0.0, -2.5]])


def h14(x: np.ndarray) -> np.ndarray:
    """:math:`h(x) = \\frac12 x^\\top Qx + \\beta\\log\\cosh(x_1 - x_2) + \\gamma\\cos x_1` (smooth; the
    Hessian's eigenvalues lie in :data:`H14_BOUNDS`: Q's (0.44 and 1.16), the log cosh term
    adds [0, 2β], the cosine [−γ, γ])."""
    x = np.asarray(x, dtype=float)
    d = x[..., 0] - x[..., 1]
    return 0.5 * np.einsum("...i,ij,...j->...", x, Q14, x) + BETA14 * (np.abs(d) + np.log1p(np.exp(-2 * np.abs(d))) - math.log(2)) + GAMMA14 * np.cos(x[..., 0])


def grad_h14(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    t = BETA14 * np.tanh(x[..., 0] - x[..., 1])
    g = x @ Q14.T
    g[..., 0] += t - GAMMA14 * np.sin(x[..., 0])
    g[..., 1] -= t
    return g


def hess_h14(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    s2 = BETA14 / np.cosh(x[..., 0] - x[..., 1]) ** 2
    hm = np.broadcast_to(Q14, x.shape[:-1] + (2, 2)).copy()
    hm[..., 0, 0] += s2 - GAMMA14 * np.cos(x[..., 0])
    hm[..., 1, 1] += s2
    hm[..., 0, 1] -= s2
    hm[..., 1, 0] -= s2
    return hm


@functools.lru_cache(maxsize=1)
def _ode14() -> tuple[np.ndarray, np.ndarray, float]:
    """x(T) of :math:`\\dot x = -\\nabla h(x)` from :data:`START14` and the first-order error constant
    :math:`e_1(T)` of implicit Euler, :math:`\\dot e_1 = -\\nabla^2h(x)e_1 + \\frac12\\ddot x`,
    :math:`\\ddot x = \\nabla^2h\\,\\nabla h` (local error :math:`+\\frac{\\tau^2}{2}\\ddot x`), by DOP853 at
    rtol 1e-12; returns (x(T), e_1(T), a bound on the integration error)."""
    m = len(START14)

    def rhs(_t, y):
        x = y[: 2 * m].reshape(m, 2)
        e = y[2 * m:].reshape(m, 2)
        g, hm = grad_h14(x), hess_h14(x)
        dx = -g
        de = -np.einsum("mij,mj->mi", hm, e) + 0.5 * np.einsum("mij,mj->mi", hm, g)
        return np.concatenate([dx.ravel(), de.ravel()])

    y0 = np.concatenate([START14.ravel(), np.zeros(2 * m)])
    sols = [solve_ivp(rhs, (0.0, T14), y0, method="DOP853", rtol=r, atol=r * 1e-2) for r in (1e-10, 1e-12)]
    for sol in sols:
        if not sol.success:
            raise RuntimeError(f"solve_ivp failed: {sol.message}")
    y = sols[1].y[:, -1]
    err = float(np.abs(sols[1].y[:, -1] - sols[0].y[:, -1]).max())
    return y[: 2 * m].reshape(m, 2), y[2 * m:].reshape(m, 2), err


def _weights14(f: Any, tau: float) -> tuple[float, float]:
    """Weights (a, b) of the formula's (14) objective :math:`a\\|x - x(t)\\|^2 + b\\,h(x) + c`, read
    off by evaluation; ``ValueError`` when it is not affine in (‖x − x(t)‖², h)."""
    z = np.zeros(2)
    c0 = float(f.objective(z, z, tau, 0.0))
    a = float(f.objective(np.array([1.0, 0.0]), z, tau, 0.0)) - c0
    b = float(f.objective(z, z, tau, 1.0)) - c0
    probe = float(f.objective(np.array([0.3, -0.4]), z, tau, 0.7))
    if abs(probe - (c0 + 0.25 * a + 0.7 * b)) > rounding_tol(abs(probe) + abs(a) + abs(b), terms=4):
        raise ValueError("the formula's (14) objective is not affine in (|x - x(t)|², h)")
    return a, b


def _argmin14(f: Any, x_prev: np.ndarray, tau: float) -> np.ndarray:
    """Minimiser of the formula's (14) objective from each row of ``x_prev``: its weights (a, b)
    on :math:`\\|x - x(t)\\|^2` and h are read off the objective, then Newton on the stationarity
    :math:`2a(x - x(t)) + b\\nabla h(x) = 0`; ``ValueError`` when the stationary point is not a
    strict minimum (:math:`2a\\,\\mathrm{Id} + b\\nabla^2h` not positive definite)."""
    a, b = _weights14(f, tau)
    x = x_prev.copy()
    for _ in range(60):
        g = 2 * a * (x - x_prev) + b * grad_h14(x)
        hm = 2 * a * np.eye(2) + b * hess_h14(x)
        step = np.linalg.solve(hm, g[..., None])[..., 0]
        x = x - step
        if np.abs(step).max() <= 1e-14 * (1 + np.abs(x).max()):
            break
    hm = 2 * a * np.eye(2) + b * hess_h14(x)
    if np.any(np.linalg.eigvalsh(hm)[..., 0] <= 0):
        raise ValueError("the stationary point of the formula's (14) objective is not a minimum")
    return x


def _scipy_argmin(f: Any, x_prev: np.ndarray, tau: float) -> tuple[np.ndarray, float]:
    """The minimiser by scipy (BFGS on the formula's objective itself, central-difference
    gradients), with the bound :math:`\\|\\nabla J\\|/\\mu` on its distance to the exact one, μ the
    smallest curvature :math:`2a + b\\lambda` over the Hessian bounds λ of h (plus the
    central differences' error)."""
    a, b = _weights14(f, tau)
    mu = 2 * a + min(b * H14_BOUNDS[0], b * H14_BOUNDS[1])
    out, bound = [], 0.0
    for x0 in x_prev:
        fun = lambda x: float(f.objective(x, x0, tau, float(h14(x))))

        def jac(x, h=1e-6):
            return np.array([(fun(x + h * e) - fun(x - h * e)) / (2 * h) for e in np.eye(2)])

        res = minimize(fun, x0 - tau * grad_h14(x0), jac=jac, method="BFGS", options={"gtol": 1e-9})
        out.append(res.x)
        bound = max(bound, (float(np.linalg.norm(jac(res.x))) + 1e-8 * (abs(a) + abs(b))) / mu)
    return np.array(out), bound


def _iterate(step: Callable[[np.ndarray, float], np.ndarray], n: int) -> np.ndarray:
    tau = T14 / n
    x = START14.copy()
    for _ in range(n):
        x = step(x, tau)
    return x


def check_implicit_euler(f: Any, ctx: Any) -> Outcome:
    """(14) numerically, on :func:`h14` in d = 2 from six starting points: (i) the minimiser of the
    formula's objective (Newton on its stationarity, confirmed by scipy's BFGS on the objective
    itself) must be the formula's implicit Euler step (within the minimisers' tolerances);
    (ii) iterating the minimiser and (iii) the formula's scheme to T = 1 must converge to the ODE
    :math:`\\dot x = -\\nabla h(x)` (scipy DOP853): the Richardson limit within its budget, and the
    first-order constant :math:`(x_N - x(T))/\\tau \\to e_1(T)` of implicit Euler (the variational
    equation, solved by scipy)."""
    tau1 = 0.1
    rows, metrics = [], {}
    try:
        amin = _argmin14(f, START14, tau1)
    except ValueError as exc:
        return Outcome(Status.FAIL, f"(14) has no minimiser here: {exc}", counterexample={"tau": tau1, "x(t)": START14[0].tolist(), "failed": str(exc)})
    sci, sci_bound = _scipy_argmin(f, START14, tau1)
    step_f = f.euler_step(START14, tau1, grad_h14)
    d_sci = float(np.abs(amin - sci).max())
    d_step = float(np.abs(amin - step_f).max())
    tol_step = sci_bound + rounding_tol(float(np.abs(START14).max()) + 1, terms=16, cond=10.0)
    metrics |= {"argmin_vs_scipy": d_sci, "scipy_bound": sci_bound, "argmin_vs_scheme": d_step, "scheme_tolerance": tol_step}
    rows.append({"test": "argmin (Newton) vs scipy BFGS on the objective", "max difference": d_sci, "bound": sci_bound})
    rows.append({"test": "argmin of (14) vs the formula's scheme step", "max difference": d_step, "bound": tol_step})
    if d_sci > sci_bound:
        return Outcome(Status.INCONCLUSIVE, f"the two minimisers of (14) disagree ({d_sci:.2e} > {sci_bound:.2e})", metrics, table=rows)
    if d_step > tol_step:
        i = int(np.argmax(np.abs(amin - step_f).max(axis=1)))
        return Outcome(Status.FAIL, f"the minimiser of (14) is not the formula's scheme step (difference {d_step:.3g} at τ = {tau1})", metrics,
                       counterexample={"tau": tau1, "x(t)": START14[i].tolist(), "argmin (14)": amin[i].tolist(), "scheme step": step_f[i].tolist()}, table=rows)
    xt, e1, ode_err = _ode14()
    ns = ctx.pick((8, 16, 32, 64), (16, 32, 64, 128, 256), (32, 64, 128, 256, 512, 1024))
    figs = []
    for label, stepper in (("argmin of (14)", lambda x, tau: _argmin14(f, x, tau)), ("formula's scheme", lambda x, tau: f.euler_step(x, tau, grad_h14))):
        xs = {n: _iterate(stepper, n) for n in ns}
        rich = [2 * xs[n2] - xs[n1] for n1, n2 in zip(ns[:-1], ns[1:])]
        lim_budget = float(np.abs(rich[-1] - rich[-2]).max()) + ode_err + rounding_tol(float(np.abs(xt).max()), terms=ns[-1], cond=10.0)
        lim_err = float(np.abs(rich[-1] - xt).max())
        cs = {n: (xs[n] - xt) * n / T14 for n in ns}
        crich = [2 * cs[n2] - cs[n1] for n1, n2 in zip(ns[:-1], ns[1:])]
        c_budget = float(np.abs(crich[-1] - crich[-2]).max()) + (ode_err + rounding_tol(float(np.abs(xt).max()), terms=ns[-1], cond=10.0)) * ns[-1] / T14
        c_err = float(np.abs(crich[-1] - e1).max())
        errs = [float(np.abs(xs[n] - xt).max()) for n in ns]
        fit = fit_power_law([T14 / n for n in ns], errs)
        rows.append({"test": f"iterating the {label}: Richardson limit vs ODE", "max difference": lim_err, "bound": lim_budget})
        rows.append({"test": f"iterating the {label}: (x_N − x(T))/τ vs implicit Euler's e1(T)", "max difference": c_err, "bound": c_budget,
                     "slope": fit.slope, "slope se": fit.slope_se})
        metrics |= {f"slope ({label})": fit.slope, f"slope se ({label})": fit.slope_se}
        if lim_err > lim_budget or c_err > c_budget:
            i = int(np.argmax(np.abs(crich[-1] - e1).max(axis=1) if lim_err <= lim_budget else np.abs(rich[-1] - xt).max(axis=1)))
            what = "limit" if lim_err > lim_budget else "first-order error constant"
            cex = {"iterated": label, "failed": what, "start": START14[i].tolist(), "T": T14, "ODE x(T)": xt[i].tolist(), "Richardson limit": rich[-1][i].tolist(),
                   "(x_N - x(T))/tau, Richardson": crich[-1][i].tolist(), "implicit Euler e1(T)": e1[i].tolist(), "explicit Euler would give": (-e1[i]).tolist()}
            return Outcome(Status.FAIL, f"iterating the {label} does not behave like implicit Euler for ẋ = −∇h ({what}: {max(lim_err / lim_budget, c_err / c_budget):.3g}× the budget)",
                           metrics, counterexample=cex, table=rows)
        if ctx.figures and label == "argmin of (14)":
            figs.append(FigureSpec("implicit-euler-convergence", "convergence", "(14) iterated against the ODE ẋ = −∇h(x) (scipy DOP853)",
                                   {"n": [T14 / n for n in ns], "err": errs, "se": [0.0] * len(ns), "slope": fit.slope, "intercept": fit.intercept, "ref_slope": 1.0,
                                    "xlabel": "τ", "ylabel": "max |x_N − x(T)|",
                                    "extra": {"|τ e1(T)| (implicit Euler's leading term)": [float(np.abs(e1).max()) * T14 / n for n in ns]}},
                                   "Six starting points in d = 2, h = xᵀQx/2 + β log cosh(x₁ − x₂) + γ cos x₁; the error follows τ·e1(T) with e1 from the variational equation."))
    return Outcome(Status.PASS, f"the minimiser of (14) is the implicit Euler step; iterated, it converges to ẋ = −∇h at order 1 (slope {metrics['slope (argmin of (14))']:.3f}) "
                   "with implicit Euler's error constant", metrics, table=rows, figures=figs)


# --- §5.1: first variations and the flow (15) -----------------------------------------------

_ATOMS = np.array([[-1.2], [0.1], [0.8], [2.0]])
_WEIGHTS = np.array([0.2, 0.35, 0.3, 0.15])
_XS = np.array([[-2.0], [-0.5], [0.4], [1.7], [3.0]])


def _v51(x: np.ndarray) -> np.ndarray:
    return np.cos(2 * x) + 0.25 * x**2


def _k51(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """A kernel that is not symmetric: :math:`e^{-(x-y)^2} + 0.3xy^2`."""
    return np.exp(-((x - y) ** 2)) + 0.3 * x * y**2


def _v_flow(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:math:`V = x^4/4 + x^2/2` (convex, not quadratic) and its first two derivatives."""
    return x**4 / 4 + x**2 / 2, x**3 + x, 3 * x**2 + 1


X51 = np.linspace(-1.5, 1.5, 13)
T51 = 0.5


@functools.lru_cache(maxsize=4)
def _jko_potential(fid: str) -> tuple[tuple[int, ...], dict[int, np.ndarray]]:
    """The JKO step (13) for :math:`f = \\int V d\\alpha` on the particles :data:`X51` (engine,
    no entropy: each particle takes the proximal step of V) for N steps to T = 1/2."""
    steps = {"quick": (16, 32, 64), "standard": (32, 64, 128, 256), "thorough": (64, 128, 256, 512)}[fid]
    pot = Potential(lambda x: _v_flow(x)[0], lambda x: _v_flow(x)[1], lambda x: _v_flow(x)[2], name="x^4/4 + x^2/2")
    out = {}
    for n in steps:
        x = lagrangian_jko_1d(X51, T51 / n, n, entropy=None, potential=pot)
        x.setflags(write=False)
        out[n] = x
    return steps, out


def check_variation_and_flow(f: Any, ctx: Any) -> Outcome:
    """(a) The formula's first variations against the printed expansion computed numerically:
    :func:`verify.variation.first_variation` (the ε-difference of f((1−ε)α + εδ_x), exact for f
    linear or quadratic in α) for :math:`\\int V d\\alpha` and :math:`\\iint k\\,d\\alpha\\,d\\alpha` (k not
    symmetric), compared up to the additive constant :math:`\\int\\delta f\\,d\\alpha`; for the
    entropy on a grid, the Richardson ε-derivative of :math:`\\sum\\rho_\\varepsilon\\log\\rho_\\varepsilon\\Delta x`
    against :math:`\\sum\\delta f(\\rho_\\alpha)(\\rho_\\beta - \\rho_\\alpha)\\Delta x`.  (b) The flow (15):
    particles moved by :math:`-\\nabla_W f` (RK4) for :math:`V = x^4/4 + x^2/2` against the Richardson
    limit of the JKO step (13) on the same particles (the proximal step of V for each)."""
    rows, metrics = [], {}
    ok = True
    # (a) potential and interaction energies on a weighted discrete measure.
    v_f = lambda z, w: float(np.sum(w * _v51(z[:, 0])))
    ref = first_variation(v_f, _ATOMS, _WEIGHTS, _XS)
    got = np.asarray(f.delta_potential(_v51(_XS[:, 0])), dtype=float)
    got = got - float(np.sum(_WEIGHTS * np.asarray(f.delta_potential(_v51(_ATOMS[:, 0])), dtype=float)))
    tol = rounding_tol(4.0, terms=8)
    err = float(np.abs(got - ref).max())
    rows.append({"functional": "∫V dα, V = cos 2x + x²/4", "max |δf − expansion| (up to ∫δf dα)": err, "bound": tol})
    ok &= err <= tol

    def k_f(z, w):
        kk = _k51(z[:, 0][:, None], z[:, 0][None, :])
        return float(w @ kk @ w)

    ref_k = first_variation(k_f, _ATOMS, _WEIGHTS, _XS)

    def delta_k(x):
        kxy = _k51(x[:, None], _ATOMS[:, 0][None, :])
        kyx = _k51(_ATOMS[:, 0][None, :], x[:, None])
        return np.asarray(f.delta_interaction(kxy, kyx, _WEIGHTS), dtype=float)

    got_k = delta_k(_XS[:, 0]) - float(_WEIGHTS @ delta_k(_ATOMS[:, 0]))
    tol_k = rounding_tol(8.0, terms=32)
    err_k = float(np.abs(got_k - ref_k).max())
    rows.append({"functional": "∬k dα dα, k = e^{−(x−y)²} + 0.3xy²", "max |δf − expansion| (up to ∫δf dα)": err_k, "bound": tol_k})
    ok &= err_k <= tol_k
    # (a) entropy on a grid: the expansion's ε-derivative by central differences (ε, ε/2).
    grid = np.linspace(-7, 7, 4001)
    dx = grid[1] - grid[0]
    ra = mixture_pdf(MIX, grid)
    # β = ρ_α(1 + ½ sin(2x + 0.3))/Z: positive, and ρ_α + ε(ρ_β − ρ_α) stays positive for |ε| < 1/2.
    rb = ra * (1 + 0.5 * np.sin(2 * grid + 0.3))
    rb /= float(np.sum(rb) * dx)
    ra = ra / float(np.sum(ra) * dx)
    fe = lambda e: float(np.sum((ra + e * (rb - ra)) * np.log(ra + e * (rb - ra))) * dx)
    ds = {e: (fe(e) - fe(-e)) / (2 * e) for e in (1e-3, 5e-4)}
    deriv = (4 * ds[5e-4] - ds[1e-3]) / 3
    pairing = float(np.sum(np.asarray(f.delta_entropy(ra), dtype=float) * (rb - ra)) * dx)
    tol_e = abs(ds[5e-4] - ds[1e-3]) + 64 * EPS * len(grid) * (abs(fe(0.0)) + 1) / 5e-4 + abs(float(np.sum(rb - ra) * dx)) * 2
    err_e = abs(deriv - pairing)
    rows.append({"functional": "∫ρ log ρ (grid, 4001 points)", "max |δf − expansion| (up to ∫δf dα)": err_e, "bound": tol_e})
    ok &= err_e <= tol_e
    metrics |= {"potential_error": err, "interaction_error": err_k, "entropy_error": err_e}
    if not ok:
        return Outcome(Status.FAIL, "the formula's first variation does not satisfy the printed expansion numerically", metrics, counterexample={"rows": rows}, table=rows)
    # (b) the flow (15) for the potential energy against the JKO limit.
    steps, jko = _jko_potential(_fid(ctx))
    rich = [2 * jko[n2] - jko[n1] for n1, n2 in zip(steps[:-1], steps[1:])]
    t_budget = float(np.abs(rich[-1] - rich[-2]).max())
    vel = lambda _t, x: -np.asarray(f.grad_w(_grad_delta_potential(f, x)), dtype=float)
    with np.errstate(all="ignore"):
        x1 = integrate_particles(vel, X51[:, None], 0.0, T51, 64)[:, 0]
        x2 = integrate_particles(vel, X51[:, None], 0.0, T51, 128)[:, 0]
    if not (np.all(np.isfinite(x2)) and np.abs(x2).max() < 1e6):
        cex = {"V": "x^4/4 + x^2/2", "T": T51, "JKO limit": rich[-1].tolist(), "formula flow": "blows up (non-finite)"}
        return Outcome(Status.FAIL, "particles moved by −∇_W f of the formula blow up before T, while the JKO limit stays bounded", metrics, counterexample=cex, table=rows)
    rk_budget = 16 / 15 * float(np.abs(x2 - x1).max())
    # The formula's ∇δf by central differences (step 1e-6): rounding ε|V|/h plus truncation
    # h²|V'''|/6 in the velocity, over the time T.
    fd_budget = T51 * (64 * EPS * (float(np.abs(_v_flow(X51)[0]).max()) + 1) / 1e-6 + 1e-12 * float(np.abs(6 * X51).max()))
    budget = t_budget + rk_budget + fd_budget + rounding_tol(float(np.abs(x2).max()) + 1, terms=steps[-1])
    err_b = float(np.abs(rich[-1] - x2).max())
    rows.append({"functional": "(15) for ∫V dα, V = x⁴/4 + x²/2: RK4 of −∇_W f vs the JKO limit", "max |δf − expansion| (up to ∫δf dα)": err_b, "bound": budget})
    metrics |= {"flow_error": err_b, "flow_budget": budget}
    if err_b > budget:
        i = int(np.argmax(np.abs(rich[-1] - x2)))
        return Outcome(Status.FAIL, f"particles moved by −∇_W f of the formula leave the JKO limit ({err_b:.3g} > budget {budget:.2e})", metrics,
                       counterexample={"V": "x^4/4 + x^2/2", "x(0)": float(X51[i]), "T": T51, "JKO limit (Richardson)": float(rich[-1][i]), "formula flow (RK4)": float(x2[i])},
                       table=rows)
    return Outcome(Status.PASS, f"δf of ∫V, ∬k, ∫ρ log ρ satisfy the printed expansion; −∇_W f moves particles along the JKO limit (error {err_b:.1e} ≤ {budget:.1e})",
                   metrics, table=rows)


def _grad_delta_potential(f: Any, x: np.ndarray) -> np.ndarray:
    """∇[δf] for f = ∫V dα, V = x⁴/4 + x²/2, from the formula's δf by central differences
    (exact for δf = V up to O(h²) = 1e-12 and rounding)."""
    h = 1e-6
    return (np.asarray(f.delta_potential(_v_flow(x + h)[0]), dtype=float) - np.asarray(f.delta_potential(_v_flow(x - h)[0]), dtype=float)) / (2 * h)


# --- Theorem 5.1: the heat equation ---------------------------------------------------------


def _formula_heat(f: Any, t: float) -> GaussianMixture | None:
    """The formula's solution at time t from :data:`MIX` (component variances + kernel variance);
    None when a variance would not stay positive."""
    v = MIX.covs[:, 0, 0] + float(f.kernel_variance(t))
    if np.any(v <= 0):
        return None
    return mixture_1d(MIX.weights, MIX.means[:, 0], v)


def _no_solution(f: Any, t: float) -> Outcome:
    v = MIX.covs[:, 0, 0] + float(f.kernel_variance(t))
    return Outcome(Status.FAIL, f"the formula's PDE has no solution at t = {t} from the start (a component variance becomes {v.min():.3g} ≤ 0), "
                   "while the Wasserstein gradient flow of the entropy exists for all times",
                   {"kernel_variance": float(f.kernel_variance(t))},
                   counterexample={"start": "0.3 N(-2, 0.2) + 0.5 N(0.3, 0.4) + 0.2 N(2.5, 0.15)", "t": t, "kernel variance of the formula": float(f.kernel_variance(t)),
                                   "smallest component variance at t": float(v.min())})


def check_lagrangian_heat(f: Any, ctx: Any) -> Outcome:
    """The Wasserstein gradient flow of the entropy computed by the JKO scheme (13) on n
    equal-mass particles (:func:`verify.jko.lagrangian_jko_1d`, Newton on the tridiagonal
    system, Shannon entropy through the spacings) from the midpoint quantiles of :data:`MIX`, to
    T = 1/4, against the formula's solution (the mixture with variances grown by the formula's
    kernel variance): Richardson in τ at n, 3n, 9n particles, inner-node errors against the
    budget; the W2 error (quantile formula) and the quantisation floor for every n; first-order
    convergence in τ."""
    ref = _formula_heat(f, T_HEAT)
    if ref is None:
        return _no_solution(f, T_HEAT)
    study = _study("heat", ctx, T_HEAT, 1.0, ref)
    status, summary, metrics, cex, rows = _study_outcome(study, ref, ctx, "Lagrangian JKO of the entropy vs the formula's heat solution", "τ")
    figs = []
    if ctx.figures:
        figs = _convergence_figure(study, "heat-jko-convergence", "Lagrangian JKO of the entropy: inner-node error against τ", ref) + [_density_figure(f, ctx)]
    return Outcome(status, summary, metrics, counterexample=cex, table=rows, figures=figs)


def _density_figure(f: Any, ctx: Any) -> FigureSpec:
    ns, steps = _LEVELS[_fid(ctx)]
    n, k = ns[1], steps[1]
    traj = lagrangian_jko_1d(_start(n), T_HEAT / k, k, trajectory=True, record_every=k // 4)
    grid = np.linspace(-4.5, 4.5, 181)
    sparse = np.arange(len(grid)) % 6 == 3  # JKO values as isolated markers over the exact curves
    series = {}
    for j in (0, 2, 4):
        t = T_HEAT * j / 4
        series[f"heat solution, t = {t:g}"] = mixture_pdf(_formula_heat(f, t), grid).tolist()
    for j in (0, 2, 4):
        t = T_HEAT * j / 4
        mid, dens = particle_density(traj[j])
        vals = np.interp(grid, mid, dens, left=0.0, right=0.0)
        series[f"JKO 1/(nΔx), t = {t:g}"] = np.where(sparse, vals, np.nan).tolist()
    return FigureSpec("heat-jko-densities", "lines", f"JKO densities 1/(nΔx) vs the heat solution (n = {n}, τ = 1/{k / T_HEAT:g})",
                      {"x": grid.tolist(), "series": series, "xlabel": "x", "ylabel": "density"},
                      "Particle density 1/(nΔx_i) of the JKO iterates at the midpoints of neighbouring particles (no histogram; read off between "
                      "midpoints at every sixth grid point, the isolated markers), against the exact heat solution (curves): the mixture with every "
                      "variance grown by 2t.")


def check_transport(f: Any, ctx: Any) -> Outcome:
    """Transport by the Wasserstein gradient against Brownian motion.  With :math:`\\rho_t` the
    formula's solution from :data:`MIX`, particles moved by the velocity
    :math:`-\\nabla_W f(\\rho_t) = -\\nabla\\log\\rho_t` (RK4, vectorised) must (i) map the quantiles
    :math:`Q_0(s_i)` exactly to :math:`Q_t(s_i)` (a 1-D flow is monotone, so it is the monotone
    transport map; tolerance: RK4 step halving) and (ii) from random starts :math:`X_0`, have the
    law of the Brownian particles :math:`X_0 + \\sqrt{\\kappa(t)}Z` with the same start (κ the
    formula's kernel variance): the mean excess of W2² (to fresh samples) of the transported
    over the Brownian particles, with a standard error from the Brownian terms only, Student-t."""
    t_end = T_HEAT
    ref = _formula_heat(f, t_end)
    if ref is None:
        return _no_solution(f, t_end)
    n_q = ctx.pick(200, 1000, 4000)
    steps = ctx.pick(32, 64, 128)
    mixes: dict[float, GaussianMixture | None] = {}

    def field(t, x):
        tt = float(t)
        if tt not in mixes:
            mixes[tt] = _formula_heat(f, tt)
        m = mixes[tt]
        return -mixture_score(m, x[:, 0])[:, None] if m is not None else np.full_like(x, np.nan)

    s = midpoint_nodes(n_q)
    x0 = mixture_quantile(MIX, s)[:, None]
    with np.errstate(all="ignore"):
        coarse = integrate_particles(field, x0, 0.0, t_end, steps // 2)[:, 0]
        fine = integrate_particles(field, x0, 0.0, t_end, steps)[:, 0]
    exact = mixture_quantile(ref, s)
    rk = 16 / 15 * np.abs(fine - coarse)
    tol = rk + rounding_tol(float(np.abs(exact).max()) + 1, terms=4 * steps, cond=10.0)
    ratio = np.abs(fine - exact) / tol
    metrics: dict[str, Any] = {"n_quantiles": n_q, "rk4_steps": steps, "quantile_error": float(np.abs(fine - exact).max()), "rk4_budget": float(rk.max()),
                               "worst_error_over_budget": float(np.nanmax(ratio)) if np.all(np.isfinite(fine)) else math.inf}
    if not np.all(np.isfinite(fine)) or np.nanmax(ratio) > 1:
        i = int(np.nanargmax(ratio)) if np.all(np.isfinite(fine)) else 0
        return Outcome(Status.FAIL, f"particles moved by −∇log ρ_t do not stay at the quantiles of the formula's solution ({metrics['worst_error_over_budget']:.3g}× the RK4 budget)",
                       metrics, counterexample={"t": t_end, "s_i": float(s[i]), "x_i(0)": float(x0[i, 0]), "transported x_i(t)": float(fine[i]), "formula quantile Q_t(s_i)": float(exact[i]),
                                                "RK4 budget": float(tol[i])})
    rng = ctx.rng()
    reps, n = ctx.pick(16, 30, 60), ctx.pick(200, 400, 1000)
    start = MIX.sample(rng, reps * n)
    with np.errstate(all="ignore"):
        moved = integrate_particles(field, start, 0.0, t_end, steps)[:, 0].reshape(reps, n)
        moved_c = integrate_particles(field, start, 0.0, t_end, steps // 2)[:, 0].reshape(reps, n)
    kappa = float(f.kernel_variance(t_end))
    brown = (start[:, 0] + math.sqrt(kappa) * rng.standard_normal(reps * n)).reshape(reps, n)

    def w2sq(a, b):
        return float(np.mean((np.sort(a) - np.sort(b)) ** 2))

    w_m = np.array([w2sq(moved[r], ref.sample(rng, n)[:, 0]) for r in range(reps)])
    w_b = np.array([w2sq(brown[r], ref.sample(rng, n)[:, 0]) for r in range(reps)])
    delta = float(np.mean(w_m - w_b))
    _, se_b = mean_se(w_b)
    se = 2.0 * float(se_b)  # |W_m − W_b| has sd ≤ 2 sd(W_b) under the null, whatever the coupling
    k = ctx.multiplier(1, df=reps - 1)
    z = delta / se if se > 0 else math.inf
    err = float(np.abs(moved - moved_c).max()) * 16 / 15
    metrics |= {"reps": reps, "n": n, "delta_w2sq": delta, "se": se, "z": z, "k": k, "rk4_error_random": err}
    table = [{"statistic": "mean W2²(transported, fresh)", "value": float(w_m.mean())}, {"statistic": "mean W2²(Brownian, fresh)", "value": float(w_b.mean())},
             {"statistic": "excess δ ± se", "value": f"{delta:.3e} ± {se:.1e}"}, {"statistic": "quantile identity: max |x_i(t) − Q_t(s_i)|", "value": metrics["quantile_error"]}]
    figs = [_transport_figure(moved[0], brown[0], ref)] if ctx.figures else []
    if abs(z) > k:
        return Outcome(Status.FAIL, f"transported and Brownian particles have different laws: δ = {delta:.3g} ± {se:.2g} (z = {z:.2f}, k = {k:.2f})", metrics,
                       counterexample={"t": t_end, "delta": delta, "se": se, "z": z}, table=table, figures=figs)
    if 2 * math.sqrt(max(float(w_m.mean()), 0.0)) * err + err**2 > se:
        return Outcome(Status.INCONCLUSIVE, f"RK4 error {err:.1e} not below the W2 resolution {se:.1e}", metrics, table=table, figures=figs)
    return Outcome(Status.PASS, f"−∇log ρ_t maps quantiles to quantiles (error ≤ {metrics['worst_error_over_budget']:.2g}× RK4 budget) and moves particles like Brownian motion "
                   f"(z = {z:.2f}, k = {k:.2f})", metrics, table=table, figures=figs)


def _transport_figure(moved: np.ndarray, brown: np.ndarray, ref: GaussianMixture) -> FigureSpec:
    n = len(moved)
    s = midpoint_nodes(n)
    idx = np.linspace(0, n - 1, min(n, 120)).astype(int)
    return FigureSpec("transport-vs-brownian", "lines", "Sorted particles at t = 1/4: transported by −∇log ρ_t vs Brownian, same start",
                      {"x": s[idx].tolist(), "series": {"transported (RK4), sorted": np.sort(moved)[idx].tolist(), "Brownian X0 + √(2t) Z, sorted": np.sort(brown)[idx].tolist(),
                                                        "exact quantile F_t⁻¹(s)": mixture_quantile(ref, s[idx]).tolist()},
                       "xlabel": "quantile level s", "ylabel": "position"},
                      "One replicate: the deterministic transport and the stochastic diffusion from the same starting particles have the same law (the quantile curves agree up to sampling noise).")
